"""OCDS JSON (a release or record package, or JSON lines): one staged row per purchase line (tracker.ingest.ocds)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from tracker.ingest.readers.staged import StagedFile, create_from_arrow
from tracker.store.db import Database
from tracker.text.errors import FileRefused


def stage_ocds(db: Database, path: Path, table: str, file_name: str, fmt: str) -> StagedFile:
    from tracker.ingest.ocds import read_ocds

    lines = read_ocds(path.read_bytes(), file_name)
    if not lines:
        raise FileRefused("file.ocds_no_lines", file=file_name)
    headers = list(lines[0].keys())
    arrays = {f"c{i}": pa.array([_json_text(line.get(h)) for line in lines], type=pa.string()) for i, h in enumerate(headers)}
    arrays["_row"] = pa.array(range(1, len(lines) + 1), type=pa.int64())
    create_from_arrow(db, table, pa.table(arrays))
    return StagedFile(table, file_name, fmt, tuple(headers), shape_hint="ocds", temp_tables=(table,), source_table_hint=table)


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
