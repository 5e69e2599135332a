"""The audit log (docs/architecture.md, access and audit): who did what and when, append-only, each entry chained to the one before.

Owns the table `audit_log` and the audit key. An entry's `entry_hash` is the HMAC-SHA256, keyed with
a secret kept outside the database (`key_path`), of the previous entry's hash followed by the
canonical JSON of `[entry_id, at (ISO), actor, action, target, details]`; the first entry follows
64 zeros. Entry ids run 1, 2, 3… without gaps. Changing, deleting or reordering entries therefore
breaks the chain, and `verify` says where; whoever can write the database but cannot read the key
cannot write a chain that verifies. Deleting the newest entries cannot be seen from the table
alone: an auditor who keeps the latest `entry_hash` elsewhere (`head`, `audit head`) checks that it
is still in the log (`verify(head_hash=…)`, `audit verify --head HASH`). One key file per database.

Entries written before the log was keyed (plain SHA-256 of the same text, ids from a sequence that
may skip) still verify: the key file records the first entry written with it (`keyed_from`), so an
entry's scheme is fixed by its id and by a file the database cannot change.

Appends must not fork the chain. DuckDB transactions see a snapshot, so two appends running at the
same time would both follow the same entry; the schema refuses that (`prev_hash` is unique) and
`transaction` prevents it from happening in the one process that owns the database file, by holding
a lock per database file from before BEGIN to after COMMIT. A change that is audited takes
`audit.transaction(db)` instead of `db.transaction()`, so the change and its entry land together.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from tracker.store.config import env
from tracker.store.db import Database
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, render

GENESIS_HASH = "0" * 64
ACTIONS: tuple[str, ...] = (
    "login",
    "login_failed",
    "logout",
    "user_created",
    "password_changed",
    "user_disabled",
    "upload",
    "setting_changed",
    "profile_changed",
    "review",
    "export",
    "audit_read",
    "command_refused",
    "token_created",
    "token_revoked",
    "api_call",
    "api_refused",
    "transfer",
    "pool_changed",
    "request_entered",
)
KEY_ENV_VAR = "TRACKER_AUDIT_KEY_FILE"
KEY_SUFFIX = ".audit-key"
AUDIT_SCHEMA = pa.schema(
    [
        ("entry_id", pa.int64()),
        ("at", pa.timestamp("us")),
        ("actor", pa.string()),
        ("action", pa.string()),
        ("target", pa.string()),
        ("details", pa.string()),
        ("entry_hash", pa.string()),
    ]
)
_SECRET_KEYS = ("password", "password_hash")
_VERIFY_BATCH_ROWS = 10_000

# One lock per database file, for the whole process: the process that owns the file is the only
# writer (docs/architecture.md, the database), so serialising its appends is enough to keep the chain linear.
_append_locks: dict[str, threading.RLock] = {}
_append_locks_guard = threading.Lock()


# Details added to every entry recorded in this context (the command line: the operating-system user).
_extra_details: ContextVar[dict[str, Any] | None] = ContextVar("audit_extra_details", default=None)
_MEMORY_KEY = secrets.token_bytes(32)  # an in-memory database lives and dies with the process, and so does its key


@dataclass(frozen=True)
class AuditKey:
    """The secret the chain is keyed with, and the first entry id written with it (older ones are plain SHA-256)."""

    secret: bytes
    keyed_from: int
    path: Path | None


def key_path(db: Database) -> Path | None:
    """Where the audit key of this database is kept: $TRACKER_AUDIT_KEY_FILE, else beside the database file.

    `data/tracker.duckdb` has its key in `data/tracker.audit-key`. None for an in-memory database.
    """
    configured = env(KEY_ENV_VAR)
    if configured:
        return Path(configured)
    if not isinstance(db.path, Path) or str(db.path) == ":memory:":
        return None
    return db.path.with_name(db.path.stem + KEY_SUFFIX)


def load_key(db: Database, *, create: bool = False) -> AuditKey | None:
    """The audit key; with `create`, a new one is made on first use (mode 0600), keyed from the next entry id.

    Without `create`, None when there is no key yet. A key file that cannot be read is a ConfigError.
    """
    path = key_path(db)
    if path is None:
        return AuditKey(_MEMORY_KEY, 1, None)
    try:
        return _read_key(path)
    except FileNotFoundError:
        if not create:
            return None
    with _append_lock(db):
        try:
            return _read_key(path)
        except FileNotFoundError:
            pass
        newest = db.scalar("SELECT max(entry_id) FROM audit_log", name="audit newest id")
        key = AuditKey(secrets.token_bytes(32), (newest or 0) + 1, path)
        _write_key(key)
        return _read_key(path)


def _read_key(path: Path) -> AuditKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        secret = bytes.fromhex(data["key"])
        keyed_from = data["keyed_from"]
        if len(secret) < 32 or isinstance(keyed_from, bool) or not isinstance(keyed_from, int) or keyed_from < 1:
            raise ValueError("short key or bad first entry id")
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError("audit.bad_key", path=path, reason=str(exc) or type(exc).__name__) from exc
    return AuditKey(secret, keyed_from, path)


def _write_key(key: AuditKey) -> None:
    """Write the key file readable by its owner only, atomically: a reader sees no file or the whole file."""
    assert key.path is not None
    key.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = key.path.with_name(f".{key.path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump({"key": key.secret.hex(), "keyed_from": key.keyed_from}, file)
        try:
            os.link(temporary, key.path)  # fails if another process made the key first: theirs is kept
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not key.path.exists():
                os.replace(temporary, key.path)
    finally:
        temporary.unlink(missing_ok=True)


def pseudonym(db: Database, text: str) -> str:
    """A stand-in for text that must not be stored (an unknown sign-in name may be a password typed in the
    wrong box): the same text always gives the same stand-in, which cannot be reversed without the key."""
    key = load_key(db, create=True)
    assert key is not None
    digest = hmac.new(key.secret, b"name\0" + text.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"unknown:{digest[:16]}"


@contextmanager
def extra_details(**values: Any) -> Iterator[None]:
    """Add these details to every entry recorded inside the block (unless an entry sets them itself)."""
    token = _extra_details.set({**(_extra_details.get() or {}), **values})
    try:
        yield
    finally:
        _extra_details.reset(token)


def _append_lock(db: Database) -> threading.RLock:
    key = str(db.path.resolve()) if isinstance(db.path, Path) and str(db.path) != ":memory:" else str(db.path)
    with _append_locks_guard:
        return _append_locks.setdefault(key, threading.RLock())


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """`db.transaction()` holding the database's append lock, for a change that records an audit entry.

    The lock is taken before BEGIN so that the transaction's snapshot already holds the latest entry.
    Inside a transaction opened with plain `db.transaction()` it still serialises the append, but
    another thread's entry committed in between would make this transaction fail at COMMIT.
    """
    with _append_lock(db), db.transaction():
        yield db


def record(db: Database, actor: str, action: str, target: str | None = None, details: Mapping[str, Any] | None = None) -> int:
    """Append one entry and return its id; inside the caller's transaction when there is one."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("an audit entry needs the acting user's name")
    extra = _extra_details.get()
    if extra:
        details = {**extra, **(details or {})}
    plain = _plain_details(details)
    key = load_key(db, create=True)
    assert key is not None
    with transaction(db):
        newest = head(db)
        prev_hash, entry_id = (newest[1], newest[0] + 1) if newest else (GENESIS_HASH, 1)
        at = datetime.now()
        entry_hash = _entry_hash(prev_hash, entry_id, at, actor, action, target, plain, key.secret)
        db.execute(
            'INSERT INTO audit_log (entry_id, "at", actor, action, target, details, prev_hash, entry_hash) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [entry_id, at, actor, action, target, None if plain is None else _canonical(plain), prev_hash, entry_hash],
            name="append audit entry",
        )
    return entry_id


def head(db: Database) -> tuple[int, str] | None:
    """(entry_id, entry_hash) of the newest entry; kept elsewhere, it shows whether entries after it were deleted."""
    row = db.fetchone("SELECT entry_id, entry_hash FROM audit_log ORDER BY entry_id DESC LIMIT 1", name="audit head")
    return None if row is None else (row[0], row[1])


def verify(db: Database, *, lang: str = "en", head_hash: str | None = None) -> list[str]:
    """Every break in the chain, in the reader's language; an empty list when the log is intact.

    `head_hash` is an `entry_hash` recorded elsewhere earlier (`head`): it must still be in the log,
    else the entries up to it were deleted or rewritten.
    """
    problems: list[str] = []
    key = load_key(db)
    expected_prev, previous_id, head_found = GENESIS_HASH, None, False
    result = db.execute(
        'SELECT entry_id, "at", actor, action, target, details, prev_hash, entry_hash FROM audit_log ORDER BY entry_id',
        name="read audit log",
    )
    while rows := result.fetchmany(_VERIFY_BATCH_ROWS):
        for entry_id, at, actor, action, target, details, prev_hash, entry_hash in rows:
            keyed = key is not None and entry_id >= key.keyed_from
            if keyed:  # keyed entries are numbered 1, 2, 3… from keyed_from on: a missing number is a deleted entry
                expected_id = key.keyed_from if previous_id is None or previous_id < key.keyed_from else previous_id + 1
                if entry_id != expected_id:
                    missing = f"#{expected_id}" + ("" if entry_id - 1 == expected_id else f"–#{entry_id - 1}")
                    problems.append(_say("audit.gap", lang, entries=missing))
            if prev_hash != expected_prev:
                if previous_id is None:
                    problems.append(_say("audit.bad_start", lang, entry=str(entry_id)))
                else:
                    problems.append(_say("audit.broken_link", lang, entry=str(entry_id), previous=str(previous_id)))
            plain = None if details is None else json.loads(details)
            secret = key.secret if keyed else None
            if not hmac.compare_digest(_entry_hash(prev_hash, entry_id, at, actor, action, target, plain, secret), entry_hash):
                problems.append(_say("audit.altered", lang, entry=str(entry_id)))
            head_found = head_found or entry_hash == head_hash
            expected_prev, previous_id = entry_hash, entry_id
    if key is not None and (previous_id or 0) < key.keyed_from - 1:
        problems.append(_say("audit.truncated", lang, entry=str(previous_id or 0), expected=str(key.keyed_from - 1)))
    if head_hash is not None and not head_found:
        problems.append(_say("audit.head_missing", lang, hash=head_hash))
    if problems and key is None and previous_id is not None:
        problems.insert(0, _say("audit.key_missing", lang, path=key_path(db)))
    return problems


def _say(key: str, lang: str, **params: Any) -> str:
    return render(Message(key, params), lang)


def audit_table(db: Database, *, limit: int | None = None) -> pa.Table:
    """The log, newest first (AUDIT_SCHEMA; details as JSON text); only the latest `limit` entries when given."""
    sql = (
        'SELECT entry_id, "at", actor, action, target, CAST(details AS VARCHAR), entry_hash FROM audit_log ORDER BY entry_id DESC'
    )
    params: list[int] = []
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"limit must be a whole number ≥ 0, not {limit!r}")
        sql += " LIMIT ?"
        params.append(limit)
    rows = db.fetchall(sql, params, name="audit log")
    return pa.Table.from_pylist([dict(zip(AUDIT_SCHEMA.names, row)) for row in rows], schema=AUDIT_SCHEMA)


def _entry_hash(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    actor: str,
    action: str,
    target: str | None,
    details: Any,
    key: bytes | None = None,
) -> str:
    """HMAC-SHA256 with the audit key; plain SHA-256 (entries written before the log was keyed) without one."""
    text = (prev_hash + _canonical([entry_id, at.isoformat(), actor, action, target, details])).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _canonical(value: Any) -> str:
    """One text per value: sorted keys, no spaces, characters as they are (what is hashed and what is stored)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _plain_details(details: Mapping[str, Any] | None) -> Any:
    """Details as plain JSON values, exactly as they will read back from the database (dates as ISO text)."""
    if details is None:
        return None
    secret = [key for key in details if str(key).lower() in _SECRET_KEYS]
    if secret:
        raise ValueError(f"audit details must not hold secrets: {secret}")
    return json.loads(json.dumps(details, default=_jsonable, allow_nan=False))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Decimal, Path)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not valid in audit details")
