"""API tokens: how an agency's system (a collector, an inventory server, a nightly job) signs its calls.

An administrator creates a token (the dashboard's data page or `tracker tokens create`); its
secret is shown once and only its SHA-256 hash is stored. A token acts in one role and, for an
agency, for one agency only, exactly like an account of that role (it is a `User` named
`token:<name>`), so the core's checks apply unchanged. A revoked token is refused from its next
call. A token reads `trk_<id>_<secret>`: the id finds the row, the secret is compared with its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from tracker.access.roles import User, acting, role_and_agency
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import AuthError

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
TOKEN_PATTERN = re.compile(r"trk_(\d{1,9})_([A-Za-z0-9_-]{43})")
PREFIX = "token:"
COLUMNS = ("token_id", "name", "role", "agency_code", "created_at", "created_by", "revoked_at", "revoked_by", "last_used_at")


@dataclass(frozen=True)
class Created:
    token_id: int
    name: str
    secret: str  # the whole token, shown once


def create_token(db: Database, name: str, role: str, *, agency: str | None = None, actor: "str | User") -> Created:
    """Store a new token for `role` (and `agency`, for an agency's token); returns it whole, the only time it is seen.

    `actor`: a signed-in User must be allowed to manage users (an administrator); a name is the command line.
    """
    actor = acting(actor, "users")
    name = name.strip().lower() if isinstance(name, str) else ""
    if not NAME_PATTERN.fullmatch(name):
        raise AuthError("service.token_bad_name", name=name)
    agency = role_and_agency(role, agency)
    secret = secrets.token_urlsafe(32)
    with audit.transaction(db):
        if db.scalar("SELECT count(*) FROM api_tokens WHERE name = ?", [name], name="token exists"):
            raise AuthError("service.token_exists", name=name)
        token_id = db.scalar(
            "INSERT INTO api_tokens (token_id, name, token_hash, role, agency_code, created_at, created_by) "
            "VALUES (nextval('api_token_id_seq'), ?, ?, ?, ?, now(), ?) RETURNING token_id",
            [name, _hash(secret), role, agency, actor],
            name="create token",
        )
        audit.record(db, actor, "token_created", name, {"token_id": token_id, "role": role, "agency": agency})
    return Created(token_id, name, f"trk_{token_id}_{secret}")


def revoke_token(db: Database, name: str, *, actor: "str | User") -> None:
    """Refuse a token from its next call on (kept, so the audit log still names it)."""
    actor = acting(actor, "users")
    name = name.strip().lower() if isinstance(name, str) else ""
    with audit.transaction(db):
        row = db.fetchone("SELECT token_id, revoked_at FROM api_tokens WHERE name = ?", [name], name="read token")
        if row is None:
            raise AuthError("service.token_unknown", name=name)
        if row[1] is not None:
            return
        db.execute(
            "UPDATE api_tokens SET revoked_at = now(), revoked_by = ? WHERE token_id = ?", [actor, row[0]], name="revoke token"
        )
        audit.record(db, actor, "token_revoked", name, {"token_id": row[0]})


def list_tokens(db: Database) -> list[dict]:
    """Every token, newest first, without its hash."""
    rows = db.fetchall(f"SELECT {', '.join(COLUMNS)} FROM api_tokens ORDER BY token_id DESC", name="list tokens")
    return [dict(zip(COLUMNS, row)) for row in rows]


@dataclass(frozen=True)
class Checked:
    """A token presented with a call: the User it acts as, or None and why (missing, malformed, unknown, revoked)."""

    user: User | None
    token_id: int | None = None
    reason: str | None = None


def check_token(db: Database, presented: str | None, *, now: datetime | None = None) -> Checked:
    """The User a presented token acts as; its last use is recorded."""
    if not presented:
        return Checked(None, reason="missing")
    match = TOKEN_PATTERN.fullmatch(presented.strip())
    if match is None:
        return Checked(None, reason="malformed")
    token_id = int(match.group(1))
    row = db.fetchone(
        "SELECT name, token_hash, role, agency_code, revoked_at FROM api_tokens WHERE token_id = ?",
        [token_id],
        name="read token",
    )
    if row is None or not hmac.compare_digest(row[1], _hash(match.group(2))):
        return Checked(None, token_id, "unknown")
    name, _, role, agency, revoked_at = row
    if revoked_at is not None:
        return Checked(None, token_id, "revoked")
    with audit.transaction(db):
        db.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?", [now or datetime.now(), token_id], name="token used"
        )
    return Checked(User(PREFIX + name, role, agency, name), token_id)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
