"""Local accounts, roles and what each role may do (DESIGN §8).

Owns the table `users`. A password is stored only as an Argon2id hash (argon2-cffi's defaults, the
RFC 9106 low-memory profile) and re-hashed at the next login when those defaults get stronger.
Failed logins are slowed (FAILURE_DELAY_SECONDS per consecutive failure, at most
MAX_DELAY_SECONDS) and, after LOCK_AFTER_FAILURES of them, the account is locked for LOCK_MINUTES.
An unknown user name costs the same work as a wrong password and gets the same message, so the
login form does not tell which names exist. Logins and account changes are written to the audit
log in the same transaction as the change.

Roles are data: ROLE_PAGES (the dashboard pages a role sees) and ACTIONS (what the core lets it
do, checked by `require`). Hiding a page is not the protection: the core checks, and queries of an
agency user are limited to `agency_scope(user)`.
"""

from __future__ import annotations

import functools
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import AuthError, ScopeError
from tracker.text.i18n import Message

ROLES: tuple[str, ...] = ("admin", "finance", "auditor", "agency")
PAGES: tuple[str, ...] = ("overview", "explore", "findings", "upload", "settings", "data", "audit")
ROLE_PAGES: dict[str, frozenset[str]] = {
    "admin": frozenset(PAGES),
    "finance": frozenset({"overview", "explore", "findings", "data"}),
    "auditor": frozenset({"overview", "explore", "findings"}),
    "agency": frozenset({"overview", "explore", "upload"}),
}
ALL_ACTIONS: tuple[str, ...] = ("upload", "review", "export", "settings", "users", "audit")
ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ALL_ACTIONS),
    "finance": frozenset({"export"}),
    "auditor": frozenset({"review", "export"}),
    "agency": frozenset({"upload"}),
}

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
MIN_PASSWORD_LENGTH = 10
FAILURE_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 3.0
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
SESSION_IDLE_MINUTES = 30
DEMO_AGENCY = "A001"  # the first agency of every demo tier (tracker.demo.world)

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


@dataclass(frozen=True)
class User:
    """A signed-in user: who they are and what their role limits them to."""

    username: str
    role: str
    agency_code: str | None
    display_name: str | None


# -- roles and permissions -----------------------------------------------------------------------
def can(user: User, action: str) -> bool:
    """Whether the user's role may perform `action` (one of ALL_ACTIONS)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in ACTIONS[user.role]


def require(user: User, action: str) -> None:
    """Refuse with ScopeError unless the user's role may perform `action`."""
    if not can(user, action):
        raise ScopeError("auth.not_allowed", role=_role_name(user.role), action=Message(f"action.{action}", {}))


def acting(actor: "str | User", action: str) -> str:
    """The name to record for `actor`; a signed-in User must also be allowed `action` (ScopeError if not).

    Core functions that change data take either a User (the dashboard: the role is enforced here,
    not only by the page) or a plain actor name (the command line, run by whoever owns the file).
    """
    if isinstance(actor, User):
        require(actor, action)
        return actor.username
    return actor


def upload_agency(actor: "str | User", agency: str | None) -> str | None:
    """The agency an upload is limited to: an agency user's own, whatever was asked; else `agency`."""
    if isinstance(actor, User) and actor.role == "agency":
        if agency not in (None, actor.agency_code):
            raise ScopeError("auth.not_your_agency", agency=agency)
        return actor.agency_code
    return agency


def agency_scope(user: User) -> str | None:
    """The one agency whose data this user may see and change; None means every agency."""
    return user.agency_code if user.role == "agency" else None


def session_expired(last_seen: datetime, now: datetime) -> bool:
    """Whether a session unused since `last_seen` has been idle for SESSION_IDLE_MINUTES or more."""
    return now - last_seen >= timedelta(minutes=SESSION_IDLE_MINUTES)


# -- accounts ------------------------------------------------------------------------------------
def has_users(db: Database) -> bool:
    """Whether any account exists (a new database has none until the first administrator is created)."""
    return bool(db.scalar("SELECT count(*) FROM users", name="count users"))


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
    if role not in ROLES:
        raise AuthError("auth.bad_role", role=role, choices=list(ROLES))
    agency = (agency or "").strip() or None
    if role == "agency" and agency is None:
        raise AuthError("auth.agency_required")
    if role != "agency" and agency is not None:
        raise AuthError("auth.agency_not_allowed", role=_role_name(role))
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
    return User(name, role, agency, display)


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None, sleep: Callable[[float], Any] = time.sleep
) -> User:
    """The user whose password this is, or AuthError; every refusal is slowed down and audited."""
    now = now or datetime.now()
    name = _normalised_name(username)
    password = password if isinstance(password, str) else ""
    account = _account(db, name) if name else None
    if account is None:
        _password_matches(_dummy_hash(), password)  # the same work as a wrong password for a known name
        audit.record(db, "anonymous", "login_failed", name[:64] or None, {"reason": "unknown_user"})
        sleep(_delay(1))
        raise AuthError("auth.bad_credentials")
    if account["disabled"]:
        audit.record(db, name, "login_failed", name, {"reason": "disabled"})
        raise AuthError("auth.disabled")
    if account["locked_until"] is not None and account["locked_until"] > now:
        audit.record(db, name, "login_failed", name, {"reason": "locked", "locked_until": account["locked_until"]})
        sleep(_delay(account["failed_attempts"]))
        minutes = math.ceil((account["locked_until"] - now).total_seconds() / 60)
        raise AuthError("auth.locked", minutes=minutes)
    if not _password_matches(account["password_hash"], password):
        failures = account["failed_attempts"] + 1
        locked_until = now + timedelta(minutes=LOCK_MINUTES) if failures >= LOCK_AFTER_FAILURES else None
        with audit.transaction(db):
            db.execute(
                "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                [failures, locked_until, name],
                name="count failed login",
            )
            audit.record(
                db, name, "login_failed", name, {"reason": "wrong_password", "failures": failures, "locked_until": locked_until}
            )
        sleep(_delay(failures))
        raise AuthError("auth.bad_credentials")
    new_hash = _HASHER.hash(password) if _HASHER.check_needs_rehash(account["password_hash"]) else None
    with audit.transaction(db):
        db.execute(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ?, "
            "password_hash = coalesce(?, password_hash) WHERE username = ?",
            [now, new_hash, name],
            name="record login",
        )
        audit.record(db, name, "login", name, {"rehashed": True} if new_hash else None)
    return User(name, account["role"], account["agency_code"], account["display_name"])


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
        audit.record(db, actor, "password_changed", name)


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
        audit.record(db, actor, "user_disabled", name)


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
            create_user(db, username, password, role, agency=agency, actor="demo")
            created += 1
    return created


# -- helpers -------------------------------------------------------------------------------------
def _normalised_name(username: Any) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


def _role_name(role: str) -> Message | str:
    return Message(f"role.{role}", {}) if role in ROLES else role


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


def _delay(failures: int) -> float:
    return min(FAILURE_DELAY_SECONDS * max(failures, 1), MAX_DELAY_SECONDS)


def _account(db: Database, name: str) -> dict | None:
    columns = ("display_name", "role", "agency_code", "password_hash", "disabled", "failed_attempts", "locked_until")
    row = db.fetchone(f"SELECT {', '.join(columns)} FROM users WHERE username = ?", [name], name="read user")
    return None if row is None else dict(zip(columns, row))


def _require_account(db: Database, name: str) -> dict:
    account = _account(db, name)
    if account is None:
        raise AuthError("auth.unknown_user", username=name)
    return account
