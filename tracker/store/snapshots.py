"""The snapshot store: Arrow tables and a small JSON document kept by data version and window.

Derived data only (migration 004): a restarted dashboard reads what it computed before instead of
computing it again, and deleting rows loses nothing. The store knows nothing of what the tables
hold; tracker.engine.snapshots decides that. Each table is kept as one zstd-compressed Parquet blob.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tracker.store.db import Database

TABLES = ("assets", "lines", "flags")  # the store's columns, one blob each
KEPT = 12  # windows kept for the data version, the latest computed: a caller asking for many dates cannot fill the file


@dataclass(frozen=True)
class Stored:
    """What was stored for one key: the tables by name, and the document stored with them."""

    tables: dict[str, pa.Table]
    document: dict[str, Any]


def load(db: Database, version: str, as_of: date, window_days: int) -> Stored | None:
    """The tables stored for this data version and window, or None when there are none."""
    found = _load(db, "data_version = ? AND as_of = ? AND window_days = ?", [version, as_of, window_days], "read snapshot")
    return None if found is None else found[1]


def load_any_version(db: Database, as_of: date, window_days: int) -> tuple[str, Stored] | None:
    """The data version and tables stored for this window under whichever data version is kept, or None."""
    return _load(db, "as_of = ? AND window_days = ?", [as_of, window_days], "read an earlier snapshot")


def _load(db: Database, where: str, params: list, name: str) -> tuple[str, Stored] | None:
    row = db.fetchone(
        f"SELECT data_version, assets, lines, flags, settings FROM snapshots WHERE {where} ORDER BY computed_at DESC LIMIT 1",
        params,
        name=name,
    )
    if row is None:
        return None
    tables = {name: pq.read_table(io.BytesIO(blob)) for name, blob in zip(TABLES, row[1:4])}
    return row[0], Stored(tables, json.loads(row[4]))


def save(
    db: Database, version: str, as_of: date, window_days: int, tables: Mapping[str, pa.Table], document: Mapping[str, Any]
) -> None:
    """Keep the tables for this data version and window; those of other data versions are dropped, and so are
    this version's windows beyond the KEPT computed last."""
    if set(tables) != set(TABLES):
        raise ValueError(f"a snapshot stores exactly the tables {', '.join(TABLES)}, not {', '.join(sorted(tables))}")
    with db.transaction():
        db.execute("DELETE FROM snapshots WHERE data_version <> ?", [version], name="drop old snapshots")
        db.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, now(), ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [version, as_of, window_days, *(_parquet(tables[name]) for name in TABLES), json.dumps(dict(document))],
            name="store snapshot",
        )
        db.execute(
            "DELETE FROM snapshots WHERE computed_at < "
            "(SELECT min(computed_at) FROM (SELECT computed_at FROM snapshots ORDER BY computed_at DESC LIMIT ?))",
            [KEPT],
            name="drop the oldest windows",
        )


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()
