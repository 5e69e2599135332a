"""The Reallocation page's tables: requests, a request's proposals, the pool, transfers made for requests.

Each is a TableView (tracker.views.tables) drawn by the one renderer, so unknown shows "—", money
is a number in the money format (a column still sorts by value) and every table fits a 1,280 px
screen beside the sidebar (TABLE_WIDTH_PX with a row selector, PLAIN_TABLE_WIDTH_PX without). What does not fit in a row is one click away: a pool
device's evidence sentence shows under the pool when its row is chosen (`pool_detail`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from tracker.casework.transfers_proposals import status_text
from tracker.reallocation.matching import cover_text
from tracker.text import markup
from tracker.text.i18n import category_name, text
from tracker.views.tables import Column, TableView


def requests(cover: pa.Table, lang: str, currency: str) -> TableView:
    """Planned purchases with what the pool can cover of each; a row's key names the request."""
    columns = (
        Column("request", text("realloc.column.request", lang), width=135, pinned=True),
        Column("agency", text("common.label.agency", lang), width=65),
        Column("category", text("common.label.category", lang), width=70),
        Column("needed_by", text("realloc.column.needed_by", lang), "day", 108),
        Column("cover", text("realloc.column.cover", lang), width=272),
        Column("avoidable", text("realloc.column.avoidable", lang), "money", 130),
    )
    rows, keys = [], []
    for r in cover.to_pylist():
        rows.append(
            {
                "request": r["request_id"],
                "agency": r["agency_code"],
                "category": category_name(r["category"], lang),
                "needed_by": r["needed_by"],
                "cover": cover_text(r, lang),
                "avoidable": r["avoidable_amount"],  # unknown without a unit budget
            }
        )
        keys.append({"request_id": r["request_id"], "agency_code": r["agency_code"]})
    return TableView(columns, rows, currency, keys)


def proposals(rows: list[Mapping[str, Any]], in_transfer: Mapping[str, Mapping[str, Any]], lang: str, currency: str) -> TableView:
    """The devices proposed to one request; `in_transfer` maps a device to the open transfer it is in."""
    columns = (
        Column("asset", text("realloc.column.asset", lang), width=95, pinned=True),
        Column("from_agency", text("realloc.column.from_agency", lang), width=75),
        Column("model", text("realloc.column.model", lang), width=105),
        Column("age", text("realloc.column.age_years", lang), "years", 70),
        Column("book_value", text("realloc.column.book_value", lang), "money", 85),
        Column("idle_days", text("realloc.column.idle_days", lang), "count", 60),
        Column("reason", text("realloc.column.reason", lang), width=170),
        Column("transfer", text("realloc.column.transfer", lang), width=155),
    )
    shown = [
        {
            "asset": p["asset_id"],
            "from_agency": p["from_agency"],
            "model": p["model"],
            "age": p["age_years"],
            "book_value": p["book_value"],
            "idle_days": p["idle_days"],
            "reason": p["reason"],
            "transfer": _transfer_cell(in_transfer.get(p["asset_id"]), lang),
        }
        for p in rows
    ]
    return TableView(columns, shown, currency, [{"asset_id": p["asset_id"]} for p in rows])


def pool(table: pa.Table, lang: str, currency: str) -> TableView:
    """The idle pool; a row's key carries what `pool_detail` says under the table when it is chosen."""
    columns = (
        Column("asset", text("realloc.column.asset", lang), width=95, pinned=True),
        Column("agency", text("common.label.agency", lang), width=110),
        Column("category", text("common.label.category", lang), width=70),
        Column("model", text("realloc.column.model", lang), width=100),
        Column("age", text("realloc.column.age_years", lang), "years", 70),
        Column("life_left", text("realloc.column.remaining_life", lang), "years", 80),
        Column("book_value", text("realloc.column.book_value", lang), "money", 85),
        Column("why", text("realloc.column.why", lang), width=100),
        Column("idle_days", text("realloc.column.idle_days", lang), "count", 70),
    )
    rows, keys = [], []
    for r in table.to_pylist():
        rows.append(
            {
                "asset": r["asset_id"],
                "agency": r["agency_name"] or r["agency_code"],
                "category": category_name(r["category"], lang),
                "model": r["model"],
                "age": r["age_years"],
                "life_left": r["remaining_life_years"],
                "book_value": r["book_value"],
                "why": None if r.get("reason") is None else text(f"realloc.pool_reason.{r['reason']}", lang),
                "idle_days": r.get("idle_days"),
            }
        )
        keys.append(
            {
                "asset_id": r["asset_id"],
                "agency": r["agency_name"] or r["agency_code"],
                "reason": r.get("reason"),
                "evidence": r.get("evidence_zh" if lang == "zh" else "evidence"),
            }
        )
    return TableView(columns, rows, currency, keys)


def pool_detail(key: Mapping[str, Any], lang: str) -> str:
    """What is known of why a chosen pool device is there, as Markdown (the data in it made inert)."""
    asset = markup.plain(key["asset_id"])
    if key.get("reason") is None:  # another agency's device: its usage and findings are that agency's
        return text("realloc.detail.other_agency", lang, asset=asset, agency=markup.plain(key["agency"]))
    why = text(f"realloc.pool_reason.{key['reason']}", lang)
    if not key.get("evidence"):
        return text("realloc.detail.no_finding", lang, asset=asset, why=why)
    return text("realloc.detail.evidence", lang, asset=asset, why=why, evidence=markup.plain(key["evidence"]))


def transfers(rows: list[Mapping[str, Any]], lang: str) -> TableView:
    """The transfers made for the requests shown, and what each waits for or how it ended."""
    columns = (
        Column("transfer", text("transfer.col.transfer_id", lang), width=70, pinned=True),
        Column("request", text("realloc.column.request", lang), width=135),
        Column("from_agency", text("transfer.col.from_agency", lang), width=85),
        Column("to_agency", text("transfer.col.to_agency", lang), width=85),
        Column("assets", text("realloc.column.asset", lang), width=100),
        Column("state", text("transfer.col.state", lang), width=340),
    )
    shown = [
        {
            "transfer": f"#{r['transfer_id']}",
            "request": r["request_id"],
            "from_agency": r["from_agency"],
            "to_agency": r["to_agency"],
            "assets": ", ".join(r["asset_ids"]),
            "state": status_text(dict(r), lang),
        }
        for r in rows
    ]
    return TableView(columns, shown, "CNY", [{"transfer_id": r["transfer_id"]} for r in rows])


def _transfer_cell(row: Mapping[str, Any] | None, lang: str) -> str | None:
    """The transfer a proposed device is in and its state in a word; a device in none shows "—"."""
    if row is None:
        return None
    state = text(f"transfer.state.{row['state']}", lang)
    return f"#{row['transfer_id']} · {state}"
