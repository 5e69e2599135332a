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


def test_a_role_change_applies_to_an_open_session(db, alice):
    started, cookie = _cookie(db, alice, now=datetime.now())
    db.execute("UPDATE users SET display_name = 'Alice Li' WHERE username = 'alice'", name="t")
    assert sessions.resume(db, cookie).user.display_name == "Alice Li"
