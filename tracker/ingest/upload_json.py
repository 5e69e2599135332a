"""An upload's report as JSON, for the push API: what a pushed file did, and what a stored upload did.

The same facts as the upload page shows: the outcome, the counts, and every problem of every
rejected row (row as in the file, column, value, and the reason in the requested language). A
stored upload's rejected rows come back from `rejected_rows`, whose reasons are kept as codes, so
they read in either language later.
"""

from __future__ import annotations

import json

from tracker.ingest.report import IngestReport, RowError
from tracker.store.db import Database

COUNTS = ("read", "accepted", "rejected", "inserted", "replaced", "unchanged")
# an agency sees the uploads made for it, and those that touched its rows only (as tracker.ingest.uploads)
_AGENCY_SCOPE = "(scope_agency = $agency OR agencies = [$agency])"


def report_json(report: IngestReport, lang: str) -> dict:
    """What a pushed file did: outcome, counts, notes (devices, feeds) and every row problem."""
    return {
        "upload_id": report.upload_id,
        "status": report.status,
        "stored": report.committed,
        "kind": report.kind,
        "shape": report.shape,
        "file_name": report.file_name,
        "file_format": report.file_format,
        "sha256": report.sha256,
        "counts": {name: getattr(report, f"rows_{name}") for name in COUNTS},
        "summary": report.summary(lang),
        "notes": report.feed_notes(lang),
        "rejected_rows": [_problem(e, lang) for e in report.errors],
    }


def stored_report(db: Database, upload_id: int, lang: str, *, agency: str | None = None) -> dict | None:
    """What a stored upload did, read back; None when there is none (or none the agency may see)."""
    scope = f" AND {_AGENCY_SCOPE}" if agency is not None else ""
    columns = ("upload_id", "status", "kind", "shape", "file_name", "file_format", "sha256", "uploaded_by", "uploaded_at")
    counts = tuple(f"rows_{name}" for name in COUNTS)
    row = db.fetchone(
        f"SELECT {', '.join(columns + counts)}, agencies FROM uploads WHERE upload_id = $upload_id{scope}",
        {"upload_id": int(upload_id), "agency": agency},
        name="stored upload",
    )
    if row is None:
        return None
    found = dict(zip(columns, row))
    found["uploaded_at"] = found["uploaded_at"].isoformat(timespec="seconds")
    found["stored"] = True
    found["counts"] = dict(zip(COUNTS, row[len(columns) : len(columns) + len(counts)]))
    found["agencies"] = list(row[-1] or [])
    problems = db.fetchall(
        "SELECT row_number, CAST(errors AS VARCHAR) FROM rejected_rows WHERE upload_id = ? ORDER BY row_number",
        [int(upload_id)],
        name="stored rejected rows",
    )
    found["rejected_rows"] = [
        _problem(RowError(row_number, e["column"], e["value"], e["code"], e.get("other")), lang)
        for row_number, errors in problems
        for e in json.loads(errors)
    ]
    return found


def _problem(error: RowError, lang: str) -> dict:
    return {"row": error.row_number, "column": error.column, "value": error.value, "reason": error.text(lang)}
