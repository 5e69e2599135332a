"""The staged file every reader produces, and reading it back: rows as typed SQL, rows as the file had them."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from tracker.ingest.readers.encoding import utf8_mix_refusal
from tracker.ingest.readers.quotes import find_stray_quote
from tracker.ingest.readers.sniff import mixed_newline_refusal
from tracker.store.db import Database
from tracker.text.errors import DatabaseError, FileRefused
from tracker.text.i18n import Message


@dataclass(frozen=True)
class StagedFile:
    """A file ready to be read as text columns c0..cN."""

    source: str  # SQL FROM item: a temp table, or a read_csv(...) call
    file_name: str
    file_format: str  # csv | xlsx | parquet | json | jsonl
    headers: tuple[str, ...]
    params: dict[str, object] = field(default_factory=dict)  # parameters the source needs
    row_offset: int | None = None  # CSV: spreadsheet row of the first record (rows numbered by position)
    newline: str | None = None  # CSV: the line ending
    header_lines: int = 0  # CSV: physical lines up to and including the header
    sample: tuple[tuple[str, ...], ...] = ()  # CSV: the first data rows, as text
    engine_types: dict[int, str] = field(default_factory=dict)  # CSV: columns read as DATE or DOUBLE by the engine
    padded_source: str | None = None  # CSV: the same reader, padding short rows
    excel_dates: bool = False  # numbers in date columns are Excel serial dates
    shape_hint: str | None = None  # "ocds" for OCDS data
    temp_tables: tuple[str, ...] = ()
    temp_files: tuple[str, ...] = ()
    source_table_hint: str = "staged"  # prefix for temp tables made from this file
    device_summary: object | None = None  # event logs and inventories: what they held besides rows (DeviceSourceSummary)

    def release(self, db: Database) -> None:
        """Drop the temp tables and files the reader made."""
        for table in self.temp_tables:
            db.execute(f"DROP TABLE IF EXISTS {table}", name="drop staged table")
        for name in self.temp_files:
            with contextlib.suppress(OSError):
                os.unlink(name)


def query_source(db: Database, staged: StagedFile, sql: str, params: dict[str, object] | None = None, *, name: str):
    """Run SQL that reads `{source}`; a malformed CSV becomes a clear refusal (short rows are padded)."""
    merged = {**staged.params, **(params or {})}
    try:
        return db.execute(sql.replace("{source}", staged.source), merged, name=name)
    except DatabaseError as exc:
        reason = str(exc.__cause__ or exc)
        if staged.file_format != "csv" or "CSV" not in reason and "Invalid unicode" not in reason:
            raise
        found = re.search(r"Found: (\d+)", reason)
        if found and int(found.group(1)) < len(staged.headers) and staged.padded_source:
            try:
                return db.execute(sql.replace("{source}", staged.padded_source), merged, name=name + " (padded)")
            except DatabaseError as exc2:
                raise _csv_refusal(exc2, staged) from exc2
        raise _csv_refusal(exc, staged) from exc


def original_rows(db: Database, staged: StagedFile, rows_sql: str) -> list[tuple]:
    """(row number, c0..cN) of the rows whose numbers `rows_sql` selects, as the file had them."""
    columns = ", ".join(f"c{i}" for i in range(len(staged.headers)))
    if staged.row_offset is None:
        return db.fetchall(
            f"SELECT _row, {columns} FROM {staged.source} WHERE _row IN ({rows_sql}) ORDER BY _row", name="original rows"
        )
    copy = f"{staged.source_table_hint}_copy"
    query_source(db, staged, f"CREATE TEMP TABLE {copy} AS SELECT * FROM {{source}}", name="re-read rejected rows")
    try:
        return db.fetchall(
            f"SELECT rowid + {int(staged.row_offset)} AS _row, {columns} FROM {copy} "
            f"WHERE rowid + {int(staged.row_offset)} IN ({rows_sql}) ORDER BY 1",
            name="original rows",
        )
    finally:
        db.execute(f"DROP TABLE IF EXISTS {copy}", name="drop copy")


def create_from_arrow(db: Database, table: str, arrow_table: pa.Table) -> None:
    view = f"{table}_arrow"
    db.register(view, arrow_table)
    try:
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}", name="stage rows")
    finally:
        db.unregister(view)


def _csv_error_line(reason: str) -> str:
    match = re.search(r"CSV Error on Line: (\d+)", reason)
    return match.group(1) if match else "?"


def _csv_refusal(exc: DatabaseError, staged: StagedFile) -> FileRefused:
    """The refusal for what DuckDB's CSV reader failed on, found again in the file where DuckDB does not say."""
    reason = str(exc.__cause__ or exc)
    line = _csv_error_line(reason)
    path = Path(str(staged.params.get("csv_path", "")))
    if "Invalid unicode" in reason or "not utf-8" in reason:
        refusal = utf8_mix_refusal(path, staged.newline or "\n", staged.file_name) if path.is_file() else None
        return refusal or FileRefused(
            "file.mixed_encodings",
            file=staged.file_name,
            main="UTF-8",
            rows=[line],
            other=Message("file.encoding_unknown_other", {}),  # the file changed since DuckDB read it
        )
    found = re.search(r"Found: (\d+)", reason)
    if found:
        return FileRefused(
            "file.ragged_row", file=staged.file_name, line=line, found=found.group(1), expected=len(staged.headers)
        )
    if path.is_file():
        refusal = mixed_newline_refusal(path, staged.file_name)
        if refusal is not None:
            return refusal
    if path.is_file() and line.isdigit():
        stray = find_stray_quote(path, int(line), str(staged.params.get("csv_delim") or ","), staged.headers)
        if stray is not None:
            return FileRefused("file.csv_stray_quote", file=staged.file_name, line=line, column=stray.column, value=stray.value)
    return FileRefused("file.csv_unreadable", file=staged.file_name, line=line)
