"""An OCDS file staged for an upload: its equipment lines as text columns, and beside them what was set aside.

The lines are written to the staging table in batches while the file is read, so a feed of any
size needs memory for one batch (and one record) at a time. Next to the staging table `T`:
`T_aside` holds the lines set aside with their reason, `T_planned` the planned purchases (tenders
not yet awarded, tracker.ingest.ocds_planned), `T_buyers` the buyers and the agency code their
lines took, `T_counts` the other counts; `feed_summary` reads them back for the report.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from tracker.ingest.ocds import ASIDE_FIELDS, FIELDS, OcdsReading, check_reading, feed_lines
from tracker.ingest.ocds_input import Progress, reading_progress
from tracker.ingest.ocds_planned import PLANNED_FIELDS, planned_table
from tracker.store.db import Database
from tracker.text.errors import DatabaseError

BATCH_LINES = 5000
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("ocds_scope_agency", default=None)
_PROGRESS: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("ocds_stage_progress", default=None)


@contextlib.contextmanager
def ocds_upload(*, agency: str | None = None, progress: Progress | None = None) -> Iterator[None]:
    """While inside, an OCDS file staged for an upload knows the agency it is limited to and reports its progress.

    Buyers named without an id then take that agency's code (unless the mapping names one).
    """
    scope, prog = _SCOPE.set(agency), _PROGRESS.set(progress)
    try:
        yield
    finally:
        _SCOPE.reset(scope)
        _PROGRESS.reset(prog)


@dataclass
class FeedSummary:
    """What the report says about an OCDS upload beyond its lines."""

    set_aside: dict[str, int] = field(default_factory=dict)
    buyers: list[tuple[str | None, str, str, int]] = field(default_factory=list)  # (name, code, source, lines)
    kept_other: int = 0
    planned_items: int = 0  # planned purchases staged in `planned_table`
    planned_table: str | None = None  # the staged feed's table: its planned purchases beside it
    price_unknown: int = 0
    set_aside_rows: pa.Table | None = None


def side_tables(table: str) -> tuple[str, str, str]:
    return f"{table}_aside", f"{table}_buyers", f"{table}_counts"


def stage_feed(db: Database, path: Path, table: str, file_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stage the equipment lines into `table` (c0..cN, _row) and the rest beside it; (headers, temp tables)."""
    aside, buyers, counts = side_tables(table)
    temp_tables = (table, aside, buyers, counts, planned_table(table))
    reading = OcdsReading()
    try:
        mapping = _agency_map(db)
        writers = {
            True: _BatchWriter(db, table, FIELDS, "c"),
            False: _BatchWriter(db, aside, ASIDE_FIELDS, ""),
            None: _BatchWriter(db, planned_table(table), PLANNED_FIELDS, ""),
        }
        price_unknown = 0
        with path.open("rb") as stream, reading_progress(_PROGRESS.get()):
            size = path.stat().st_size
            for kept, line in feed_lines(stream, size, file_name, reading, mapping, _SCOPE.get()):
                writers[kept].add(line)
                if kept and line["unit_price"] is None and line["total_amount"] is None and line["order_total_amount"]:
                    price_unknown += 1
        for writer in writers.values():
            writer.close()
        check_reading(reading, file_name)
        buyer_rows = [(b.name, b.code, b.source, b.lines) for b in reading.buyers.values()]
        _create(db, buyers, pa.Table.from_pylist([dict(zip(("name", "code", "source", "lines"), r)) for r in buyer_rows]))
        totals = {"kept_other": reading.kept_other, "planned_items": reading.planned_items, "price_unknown": price_unknown}
        _create(db, counts, pa.table({"name": list(totals), "n": pa.array(list(totals.values()), pa.int64())}))
    except BaseException:
        for name in temp_tables:
            with contextlib.suppress(DatabaseError):
                db.execute(f"DROP TABLE IF EXISTS {name}", name="drop staged feed")
        raise
    return FIELDS, temp_tables


def feed_summary(db: Database, table: str) -> FeedSummary:
    """The set-aside lines, buyers and counts staged beside `table` by `stage_feed`."""
    aside, buyers, counts = side_tables(table)
    summary = FeedSummary()
    summary.set_aside = dict(
        db.fetchall(f"SELECT reason, count(*) FROM {aside} GROUP BY reason ORDER BY 2 DESC, 1", name="set-aside counts")
    )
    rows = db.fetchall(f"SELECT {', '.join(ASIDE_FIELDS)} FROM {aside} ORDER BY _row", name="set-aside lines")
    summary.set_aside_rows = pa.table({f: pa.array([r[i] for r in rows], pa.string()) for i, f in enumerate(ASIDE_FIELDS)})
    summary.buyers = [tuple(r) for r in db.fetchall(f"SELECT name, code, source, lines FROM {buyers}", name="buyers")]
    values = dict(db.fetchall(f"SELECT name, n FROM {counts}", name="feed counts"))
    summary.kept_other = int(values.get("kept_other", 0))
    summary.planned_items = int(values.get("planned_items", 0))
    summary.planned_table = table
    summary.price_unknown = int(values.get("price_unknown", 0))
    return summary


def _agency_map(db: Database) -> dict[str, str]:
    from tracker.ingest.agency_map import load_agency_map

    return load_agency_map(db)


def _create(db: Database, table: str, rows: pa.Table) -> None:
    view = f"{table}_arrow"
    db.register(view, rows)
    try:
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}", name="stage feed table")
    finally:
        db.unregister(view)


class _BatchWriter:
    """Appends lines to a temp table of text columns in batches (the table exists even when no line comes)."""

    def __init__(self, db: Database, table: str, fields: tuple[str, ...], prefix: str) -> None:
        self.db, self.table, self.fields = db, table, fields
        self.columns = [f"{prefix}{i}" if prefix else name for i, name in enumerate(fields)]
        self.pending: list[dict] = []
        self.rows = 0
        columns = ", ".join(f"{c} VARCHAR" for c in self.columns)
        db.execute(f"CREATE TEMP TABLE {table} ({columns}, _row BIGINT)", name="create staged feed table")

    def add(self, line: dict) -> None:
        self.pending.append(line)
        if len(self.pending) >= BATCH_LINES:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        arrays = {c: pa.array([line.get(f) for line in self.pending], pa.string()) for c, f in zip(self.columns, self.fields)}
        arrays["_row"] = pa.array(range(self.rows + 1, self.rows + len(self.pending) + 1), pa.int64())
        view = f"{self.table}_batch"
        self.db.register(view, pa.table(arrays))
        try:
            self.db.execute(f"INSERT INTO {self.table} SELECT * FROM {view}", name="stage feed lines")
        finally:
            self.db.unregister(view)
        self.rows += len(self.pending)
        self.pending = []

    def close(self) -> None:
        self.flush()
