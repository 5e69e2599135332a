"""API tokens: shown once, stored hashed, bound to a role and an agency, created and revoked by administrators only."""

from __future__ import annotations

import pytest

from tracker.access import tokens
from tracker.access.roles import User
from tracker.cli import main as cli
from tracker.text.errors import AuthError, ScopeError

ADMIN = User("root", "admin", None, None)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(db):
    created = tokens.create_token(db, "A001-Nightly", "agency", agency="A001", actor=ADMIN)
    assert created.name == "a001-nightly" and created.secret.startswith(f"trk_{created.token_id}_")
    secret = created.secret.removeprefix(f"trk_{created.token_id}_")  # the secret itself may hold "_" and "-"
    assert len(secret) == 43
    stored = db.fetchall("SELECT * FROM api_tokens", name="t")
    assert secret not in repr(stored)
    checked = tokens.check_token(db, created.secret)
    assert checked.user == User("token:a001-nightly", "agency", "A001", "a001-nightly")
    assert checked == tokens.Checked(checked.user, created.token_id, None)
    [listed] = tokens.list_tokens(db)
    assert "token_hash" not in listed and listed["last_used_at"] is not None and listed["created_by"] == "root"


@pytest.mark.parametrize(
    ("presented", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("Bearer x", "malformed"),
        ("trk_1_short", "malformed"),
        ("trk_99_" + "a" * 43, "unknown"),
    ],
)
def test_a_token_that_is_not_one_is_refused_with_its_reason(db, presented, reason):
    tokens.create_token(db, "auditors", "auditor", actor=ADMIN)
    assert tokens.check_token(db, presented) == tokens.Checked(None, 99 if reason == "unknown" else None, reason)


def test_a_right_id_with_a_wrong_secret_is_unknown_and_a_revoked_token_is_refused(db):
    created = tokens.create_token(db, "auditors", "auditor", actor=ADMIN)
    wrong = created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")
    assert tokens.check_token(db, wrong) == tokens.Checked(None, created.token_id, "unknown")
    tokens.revoke_token(db, "auditors", actor=ADMIN)
    assert tokens.check_token(db, created.secret) == tokens.Checked(None, created.token_id, "revoked")
    tokens.revoke_token(db, "auditors", actor=ADMIN)  # again: nothing changes
    actions = [r[0] for r in db.fetchall("SELECT action FROM audit_log ORDER BY entry_id", name="t")]
    assert actions == ["token_created", "token_revoked"]


@pytest.mark.parametrize(
    ("name", "role", "agency", "key"),
    [
        ("x", "agency", "A001", "service.token_bad_name"),
        ("nightly", "boss", None, "auth.bad_role"),
        ("nightly", "agency", None, "auth.agency_required"),
        ("nightly", "auditor", "A001", "auth.agency_not_allowed"),
    ],
)
def test_a_token_is_bound_to_one_role_and_an_agency_token_to_one_agency(db, name, role, agency, key):
    with pytest.raises(AuthError) as refused:
        tokens.create_token(db, name, role, agency=agency, actor=ADMIN)
    assert refused.value.key == key and refused.value.text("zh")


def test_only_an_administrator_creates_or_revokes_tokens(db):
    tokens.create_token(db, "nightly", "agency", agency="A001", actor=ADMIN)
    with pytest.raises(AuthError) as twice:
        tokens.create_token(db, "nightly", "agency", agency="A001", actor=ADMIN)
    assert twice.value.key == "service.token_exists" and twice.value.message.params == {"name": "nightly"}
    for role in ("finance", "auditor", "agency"):
        someone = User(role, role, "A001" if role == "agency" else None, None)
        with pytest.raises(ScopeError):
            tokens.create_token(db, f"{role}-own", "admin", actor=someone)
        with pytest.raises(ScopeError):
            tokens.revoke_token(db, "nightly", actor=someone)
    assert tokens.check_token(db, "trk_1_" + "a" * 43).reason == "unknown"
    assert len(tokens.list_tokens(db)) == 1


def test_the_command_line_creates_lists_and_revokes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRACKER_USER", "cli:tester")
    path = str(tmp_path / "cli.duckdb")
    assert cli.main(["--db", path, "tokens", "create", "a001-nightly", "--role", "agency", "--agency", "A001"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("trk_1_") and "shown this once" in err
    assert cli.main(["--db", path, "tokens", "list"]) == 0
    listed = capsys.readouterr().out
    assert "a001-nightly,agency,A001" in listed and out.strip() not in listed
    assert cli.main(["--db", path, "tokens", "revoke", "a001-nightly"]) == 0
    assert cli.main(["--db", path, "--lang", "zh", "tokens", "revoke", "nobody"]) == 1
    assert "没有名为 nobody 的令牌" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("ab", False),  # two characters
        ("abc", True),  # three: the shortest name
        ("a" * 64, True),  # the longest
        ("a" * 65, False),
        ("-ab", False),  # a name starts with a letter or a digit
        ("  Nightly  ", True),  # kept as "nightly"
        (None, False),  # not text at all (a request body may carry anything): refused, named as empty
        (42, False),
    ],
)
def test_a_token_name_is_three_to_64_characters(db, name, accepted):
    if accepted:
        assert tokens.create_token(db, name, "auditor", actor=ADMIN).name == name.strip().lower()
    else:
        with pytest.raises(AuthError) as refused:
            tokens.create_token(db, name, "auditor", actor=ADMIN)
        assert refused.value.key == "service.token_bad_name"
        shown = name.strip().lower() if isinstance(name, str) else ""
        assert refused.value.message.params == {"name": shown}  # the name as the refusal quotes it
        assert tokens.list_tokens(db) == []


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        (lambda t: t, None),
        (lambda t: f"  {t}  ", None),  # surrounding spaces are dropped
        (lambda t: t[:-1], "malformed"),  # 42 characters of secret
        (lambda t: t + "a", "malformed"),  # 44
        (lambda t: t.replace("trk_", "trk_0000000000"), "malformed"),  # an id of ten digits
    ],
)
def test_a_token_is_read_only_in_its_exact_shape(db, shape, reason):
    created = tokens.create_token(db, "nightly", "auditor", actor=ADMIN)
    checked = tokens.check_token(db, shape(created.secret))
    assert checked.reason == reason
    assert (checked.user is None) is (reason is not None)


def test_the_audit_log_names_each_token_created_and_revoked_with_its_role_and_agency(db):
    import json

    first = tokens.create_token(db, "Nightly", "agency", agency="A001", actor=ADMIN)
    second = tokens.create_token(db, "auditors", "auditor", actor="cli:root")
    tokens.revoke_token(db, "  NIGHTLY ", actor=ADMIN)  # the name as typed: trimmed and lower-cased
    rows = db.fetchall("SELECT actor, action, target, details FROM audit_log ORDER BY entry_id", name="t")
    assert [(actor, action, target, json.loads(details)) for actor, action, target, details in rows] == [
        ("root", "token_created", "nightly", {"token_id": first.token_id, "role": "agency", "agency": "A001"}),
        ("cli:root", "token_created", "auditors", {"token_id": second.token_id, "role": "auditor", "agency": None}),
        ("root", "token_revoked", "nightly", {"token_id": first.token_id}),
    ]
    listed = {t["name"]: t for t in tokens.list_tokens(db)}
    assert [t["name"] for t in tokens.list_tokens(db)] == ["auditors", "nightly"]  # newest first
    assert listed["nightly"]["revoked_by"] == "root" and listed["nightly"]["revoked_at"] is not None
    assert listed["auditors"]["revoked_at"] is None and listed["auditors"]["revoked_by"] is None
    assert tokens.check_token(db, first.secret).reason == "revoked"
    assert tokens.check_token(db, second.secret).user.role == "auditor"  # the other token still works
    with pytest.raises(AuthError) as unknown:
        tokens.revoke_token(db, "Nobody", actor=ADMIN)
    assert unknown.value.key == "service.token_unknown" and "nobody" in unknown.value.text("en")
    for not_a_name in (None, 42):  # a request body may carry anything: refused as unknown, not a crash
        with pytest.raises(AuthError) as refused:
            tokens.revoke_token(db, not_a_name, actor=ADMIN)
        assert refused.value.key == "service.token_unknown" and refused.value.message.params == {"name": ""}


def test_a_tokens_last_use_is_the_time_of_the_call(db):
    from datetime import datetime

    created = tokens.create_token(db, "nightly", "auditor", actor=ADMIN)
    at = datetime(2026, 3, 2, 9, 30, 15)
    assert tokens.check_token(db, created.secret, now=at).token_id == created.token_id
    assert tokens.list_tokens(db)[0]["last_used_at"] == at
    assert created.name == "nightly" and len(created.secret) == len(f"trk_{created.token_id}_") + 43
