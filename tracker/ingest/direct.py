"""Daily usage written straight from the reader: one pass over the file, checked inside the upload's transaction.

The common upload (a CSV or Parquet file of daily usage, every row good, no row repeated, nothing
stored for its assets and days) does not need the staged, typed copy of the file that the full path
builds to name each problem. Here the engine reads the file with its own types (CSV columns whose
sample it parses exactly as the tracker would; Parquet's own DATE and number columns), applies the
same typing and row checks as the full path, and inserts the rows into `usage_daily` in the same
statement; a row that fails any check stops that statement. The inserted rows are then checked
together (repeated days, stored rows they would replace, the row limit) and the upload is recorded,
all in one transaction.

Anything else rolls the transaction back and the caller runs the full path on the same file, which
finds, names and refuses (or, with `partial`, sets aside) exactly what it always did: messages, row
numbers and refusals never depend on which path ran. A dry run always takes the full path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.ingest import writes
from tracker.ingest.contracts import DEVICE_FIELDS, HeaderMatch
from tracker.ingest.readers.csv import with_engine_types
from tracker.ingest.readers.parquet import quote_ident
from tracker.ingest.readers.staged import StagedFile, query_source
from tracker.ingest.record import BackgroundScan, previous_upload, record_upload
from tracker.ingest.report import IngestReport
from tracker.ingest.sql_types import as_flag
from tracker.ingest.validate import build_typed_query, engine_types, registered_views, typed_select
from tracker.store import audit, usage_months
from tracker.store.config import Settings
from tracker.store.db import Database
from tracker.store.progress import Progress, query_progress
from tracker.text.errors import DatabaseError, FileRefused

log = logging.getLogger(__name__)

# Parquet column types read as the tracker's own (exactly the value its text would give); others are read as text
PARQUET_DATE_TYPES = ("DATE",)
PARQUET_NUMBER_TYPES = ("DOUBLE", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")
COLUMNS = writes.COLUMNS["usage"]
PER_VALUE_FIELDS = ("asset_id", "source")  # stored as read (source: '' for none), so checked per distinct stored value


class NotDirect(Exception):
    """The upload needs the full path (a row with a problem, repeated days, stored rows it replaces, ...)."""


def direct_applies(match: HeaderMatch, staged: StagedFile, dry_run: bool) -> bool:
    """Daily usage naming its assets by id, from a CSV or Parquet file, for real (not a dry run)."""
    contract = match.contract
    return (
        not dry_run
        and contract.kind == "usage"
        and contract.shape == "daily"
        and staged.file_format in ("csv", "parquet")
        and staged.shape_hint is None
        and staged.device_summary is None
        and match.column_of("asset_id") is not None
        and all(match.column_of(f) is None for f in DEVICE_FIELDS if f != "asset_id")
    )


def parquet_source(path: Path, file_name: str, columns: list[tuple[str, str]], match: HeaderMatch) -> StagedFile:
    """The Parquet file as columns c0..cN read in place: dates and numbers in their own type, the rest as text."""
    types: dict[int, str] = {}
    cells = []
    for i, (name, column_type) in enumerate(columns):
        field = next((f for f in match.contract.fields if match.column_of(f.name) == i), None)
        column = quote_ident(name)
        if field is not None and field.type == "date" and column_type in PARQUET_DATE_TYPES:
            types[i] = "DATE"
            cells.append(f"{column} AS c{i}")
        elif field is not None and field.type in ("hours", "minutes") and column_type in PARQUET_NUMBER_TYPES:
            types[i] = "DOUBLE"
            cells.append(f"CAST({column} AS DOUBLE) AS c{i}")
        else:
            cells.append(f"CAST({column} AS VARCHAR) AS c{i}")  # as the full path stages it
            if field is not None and field.name in PER_VALUE_FIELDS:
                types[i] = "VARCHAR"  # taken as read; edge spaces are looked for per distinct value
    return StagedFile(
        source=f"(SELECT {', '.join(cells)} FROM read_parquet($parquet_path))",
        file_name=file_name,
        file_format="parquet",
        headers=tuple(name for name, _ in columns),
        params={"parquet_path": str(path)},
        row_offset=2,  # rows are never numbered here: a row with a problem sends the upload to the full path
        engine_types=types,
    )


def ingest_direct(
    db: Database,
    staged: StagedFile,
    match: HeaderMatch,
    token: str,
    *,
    typing: dict,
    settings: Settings,
    scanner: BackgroundScan,
    actor: str,
    agency: str | None,
    progress: Progress | None,
    report_progress: Progress,
) -> IngestReport | None:
    """Write the upload in one pass and return its report; None (database untouched) when it needs the full path."""
    rejects = f"direct_rejects_{token}"
    source = staged
    if staged.file_format == "csv":
        types = engine_types(staged, match)
        if not types:
            return None  # text dates and numbers: the full path reads them, once
        types.update(_as_read(match))
        source = with_engine_types(staged, types, rejects)
    views: list[str] = []
    try:
        q = build_typed_query(db, source, match, **typing)
        views = registered_views(q)
        # any order for the append; reset after the transaction ends (an aborted one refuses any statement)
        with any_order(db), audit.transaction(db):
            report, touched = _write_and_check(db, source, match, q, token, rejects, settings, agency, progress, report_progress)
            # the stored rows of the assets within the upload's days were checked to be none: where its months had
            # no stored rows at all either, they are rolled up from its own rows
            usage_months.refresh(
                db, f"SELECT asset_id, usage_date FROM new_rows_{token}", new_rows=f"SELECT * FROM new_rows_{token}"
            )
            report_progress("write", None)
            report.sha256 = scanner.result().sha256
            report.previous_upload = previous_upload(db, report.sha256, "usage")
            upload_id = db.scalar("SELECT nextval('upload_id_seq')", name="next upload id")
            if upload_id != report.upload_id:
                raise NotDirect("another upload took the id")
            record_upload(db, report, upload_id, "committed", actor, agency, touched)
            audit.record(db, actor, "upload", report.file_name, report.audit_details(status="committed", upload_id=upload_id))
        report.status = "committed"
        return report
    except (NotDirect, FileRefused, DatabaseError) as exc:
        log.debug("usage upload takes the full path: %s", exc)
        return None
    finally:
        for view in views:
            db.unregister(view)
        db.execute(f"DROP VIEW IF EXISTS new_rows_{token}", name="drop new rows view")
        for suffix in ("_errors", "_scans"):
            db.execute(f"DROP TABLE IF EXISTS {rejects}{suffix}", name="drop engine rejects")


def _write_and_check(
    db: Database,
    source: StagedFile,
    match: HeaderMatch,
    q,
    token: str,
    rejects: str,
    settings: Settings,
    agency: str | None,
    progress: Progress | None,
    report_progress: Progress,
) -> tuple[IngestReport, list[str]]:
    """Insert the typed, checked rows under the next upload id, then check them together; NotDirect on any problem."""
    upload_id = _next_upload_id(db)
    checks, _joins, params = writes.cross_checks(match.contract, agency)
    # the checks against the register (known asset, the agency's own) run below, once per asset
    checks = [c for c in checks if "known." not in c]
    # the value checks of asset ids and sources run below, once per distinct value, instead of once per row
    per_value = {field: q.field_errors.get(field, []) for field in PER_VALUE_FIELDS}
    row_checks = [c for c in q.errors if not any(c in errors for errors in per_value.values())]
    failed = f"coalesce({', '.join(f'({as_flag(c)})' for c in row_checks + checks)}) IS NOT NULL"
    columns = ", ".join(COLUMNS)
    # one CASE, so that a blank line is skipped before any check runs on it; error() stops the statement
    keep = f"CASE WHEN t._blank THEN false WHEN {failed} THEN error('a row needs the full checks') ELSE true END"
    typed = typed_select(q, extra_columns="CAST(NULL AS INTEGER) AS _device_matches, CAST(NULL AS BIGINT) AS _row, ")
    sql = f"""INSERT INTO usage_daily ({columns}, upload_id)
        SELECT {columns}, $upload_id FROM (
            SELECT {writes.FINAL_SELECT["daily"]} FROM (SELECT t.* FROM ({typed}) AS t WHERE {keep})
        )"""
    with query_progress(db, progress, "read"):
        query_source(db, source, sql, {**q.params, **params, "upload_id": upload_id}, name="write usage rows")
    report_progress("validate", None)
    if source.file_format == "csv" and db.scalar(f"SELECT count(*) FROM {rejects}_errors", name="engine rejects"):
        raise NotDirect("a value the engine could not read")
    new_rows = f"new_rows_{token}"
    db.execute(
        f"CREATE TEMP VIEW {new_rows} AS SELECT * FROM usage_daily WHERE upload_id = {int(upload_id)}", name="new rows view"
    )
    rows, first, last = db.fetchone(f"SELECT count(*), min(usage_date), max(usage_date) FROM {new_rows}", name="count new rows")
    if rows == 0 or rows > settings.max_upload_rows:
        raise NotDirect("no rows, or more than the limit")
    span = (last - first).days
    repeats = "count(*) FILTER (WHERE g.n <> g.days)" if span < writes.MAX_BITMAP_DAYS else "0"
    days = "bit_count(bitstring_agg(CAST(usage_date - $first AS INTEGER), 0, $span))" if repeats != "0" else "0"
    value_checks = [c for errors in per_value.values() for c in errors]
    # ids and sources were taken as read: one with edge spaces, or an empty id, is one the full path reads otherwise
    untrimmed = "asset_id <> trim(asset_id) OR asset_id = '' OR source <> trim(source)"
    bad_value = (
        f"count(*) FILTER (WHERE {untrimmed} OR coalesce({', '.join(f'({c})' for c in value_checks + ['NULL'])}) IS NOT NULL)"
    )
    repeated, unknown, other_agency, bad_values, touched = db.fetchone(
        f"""SELECT {repeats}, count(*) FILTER (WHERE a.asset_id IS NULL),
                   count(*) FILTER (WHERE CAST($scope AS VARCHAR) IS NOT NULL AND a.agency_code <> $scope), {bad_value},
                   list(DISTINCT a.agency_code ORDER BY a.agency_code) FILTER (WHERE a.agency_code IS NOT NULL)
            FROM (SELECT asset_id, source, count(*) AS n, {days} AS days FROM {new_rows} GROUP BY asset_id, source) AS g
            LEFT JOIN assets AS a USING (asset_id)""",
        {"first": first, "span": span, "scope": agency},
        name="check new rows per asset",
    )
    if repeated or unknown or other_agency or bad_values:
        raise NotDirect("a repeated day, an unknown asset or another agency's")
    if repeats == "0" and writes.may_repeat(db, new_rows, "daily", writes.key_columns("daily")):
        raise NotDirect("a day repeated")
    report_progress("compare", None)
    stored = db.scalar(
        f"""SELECT count(*) FROM usage_daily AS u
            SEMI JOIN (SELECT DISTINCT asset_id FROM {new_rows}) AS a ON a.asset_id = u.asset_id
            WHERE u.usage_date BETWEEN $first AND $last AND u.upload_id <> $upload_id""",
        {"first": first, "last": last, "upload_id": upload_id},
        name="stored days overlapping the upload",
    )
    if stored:
        raise NotDirect("stored rows to compare")
    report = IngestReport(
        kind="usage",
        shape=match.contract.shape,
        file_name=source.file_name,
        file_format=source.file_format,
        sha256="",
        status="",
        rows_read=rows,
        rows_accepted=rows,
        rows_rejected=0,
        rows_inserted=rows,
        headers=source.headers,
        upload_id=upload_id,
    )
    return report, list(touched or [])


def _as_read(match: HeaderMatch) -> dict[int, str]:
    """The asset id and source columns, read as text without trimming each cell (checked per distinct value)."""
    return {pos: "VARCHAR" for f in PER_VALUE_FIELDS if (pos := match.column_of(f)) is not None}


@contextmanager
def any_order(db: Database) -> Iterator[None]:
    """Let the engine append rows in the order its threads read them, on this connection only.

    Keeping the file's order made a plain append cost about 1.6 times the CPU time; nothing here needs
    it (a row with a problem sends the upload to the full path, which numbers rows in file order once
    this is reset, and other connections keep their order throughout).
    """
    db.execute("SET SESSION preserve_insertion_order = false", name="append in any order")
    try:
        yield
    finally:
        db.execute("RESET SESSION preserve_insertion_order", name="append in file order")


def _next_upload_id(db: Database) -> int:
    """The id the next upload will get, without taking it (a sequence is not rolled back with the transaction)."""
    start, step, last = db.fetchone(
        "SELECT start_value, increment_by, last_value FROM duckdb_sequences() WHERE sequence_name = 'upload_id_seq'",
        name="next upload id",
    )
    return int(start if last is None else last + step)
