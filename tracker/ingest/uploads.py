"""Uploads as the dashboard offers them.

The upload page works on bytes that arrive from a browser: this module saves them to a temporary
file under the original name's suffix (the readers choose the format by it), refuses a file over
the size limit before anything parses it, peeks at the headers and first rows, tells the record
kind from the headers, validates (a dry run), and commits. Every step is a plain function, so the
whole flow is tested without a browser.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from tracker.access.auth import acting, upload_agency
from tracker.ingest.contracts import ASSETS, CONTRACTS, accepted_headers, match_headers
from tracker.ingest.ocds_stage import ocds_upload
from tracker.ingest.pipeline import IngestReport, ingest_file
from tracker.ingest.readers.dispatch import stage_file
from tracker.ingest.readers.staged import StagedFile, query_source
from tracker.ingest.report import unique_headers
from tracker.ingest.templates import LANGUAGES, TEMPLATES
from tracker.store.config import TEMPLATE_DIR
from tracker.store.db import Database
from tracker.store.progress import Progress
from tracker.store.settings import load_settings
from tracker.text.errors import FileRefused
from tracker.text.tables import table_to_csv_bytes, table_to_xlsx_bytes

ACCEPTED_SUFFIXES = ("csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet", "json", "jsonl", "evtx", "zip")
PREVIEW_ROWS = 20
HISTORY_LIMIT = 500
TEMPLATE_FORMATS = ("csv", "xlsx")
DATE_ORDERS = ("dmy", "mdy")
MIN_KIND_SCORE = 2  # columns a file must name before it is taken for a record kind (as tracker.ingest.pipeline)


# -- the file as it arrived ----------------------------------------------------------------------


def max_upload_bytes(db: Database) -> int:
    """The size limit of one upload (setting `max_upload_mb`, decimal megabytes as tracker.ingest.pipeline counts them)."""
    return load_settings(db).max_upload_mb * 1_000_000


def check_upload_size(db: Database, file_name: str, size_bytes: int) -> None:
    """Refuse a file over the limit before it is written or parsed (the ingest checks again)."""
    limit = max_upload_bytes(db)
    if size_bytes > limit:
        raise FileRefused("file.too_large", file=file_name, size_mb=f"{size_bytes / 1e6:,.1f}", limit_mb=f"{limit / 1e6:,.0f}")


@contextmanager
def saved_upload(stream: BinaryIO, file_name: str) -> Iterator[Path]:
    """The uploaded bytes in a temporary file with the original suffix, removed afterwards.

    Only the suffix of the user's file name is used (lower-cased, letters and digits only): the
    name itself never reaches the file system.
    """
    suffix = "".join(ch for ch in Path(file_name).suffix.lower() if ch.isalnum())
    with tempfile.TemporaryDirectory(prefix="tracker-upload-") as folder:
        path = Path(folder) / f"upload.{suffix}" if suffix else Path(folder) / "upload"
        stream.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, 8 * 1024 * 1024)
        yield path


@dataclass(frozen=True)
class FilePeek:
    """A file's headers and first rows, as the user wrote them."""

    file_name: str
    file_format: str
    headers: tuple[str, ...]
    first_rows: pa.Table  # text columns named by the (made unique) headers
    ocds: bool


def peek_file(db: Database, path: Path, file_name: str, *, rows: int = PREVIEW_ROWS) -> FilePeek:
    """Read the headers and the first `rows` rows through the same readers as the ingest."""
    staged = _stage_for_upload(db, path, file_name)
    try:
        return _peek_staged(db, staged, file_name, rows)
    finally:
        staged.release(db)


def _stage_for_upload(db: Database, path: Path, file_name: str, agency: str | None = None) -> StagedFile:
    """The file staged with the upload limits, as the ingest stages it (an OCDS feed's buyers scoped to `agency`)."""
    limits = load_settings(db)
    with ocds_upload(agency=agency):
        return stage_file(
            db,
            path,
            f"peek_{secrets.token_hex(6)}",
            file_name=file_name,
            max_bytes=limits.max_upload_mb * 1_000_000,
            max_rows=limits.max_upload_rows,
        )


def _peek_staged(db: Database, staged: StagedFile, file_name: str, rows: int) -> FilePeek:
    names = unique_headers(staged.headers)
    columns = ", ".join(f"c{i}" for i in range(len(names)))
    order = "" if staged.row_offset is not None else " ORDER BY _row"
    result = query_source(db, staged, f"SELECT {columns} FROM {{source}}{order} LIMIT {int(rows)}", name="first rows").fetchall()
    first = pa.table({name: pa.array([row[i] for row in result], pa.string()) for i, name in enumerate(names)})
    return FilePeek(file_name, staged.file_format, staged.headers, first, staged.shape_hint == "ocds")


# -- the record kind -----------------------------------------------------------------------------


class KindNotDetected(FileRefused):
    """No record kind, or more than one, fits the headers; `candidates` names the kinds that fit."""

    def __init__(self, file_name: str, candidates: tuple[str, ...]) -> None:
        super().__init__("file.kind_unknown", file=file_name)
        self.candidates = candidates


def detect_kind(headers: Sequence[str], file_name: str, *, agency: str | None = None, ocds: bool = False) -> str:
    """The one record kind whose required columns the headers all name.

    Several kinds fitting is refused (the user must choose: guessing would load rows into the wrong
    table). When none fits, the refusal names the closest kind's missing columns, which is what the
    user must fix; headers that resemble no kind at all get the plain "could not tell" message.
    An upload limited to one agency may leave out the agency column, as in tracker.ingest.pipeline.
    """
    if ocds:
        return "procurement"
    matches = [match_headers(list(headers), contract) for contract in CONTRACTS]

    def missing(match) -> tuple[str, ...]:
        return tuple(f for f in match.missing if not (agency is not None and f == "agency_code"))

    complete = tuple(dict.fromkeys(m.contract.kind for m in matches if not missing(m) and m.score >= MIN_KIND_SCORE))
    if len(complete) == 1:
        return complete[0]
    if complete:
        raise KindNotDetected(file_name, complete)
    closest = max(matches, key=lambda m: (m.score, -len(missing(m))))
    if closest.score < MIN_KIND_SCORE:
        raise KindNotDetected(file_name, ())
    absent = missing(closest)
    raise FileRefused(
        "file.missing_columns",
        file=file_name,
        columns=list(absent),
        aliases="; ".join(f"{name}: " + " / ".join(accepted_headers(closest.contract, name)[:6]) for name in absent),
    )


# -- validate, then commit -----------------------------------------------------------------------


@dataclass(frozen=True)
class UploadPreview:
    """What the user sees before committing: the file's first rows, its kind and the dry run's report."""

    peek: FilePeek
    kind: str
    report: IngestReport

    @property
    def can_commit_all(self) -> bool:
        # an OCDS feed of tenders not yet awarded has no lines but planned purchases to store
        return self.report.rows_rejected == 0 and (self.report.rows_accepted > 0 or self.report.planned_items > 0)

    @property
    def can_commit_good_rows(self) -> bool:
        return self.report.rows_rejected > 0 and self.report.rows_accepted > 0


def preview_upload(
    db: Database,
    stream: BinaryIO,
    file_name: str,
    kind: str | None,
    *,
    size_bytes: int,
    agency: str | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
) -> UploadPreview:
    """Check the size, peek, tell the kind (when `kind` is None) and validate without committing.

    Raises the TrackerError that refuses the file as a whole; the page shows its text and nothing else.
    """
    check_upload_size(db, file_name, size_bytes)
    with saved_upload(stream, file_name) as path:
        staged = _stage_for_upload(db, path, file_name, agency)  # read once: the first rows and the dry run share it
        try:
            peek = _peek_staged(db, staged, file_name, PREVIEW_ROWS)
            chosen = kind or detect_kind(peek.headers, file_name, agency=agency, ocds=peek.ocds)
            report = ingest_file(
                db,
                chosen,
                path,
                file_name=file_name,
                agency=agency,
                dry_run=True,
                date_order=date_order,
                progress=progress,
                staged=staged,
            )
        finally:
            staged.release(db)
    return UploadPreview(peek, chosen, report)


def commit_upload(
    db: Database,
    stream: BinaryIO,
    file_name: str,
    kind: str,
    *,
    size_bytes: int,
    actor: str,
    agency: str | None = None,
    partial: bool = False,
    date_order: str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate again and commit: all rows, or (partial) the good rows with the rejected ones kept.

    `actor`: a signed-in User (whose role must allow uploads; an agency user's rows of other
    agencies are rejected) or, from the command line, a name.
    """
    agency = upload_agency(actor, agency)
    actor = acting(actor, "upload")
    check_upload_size(db, file_name, size_bytes)
    with saved_upload(stream, file_name) as path:
        return ingest_file(
            db,
            kind,
            path,
            file_name=file_name,
            actor=actor,
            agency=agency,
            partial=partial,
            date_order=date_order,
            progress=progress,
        )


def row_errors_table(report: IngestReport, lang: str) -> pa.Table:
    """Every problem of every rejected row: row number (as in the spreadsheet), column, value, reason."""
    errors = report.errors
    return pa.table(
        {
            "row": pa.array([e.row_number for e in errors], pa.int64()),
            "column": pa.array([e.column for e in errors], pa.string()),
            "value": pa.array([e.value for e in errors], pa.string()),
            "reason": pa.array([e.text(lang) for e in errors], pa.string()),
        }
    )


def rejects_file_name(file_name: str, file_format: str) -> str:
    """The download name of an upload's rejected rows: the user's file name with `_rejected`."""
    return f"{Path(file_name).stem or 'upload'}_rejected.{file_format}"


def table_bytes(table: pa.Table, file_format: str) -> bytes:
    """CSV (with a BOM, for Excel; formula-looking cells neutralised) or XLSX bytes (typed cells, numbers as numbers)."""
    if file_format == "xlsx":
        return table_to_xlsx_bytes(table, sheet_name="rejected", numbers_from_text=True)
    return table_to_csv_bytes(table, bom=True)


def unmatched_devices_template(report: IngestReport) -> bytes:
    """The devices an upload could not match, as an asset-register CSV: host name and serial filled in, the rest to complete."""
    devices = report.unmatched_devices
    columns = {f.name: pa.array([None] * len(devices), pa.string()) for f in ASSETS.fields}
    columns["hostname"] = pa.array([d[0] for d in devices], pa.string())
    columns["serial_number"] = pa.array([d[1] for d in devices], pa.string())
    return table_to_csv_bytes(pa.table(columns), bom=True)


def unmatched_devices_file_name(file_name: str) -> str:
    return f"{Path(file_name).stem or 'upload'}_unmatched_devices_assets.csv"


# -- history -------------------------------------------------------------------------------------

HISTORY_SCHEMA = pa.schema(
    [
        ("upload_id", pa.int32()),
        ("uploaded_at", pa.timestamp("us")),
        ("uploaded_by", pa.string()),
        ("file_name", pa.string()),
        ("kind", pa.string()),
        ("shape", pa.string()),
        ("file_format", pa.string()),
        ("status", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_accepted", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("rows_inserted", pa.int64()),
        ("rows_replaced", pa.int64()),
        ("rows_unchanged", pa.int64()),
        ("agencies", pa.list_(pa.string())),
        ("scope_agency", pa.string()),
    ]
)
_HISTORY_SQL = f"SELECT {', '.join(HISTORY_SCHEMA.names)} FROM uploads"
# An agency sees the uploads made for it, and those that touched its rows only: an upload that
# touched several agencies would show the others' codes and file names.
_AGENCY_SCOPE = "(scope_agency = $agency OR agencies = [$agency])"


def upload_history(db: Database, *, agency: str | None = None, limit: int = HISTORY_LIMIT) -> pa.Table:
    """Recorded uploads, newest first: who, when, file, kind, counts, status, agencies touched."""
    scope = f" WHERE {_AGENCY_SCOPE}" if agency is not None else ""
    sql = f"{_HISTORY_SQL}{scope} ORDER BY upload_id DESC LIMIT $limit"
    rows = db.fetchall(sql, {"agency": agency, "limit": int(limit)}, name="upload history")
    return pa.Table.from_pylist([dict(zip(HISTORY_SCHEMA.names, row)) for row in rows], schema=HISTORY_SCHEMA)


def kept_rejects(db: Database, upload_id: int, lang: str, *, agency: str | None = None) -> pa.Table:
    """The rejected rows a partial upload kept, as the user sent them with `row` and `error` columns."""
    scope = f" AND {_AGENCY_SCOPE}" if agency is not None else ""
    visible = db.scalar(
        f"SELECT count(*) FROM uploads WHERE upload_id = $upload_id{scope}",
        {"upload_id": int(upload_id), "agency": agency},
        name="upload visible",
    )
    rows = (
        []
        if not visible
        else db.fetchall(
            "SELECT row_number, CAST(row_data AS VARCHAR), error_en, error_zh FROM rejected_rows "
            "WHERE upload_id = ? ORDER BY row_number",
            [int(upload_id)],
            name="kept rejects",
        )
    )
    data = [json.loads(row_data) for _, row_data, _, _ in rows]
    headers = list(dict.fromkeys(key for values in data for key in values))
    columns: dict[str, pa.Array] = {"row": pa.array([row[0] for row in rows], pa.int64())}
    for header in headers:
        columns[header] = pa.array([values.get(header) for values in data], pa.string())
    columns["error"] = pa.array([row[3] if lang == "zh" else row[2] for row in rows], pa.string())
    return pa.table(columns)


# -- templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateFile:
    """One template file shipped in tracker/ingest/template_files."""

    template: str  # procurement | assets | usage_daily | usage_sessions
    kind: str
    language: str
    file_format: str
    path: Path

    @property
    def mime(self) -> str:
        if self.file_format == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv"


def template_files(directory: Path = TEMPLATE_DIR) -> list[TemplateFile]:
    """Every template (each contract, English and Chinese headers, CSV and XLSX) that exists on disk."""
    found = []
    for template in TEMPLATES:
        for language in LANGUAGES:
            for file_format in TEMPLATE_FORMATS:
                path = Path(directory) / f"{template.name}_{language}.{file_format}"
                if path.is_file():
                    found.append(TemplateFile(template.name, template.contract.kind, language, file_format, path))
    return found
