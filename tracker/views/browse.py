"""Plain views of what the database holds: row counts, upload history and table previews."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.store.db import Database
from tracker.text.i18n import MESSAGES, text


@dataclass(frozen=True)
class TableInfo:
    """One stored table (named for people in the translation table, `table.<name>`)."""

    table: str
    order_by: str


TABLES: tuple[TableInfo, ...] = (
    TableInfo("procurement_lines", "order_date DESC, po_number, line_no"),
    TableInfo("assets", "agency_code, asset_id"),
    TableInfo("usage_daily", "usage_date DESC, asset_id"),
    TableInfo("meter_readings", "read_at DESC, asset_id, meter"),
    TableInfo("agencies", "agency_code"),
    TableInfo("uploads", "upload_id DESC"),
    TableInfo("rejected_rows", "upload_id DESC, row_number"),
)
_BY_NAME = {t.table: t for t in TABLES}


@dataclass(frozen=True)
class DataSummary:
    """Headline facts about the data: counts and the usage period."""

    counts: dict[str, int]
    usage_first: object | None
    usage_last: object | None
    agencies_with_usage: int


def summary(db: Database) -> DataSummary:
    counts = {t.table: db.scalar(f"SELECT count(*) FROM {t.table}", name=f"count {t.table}") for t in TABLES}
    first, last = db.fetchone("SELECT min(usage_date), max(usage_date) FROM usage_daily", name="usage period")
    with_usage = db.scalar(
        "SELECT count(DISTINCT a.agency_code) FROM assets a SEMI JOIN usage_daily u ON u.asset_id = a.asset_id",
        name="agencies with usage",
    )
    return DataSummary(counts, first, last, with_usage)


def preview(db: Database, table: str, limit: int = 500) -> pd.DataFrame:
    """The first rows of a stored table (only tables from the fixed list)."""
    info = _BY_NAME[table]  # KeyError for anything else: table names never come from input
    return db.df(f"SELECT * FROM {info.table} ORDER BY {info.order_by} LIMIT ?", [int(limit)], name=f"preview {table}")


def column_labels(columns: list[str], lang: str) -> dict[str, str]:
    """Stored column names as the Stored data page heads them: in English the names themselves (as the upload
    templates and the evidence pack write them), in Chinese their Chinese names where the table has one."""
    labels = {}
    for column in columns:
        key = next((k for k in (f"pack.column.{column}", f"trustui.column.{column}") if k in MESSAGES), None)
        labels[column] = text(key, lang) if key else column
    return labels
