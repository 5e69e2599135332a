"""Sign-ins that last: a server-side session per sign-in, carried by a signed cookie (docs/service.md).

A sign-in (password or single sign-on) starts a session row. The browser gets its cookie in a
second step, because the dashboard talks to the browser over a WebSocket, which cannot set a
cookie: the page is sent to `/session/begin?ticket=…`, a plain HTTP route that trades the
one-time ticket (valid TICKET_SECONDS) for the session's token and sets it as a signed, HttpOnly,
SameSite=Strict cookie (Secure behind HTTPS). Every dashboard run then finds the session by that
cookie, so a reload or a second tab stays signed in.

Only SHA-256 hashes of the ticket and the token are stored; the cookie is signed (itsdangerous)
with a key derived from the database's audit key, so a forged cookie is refused before any
lookup. A session ends when its user signs out (in any tab: every run checks the row), after
SESSION_IDLE_MINUTES without a run in any tab, and when the account's password is changed or the
account is disabled (`end_sessions_of`, called by tracker.access.auth in the same transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer

from tracker.access.roles import User
from tracker.store import audit
from tracker.store.db import Database

COOKIE_NAME = "tracker_session"
SESSION_IDLE_MINUTES = 30
TICKET_SECONDS = 120
TOUCH_SECONDS = 60  # a session's last use is written at most once a minute
END_REASONS = ("user", "idle", "password", "disabled")
PROVIDERS = ("local", "oidc")


@dataclass(frozen=True)
class Started:
    session_id: str
    ticket: str  # one use, TICKET_SECONDS: the browser trades it for the cookie


@dataclass(frozen=True)
class Found:
    """A session looked up: its user and id, or None and why (missing, ended, idle, disabled)."""

    user: User | None
    session_id: str | None = None
    reason: str | None = None


def session_expired(last_seen: datetime, now: datetime) -> bool:
    """Whether a session unused since `last_seen` has been idle for SESSION_IDLE_MINUTES or more."""
    return now - last_seen >= timedelta(minutes=SESSION_IDLE_MINUTES)


def start(db: Database, user: User, *, provider: str = "local", now: datetime | None = None) -> Started:
    """Open a session for a user who has just signed in; the ticket sets its cookie."""
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}")
    now = now or datetime.now()
    session_id, ticket = secrets.token_hex(8), secrets.token_urlsafe(32)
    with audit.transaction(db):
        db.execute(
            "INSERT INTO web_sessions (session_id, username, provider, ticket_hash, ticket_expires_at, created_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [session_id, user.username, provider, _hash(ticket), now + timedelta(seconds=TICKET_SECONDS), now, now],
            name="start web session",
        )
    return Started(session_id, ticket)


def redeem(db: Database, ticket: str, *, now: datetime | None = None) -> str | None:
    """The signed cookie value for a session's one-time ticket, or None (unknown, used, expired or ended)."""
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    now = now or datetime.now()
    token = secrets.token_urlsafe(32)
    with audit.transaction(db):
        session_id = db.scalar(
            "UPDATE web_sessions SET token_hash = ?, ticket_hash = NULL, ticket_expires_at = NULL "
            "WHERE ticket_hash = ? AND ticket_expires_at > ? AND ended_at IS NULL RETURNING session_id",
            [_hash(token), _hash(ticket), now],
            name="redeem session ticket",
        )
    return None if session_id is None else _signer(db).sign(f"{session_id}.{token}").decode("ascii")


def resume(db: Database, cookie: str | None, *, now: datetime | None = None) -> Found:
    """The session a cookie carries, if its signature, token and row still hold; its last use is recorded."""
    if not cookie or not isinstance(cookie, str) or len(cookie) > 400:
        return Found(None, reason="missing")
    try:
        session_id, _, token = _signer(db).unsign(cookie.encode("ascii", "replace")).decode("ascii").partition(".")
    except (BadSignature, UnicodeDecodeError):
        return Found(None, reason="forged")
    row = db.fetchone("SELECT token_hash FROM web_sessions WHERE session_id = ?", [session_id], name="read web session")
    if row is None or row[0] is None or not hmac.compare_digest(row[0], _hash(token)):
        return Found(None, reason="missing")
    return check(db, session_id, now=now)


def check(db: Database, session_id: str, *, now: datetime | None = None) -> Found:
    """Whether session `session_id` is still open: not ended, not idle, its account enabled; records its use."""
    now = now or datetime.now()
    row = db.fetchone(
        "SELECT s.ended_at, s.end_reason, s.last_seen_at, u.username, u.role, u.agency_code, u.display_name, u.disabled "
        "FROM web_sessions s LEFT JOIN users u USING (username) WHERE s.session_id = ?",
        [session_id],
        name="check web session",
    )
    if row is None or row[3] is None:
        return Found(None, reason="missing")
    ended_at, end_reason, last_seen, username, role, agency, display, disabled = row
    if ended_at is not None:
        return Found(None, session_id, end_reason or "user")
    if disabled:
        end(db, session_id, reason="disabled", actor="system")
        return Found(None, session_id, "disabled")
    if session_expired(last_seen, now):
        end(db, session_id, reason="idle", actor=username)
        return Found(None, session_id, "idle")
    if now - last_seen >= timedelta(seconds=TOUCH_SECONDS):
        with audit.transaction(db):
            db.execute(
                "UPDATE web_sessions SET last_seen_at = ? WHERE session_id = ?", [now, session_id], name="touch web session"
            )
    return Found(User(username, role, agency, display), session_id)


def end(db: Database, session_id: str, *, reason: str, actor: str) -> bool:
    """End one session (signed out in a tab, idle, ...); the user's `logout` entry says why. False if it had ended."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    with audit.transaction(db):
        username = db.scalar(
            "UPDATE web_sessions SET ended_at = now(), end_reason = ?, token_hash = NULL, ticket_hash = NULL "
            "WHERE session_id = ? AND ended_at IS NULL RETURNING username",
            [reason, session_id],
            name="end web session",
        )
        if username is not None:
            audit.record(db, actor, "logout", username, {"reason": reason, "session": session_id})
    return username is not None


def end_sessions_of(db: Database, username: str, *, reason: str) -> int:
    """End every open session of an account (password changed, account disabled); call inside the change's transaction."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    ended = db.fetchall(
        "UPDATE web_sessions SET ended_at = now(), end_reason = ?, token_hash = NULL, ticket_hash = NULL "
        "WHERE username = ? AND ended_at IS NULL RETURNING session_id",
        [reason, username],
        name="end sessions of user",
    )
    return len(ended)


def open_sessions(db: Database, username: str) -> int:
    return db.scalar(
        "SELECT count(*) FROM web_sessions WHERE username = ? AND ended_at IS NULL", [username], name="count web sessions"
    )


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _signer(db: Database) -> Signer:
    """Signs cookies with a key of their own, derived from the audit key (one secret file per database)."""
    key = audit.load_key(db, create=True)
    derived = hmac.new(key.secret, b"tracker web session cookie", hashlib.sha256).digest()
    return Signer(derived, salt="tracker-session", digest_method=hashlib.sha256)
