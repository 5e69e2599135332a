"""OCDS JSON (a release or record package, a record, or JSON lines): its equipment lines staged in batches."""

from __future__ import annotations

from pathlib import Path

from tracker.ingest.ocds_stage import stage_feed
from tracker.ingest.readers.staged import StagedFile
from tracker.store.db import Database


def stage_ocds(db: Database, path: Path, table: str, file_name: str, fmt: str) -> StagedFile:
    """The equipment lines of an OCDS file (streamed in batches); the lines set aside are staged beside them."""
    headers, temp_tables = stage_feed(db, path, table, file_name)
    return StagedFile(table, file_name, fmt, headers, shape_hint="ocds", temp_tables=temp_tables, source_table_hint=table)
