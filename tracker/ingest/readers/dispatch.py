"""The one entry point: check a file's size, choose its reader by suffix or first bytes, stage it."""

from __future__ import annotations

from pathlib import Path

from tracker.ingest.readers.csv import stage_csv
from tracker.ingest.readers.devices import stage_event_log, stage_glpi
from tracker.ingest.readers.excel import stage_excel
from tracker.ingest.readers.json import stage_ocds
from tracker.ingest.readers.parquet import check_parquet_rows, stage_parquet
from tracker.ingest.readers.sniff import file_format, sniff_format, sniff_json
from tracker.ingest.readers.staged import StagedFile
from tracker.store.db import Database
from tracker.text.errors import FileRefused


def stage_file(
    db: Database,
    path: Path,
    table: str,
    *,
    file_name: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> StagedFile:
    """Read the file at `path` into temp table `table` (a name chosen by the caller, not the user).

    `max_rows` is checked before reading when the format states its row count (Parquet metadata, a
    workbook's sheet extent) and while a workbook is read; other formats are counted after staging by
    the ingest. `max_bytes` also bounds a workbook's unpacked data.
    """
    name = file_name or path.name
    if not path.exists():
        raise FileRefused("config.file_missing", file=name)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise FileRefused("file.too_large", file=name, size_mb=f"{size / 1e6:,.1f}", limit_mb=f"{max_bytes / 1e6:,.0f}")
    if size == 0:
        raise FileRefused("file.empty", file=name)
    fmt = file_format(name)
    if fmt in ("unknown", "json", "zip"):
        fmt = sniff_format(path) if fmt != "json" else sniff_json(path)
    if fmt == "evtx":
        return stage_event_log(db, path, table, name)
    if fmt == "glpi":
        return stage_glpi(db, path, table, name)
    if fmt == "parquet" and max_rows is not None:
        check_parquet_rows(db, path, name, max_rows)
    if fmt == "csv":
        return stage_csv(db, path, table, name)
    if fmt == "xlsx":
        return stage_excel(db, path, table, name, max_bytes=max_bytes, max_rows=max_rows)
    if fmt == "parquet":
        return stage_parquet(db, path, table, name)
    if fmt in ("json", "jsonl"):
        return stage_ocds(db, path, table, name, fmt)
    raise FileRefused("file.unknown_format", file=name)
