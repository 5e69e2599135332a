"""The audit log (docs/architecture.md, access and audit): who did what and when, append-only, each entry chained to the one before.

Owns the table `audit_log`. An entry's `entry_hash` is the SHA-256 of the previous entry's hash
followed by the canonical JSON of `[entry_id, at (ISO), actor, action, target, details]`; the first
entry follows 64 zeros. Changing, deleting or reordering entries therefore breaks the chain, and
`verify` says where. Deleting the newest entries cannot be seen from the table alone: an auditor
who keeps the latest `entry_hash` elsewhere (`head`, printed by `audit verify`) can check that it is
still in the log.

Appends must not fork the chain. DuckDB transactions see a snapshot, so two appends running at the
same time would both follow the same entry; the schema refuses that (`prev_hash` is unique) and
`transaction` prevents it from happening in the one process that owns the database file, by holding
a lock per database file from before BEGIN to after COMMIT. A change that is audited takes
`audit.transaction(db)` instead of `db.transaction()`, so the change and its entry land together.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from tracker.store.db import Database
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
)
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
    plain = _plain_details(details)
    with transaction(db):
        newest = head(db)
        prev_hash = newest[1] if newest else GENESIS_HASH
        entry_id = db.scalar("SELECT nextval('audit_entry_id_seq')", name="next audit id")
        at = datetime.now()
        entry_hash = _entry_hash(prev_hash, entry_id, at, actor, action, target, plain)
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


def verify(db: Database, *, lang: str = "en") -> list[str]:
    """Every break in the chain, in the reader's language; an empty list when the log is intact."""
    problems: list[str] = []
    expected_prev, previous_id = GENESIS_HASH, None
    result = db.execute(
        'SELECT entry_id, "at", actor, action, target, details, prev_hash, entry_hash FROM audit_log ORDER BY entry_id',
        name="read audit log",
    )
    while rows := result.fetchmany(_VERIFY_BATCH_ROWS):
        for entry_id, at, actor, action, target, details, prev_hash, entry_hash in rows:
            if prev_hash != expected_prev:
                if previous_id is None:
                    problems.append(render(Message("audit.bad_start", {"entry": str(entry_id)}), lang))
                else:
                    problems.append(
                        render(Message("audit.broken_link", {"entry": str(entry_id), "previous": str(previous_id)}), lang)
                    )
            plain = None if details is None else json.loads(details)
            if _entry_hash(prev_hash, entry_id, at, actor, action, target, plain) != entry_hash:
                problems.append(render(Message("audit.altered", {"entry": str(entry_id)}), lang))
            expected_prev, previous_id = entry_hash, entry_id
    return problems


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


def _entry_hash(prev_hash: str, entry_id: int, at: datetime, actor: str, action: str, target: str | None, details: Any) -> str:
    text = prev_hash + _canonical([entry_id, at.isoformat(), actor, action, target, details])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
