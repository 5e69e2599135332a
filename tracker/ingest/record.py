"""What every upload records besides its rows: the file's fingerprint, the upload row, the rows set aside."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow as pa

from tracker.ingest.readers.scan import FileScan, scan_file
from tracker.ingest.report import IngestReport, RowError, unique_headers
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
