"""What the dashboard's views read from: a database cursor, the process's snapshots and compiled aggregations.

Every aggregation a page shows is an Ibis expression (tracker.engine.metrics' `rollup` and friends)
over a snapshot's Arrow table. It is compiled to SQL once per process against a named placeholder
table (`CompiledQueries`); each page run registers the filtered table under that name on a cursor
of its own and runs the compiled SQL through the database (a few ms). So the definitions stay in
one place and DuckDB does the arithmetic.

The dashboard holds one SnapshotCache and one CompiledQueries per process and gives each session
a `Source` over its own cursor; the command line and the tests make their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.engine.snapshots import Snapshot, SnapshotCache
from tracker.store.db import Database


class WindowChoice(Protocol):
    """What a snapshot is looked up by: the as-of date (None: the latest usage date) and the window (tracker.views.filters.Filters)."""

    as_of: date | None
    window_days: int


class CompiledQueries:
    """Ibis expressions over Arrow tables, compiled to DuckDB SQL once per name and table schema."""

    def __init__(self) -> None:
        self._sql: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def run(self, db: Database, name: str, build: Callable[[ir.Table], ir.Table], table: pa.Table) -> pa.Table:
        """`build(placeholder)` over `table`: compiled on first use, then executed on a cursor of `db`.

        `name` identifies the expression: one name, one `build` (parameters belong in the name).
        """
        placeholder = f"dash_{name}"
        key = (name, table.schema)
        with self._lock:
            sql = self._sql.get(key)
            if sql is None:
                expr = build(ibis.table(ibis.schema(table.schema), name=placeholder))
                sql = str(ibis.to_sql(expr, dialect="duckdb"))
                self._sql[key] = sql
        cursor = db.cursor()
        try:
            cursor.register(placeholder, table)
            return cursor.arrow(sql, name=name)
        finally:
            cursor.close()


class Source:
    """A session's database cursor with the caches it reads through."""

    def __init__(self, db: Database, snapshots: SnapshotCache | None = None, queries: CompiledQueries | None = None) -> None:
        self.db = db
        self.snapshots = snapshots if snapshots is not None else SnapshotCache()
        self.queries = queries if queries is not None else CompiledQueries()

    def snapshot(self, filters: WindowChoice) -> Snapshot | None:
        """The snapshot of the filters' window (None when there is no usage data to date it).

        A page looks it up once per run and passes it to every view it shows.
        """
        return self.snapshots.snapshot(self.db, self.as_of(filters), filters.window_days)

    def as_of(self, filters: WindowChoice) -> date | None:
        """The filters' as-of date, else the latest usage date."""
        return filters.as_of or self.usage_span()[1]

    def usage_span(self) -> tuple[date | None, date | None]:
        return self.snapshots.usage_span(self.db)

    def run(self, name: str, build: Callable[[ir.Table], ir.Table], table: pa.Table) -> pa.Table:
        return self.queries.run(self.db, name, build, table)
