"""Parquet: the row count from the footer before reading, then every column cast to text."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from tracker.ingest.readers.sniff import check_duplicate_headers, find_header, no_header
from tracker.ingest.readers.staged import StagedFile
from tracker.store.db import Database
from tracker.text.errors import DatabaseError, FileRefused
from tracker.text.i18n import Message, reason

log = logging.getLogger(__name__)


def check_parquet_rows(db: Database, path: Path, file_name: str, max_rows: int) -> None:
    """Refuse a Parquet file with too many rows from its footer, before reading any data."""
    try:
        rows = db.scalar("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(path)], name="parquet row count")
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=_reason(exc, path, file_name)) from exc
    if rows is not None and rows > max_rows:
        raise FileRefused("file.too_many_rows", file=file_name, rows=int(rows), limit=max_rows)


def parquet_columns(db: Database, path: Path, file_name: str) -> list[tuple[str, str]]:
    """(name, engine type) of each column from the file's schema, without reading its rows; refusals as staging's."""
    try:
        described = db.fetchall("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)], name="describe parquet")
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=_reason(exc, path, file_name)) from exc
    headers = [row[0] for row in described]
    check_duplicate_headers(headers, file_name)
    if find_header([headers]) is None:
        raise no_header(file_name)
    return [(row[0], str(row[1])) for row in described]


def stage_parquet(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    headers = [name for name, _ in parquet_columns(db, path, file_name)]
    casts = ", ".join(f"CAST({quote_ident(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    try:
        db.execute(
            f"CREATE TEMP TABLE {table} AS SELECT {casts}, file_row_number + 2 AS _row "
            "FROM read_parquet(?, file_row_number=true)",
            [str(path)],
            name="read parquet",
        )
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=_reason(exc, path, file_name)) from exc
    return StagedFile(table, file_name, "parquet", tuple(headers), temp_tables=(table,), source_table_hint=table)


# DuckDB's words about a Parquet file it cannot read, by what they show of the file
_DAMAGED = re.compile(r"magic bytes|footer|too small|truncat|out of range|unexpected end|corrupt|checksum|crc|page header", re.I)
_NOT_TEXT = re.compile(r"not valid UTF-?8|invalid string encoding", re.I)


def _reason(exc: DatabaseError, path: Path, file_name: str) -> Message:
    """Why the file cannot be read, in the reader's words; DuckDB's own first line about it goes to the log."""
    detail = str(exc.__cause__ or exc).splitlines()[0].replace(str(path), file_name)
    log.warning("%s cannot be read as Parquet: %s", file_name, detail)
    if _NOT_TEXT.search(detail):
        return reason("parquet_not_text")
    if _DAMAGED.search(detail):
        return reason("file_damaged")
    return reason("parquet_unreadable")


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from a file's own schema (Parquet column names)."""
    return '"' + str(name).replace('"', '""') + '"'
