"""The audit log (docs/architecture.md, access and audit): every audited action leaves a chained entry, and tampering is detected."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.access import auth
from tracker.casework.evidence import build_pack
from tracker.casework.reports import flags_report
from tracker.casework.review import review
from tracker.engine.parameters import set_setting
from tracker.ingest.pipeline import ingest_file
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.profiles import set_profile_value
from tracker.text.errors import AuthError, ConfigError, DatabaseError, FileRefused

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 12, 31)
PASSWORD = "correct-horse-battery-9"
ASSETS = (
    "asset_id,agency_code,category,purchase_cost,purchase_date\nPC-1,A001,laptop,5000,2024-01-10\n"
    "PC-2,A001,laptop,5000,2024-01-10\n"
)


def no_sleep(seconds: float) -> None:
    """Failed logins are slowed down; these tests do not need to wait."""


def log(db: Database) -> list[dict]:
    """The audit log, oldest first."""
    return list(reversed(audit.audit_table(db).to_pylist()))


def details(entry: dict) -> dict:
    return json.loads(entry["details"]) if entry["details"] else {}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


@pytest.fixture
def demo(demo_copy):
    return demo_copy


@pytest.fixture
def chained(tmp_path) -> Path:
    """A closed database file holding six entries: setting changes, a profile change, an upload."""
    path = tmp_path / "chained.duckdb"
    with Database.open(path) as db:
        for days in (100, 110, 120, 130):
            set_setting(db, "rule.IDLE.idle_days", days, "admin")
        set_profile_value(db, "laptop", "hours_per_day", 7, "admin")
        assets = tmp_path / "assets.csv"
        assets.write_text(ASSETS, encoding="utf-8")
        assert ingest_file(db, "assets", assets, actor="clerk").committed
        assert [e["entry_id"] for e in log(db)] == [1, 2, 3, 4, 5, 6]
    return path


# -- every action leaves an entry -------------------------------------------------------------------
def test_a_committed_upload_is_recorded_with_counts_and_the_file_hash(db, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text(ASSETS, encoding="utf-8")
    report = ingest_file(db, "assets", path, actor="clerk@a001", agency="A001")
    [entry] = log(db)
    assert (entry["actor"], entry["action"], entry["target"]) == ("clerk@a001", "upload", "assets.csv")
    assert details(entry) == {
        "status": "committed",
        "upload_id": report.upload_id,
        "kind": "assets",
        "file_name": "assets.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows_read": 2,
        "rows_accepted": 2,
        "rows_rejected": 0,
        "rows_inserted": 2,
        "rows_replaced": 0,
        "rows_unchanged": 0,
    }


def test_a_partial_upload_is_recorded_but_refusals_and_dry_runs_change_nothing(db, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text(ASSETS + "PC-3,A001,laptop,not money,2024-01-10\n", encoding="utf-8")
    rejected = ingest_file(db, "assets", path, actor="clerk")
    dry = ingest_file(db, "assets", path, actor="clerk", partial=True, dry_run=True)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileRefused):
        ingest_file(db, "assets", empty, actor="clerk")
    assert (rejected.status, dry.status) == ("rejected", "dry_run")
    assert log(db) == []
    # what the dashboard records for them itself
    assert rejected.audit_details()["status"] == "rejected"
    assert dry.audit_details()["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    partial = ingest_file(db, "assets", path, actor="clerk", partial=True)
    [entry] = log(db)
    assert (entry["action"], details(entry)["status"], details(entry)["rows_rejected"]) == ("upload", "partial", 1)
    assert details(entry)["upload_id"] == partial.upload_id


def test_setting_and_profile_changes_are_recorded_only_when_the_value_changes(db):
    set_setting(db, "rule.IDLE.idle_days", "120", "alice")
    set_setting(db, "rule.IDLE.idle_days", "120", "bob")
    set_profile_value(db, "laptop", "low_threshold", 0.2, "carol", note="pilot")
    set_profile_value(db, "laptop", "low_threshold", "0.2", "dave")
    assert [(e["actor"], e["action"], e["target"], details(e)) for e in log(db)] == [
        ("alice", "setting_changed", "rule.IDLE.idle_days", {"old": "90", "new": "120"}),
        ("carol", "profile_changed", "laptop", {"field": "low_threshold", "old": "0.25", "new": "0.2", "note": "pilot"}),
    ]


def test_a_change_and_its_entry_land_together_or_not_at_all(db):
    with pytest.raises(RuntimeError):
        with audit.transaction(db):
            set_setting(db, "currency", "USD", "alice")
            raise RuntimeError("the rest of the change failed")
    assert log(db) == [] and db.scalar("SELECT count(*) FROM settings") == 0
    set_setting(db, "currency", "EUR", "alice")  # after an id was used by the rolled-back entry
    assert [e["action"] for e in log(db)] == ["setting_changed"]
    assert audit.verify(db) == []


def test_reviews_and_exports_are_recorded(demo):
    before = len(log(demo))
    flags = flags_report(demo, as_of=AS_OF)
    flag = flags.to_pylist()[0]
    review(demo, flag, "dismissed", "auditor-a", reason="spare kept on purpose", note="see memo 12")
    pack = build_pack(
        demo,
        flags,
        as_of=AS_OF,
        window_days=365,
        actor="auditor-a",
        filters={"agency": ["A001"]},
    )
    reviewed, exported = log(demo)[before:]
    assert (reviewed["actor"], reviewed["action"], reviewed["target"]) == ("auditor-a", "review", flag["flag_id"])
    assert details(reviewed)["status"] == "dismissed" and details(reviewed)["reason"] == "spare kept on purpose"
    assert (exported["actor"], exported["action"]) == ("auditor-a", "export")
    assert details(exported)["fingerprint"] == pack.fingerprint and details(exported)["findings"] == pack.findings
    assert details(exported)["as_of"] == "2025-12-31" and details(exported)["filters"] == {"agency": ["A001"]}
    assert audit.verify(demo) == []


def test_logins_logouts_and_account_changes_are_recorded(db):
    auth.create_user(db, "root", PASSWORD, "admin", actor="setup")
    auth.create_user(db, "alice", PASSWORD, "auditor", actor="root")
    user = auth.authenticate(db, "alice", PASSWORD, sleep=no_sleep)
    with pytest.raises(AuthError):
        auth.authenticate(db, "alice", "not-the-password", sleep=no_sleep)
    with pytest.raises(AuthError):
        auth.authenticate(db, "mallory", "not-the-password", sleep=no_sleep)
    auth.logout(db, user, reason="idle")
    auth.set_password(db, "alice", "another-password", actor="root")
    auth.disable_user(db, "alice", actor="root")
    assert [(e["actor"], e["action"], e["target"]) for e in log(db)] == [
        ("setup", "user_created", "root"),
        ("root", "user_created", "alice"),
        ("alice", "login", "alice"),
        ("alice", "login_failed", "alice"),
        ("anonymous", "login_failed", audit.pseudonym(db, "mallory")),
        ("alice", "logout", "alice"),
        ("root", "password_changed", "alice"),
        ("root", "user_disabled", "alice"),
    ]
    assert details(log(db)[1]) == {"role": "auditor", "agency": None, "display_name": None}
    assert audit.verify(db) == []


def test_record_refuses_unknown_actions_and_secrets(db):
    with pytest.raises(ValueError):
        audit.record(db, "alice", "deleted_everything")
    with pytest.raises(ValueError):
        audit.record(db, "alice", "password_changed", "bob", {"password": PASSWORD})
    with pytest.raises(ValueError):
        audit.record(db, " ", "logout")
    assert log(db) == []


# -- the chain -------------------------------------------------------------------------------------
def test_the_chain_links_every_entry_to_the_one_before(db):
    for days in (100, 110, 120):
        set_setting(db, "rule.IDLE.idle_days", days, "admin")
    rows = db.fetchall(
        'SELECT entry_id, "at", actor, action, target, details, prev_hash, entry_hash FROM audit_log ORDER BY entry_id'
    )
    previous = "0" * 64
    key = json.loads(db.path.with_name("tracker.audit-key").read_text(encoding="utf-8"))
    assert key["keyed_from"] == 1
    for entry_id, at, actor, action, target, text, prev_hash, entry_hash in rows:
        canonical = json.dumps(
            [entry_id, at.isoformat(), actor, action, target, json.loads(text)],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert prev_hash == previous
        expected = hmac.new(bytes.fromhex(key["key"]), (prev_hash + canonical).encode("utf-8"), hashlib.sha256)
        assert entry_hash == expected.hexdigest()
        previous = entry_hash
    assert audit.head(db) == (rows[-1][0], rows[-1][-1])
    assert audit.audit_table(db, limit=2).column("entry_id").to_pylist() == [3, 2]


def test_concurrent_appends_do_not_fork_the_chain(db):
    def append(worker: int) -> None:
        cursor = db.cursor()
        for n in range(20):
            audit.record(cursor, f"worker-{worker}", "logout", details={"n": n})

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log(db)) == 80 and audit.verify(db) == []


def test_the_schema_refuses_a_second_entry_after_the_same_one(db):
    audit.record(db, "alice", "logout")
    with pytest.raises(DatabaseError):
        db.execute("INSERT INTO audit_log VALUES (99, now(), 'x', 'logout', NULL, NULL, ?, ?)", ["0" * 64, "f" * 64])


TAMPERING = {
    "altered details": (
        'UPDATE audit_log SET details = \'{"new":"200","old":"90"}\' WHERE entry_id = 3',
        ["Audit entry #3 was changed after it was written."],
    ),
    "altered actor": (
        "UPDATE audit_log SET actor = 'someone else' WHERE entry_id = 6",
        ["Audit entry #6 was changed after it was written."],
    ),
    "middle entry deleted": (
        "DELETE FROM audit_log WHERE entry_id = 3",
        [
            "Audit entries are missing: #3 (deleted).",
            "Audit entry #4 does not follow entry #2: entries between them were deleted, or entries were reordered.",
        ],
    ),
    "last-but-one deleted": (
        "DELETE FROM audit_log WHERE entry_id IN (4, 5)",
        [
            "Audit entries are missing: #4–#5 (deleted).",
            "Audit entry #6 does not follow entry #3: entries between them were deleted, or entries were reordered.",
        ],
    ),
    "first entry deleted": (
        "DELETE FROM audit_log WHERE entry_id = 1",
        [
            "Audit entries are missing: #1 (deleted).",
            "The audit log does not start at its first entry: the entries before #2 were deleted.",
        ],
    ),
    "two entries swapped": (
        "UPDATE audit_log SET entry_id = CASE entry_id WHEN 2 THEN 3 ELSE 2 END WHERE entry_id IN (2, 3)",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_detected_by_verify_and_by_the_command_line(chained, case):
    sql, expected = TAMPERING[case]
    with Database.open(chained) as db:
        assert audit.verify(db) == []
        db.execute(sql)
        problems = audit.verify(db)
        problems_zh = audit.verify(db, lang="zh")
    assert problems and len(problems_zh) == len(problems) and "审计" in problems_zh[0]
    if expected is not None:
        assert problems == expected
    result = run("--db", str(chained), "audit", "verify")
    assert result.returncode == 1 and result.stdout == ""
    assert "tampered" in result.stderr and all(p in result.stderr for p in problems)


def test_the_command_line_lists_the_log_and_reports_an_intact_chain(chained):
    verified = run("--db", str(chained), "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    with Database.open(chained) as db:
        newest = audit.head(db)
    assert f"#{newest[0]}" in verified.stderr and newest[1] in verified.stderr
    listed = run("--db", str(chained), "audit", "list", "--limit", "2")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "entry_id,at,actor,action,target,details,entry_hash"
    fields = [line.split(",") for line in lines[1:]]
    assert [[f[0], *f[2:5]] for f in fields] == [
        ["6", "clerk", "upload", "assets.csv"],
        ["5", "admin", "profile_changed", "laptop"],
    ]


# -- the keyed chain and the head recorded elsewhere ------------------------------------------------
def rows(db: Database) -> list[tuple]:
    return db.fetchall(
        'SELECT entry_id, "at", actor, action, target, details, prev_hash, entry_hash FROM audit_log ORDER BY entry_id'
    )


def rewrite_chain(db: Database, hash_function) -> None:
    """What someone who can write the database does to hide a deletion: renumber and recompute every hash."""
    previous = audit.GENESIS_HASH
    kept = rows(db)
    db.execute("DELETE FROM audit_log")
    for new_id, (_, at, actor, action, target, text, _, _) in enumerate(kept, start=1):
        plain = None if text is None else json.loads(text)
        entry_hash = hash_function(previous, new_id, at, actor, action, target, plain)
        db.execute(
            "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [new_id, at, actor, action, target, text, previous, entry_hash],
        )
        previous = entry_hash


def test_deleting_the_newest_entries_is_flagged_against_the_head_recorded_elsewhere(chained):
    recorded = run("--db", str(chained), "audit", "head")
    assert recorded.returncode == 0, recorded.stderr
    head_hash = recorded.stdout.strip()
    assert len(head_hash) == 64 and "#6" in recorded.stderr
    intact = run("--db", str(chained), "audit", "verify", "--head", head_hash)
    assert intact.returncode == 0, intact.stderr
    assert "#6" in intact.stderr
    with Database.open(chained) as db:
        db.execute("DELETE FROM audit_log WHERE entry_id >= 4")
        assert audit.verify(db) == []  # the table alone cannot show it
        assert audit.verify(db, head_hash=head_hash) == [
            f"The recorded head {head_hash} is not in the audit log: the entries up to it were deleted or rewritten."
        ]
        assert "日志头" in audit.verify(db, lang="zh", head_hash=head_hash)[0]
    result = run("--db", str(chained), "audit", "verify", "--head", head_hash)
    assert result.returncode == 1 and head_hash in result.stderr


def test_an_entry_deleted_and_the_chain_recomputed_without_the_key_is_flagged(chained):
    with Database.open(chained) as db:
        db.execute("DELETE FROM audit_log WHERE entry_id = 3")
        rewrite_chain(db, audit._entry_hash)  # the module's own hash function, without the key
        assert [r[0] for r in rows(db)] == [1, 2, 3, 4, 5]
        problems = audit.verify(db)
        guessed = os.urandom(32)
        rewrite_chain(db, lambda *fields: audit._entry_hash(*fields, key=guessed))
        assert len(audit.verify(db)) == 5
    assert problems == [f"Audit entry #{n} was changed after it was written." for n in range(1, 6)]
    assert run("--db", str(chained), "audit", "verify").returncode == 1


def test_a_chain_recomputed_with_the_key_verifies_so_the_key_must_stay_out_of_the_database(chained):
    """The control for the test above: with the key (read from its file) the same rewrite passes."""
    key = audit._read_key(chained.with_name("chained.audit-key")).secret
    with Database.open(chained) as db:
        db.execute("DELETE FROM audit_log WHERE entry_id = 3")
        rewrite_chain(db, lambda *fields: audit._entry_hash(*fields, key=key))
        assert audit.verify(db) == []
        stored = json.dumps(db.fetchall("SELECT * FROM audit_log"), default=str)
        assert key.hex() not in stored


def test_a_wrong_or_missing_key_is_flagged(chained, tmp_path, monkeypatch):
    key_file = chained.with_name("chained.audit-key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    original = key_file.read_text(encoding="utf-8")
    key_file.write_text(json.dumps({"key": os.urandom(32).hex(), "keyed_from": 1}), encoding="utf-8")
    with Database.open(chained) as db:
        assert audit.verify(db) == [f"Audit entry #{n} was changed after it was written." for n in range(1, 7)]
        key_file.unlink()
        missing = audit.verify(db)
        assert missing[0].startswith(f"The audit key file {key_file} is missing") and len(missing) == 7
        key_file.write_text("not a key", encoding="utf-8")
        with pytest.raises(ConfigError) as unreadable:
            audit.verify(db)
        assert "cannot be read" in unreadable.value.text("en") and "无法读取" in unreadable.value.text("zh")
        key_file.write_text(original, encoding="utf-8")
        assert audit.verify(db) == []
    result = run("--db", str(chained), "audit", "verify")
    assert result.returncode == 0, result.stderr


def test_the_key_file_comes_from_the_environment_and_is_created_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    key_file = tmp_path / "keys" / "audit.key"
    monkeypatch.setenv("TRACKER_AUDIT_KEY_FILE", str(key_file))
    with Database.open(tmp_path / "elsewhere.duckdb") as db:
        set_setting(db, "currency", "USD", "alice")
        first = key_file.read_text(encoding="utf-8")
        set_setting(db, "currency", "EUR", "alice")
        assert key_file.read_text(encoding="utf-8") == first
        assert audit.verify(db) == []
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "elsewhere.audit-key").exists()


def test_entries_written_before_the_log_was_keyed_still_verify(tmp_path):
    """A database from before keyed hashes: plain SHA-256 entries, ids from a sequence that skipped 3."""
    path = tmp_path / "old.duckdb"
    with Database.open(path) as db:
        previous = audit.GENESIS_HASH
        for entry_id in (1, 2, 4):
            at = datetime(2025, 1, entry_id, 9, 0)
            entry_hash = audit._entry_hash(previous, entry_id, at, "admin", "logout", None, None)
            db.execute(
                "INSERT INTO audit_log VALUES (?, ?, 'admin', 'logout', NULL, NULL, ?, ?)", [entry_id, at, previous, entry_hash]
            )
            previous = entry_hash
        assert audit.verify(db) == []
        assert not path.with_name("old.audit-key").exists()  # verifying does not make a key
        set_setting(db, "currency", "USD", "alice")
        set_setting(db, "currency", "EUR", "alice")
        assert [r[0] for r in rows(db)] == [1, 2, 4, 5, 6]
        assert json.loads(path.with_name("old.audit-key").read_text())["keyed_from"] == 5
        assert audit.verify(db) == []
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE entry_id = 2")
        assert audit.verify(db) == ["Audit entry #2 was changed after it was written."]
        db.execute("UPDATE audit_log SET actor = 'admin' WHERE entry_id = 2")
        db.execute("DELETE FROM audit_log WHERE entry_id >= 4")  # every keyed entry and the last plain one
        assert audit.verify(db) == [
            "The audit log ends at entry #2, but entries up to #4 were written: the newest entries were deleted."
        ]


# -- the key file and the details at their edges ------------------------------------------------------
SHORT = "short key or bad first entry id"


@pytest.mark.parametrize(
    "content, reason",
    [
        ({"key": "ab" * 32, "keyed_from": 1}, None),  # 32 bytes, from the first entry: read
        ({"key": "ab" * 64, "keyed_from": 7}, None),
        ({"key": "ab" * 31, "keyed_from": 1}, SHORT),  # 31 bytes: too short
        ({"key": "ab" * 32, "keyed_from": 0}, SHORT),
        ({"key": "ab" * 32, "keyed_from": True}, SHORT),  # a yes/no is not an entry id
        ({"key": "ab" * 32, "keyed_from": "1"}, SHORT),
        ({"key": "ab" * 32, "keyed_from": 1.0}, SHORT),
        ({"key": "zz" * 32, "keyed_from": 1}, "non-hexadecimal number found in fromhex() arg at position 0"),
        ({"keyed_from": 1}, "'key'"),
        ({"key": "ab" * 32}, "'keyed_from'"),
        (["ab" * 32, 1], "list indices must be integers or slices, not str"),
    ],
)
def test_a_key_file_is_read_only_when_whole(tmp_path, content, reason):
    path = tmp_path / "t.audit-key"
    path.write_text(json.dumps(content), encoding="utf-8")
    if reason is None:
        key = audit._read_key(path)
        assert (key.secret, key.keyed_from, key.path) == (bytes.fromhex(content["key"]), content["keyed_from"], path)
        return
    with pytest.raises(ConfigError) as refused:
        audit._read_key(path)
    assert refused.value.key == "audit.bad_key"
    for lang in ("en", "zh"):
        text = refused.value.text(lang)
        assert str(path) in text and reason in text, text  # names the file and what is wrong with it


def test_a_missing_key_file_is_made_only_when_asked_keyed_from_the_next_entry(db):
    key_file = db.path.with_name("tracker.audit-key")
    assert audit.key_path(db) == key_file
    assert audit.load_key(db) is None and not key_file.exists()
    previous = audit.GENESIS_HASH
    for entry_id in (1, 2):  # two entries written before the log was keyed
        at = datetime(2025, 1, entry_id, 9, 0)
        entry_hash = audit._entry_hash(previous, entry_id, at, "admin", "logout", None, None)
        db.execute(
            "INSERT INTO audit_log VALUES (?, ?, 'admin', 'logout', NULL, NULL, ?, ?)", [entry_id, at, previous, entry_hash]
        )
        previous = entry_hash
    made = audit.load_key(db, create=True)
    assert made.keyed_from == 3 and made.path == key_file and len(made.secret) == 32
    assert audit.load_key(db, create=True) == made == audit.load_key(db)  # made once
    assert json.loads(key_file.read_text(encoding="utf-8")) == {"key": made.secret.hex(), "keyed_from": 3}
    assert not list(key_file.parent.glob(".tracker.audit-key.*"))  # no temporary file left behind


def test_a_key_written_by_another_process_first_is_kept(tmp_path):
    path = tmp_path / "k.audit-key"
    theirs = audit.AuditKey(b"\x01" * 32, 1, path)
    audit._write_key(theirs)
    audit._write_key(audit.AuditKey(b"\x02" * 32, 5, path))
    assert audit._read_key(path) == theirs
    assert [p.name for p in tmp_path.iterdir()] == ["k.audit-key"]


def test_a_key_is_written_without_hard_links_where_the_file_system_has_none(tmp_path, monkeypatch):
    def no_links(source, target):
        raise PermissionError("no hard links here")

    monkeypatch.setattr(audit.os, "link", no_links)
    path = tmp_path / "k.audit-key"
    first = audit.AuditKey(b"\x01" * 32, 1, path)
    audit._write_key(first)
    audit._write_key(audit.AuditKey(b"\x02" * 32, 5, path))  # one is there already: kept
    assert audit._read_key(path) == first and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["k.audit-key"]


def test_an_in_memory_database_has_a_key_for_the_process_only():
    with Database.open(":memory:") as db:
        assert audit.key_path(db) is None
        key = audit.load_key(db)
        assert (key.keyed_from, key.path, len(key.secret)) == (1, None, 32)
        audit.record(db, "alice", "logout")
        audit.record(db, "alice", "logout")
        assert audit.verify(db) == [] and audit.head(db)[0] == 2


def test_a_pseudonym_is_the_keyed_hash_of_the_name(db):
    first = audit.pseudonym(db, "hunter2")
    secret = audit.load_key(db).secret
    assert first == "unknown:" + hmac.new(secret, b"name\0hunter2", hashlib.sha256).hexdigest()[:16]
    assert audit.pseudonym(db, "hunter2") == first != audit.pseudonym(db, "hunter3")


def test_details_are_stored_as_plain_json_and_secrets_and_odd_values_refused(db):
    with audit.extra_details(os_user="root", via="cli"):
        with audit.extra_details(via="script"):
            audit.record(
                db,
                "alice",
                "export",
                "flags",
                {
                    "day": date(2025, 1, 2),
                    "at": datetime(2025, 1, 2, 3, 4, 5),
                    "amount": __import__("decimal").Decimal("12.50"),
                    "file": Path("/tmp/x.csv"),
                    "codes": {"IDLE", "B", "A"},
                    "frozen": frozenset({2, 10}),
                    "name": "审计",
                    "os_user": "alice",  # an entry's own value wins over the context's
                },
            )
        audit.record(db, "alice", "logout")
    audit.record(db, "alice", "logout")
    entries = log(db)
    assert details(entries[0]) == {
        "day": "2025-01-02",
        "at": "2025-01-02T03:04:05",
        "amount": "12.50",
        "file": "/tmp/x.csv",
        "codes": ["A", "B", "IDLE"],
        "frozen": [10, 2],  # sorted as text
        "name": "审计",
        "os_user": "alice",
        "via": "script",
    }
    assert "审计" in entries[0]["details"] and " " not in entries[0]["details"].replace("/tmp/x.csv", "")
    assert details(entries[1]) == {"os_user": "root", "via": "cli"} and entries[2]["details"] is None
    for bad in ({"Password": "x"}, {"PASSWORD_HASH": "x"}, {"n": float("nan")}):
        with pytest.raises(ValueError):
            audit.record(db, "alice", "logout", details=bad)
    for bad, kind in (({"n": object()}, "object"), ({"n": b"x"}, "bytes")):
        with pytest.raises(TypeError, match=f"^{kind} is not valid in audit details$"):
            audit.record(db, "alice", "logout", details=bad)
    for actor in (None, "", "  "):
        with pytest.raises(ValueError):
            audit.record(db, actor, "logout")
    assert len(log(db)) == 3 and audit.verify(db) == []


def test_a_log_ending_where_the_key_began_is_not_flagged_and_one_entry_shorter_is(tmp_path):
    """Entries 1-3 were written before the key (keyed from #4): a log ending at #3 may be whole, one ending at #2 is not."""
    path = tmp_path / "old.duckdb"
    with Database.open(path) as db:
        previous = audit.GENESIS_HASH
        for entry_id in (1, 2, 3):
            at = datetime(2025, 1, entry_id, 9, 0)
            entry_hash = audit._entry_hash(previous, entry_id, at, "admin", "logout", None, None)
            db.execute(
                "INSERT INTO audit_log VALUES (?, ?, 'admin', 'logout', NULL, NULL, ?, ?)", [entry_id, at, previous, entry_hash]
            )
            previous = entry_hash
        for _ in range(3):
            audit.record(db, "alice", "logout")
        assert audit.load_key(db).keyed_from == 4 and audit.verify(db) == []
        db.execute("DELETE FROM audit_log WHERE entry_id >= 4")  # the table alone cannot show it (see `head`)
        assert audit.verify(db) == []
        db.execute("DELETE FROM audit_log WHERE entry_id = 3")
        assert audit.verify(db) == [
            "The audit log ends at entry #2, but entries up to #3 were written: the newest entries were deleted."
        ]
