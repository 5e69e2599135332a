"""Local accounts and roles (docs/architecture.md, access and audit): Argon2id hashes, slowed and locked logins, validation, permissions, CLI."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tracker.access import auth
from tracker.cli import main as cli
from tracker.store import audit
from tracker.store.audit import audit_table
from tracker.store.db import Database
from tracker.text.errors import AuthError, ScopeError

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"
WRONG = "wrong-guess-password-1"
T0 = datetime(2026, 3, 2, 9, 0, 0)


class Sleeps(list):
    """Records the delays a login asked for, instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def login(db: Database, username: str, password: str, sleeps: Sleeps | None = None, *, now: datetime = T0):
    return auth.authenticate(db, username, password, now=now, sleep=sleeps if sleeps is not None else Sleeps())


def refusal(db: Database, username: str, password: str, sleeps: Sleeps | None = None, *, now: datetime = T0) -> AuthError:
    with pytest.raises(AuthError) as refused:
        login(db, username, password, sleeps, now=now)
    return refused.value


def entries(db: Database, action: str) -> list[dict]:
    return [e for e in audit_table(db).to_pylist() if e["action"] == action]


@pytest.fixture
def alice(db):
    return auth.create_user(db, "Alice", PASSWORD, "finance", display_name="Alice Li", actor="root")


# -- hashes ----------------------------------------------------------------------------------------
def test_the_stored_hash_is_argon2id_and_the_password_is_nowhere_in_the_database(tmp_path):
    path = tmp_path / "secrets.duckdb"
    with Database.open(path) as db:
        auth.create_user(db, "alice", PASSWORD, "admin", actor="root")
        login(db, "alice", PASSWORD)
        refusal(db, "alice", WRONG)
        auth.set_password(db, "alice", PASSWORD + "-new", actor="root")
        stored = db.scalar("SELECT password_hash FROM users WHERE username = 'alice'")
        log_text = json.dumps(audit_table(db).to_pylist(), default=str)
        listed = auth.list_users(db)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored and not PasswordHasher().check_needs_rehash(stored)
    assert all("password_hash" not in row for row in listed)
    assert PASSWORD not in log_text and WRONG not in log_text and "$argon2" not in log_text
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("secrets.duckdb"))
    for secret in (PASSWORD, WRONG, PASSWORD + "-new"):
        assert secret.encode("utf-8") not in files and secret.encode("utf-16-le") not in files


def test_a_hash_made_with_weaker_parameters_is_replaced_at_the_next_login(db, alice):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.execute("UPDATE users SET password_hash = ? WHERE username = 'alice'", [weak])
    login(db, "alice", PASSWORD)
    stored = db.scalar("SELECT password_hash FROM users WHERE username = 'alice'")
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)
    assert login(db, "alice", PASSWORD).username == "alice"


# -- logging in ------------------------------------------------------------------------------------
def test_a_good_login_returns_the_user_resets_failures_and_records_the_time(db, alice):
    refusal(db, "alice", WRONG)
    user = login(db, "  ALICE ", PASSWORD, now=T0)
    assert user == auth.User("alice", "finance", None, "Alice Li")
    account = next(u for u in auth.list_users(db) if u["username"] == "alice")
    assert (account["failed_attempts"], account["locked_until"], account["last_login_at"]) == (0, None, T0)


def test_an_unknown_user_and_a_wrong_password_get_the_same_message_and_delay(db, alice):
    wrong_sleeps, unknown_sleeps = Sleeps(), Sleeps()
    wrong = refusal(db, "alice", WRONG, wrong_sleeps)
    unknown = refusal(db, "nobody", WRONG, unknown_sleeps)
    assert wrong.key == unknown.key == "auth.bad_credentials"
    for lang in ("en", "zh"):
        assert wrong.text(lang) == unknown.text(lang)
    assert wrong.text("en") == "Wrong username or password." and wrong.text("zh") == "用户名或密码错误。"
    assert wrong_sleeps == unknown_sleeps == [auth.REFUSAL_DELAY_SECONDS]
    assert [(e["actor"], e["target"]) for e in entries(db, "login_failed")] == [
        ("anonymous", audit.pseudonym(db, "nobody")),
        ("alice", "alice"),
    ]


def test_five_failures_lock_the_account_and_the_form_does_not_say_so(db, alice):
    sleeps = Sleeps()
    for _ in range(auth.LOCK_AFTER_FAILURES):
        assert refusal(db, "alice", WRONG, sleeps).key == "auth.bad_credentials"
    assert sleeps == [auth.REFUSAL_DELAY_SECONDS] * auth.LOCK_AFTER_FAILURES

    locked = refusal(db, "alice", PASSWORD, sleeps, now=T0 + timedelta(minutes=1))  # even the right password
    assert locked.key == "auth.bad_credentials"  # the same as for a name that does not exist
    assert refusal(db, "alice", PASSWORD, now=T0 + timedelta(minutes=14, seconds=59)).key == "auth.bad_credentials"
    assert sleeps[-1] == auth.REFUSAL_DELAY_SECONDS
    lock = [json.loads(e["details"]) for e in entries(db, "login_failed")][0]  # newest first: the lock is in the log
    assert lock["reason"] == "locked" and lock["locked_until"] == (T0 + timedelta(minutes=auth.LOCK_MINUTES)).isoformat()

    after = T0 + timedelta(minutes=auth.LOCK_MINUTES)
    assert login(db, "alice", PASSWORD, now=after).username == "alice"
    account = next(u for u in auth.list_users(db) if u["username"] == "alice")
    assert (account["failed_attempts"], account["locked_until"]) == (0, None)


def test_after_a_lock_runs_out_each_further_failure_locks_again(db, alice):
    for _ in range(auth.LOCK_AFTER_FAILURES):
        refusal(db, "alice", WRONG)
    later = T0 + timedelta(minutes=auth.LOCK_MINUTES)
    assert refusal(db, "alice", WRONG, now=later).key == "auth.bad_credentials"
    [newest] = entries(db, "login_failed")[:1]
    assert json.loads(newest["details"])["reason"] == "wrong_password"  # this one was checked
    with pytest.raises(AuthError):
        login(db, "alice", PASSWORD, now=later + timedelta(minutes=1))
    assert json.loads(entries(db, "login_failed")[0]["details"])["reason"] == "locked"


class CountedChecks:
    """Counts the Argon2 verifications of real (not dummy) hashes."""

    def __init__(self, monkeypatch):
        self.real, self.dummy = 0, 0
        original = auth._password_matches

        def counted(password_hash, password):
            if password_hash == auth._dummy_hash():
                self.dummy += 1
            else:
                self.real += 1
            return original(password_hash, password)

        monkeypatch.setattr(auth, "_password_matches", counted)


def test_parallel_wrong_passwords_are_all_counted_and_no_more_are_checked_than_the_lock_allows(db, alice, monkeypatch):
    checks = CountedChecks(monkeypatch)
    attempts = 20
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt() -> None:
        cursor = db.cursor()
        barrier.wait()
        try:
            auth.authenticate(cursor, "alice", WRONG, now=T0, sleep=Sleeps())
        except AuthError as error:
            outcomes.append(error.key)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["auth.bad_credentials"] * attempts
    account = next(u for u in auth.list_users(db) if u["username"] == "alice")
    assert account["failed_attempts"] == attempts
    assert account["locked_until"] == T0 + timedelta(minutes=auth.LOCK_MINUTES)
    assert checks.real == auth.LOCK_AFTER_FAILURES and checks.dummy == attempts - auth.LOCK_AFTER_FAILURES
    assert refusal(db, "alice", PASSWORD).key == "auth.bad_credentials"  # locked
    assert audit.verify(db) == []


def test_an_unknown_name_a_wrong_password_and_a_locked_account_cost_the_same(db, alice, monkeypatch):
    auth.create_user(db, "bob", PASSWORD, "auditor", actor="root")
    for _ in range(auth.LOCK_AFTER_FAILURES):
        refusal(db, "bob", WRONG)
    checks = CountedChecks(monkeypatch)
    results = {}
    for case, (name, password) in {"unknown": ("nobody", WRONG), "wrong": ("alice", WRONG), "locked": ("bob", PASSWORD)}.items():
        before = (checks.real, checks.dummy)
        sleeps = Sleeps()
        refused = refusal(db, name, password, sleeps)
        results[case] = (refused.key, refused.text("en"), refused.text("zh"), sleeps, checks.real + checks.dummy - sum(before))
    assert results["unknown"] == results["wrong"] == results["locked"]
    assert results["locked"][-1] == 1  # one Argon2 verification each


def test_a_password_typed_as_the_name_is_not_stored(tmp_path):
    path = tmp_path / "typo.duckdb"
    with Database.open(path) as db:
        auth.create_user(db, "alice", PASSWORD, "admin", actor="root")
        for _ in range(2):
            refusal(db, PASSWORD.upper(), PASSWORD)
        refusal(db, "mallory", WRONG)
        targets = [e["target"] for e in entries(db, "login_failed")]
        log_text = json.dumps(audit_table(db).to_pylist(), default=str).lower()
    assert targets[1] == targets[2] != targets[0] and all(t.startswith("unknown:") for t in targets)
    assert PASSWORD not in log_text and "mallory" not in log_text
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("typo.duckdb"))
    assert PASSWORD.encode("utf-8") not in files


def test_a_disabled_account_is_refused_even_with_the_right_password(db, alice):
    auth.create_user(db, "root-admin", PASSWORD, "admin", actor="setup")
    auth.disable_user(db, "ALICE", actor="root-admin")
    refused = refusal(db, "alice", PASSWORD)
    assert refused.key == "auth.disabled"
    assert "disabled" in refused.text("en") and "停用" in refused.text("zh")
    assert refusal(db, "alice", WRONG).key == "auth.bad_credentials"  # told only to whoever knows the password
    assert next(u for u in auth.list_users(db) if u["username"] == "alice")["disabled"] is True


def test_the_last_active_administrator_cannot_be_disabled(db):
    auth.create_user(db, "boss", PASSWORD, "admin", actor="setup")
    with pytest.raises(AuthError) as refused:
        auth.disable_user(db, "boss", actor="boss")
    assert refused.value.key == "auth.last_admin" and "管理员" in refused.value.text("zh")
    with pytest.raises(AuthError) as unknown:
        auth.disable_user(db, "ghost", actor="boss")
    assert unknown.value.key == "auth.unknown_user"


def test_a_new_password_replaces_the_old_one_and_lifts_a_lock(db, alice):
    for _ in range(auth.LOCK_AFTER_FAILURES):
        refusal(db, "alice", WRONG)
    auth.set_password(db, "alice", "a-brand-new-secret", actor="root")
    assert login(db, "alice", "a-brand-new-secret").username == "alice"
    assert refusal(db, "alice", PASSWORD).key == "auth.bad_credentials"
    with pytest.raises(AuthError) as short:
        auth.set_password(db, "alice", "short", actor="root")
    assert short.value.key == "auth.password_too_short"


def test_a_new_password_may_not_be_the_user_name(db):
    """The policy holds when a password is replaced as when an account is made: the name itself, in any case and
    with surrounding spaces, is refused, and the password in force stays."""
    auth.create_user(db, "longusername1", PASSWORD, "auditor", actor="root")
    with pytest.raises(AuthError) as refused:
        auth.set_password(db, "LongUserName1", " LONGUSERNAME1 ", actor="root")
    assert refused.value.key == "auth.password_is_username" and "不能与用户名相同" in refused.value.text("zh")
    assert login(db, "longusername1", PASSWORD).username == "longusername1"


def test_an_idle_session_expires_after_thirty_minutes():
    assert auth.SESSION_IDLE_MINUTES == 30
    assert not auth.session_expired(T0, T0 + timedelta(minutes=29, seconds=59))
    assert auth.session_expired(T0, T0 + timedelta(minutes=30))


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "password", "role", "agency", "key", "en", "zh"),
    [
        ("al", PASSWORD, "finance", None, "auth.bad_username", "cannot be a user name", "不能作为用户名"),
        ("has space", PASSWORD, "finance", None, "auth.bad_username", "cannot be a user name", "不能作为用户名"),
        ("-dash", PASSWORD, "finance", None, "auth.bad_username", "cannot be a user name", "不能作为用户名"),
        ("carol", PASSWORD, "boss", None, "auth.bad_role", "not a role", "不是有效的角色"),
        ("carol", PASSWORD, "agency", None, "auth.agency_required", "needs the code of its agency", "必须指定所属单位"),
        ("carol", PASSWORD, "agency", "  ", "auth.agency_required", "needs the code of its agency", "必须指定所属单位"),
        ("carol", PASSWORD, "finance", "A001", "auth.agency_not_allowed", "leave the agency empty", "不要填写单位"),
        ("carol", "short-pw", "finance", None, "auth.password_too_short", "at least 10 characters", "至少为 10 个字符"),
        ("carol", "          x", "finance", None, "auth.password_too_short", "at least 10 characters", "至少为 10 个字符"),
        (
            "longusername1",
            "LongUserName1",
            "auditor",
            None,
            "auth.password_is_username",
            "must not be the user name",
            "不能与用户名相同",
        ),
    ],
)
def test_invalid_accounts_are_refused_clearly_in_both_languages(db, username, password, role, agency, key, en, zh):
    with pytest.raises(AuthError) as refused:
        auth.create_user(db, username, password, role, agency=agency, actor="root")
    assert refused.value.key == key
    assert en in refused.value.text("en") and zh in refused.value.text("zh")
    assert not auth.has_users(db) and audit_table(db).num_rows == 0


def test_user_names_are_case_insensitive_and_unique(db, alice):
    assert auth.has_users(db)
    with pytest.raises(AuthError) as refused:
        auth.create_user(db, "ALICE", "another-password", "auditor", actor="root")
    assert refused.value.key == "auth.user_exists"
    agency_user = auth.create_user(db, "Bob.Wang@a001", PASSWORD, "agency", agency=" A001 ", actor="root")
    assert agency_user == auth.User("bob.wang@a001", "agency", "A001", None)
    assert [u["username"] for u in auth.list_users(db)] == ["alice", "bob.wang@a001"]


def test_demo_accounts_one_per_role_log_in_and_are_created_once(db):
    accounts = auth.demo_accounts()
    assert sorted(role for _, _, role, _ in accounts) == sorted(auth.ROLES)
    assert auth.ensure_demo_accounts(db) == len(accounts)
    assert auth.ensure_demo_accounts(db) == 0
    for username, password, role, agency in accounts:
        user = login(db, username, password)
        assert (user.role, user.agency_code) == (role, agency)
        assert auth.agency_scope(user) == ("A001" if role == "agency" else None)


# -- roles -----------------------------------------------------------------------------------------
ALLOWED = {  # written out here, independently of tracker.access.auth, from the README's table of roles
    "admin": {"upload", "review", "export", "settings", "users", "audit", "pool_declare", "pool_withdraw", "request"},
    "finance": {"export", "pool_withdraw"},
    "auditor": {"review", "export"},
    "agency": {"upload", "pool_declare", "request"},
}
PAGES = {
    "admin": {"overview", "explore", "findings", "reallocation", "upload", "settings", "data", "audit", "transfers"},
    "finance": {"overview", "explore", "findings", "reallocation", "data", "transfers"},
    "auditor": {"overview", "explore", "findings", "reallocation", "transfers"},
    "agency": {"overview", "explore", "reallocation", "upload", "transfers"},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("action", ["upload", "review", "export", "settings", "users", "audit"])
def test_every_role_may_do_exactly_its_actions(role, action):
    user = auth.User("someone", role, "A001" if role == "agency" else None, None)
    if action in ALLOWED[role]:
        assert auth.can(user, action)
        auth.require(user, action)
    else:
        assert not auth.can(user, action)
        with pytest.raises(ScopeError) as refused:
            auth.require(user, action)
        assert refused.value.key == "auth.not_allowed"
        assert "may not" in refused.value.text("en") and "无权" in refused.value.text("zh")


def test_pages_and_scope_by_role():
    assert {role: set(pages) for role, pages in auth.ROLE_PAGES.items()} == PAGES
    assert set(auth.ROLES) == set(ALLOWED) == set(auth.ACTIONS)
    assert auth.agency_scope(auth.User("x", "agency", "A002", None)) == "A002"
    assert auth.agency_scope(auth.User("x", "admin", None, None)) is None
    with pytest.raises(ValueError):
        auth.can(auth.User("x", "admin", None, None), "delete everything")


# -- command line ----------------------------------------------------------------------------------
def run(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_PASSWORD"}
    env.update({"PYTHONPATH": str(ROOT), "TRACKER_USER": "cli:tester"})
    if password is not None:
        env["TRACKER_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


@pytest.fixture
def tracker_cli(monkeypatch, capsys):
    """`python -m tracker ...` run in this process: (exit code, stdout, stderr), the password from the environment."""
    monkeypatch.setenv("TRACKER_USER", "cli:tester")

    def call(*args: str, password: str | None = None) -> tuple[int, str, str]:
        if password is None:
            monkeypatch.delenv("TRACKER_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("TRACKER_PASSWORD", password)
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_cli_adds_lists_disables_and_sets_passwords(tmp_path, tracker_cli):
    db = str(tmp_path / "cli.duckdb")
    code, out, err = tracker_cli("--db", db, "users", "add", "Admin1", "--role", "admin", "--name", "Ada", password=PASSWORD)
    assert (code, out) == (0, "") and "admin1" in err
    assert tracker_cli("--db", db, "users", "add", "clerk", "--role", "agency", "--agency", "A001", password=PASSWORD)[0] == 0
    code, _, err = tracker_cli("--db", db, "--lang", "zh", "users", "add", "clerk2", "--role", "agency", password=PASSWORD)
    assert code == 1 and "单位代码" in err
    code, _, err = tracker_cli("--db", db, "users", "add", "clerk3", "--role", "auditor", password="short")
    assert code == 1 and "at least 10 characters" in err
    assert tracker_cli("--db", db, "users", "add", "clerk4", "--role", "boss", password=PASSWORD)[0] == 2

    assert tracker_cli("--db", db, "users", "set-password", "CLERK", password="clerk-new-password")[0] == 0
    assert tracker_cli("--db", db, "users", "disable", "clerk")[0] == 0
    code, _, err = tracker_cli("--db", db, "users", "disable", "admin1")
    assert code == 1 and "last active administrator" in err

    code, out, _ = tracker_cli("--db", db, "users", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("username,display_name,role,agency_code,disabled")
    assert [line.split(",")[:5] for line in lines[1:]] == [
        ["admin1", "Ada", "admin", "", "False"],
        ["clerk", "", "agency", "A001", "True"],
    ]
    assert "argon2" not in out and PASSWORD not in out

    with Database.open(db) as database:
        assert auth.authenticate(database, "admin1", PASSWORD, sleep=Sleeps()).role == "admin"
        assert refusal(database, "clerk", "clerk-new-password").key == "auth.disabled"
        log = audit_table(database).to_pylist()
    assert [(e["action"], e["target"]) for e in reversed(log)][:4] == [
        ("user_created", "admin1"),
        ("user_created", "clerk"),
        ("password_changed", "clerk"),
        ("user_disabled", "clerk"),
    ]
    assert {e["actor"] for e in log if not e["action"].startswith("login")} == {"cli:tester"}


def test_cli_reads_the_password_from_the_environment_of_a_real_process(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    result = run("--db", db, "users", "add", "eve", "--role", "auditor", password=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "eve" in result.stderr
    with Database.open(db) as database:
        assert login(database, "eve", PASSWORD).role == "auditor"
        assert audit_table(database).column("actor").to_pylist() == ["eve", "cli:tester"]  # newest first


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_cli_takes_no_password_argument(tmp_path, tracker_cli):
    db = str(tmp_path / "cli.duckdb")
    for command in (("users", "add", "eve", "--role", "admin"), ("users", "set-password", "eve")):
        code, _, err = tracker_cli("--db", db, *command, "--password", PASSWORD, password=PASSWORD)
        assert code == 2 and "unrecognized arguments" in err
    for command in subcommands(subcommands(cli.build_parser())["users"]).values():
        assert not [option for action in command._actions for option in action.option_strings if "pass" in option]
    with Database.open(db) as database:
        assert not auth.has_users(database)


def test_cli_asks_twice_when_no_password_is_in_the_environment(tmp_path, monkeypatch, tracker_cli):
    db = str(tmp_path / "cli.duckdb")
    typed = iter([PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD])
    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or next(typed))
    code, _, err = tracker_cli("--db", db, "users", "add", "eve", "--role", "auditor")
    assert code == 1 and "not the same" in err
    assert tracker_cli("--db", db, "--lang", "zh", "users", "add", "eve", "--role", "auditor")[0] == 0
    assert prompts == ["Password: ", "Password again: ", "密码：", "再次输入密码："]
    with Database.open(db) as database:
        assert login(database, "eve", PASSWORD).role == "auditor"


def test_single_sign_on_maps_an_identity_to_its_account(db):
    from tracker.access.auth import create_user, disable_user, user_for_identity

    create_user(db, "li.wei@agency.gov.cn", "a long enough secret", "agency", agency="A001", actor="admin")
    user = user_for_identity(db, "Li.Wei@Agency.gov.cn")
    assert (user.username, user.role, user.agency_code) == ("li.wei@agency.gov.cn", "agency", "A001")
    with pytest.raises(AuthError) as unknown:
        user_for_identity(db, "someone@else.org")
    assert "no account here" in unknown.value.text("en") and "没有账户" in unknown.value.text("zh")
    disable_user(db, "li.wei@agency.gov.cn", actor="admin")
    with pytest.raises(AuthError):
        user_for_identity(db, "li.wei@agency.gov.cn")
    actions = [r[0] for r in db.fetchall("SELECT action FROM audit_log ORDER BY entry_id")]
    assert actions.count("login") == 1 and actions.count("login_failed") == 2


def _log(db: Database, since: int = 0) -> list[tuple]:
    rows = db.fetchall(
        "SELECT actor, action, target, details FROM audit_log WHERE entry_id > ? AND action LIKE 'login%' ORDER BY entry_id",
        [since],
        name="t",
    )
    return [(actor, action, target, details and json.loads(details)) for actor, action, target, details in rows]


def test_each_sign_in_outcome_is_logged_with_its_reason(db, alice):
    stored = db.scalar("SELECT password_hash FROM users WHERE username = 'alice'")
    login(db, "alice", PASSWORD)
    assert db.scalar("SELECT password_hash FROM users WHERE username = 'alice'") == stored  # not re-hashed
    refusal(db, "", WRONG)
    refusal(db, "nobody", WRONG)
    assert refusal(db, "alice", None).key == "auth.bad_credentials"  # not a password at all: refused, not a traceback
    for _ in range(auth.LOCK_AFTER_FAILURES - 1):
        refusal(db, "alice", WRONG)
    until = (T0 + timedelta(minutes=auth.LOCK_MINUTES)).isoformat()
    assert _log(db) == [
        ("alice", "login", "alice", None),
        ("anonymous", "login_failed", None, {"reason": "unknown_user"}),
        ("anonymous", "login_failed", audit.pseudonym(db, "nobody"), {"reason": "unknown_user"}),
        *[
            ("alice", "login_failed", "alice", {"reason": "wrong_password", "failures": n, "locked_until": None})
            for n in range(1, auth.LOCK_AFTER_FAILURES)
        ],
        ("alice", "login_failed", "alice", {"reason": "wrong_password", "failures": 5, "locked_until": until}),
    ]


def test_a_disabled_account_given_its_password_is_told_so_after_the_same_delay_and_its_count_starts_again(db, alice):
    auth.create_user(db, "boss", PASSWORD, "admin", actor="root")
    for _ in range(3):
        refusal(db, "alice", WRONG)
    auth.disable_user(db, "alice", actor="boss")
    since = db.scalar("SELECT max(entry_id) FROM audit_log")
    sleeps = Sleeps()
    assert refusal(db, "alice", PASSWORD, sleeps).key == "auth.disabled"
    assert sleeps == [auth.REFUSAL_DELAY_SECONDS]
    assert db.scalar("SELECT failed_attempts FROM users WHERE username = 'alice'") == 0
    assert _log(db, since) == [("alice", "login_failed", "alice", {"reason": "disabled"})]


def test_a_login_that_replaces_a_weak_hash_says_so_in_the_log(db, alice):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.execute("UPDATE users SET password_hash = ? WHERE username = 'alice'", [weak])
    login(db, "alice", PASSWORD)
    login(db, "alice", PASSWORD)
    assert _log(db)[-2:] == [("alice", "login", "alice", {"rehashed": True}), ("alice", "login", "alice", None)]


def test_a_single_sign_on_login_is_recorded_with_its_provider(db):
    auth.create_user(db, "li.wei@agency.gov.cn", PASSWORD, "agency", agency="A001", display_name="Li Wei", actor="root")
    assert db.scalar("SELECT last_login_at FROM users") is None
    user = auth.user_for_identity(db, " Li.Wei@Agency.gov.cn ", provider="saml")
    assert user == auth.User("li.wei@agency.gov.cn", "agency", "A001", "Li Wei")
    assert db.scalar("SELECT last_login_at FROM users") is not None
    assert _log(db) == [("li.wei@agency.gov.cn", "login", "li.wei@agency.gov.cn", {"provider": "saml"})]


def test_the_demo_accounts_are_the_ones_the_sign_in_page_and_the_readme_name(db):
    assert auth.demo_accounts() == [  # public on purpose: the README names the administrator's
        ("admin", "demo-admin-pass", "admin", None),
        ("finance", "demo-finance-pass", "finance", None),
        ("auditor", "demo-auditor-pass", "auditor", None),
        ("agency-a001", "demo-agency-pass", "agency", "A001"),
    ]
    assert auth.ensure_demo_accounts(db) == 4
    assert login(db, "admin", "demo-admin-pass").role == "admin"
