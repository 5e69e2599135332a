"""Lasting sign-ins: a ticket sets a signed cookie once; the session ends at sign-out, idle, password change and disabling."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tracker.access import auth, sessions

PASSWORD = "correct-horse-1"
T0 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def alice(db):
    auth.create_user(db, "admin", "admin-pass-123", "admin", actor="root")
    return auth.create_user(db, "alice", PASSWORD, "agency", agency="A001", display_name="Alice", actor="root")


def _cookie(db, user, now=T0):
    started = sessions.start(db, user, now=now)
    return started, sessions.redeem(db, started.ticket, now=now)


def test_a_ticket_sets_the_cookie_once_and_the_cookie_finds_the_user(db, alice):
    started, cookie = _cookie(db, alice)
    assert cookie and started.ticket not in cookie
    found = sessions.resume(db, cookie, now=T0 + timedelta(minutes=5))
    assert found.user == alice and found.session_id == started.session_id
    assert sessions.redeem(db, started.ticket, now=T0) is None  # used
    stored = db.fetchone("SELECT token_hash, ticket_hash FROM web_sessions", name="t")
    assert stored[1] is None and cookie.split(".")[1] not in stored[0]  # only a hash of the token is kept


def test_an_expired_ticket_sets_nothing(db, alice):
    started = sessions.start(db, alice, now=T0)
    assert sessions.redeem(db, started.ticket, now=T0 + timedelta(seconds=sessions.TICKET_SECONDS)) is None


@pytest.mark.parametrize("tamper", [lambda c: c[:-3] + "AAA", lambda c: "x" + c, lambda c: "", lambda c: "é" * 10])
def test_a_forged_or_altered_cookie_is_refused(db, alice, tamper):
    _, cookie = _cookie(db, alice)
    assert sessions.resume(db, tamper(cookie), now=T0).user is None


@pytest.mark.parametrize("carried", [None, 12345, b"abc.def", ["a.b"], "x" * 401])
def test_a_cookie_that_is_not_short_text_is_missing_not_an_error(db, alice, carried):
    """Whatever a browser sends back (nothing, a number, bytes, a list, an overlong value) is no session."""
    _cookie(db, alice)
    found = sessions.resume(db, carried, now=T0)
    assert found.user is None and found.reason == "missing"


def test_signing_out_ends_the_session_for_every_tab(db, alice):
    started, cookie = _cookie(db, alice)
    assert sessions.end(db, started.session_id, reason="user", actor="alice")
    assert sessions.resume(db, cookie, now=T0).user is None
    assert sessions.check(db, started.session_id, now=T0).reason == "user"
    assert not sessions.end(db, started.session_id, reason="user", actor="alice")  # once
    logouts = db.fetchall("SELECT actor, target FROM audit_log WHERE action = 'logout'", name="t")
    assert logouts == [("alice", "alice")]


def test_an_idle_session_ends_and_use_keeps_it_open(db, alice):
    started, cookie = _cookie(db, alice)
    assert sessions.resume(db, cookie, now=T0 + timedelta(minutes=29)).user == alice  # used: the clock restarts
    assert sessions.resume(db, cookie, now=T0 + timedelta(minutes=58)).user == alice
    found = sessions.resume(db, cookie, now=T0 + timedelta(minutes=58 + sessions.SESSION_IDLE_MINUTES))
    assert found.user is None
    assert sessions.check(db, started.session_id).reason == "idle"


def test_a_password_change_and_disabling_end_every_session_of_the_account(db, alice):
    _, first = _cookie(db, alice)
    _, second = _cookie(db, alice)
    auth.set_password(db, "alice", "another-pass-42", actor="admin")
    assert sessions.resume(db, first, now=T0).user is None and sessions.resume(db, second, now=T0).user is None
    _, third = _cookie(db, alice, now=datetime.now())
    auth.disable_user(db, "alice", actor="admin")
    assert sessions.resume(db, third).user is None
    assert sessions.open_sessions(db, "alice") == 0


def test_a_disabled_account_is_refused_even_if_its_session_row_was_left_open(db, alice):
    started, cookie = _cookie(db, alice, now=datetime.now())
    db.execute("UPDATE users SET disabled = true WHERE username = 'alice'", name="t")
    assert sessions.resume(db, cookie).user is None
    assert sessions.check(db, started.session_id).reason == "disabled"
    # the session is ended on the account's behalf by the system, not by the person
    row = db.fetchone("SELECT actor, action, target FROM audit_log WHERE action = 'logout'", name="t")
    assert row == ("system", "logout", "alice")


def test_a_role_change_applies_to_an_open_session(db, alice):
    started, cookie = _cookie(db, alice, now=datetime.now())
    db.execute("UPDATE users SET display_name = 'Alice Li' WHERE username = 'alice'", name="t")
    assert sessions.resume(db, cookie).user.display_name == "Alice Li"


@pytest.mark.parametrize(
    ("after", "redeemed"),
    [
        (timedelta(0), True),
        (timedelta(seconds=sessions.TICKET_SECONDS - 1), True),  # the last second of the ticket
        (timedelta(seconds=sessions.TICKET_SECONDS), False),
        (timedelta(seconds=sessions.TICKET_SECONDS + 1), False),
    ],
)
def test_a_ticket_is_good_for_exactly_its_seconds(db, alice, after, redeemed):
    started = sessions.start(db, alice, now=T0)
    assert (sessions.redeem(db, started.ticket, now=T0 + after) is not None) is redeemed


@pytest.mark.parametrize(("length", "redeemed"), [(19, False), (20, True), (100, True), (101, False)])
def test_a_ticket_of_an_implausible_length_is_not_looked_up(db, alice, monkeypatch, length, redeemed):
    monkeypatch.setattr(sessions.secrets, "token_urlsafe", lambda _n: "t" * length)
    started = sessions.start(db, alice, now=T0)
    assert len(started.ticket) == length
    assert (sessions.redeem(db, started.ticket, now=T0) is not None) is redeemed


@pytest.mark.parametrize(("length", "reason"), [(400, "forged"), (401, "missing")])
def test_a_cookie_longer_than_400_characters_is_not_read(db, alice, length, reason):
    assert sessions.resume(db, "x" * length, now=T0).reason == reason


@pytest.mark.parametrize(
    ("idle", "expired"),
    [
        (timedelta(minutes=sessions.SESSION_IDLE_MINUTES, seconds=-1), False),
        (timedelta(minutes=sessions.SESSION_IDLE_MINUTES), True),
        (timedelta(minutes=sessions.SESSION_IDLE_MINUTES, seconds=1), True),
    ],
)
def test_a_session_idle_for_exactly_the_limit_ends(db, alice, idle, expired):
    started, cookie = _cookie(db, alice)
    found = sessions.resume(db, cookie, now=T0 + idle)
    assert (found.user is None) is expired
    assert found.reason == ("idle" if expired else None)
    assert found.session_id == started.session_id  # named either way, so the page can forget its cookie
    assert sessions.open_sessions(db, "alice") == (0 if expired else 1)


@pytest.mark.parametrize(
    ("after", "touched"),
    [
        (timedelta(seconds=sessions.TOUCH_SECONDS - 1), False),
        (timedelta(seconds=sessions.TOUCH_SECONDS), True),
        (timedelta(seconds=sessions.TOUCH_SECONDS + 1), True),
    ],
)
def test_a_sessions_use_is_written_at_most_once_a_minute(db, alice, after, touched):
    started, cookie = _cookie(db, alice)
    assert sessions.resume(db, cookie, now=T0 + after).user == alice
    last_seen = db.scalar("SELECT last_seen_at FROM web_sessions WHERE session_id = ?", [started.session_id], name="t")
    assert last_seen == (T0 + after if touched else T0)


def test_ending_names_the_reason_and_refuses_an_unknown_one(db, alice):
    _, cookie = _cookie(db, alice)
    other, _ = _cookie(db, alice)
    with pytest.raises(ValueError, match="unknown reason 'bored'"):
        sessions.end(db, other.session_id, reason="bored", actor="alice")
    with pytest.raises(ValueError, match="unknown reason 'bored'"):
        sessions.end_sessions_of(db, "alice", reason="bored")
    with pytest.raises(ValueError, match="unknown provider 'ldap'"):
        sessions.start(db, alice, provider="ldap")
    assert sessions.end_sessions_of(db, "alice", reason="password") == 2
    assert sessions.end_sessions_of(db, "alice", reason="password") == 0
    assert sessions.check(db, other.session_id, now=T0).reason == "password"
    assert sessions.resume(db, cookie, now=T0).reason == "missing"  # its token was cleared


@pytest.mark.parametrize(("reason", "actor"), [("user", "alice"), ("idle", "alice"), ("disabled", "system")])
def test_the_logout_entry_names_who_ended_the_session_and_why(db, alice, reason, actor):
    import json

    started, _ = _cookie(db, alice)
    assert sessions.end(db, started.session_id, reason=reason, actor=actor)
    row = db.fetchone("SELECT actor, action, target, details FROM audit_log ORDER BY entry_id DESC LIMIT 1", name="t")
    assert row[:3] == (actor, "logout", "alice")
    assert json.loads(row[3]) == {"reason": reason, "session": started.session_id}


def test_a_cookie_is_signed_with_a_key_of_its_own_even_before_the_first_audit_entry(db):
    import hashlib
    import hmac
    import re

    from itsdangerous import Signer

    from tracker.access.roles import User
    from tracker.store import audit

    assert audit.head(db) is None  # a new database: no audit entry, no key yet
    user = User("alice", "finance", None, None)
    db.execute(
        "INSERT INTO users (username, role, password_hash, created_at, created_by) VALUES ('alice', 'finance', 'x', now(), 't')",
        name="t",
    )
    started = sessions.start(db, user, now=T0)
    assert re.fullmatch(r"[0-9a-f]{16}", started.session_id) and re.fullmatch(r"[A-Za-z0-9_-]{43}", started.ticket)
    cookie = sessions.redeem(db, started.ticket, now=T0)
    key = audit.load_key(db)
    derived = hmac.new(key.secret, b"tracker web session cookie", hashlib.sha256).digest()
    value = Signer(derived, salt="tracker-session", digest_method=hashlib.sha256).unsign(cookie).decode("ascii")
    session_id, _, token = value.partition(".")
    assert session_id == started.session_id and re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    for other in (Signer(key.secret, salt="tracker-session", digest_method=hashlib.sha256), Signer(derived)):
        assert not other.validate(cookie)  # neither the audit key itself nor the library's defaults
    assert sessions.resume(db, cookie, now=T0).user == user


def test_the_audit_log_counts_the_sessions_a_password_change_or_disabling_ended(db, alice):
    import json

    first, _ = _cookie(db, alice)
    _cookie(db, alice)
    auth.set_password(db, " ALICE ", "another-pass-42", actor="admin")
    auth.set_password(db, "alice", "yet-another-pass-43", actor="admin")  # no session left to end
    third, _ = _cookie(db, alice)
    auth.disable_user(db, "Alice", actor="admin")
    auth.create_user(db, "bob", PASSWORD, "auditor", actor="root")
    auth.disable_user(db, "bob", actor="admin")
    rows = db.fetchall(
        "SELECT actor, action, target, details FROM audit_log WHERE action IN ('password_changed', 'user_disabled') "
        "ORDER BY entry_id",
        name="t",
    )
    assert [(a, action, target, details and json.loads(details)) for a, action, target, details in rows] == [
        ("admin", "password_changed", "alice", {"sessions_ended": 2}),
        ("admin", "password_changed", "alice", None),
        ("admin", "user_disabled", "alice", {"sessions_ended": 1}),
        ("admin", "user_disabled", "bob", None),
    ]
    assert sessions.check(db, first.session_id, now=T0).reason == "password"
    assert sessions.check(db, third.session_id, now=T0).reason == "disabled"


def test_retiring_the_demo_accounts_ends_their_sessions_and_says_why(db):
    import json

    auth.ensure_demo_accounts(db)
    demo_admin = auth.User("admin", "admin", None, None)
    started, cookie = _cookie(db, demo_admin, now=datetime.now())
    assert auth.retire_demo_accounts(db) == 0  # nothing real yet
    auth.create_user(db, "real.person", PASSWORD, "auditor", actor="root")  # retires them
    assert sessions.resume(db, cookie).user is None and sessions.check(db, started.session_id).reason == "disabled"
    retired = db.fetchall(
        "SELECT actor, target, details FROM audit_log WHERE action = 'user_disabled' ORDER BY entry_id", name="t"
    )
    names = [account[0] for account in auth.demo_accounts()]
    assert [(actor, target, json.loads(details)) for actor, target, details in retired] == [
        ("system", name, {"reason": "demo_retired", "because": "real_account"}) for name in sorted(names)
    ]
    assert auth.retire_demo_accounts(db) == 0  # already retired


def test_demo_accounts_retired_by_a_real_upload_say_so(db):
    import json

    auth.ensure_demo_accounts(db)
    db.execute(
        "INSERT INTO uploads (upload_id, kind, file_name, sha256, uploaded_by, uploaded_at, status, rows_read, "
        "rows_accepted, rows_rejected, rows_inserted, rows_replaced, rows_unchanged) "
        "VALUES (1, 'usage', 'u.csv', 'x', 'clerk', now(), 'committed', 0, 0, 0, 0, 0, 0)",
        name="t",
    )
    assert auth.retire_demo_accounts(db) == len(auth.demo_accounts())
    details = db.fetchall("SELECT details FROM audit_log WHERE action = 'user_disabled'", name="t")
    assert {json.loads(d)["because"] for (d,) in details} == {"real_upload"}


def test_an_unknown_session_id_is_missing(db, alice):
    assert sessions.check(db, "0123456789abcdef", now=T0) == sessions.Found(None, reason="missing")


def test_a_disabled_accounts_session_found_open_is_ended_there_and_then(db, alice):
    started, _ = _cookie(db, alice, now=datetime.now())
    db.execute("UPDATE users SET disabled = true WHERE username = 'alice'", name="t")
    assert sessions.check(db, started.session_id) == sessions.Found(None, started.session_id, "disabled")
    assert sessions.open_sessions(db, "alice") == 0
    assert sessions.check(db, started.session_id) == sessions.Found(None, started.session_id, "disabled")  # as ended


def test_a_session_ended_without_a_recorded_reason_reads_as_signed_out(db, alice):
    started, _ = _cookie(db, alice)
    db.execute("UPDATE web_sessions SET ended_at = now(), end_reason = NULL", name="t")
    assert sessions.check(db, started.session_id, now=T0) == sessions.Found(None, started.session_id, "user")
