"""What every upload records besides its rows: the file's fingerprint, the upload row, the rows set aside, the
rejected rows as the report lists them, and the one transaction that stores a checked upload with its audit entry."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow as pa

from tracker.ingest import writes
from tracker.ingest.contracts import Contract, HeaderMatch
from tracker.ingest.ocds_planned import store_planned
from tracker.ingest.readers.scan import FileScan, scan_file
from tracker.ingest.readers.staged import StagedFile, original_rows
from tracker.ingest.report import IngestReport, RowError, unique_headers
from tracker.store import audit
from tracker.store.db import Database


class BackgroundScan:
    """One pass over the file's bytes (SHA-256, empty lines) on another thread while DuckDB reads it."""

    def __init__(self, path: Path, newline: str | None) -> None:
        self._scan: FileScan | None = None
        ending = newline.encode() if newline else None
        self._thread = threading.Thread(target=self._run, args=(path, ending), daemon=True)
        self._thread.start()

    def _run(self, path: Path, ending: bytes | None) -> None:
        try:
            self._scan = scan_file(path, ending)
        except OSError:  # the reader reports an unreadable file itself
            self._scan = None

    def result(self) -> FileScan:
        self._thread.join()
        return self._scan or FileScan("", {})

    def join(self) -> None:
        self._thread.join()


def previous_upload(db: Database, sha256: str, kind: str) -> tuple[int, str] | None:
    """The last upload of the same file (same bytes) for the same kind, if any: (upload id, when)."""
    row = db.fetchone(
        "SELECT upload_id, strftime(uploaded_at, '%Y-%m-%d %H:%M') FROM uploads WHERE sha256 = ? AND kind = ? "
        "ORDER BY upload_id DESC LIMIT 1",
        [sha256, kind],
        name="previous upload",
    )
    return (row[0], row[1]) if row else None


def upload_status(report: IngestReport) -> str:
    if report.rows_inserted == 0 and report.rows_replaced == 0 and report.rows_rejected == 0:
        return "unchanged"
    return "partial" if report.rows_rejected else "committed"


def record_upload(
    db: Database, report: IngestReport, upload_id: int, status: str, actor: str, agency: str | None, touched: list[str]
) -> None:
    """The upload's row in `uploads` (inside the caller's transaction)."""
    db.execute(
        """INSERT INTO uploads (upload_id, kind, shape, file_name, file_format, sha256, scope_agency, uploaded_by,
               uploaded_at, status, rows_read, rows_accepted, rows_rejected, rows_inserted, rows_replaced,
               rows_unchanged, agencies)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            upload_id,
            report.kind,
            report.shape,
            report.file_name,
            report.file_format,
            report.sha256,
            agency,
            actor,
            status,
            report.rows_read,
            report.rows_accepted,
            report.rows_rejected,
            report.rows_inserted,
            report.rows_replaced,
            report.rows_unchanged,
            touched,
        ],
        name="record upload",
    )


def store_rejects(db: Database, report: IngestReport, upload_id: int) -> None:
    """The rejected rows of a partial upload, each with its original cells and its reasons in both languages."""
    errors_by_row: dict[int, list[RowError]] = {}
    for e in report.errors:
        errors_by_row.setdefault(e.row_number, []).append(e)
    headers = unique_headers(report.headers)
    rows = []
    for row_number, values in report.rejected_rows:
        errs = errors_by_row.get(row_number, [])
        rows.append(
            {
                "upload_id": upload_id,
                "row_number": row_number,
                "row_data": json.dumps(dict(zip(headers, values)), ensure_ascii=False),
                "errors": json.dumps(
                    [{"column": e.column, "value": e.value, "code": e.code, "other": e.other} for e in errs], ensure_ascii=False
                ),
                "error_en": " ".join(e.text("en") for e in errs),
                "error_zh": " ".join(e.text("zh") for e in errs),
            }
        )
    view = f"rejects_{upload_id}"
    db.register(view, pa.Table.from_pylist(rows))
    try:
        db.execute(
            f"INSERT INTO rejected_rows SELECT upload_id, row_number, CAST(row_data AS JSON), CAST(errors AS JSON), "
            f"error_en, error_zh FROM {view}",
            name="store rejected rows",
        )
    finally:
        db.unregister(view)


def display_column(staged: StagedFile, match: HeaderMatch, field_name: str) -> str:
    pos = match.column_of(field_name)
    return staged.headers[pos] if pos is not None else field_name


def collect_rejects(db: Database, report: IngestReport, staged: StagedFile, match: HeaderMatch, errors_table: str) -> None:
    rows = db.fetchall(
        f"SELECT _row, e.code, e.field, e.value, e.other FROM {errors_table} ORDER BY _row, e.field",
        name="row errors",
    )
    key_names = match.contract.key
    for row_number, code, field_name, value, other in rows:
        if field_name == "key":
            column = " + ".join(display_column(staged, match, k) for k in key_names if match.column_of(k) is not None)
            value = column
        else:
            column = display_column(staged, match, field_name)
        report.errors.append(RowError(row_number, column, value, code, other))
    original = original_rows(db, staged, f"SELECT DISTINCT _row FROM {errors_table}")
    report.rejected_rows = [(r[0], tuple(r[1:])) for r in original]


def commit_checked(
    db: Database, report: IngestReport, contract: Contract, final_table: str, actor: str, agency: str | None
) -> None:
    """Everything the upload changes, and its audit entry, in one explicit transaction.

    Refusals and dry runs are not audited here: they leave the database exactly as it was, so the
    caller that shows them (the dashboard) records them with `audit.record`.
    """
    status = upload_status(report)
    with audit.transaction(db):
        upload_id = db.scalar("SELECT nextval('upload_id_seq')", name="next upload id")
        writes.apply_changes(db, contract, final_table, upload_id)
        if report.feed_table is not None:  # an OCDS feed: its tenders not yet awarded are planned purchases
            stored = store_planned(db, report.feed_table, upload_id, agency=agency)
            report.planned_stored, report.planned_new, report.planned_removed = stored
            if status == "unchanged" and (report.planned_new or report.planned_removed):
                status = "committed"
        touched = writes.touched_agencies(db, contract, final_table)
        record_upload(db, report, upload_id, status, actor, agency, touched)
        if report.rows_rejected:
            store_rejects(db, report, upload_id)
        audit.record(db, actor, "upload", report.file_name, report.audit_details(status=status, upload_id=upload_id))
    report.upload_id = upload_id
    report.status = status
