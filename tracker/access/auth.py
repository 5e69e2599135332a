"""Local accounts, roles and what each role may do (docs/architecture.md, access and audit).

Owns the table `users`. A password is stored only as an Argon2id hash (argon2-cffi's defaults, the
RFC 9106 low-memory profile) and re-hashed at the next login when those defaults get stronger.

A sign-in attempt is counted in the database before its password is checked: one statement adds 1
to `failed_attempts` and returns the new count, so attempts made at the same time each get their
own number, and only the first LOCK_AFTER_FAILURES of them have their password checked at all; the
account is then locked for LOCK_MINUTES. A right password sets the count back to 0.

The sign-in form does not tell which names exist: an unknown name, a wrong password and a locked
account all cost one Argon2 verification (against a dummy hash when there is nothing else to check),
wait REFUSAL_DELAY_SECONDS and get the same message. The lock is written to the audit log (reason
"locked", until when), which administrators read and where they lift it (a new password); only a
disabled account whose right password was given is told that it is disabled. An unknown name is
logged as a keyed pseudonym (`audit.pseudonym`), never as typed: it may be a password typed into
the wrong box. Logins and account changes are written to the audit log in the same transaction
as the change.

Demo accounts (created by the `demo` actor) last only while the database is used as a demo: the
first upload by anyone else, or the first account created by a person, disables them all
(`retire_demo_accounts`).

Roles and what they may do are in tracker.access.roles, lasting sign-ins in tracker.access.sessions
(a password change or disabling an account ends its sessions, in the same transaction), API tokens
in tracker.access.tokens and who the command line acts as in tracker.access.command_line; the
names of roles and sessions are also reachable from here, where callers have always found them.
"""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.access import sessions
from tracker.access.roles import (  # noqa: F401 (names callers import from here)
    ACTIONS,
    ALL_ACTIONS,
    PAGES,
    ROLE_PAGES,
    ROLES,
    User,
    acting,
    agency_scope,
    can,
    require,
    role_and_agency,
    role_name,
    upload_agency,
)
from tracker.access.sessions import SESSION_IDLE_MINUTES, session_expired  # noqa: F401
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import AuthError

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
MIN_PASSWORD_LENGTH = 10
REFUSAL_DELAY_SECONDS = 1.0  # every refused sign-in waits the same, whoever the name belongs to
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
DEMO_AGENCY = "A001"  # the first agency of every demo tier (tracker.demo.world)
DEMO_ACTOR = "demo"  # who loads the demo tier and creates its accounts

_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
USER_COLUMNS = (
    "username",
    "display_name",
    "role",
    "agency_code",
    "disabled",
    "failed_attempts",
    "locked_until",
    "created_at",
    "created_by",
    "last_login_at",
)


# -- accounts ------------------------------------------------------------------------------------
def has_users(db: Database) -> bool:
    """Whether any account exists (a new database has none until the first administrator is created)."""
    return bool(db.scalar("SELECT count(*) FROM users", name="count users"))


def needs_first_administrator(db: Database) -> bool:
    """Whether no administrator can sign in: a new database, or a demo whose accounts were retired by real use."""
    return not db.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled", name="count admins")


def create_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    *,
    agency: str | None = None,
    display_name: str | None = None,
    actor: str,
) -> User:
    """Validate and store a new account; names are case-insensitive (stored lower-cased)."""
    name = _normalised_name(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise AuthError("auth.bad_username", username=username)
    agency = role_and_agency(role, agency)
    _check_password(name, password)
    display = (display_name or "").strip() or None
    password_hash = _HASHER.hash(password)  # slow on purpose: outside the transaction
    with audit.transaction(db):
        if _account(db, name) is not None:
            raise AuthError("auth.user_exists", username=name)
        db.execute(
            "INSERT INTO users (username, display_name, role, agency_code, password_hash, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, now(), ?)",
            [name, display, role, agency, password_hash, actor],
            name="create user",
        )
        audit.record(db, actor, "user_created", name, {"role": role, "agency": agency, "display_name": display})
        if actor != DEMO_ACTOR:
            retire_demo_accounts(db)
    return User(name, role, agency, display)


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None, sleep: Callable[[float], Any] = time.sleep
) -> User:
    """The user whose password this is, or AuthError; every refusal costs the same, is slowed down and audited."""
    now = now or datetime.now()
    name = _normalised_name(username)
    password = password if isinstance(password, str) else ""
    retire_demo_accounts(db)
    attempt = _count_attempt(db, name, now) if name else None
    checked = attempt is not None and attempt["locked_until"] is None and attempt["failed_attempts"] <= LOCK_AFTER_FAILURES
    matches = _password_matches(attempt["password_hash"] if checked else _dummy_hash(), password) and checked
    if attempt is None:
        audit.record(db, "anonymous", "login_failed", audit.pseudonym(db, name) if name else None, {"reason": "unknown_user"})
    elif matches and attempt["disabled"]:
        _forget_failures(db, name)
        audit.record(db, name, "login_failed", name, {"reason": "disabled"})
        sleep(REFUSAL_DELAY_SECONDS)
        raise AuthError("auth.disabled")  # told only to whoever knows the password
    elif matches:
        new_hash = _HASHER.hash(password) if _HASHER.check_needs_rehash(attempt["password_hash"]) else None
        with audit.transaction(db):
            db.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ?, "
                "password_hash = coalesce(?, password_hash) WHERE username = ?",
                [now, new_hash, name],
                name="record login",
            )
            audit.record(db, name, "login", name, {"rehashed": True} if new_hash else None)
        return User(name, attempt["role"], attempt["agency_code"], attempt["display_name"])
    else:
        failures = attempt["failed_attempts"]
        with audit.transaction(db):
            locked_until = attempt["locked_until"]
            if checked and failures >= LOCK_AFTER_FAILURES:
                locked_until = db.scalar(
                    "UPDATE users SET locked_until = coalesce(locked_until, ?) WHERE username = ? AND failed_attempts >= ? "
                    "RETURNING locked_until",
                    [now + timedelta(minutes=LOCK_MINUTES), name, LOCK_AFTER_FAILURES],
                    name="lock account",
                )
            reason = "wrong_password" if checked else "locked"
            audit.record(db, name, "login_failed", name, {"reason": reason, "failures": failures, "locked_until": locked_until})
    sleep(REFUSAL_DELAY_SECONDS)
    raise AuthError("auth.bad_credentials")


def _count_attempt(db: Database, name: str, now: datetime) -> dict | None:
    """Count one more sign-in attempt of `name` and return the account as it is now; None if there is no such account.

    One statement adds the attempt and returns the new count, so attempts at the same time each get
    their own number. A lock that has run out is lifted, and the count set so that the next wrong
    password locks again. The first attempt past LOCK_AFTER_FAILURES locks the account if nothing
    else has yet (attempts still being checked lock it when they fail).
    """
    columns = ("failed_attempts", "locked_until", "password_hash", "disabled", "role", "agency_code", "display_name")
    with audit.transaction(db):  # the database's write lock: no conflicting update of the same row
        row = db.fetchone(
            "UPDATE users SET "
            "failed_attempts = CASE WHEN locked_until <= $now THEN $limit ELSE failed_attempts + 1 END, "
            "locked_until = CASE WHEN locked_until <= $now THEN NULL "
            "WHEN locked_until IS NULL AND failed_attempts + 1 > $limit THEN $until ELSE locked_until END "
            f"WHERE username = $name RETURNING {', '.join(columns)}",
            {"now": now, "limit": LOCK_AFTER_FAILURES, "until": now + timedelta(minutes=LOCK_MINUTES), "name": name},
            name="count login attempt",
        )
    return None if row is None else dict(zip(columns, row))


def _forget_failures(db: Database, name: str) -> None:
    with audit.transaction(db):
        db.execute("UPDATE users SET failed_attempts = 0 WHERE username = ?", [name], name="reset login attempts")


def user_for_identity(db: Database, email: Any, *, provider: str = "oidc") -> User:
    """The account an identity provider's signed-in user maps to: the account named by their e-mail.

    Single sign-on proves who someone is; what they may see still comes from the account an
    administrator created for them (role and agency), so an unknown or disabled identity is refused.
    """
    name = _normalised_name(email)
    account = _account(db, name) if name else None
    if account is None or account["disabled"]:
        audit.record(
            db,
            name[:64] or "anonymous",
            "login_failed",
            name[:64] or None,
            {"reason": "sso_unknown" if account is None else "disabled", "provider": provider},
        )
        raise AuthError("auth.sso_unknown" if account is None else "auth.disabled", email=name)
    with audit.transaction(db):
        db.execute("UPDATE users SET last_login_at = now() WHERE username = ?", [name], name="record login")
        audit.record(db, name, "login", name, {"provider": provider})
    return User(name, account["role"], account["agency_code"], account["display_name"])


def logout(db: Database, user: User, *, reason: str = "user") -> None:
    """Record the end of a session: `reason` is "user" (signed out) or "idle" (SESSION_IDLE_MINUTES passed)."""
    audit.record(db, user.username, "logout", user.username, {"reason": reason})


def set_password(db: Database, username: str, password: str, *, actor: str) -> None:
    """Replace a user's password; this also lifts a lock, since an administrator has vouched for the user."""
    name = _normalised_name(username)
    _require_account(db, name)
    _check_password(name, password)
    password_hash = _HASHER.hash(password)
    with audit.transaction(db):
        db.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE username = ?",
            [password_hash, name],
            name="set password",
        )
        ended = sessions.end_sessions_of(db, name, reason="password")
        audit.record(db, actor, "password_changed", name, {"sessions_ended": ended} if ended else None)


def disable_user(db: Database, username: str, *, actor: str) -> None:
    """Stop an account from signing in (kept, not deleted, so the audit log still names it); the last admin stays."""
    name = _normalised_name(username)
    with audit.transaction(db):
        account = _require_account(db, name)
        if account["disabled"]:
            return
        if account["role"] == "admin":
            other_admins = db.scalar(
                "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND username <> ?",
                [name],
                name="count other admins",
            )
            if not other_admins:
                raise AuthError("auth.last_admin", username=name)
        db.execute("UPDATE users SET disabled = true WHERE username = ?", [name], name="disable user")
        ended = sessions.end_sessions_of(db, name, reason="disabled")
        audit.record(db, actor, "user_disabled", name, {"sessions_ended": ended} if ended else None)


def list_users(db: Database) -> list[dict]:
    """Every account, by name, without its password hash."""
    rows = db.fetchall(f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY username", name="list users")
    return [dict(zip(USER_COLUMNS, row)) for row in rows]


def demo_accounts() -> list[tuple[str, str, str, str | None]]:
    """(username, password, role, agency) of the demo database's accounts, one per role; public on purpose."""
    return [
        ("admin", "demo-admin-pass", "admin", None),
        ("finance", "demo-finance-pass", "finance", None),
        ("auditor", "demo-auditor-pass", "auditor", None),
        ("agency-a001", "demo-agency-pass", "agency", DEMO_AGENCY),
    ]


def ensure_demo_accounts(db: Database) -> int:
    """Create the demo accounts that are missing; returns how many were created. Only for a demo database."""
    created = 0
    for username, password, role, agency in demo_accounts():
        if _account(db, username) is None:
            create_user(db, username, password, role, agency=agency, actor=DEMO_ACTOR)
            created += 1
    return created


def active_demo_accounts(db: Database) -> list[tuple[str, str, str, str | None]]:
    """The demo accounts that still sign in (after retiring them if the database is no longer a demo)."""
    retire_demo_accounts(db)
    active = set(_demo_account_names(db, active=True))
    return [account for account in demo_accounts() if account[0] in active]


def retire_demo_accounts(db: Database) -> int:
    """Disable every demo account once the database is really used; returns how many were disabled.

    Really used: an upload by anyone but the demo loader, or an account created by a person. The
    demo passwords are public, so they must not keep working beside real data or real accounts.
    """
    names = _demo_account_names(db, active=True)
    if not names:
        return 0
    with audit.transaction(db):
        names = _demo_account_names(db, active=True)
        real_use = db.fetchone(
            "SELECT (SELECT count(*) FROM uploads WHERE uploaded_by <> $demo), "
            "(SELECT count(*) FROM users WHERE created_by <> $demo)",
            {"demo": DEMO_ACTOR},
            name="real use of a demo database",
        )
        if not names or not any(real_use):
            return 0
        db.execute("UPDATE users SET disabled = true WHERE list_contains(?, username)", [names], name="retire demo accounts")
        reason = "real_upload" if real_use[0] else "real_account"
        for name in names:
            sessions.end_sessions_of(db, name, reason="disabled")
            audit.record(db, "system", "user_disabled", name, {"reason": "demo_retired", "because": reason})
    return len(names)


def _demo_account_names(db: Database, *, active: bool) -> list[str]:
    names = [account[0] for account in demo_accounts()]
    rows = db.fetchall(
        "SELECT username FROM users WHERE list_contains(?, username) AND created_by = ? AND (NOT disabled OR NOT ?) "
        "ORDER BY username",
        [names, DEMO_ACTOR, active],
        name="demo accounts",
    )
    return [row[0] for row in rows]


# -- helpers -------------------------------------------------------------------------------------
def _normalised_name(username: Any) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


def _check_password(username: str, password: Any) -> None:
    """The password policy: at least MIN_PASSWORD_LENGTH characters besides surrounding spaces, and not the name."""
    if not isinstance(password, str) or len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise AuthError("auth.password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if password.strip().lower() == username:
        raise AuthError("auth.password_is_username")


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    """A hash of a password nobody knows, made once per process, to verify against for unknown names."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _account(db: Database, name: str) -> dict | None:
    columns = ("display_name", "role", "agency_code", "password_hash", "disabled", "failed_attempts", "locked_until")
    row = db.fetchone(f"SELECT {', '.join(columns)} FROM users WHERE username = ?", [name], name="read user")
    return None if row is None else dict(zip(columns, row))


def _require_account(db: Database, name: str) -> dict:
    account = _account(db, name)
    if account is None:
        raise AuthError("auth.unknown_user", username=name)
    return account
