"""Tables as a page shows them: which columns, in which order, how wide, and each cell as a reader reads it.

A page hands a `TableView` to one renderer (tracker.ui.tables), so every table shows unknown as
"—" (never "None" or 0), money in the one money format of tracker.text.formatting (¥47,806.80,
never 47,806.8), shares as percentages and names instead of codes. Numbers stay numbers, so a
column still sorts by value. The columns of Explore's tables are the ones a reviewer needs, few
and narrow enough to fit a 1280 px screen beside the sidebar (TABLE_WIDTH_PX, with the row
selector); the rest is in the next level down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.text import formatting
from tracker.text.i18n import category_name, name, text

KINDS = ("text", "money", "share", "count", "day", "hours", "years")
TABLE_WIDTH_PX = 780  # the main column at 1280 px beside the sidebar (~790 px), less the row selector
PLAIN_TABLE_WIDTH_PX = 815  # the same for a table whose rows are not chosen (no row selector)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # one of KINDS: how the renderer formats it
    width: int | None = None  # pixels; None for Streamlit's own
    pinned: bool = False


@dataclass(frozen=True)
class TableView:
    """Rows keyed by column key; a cell that is None is unknown and shown as "—"."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    currency: str = "CNY"
    keys: list[dict[str, Any]] = field(default_factory=list)  # per row: what a click on it leads to (not shown)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def percent(value: Any) -> float | None:
    """A share (0.25) as the number a percent column shows (25.0); unknown stays None."""
    return None if value is None else float(value) * 100


def rule_titles(codes: str | list[str] | None, lang: str) -> str | None:
    """Rule codes ("IDLE, NEVER_USED") as their titles in `lang`; None when there is none."""
    if not codes:
        return None
    listed = codes.split(", ") if isinstance(codes, str) else codes
    return ", ".join(RULES_BY_CODE[c].title(lang) if c in RULES_BY_CODE else c for c in listed)


def _t(lang: str) -> Callable[..., str]:
    return lambda key, **params: text(key, lang, **params)


def agencies(table: pa.Table, lang: str, currency: str) -> TableView:
    """Explore's first level: one row per agency (tracker.views.overview.agencies_compared)."""
    t = _t(lang)
    columns = (
        Column("agency", t("common.label.agency"), width=150, pinned=True),
        Column("spend", t("common.column.spend_window"), "money", 110),
        Column("assets", t("common.column.assets"), "count", 60),
        Column("utilisation", t("common.kpi.utilisation"), "share", 75),
        Column("idle_nbv", t("explore.column.idle_capital"), "money", 110),
        Column("idle_share", t("explore.column.idle_share"), "share", 75),
        Column("findings", t("common.column.findings"), "count", 65),
        Column("value_at_stake", t("common.column.value_stake"), "money", 115),
    )
    rows, keys = [], []
    for r in table.to_pylist():
        agency_name = r.get("agency_name")
        rows.append(
            {
                "agency": r["agency_code"] if agency_name in (None, r["agency_code"]) else f"{r['agency_code']} · {agency_name}",
                "spend": r["spend"],
                "assets": r["assets"] or 0,
                "utilisation": percent(r["utilisation"]),
                "idle_nbv": r["idle_nbv"],
                "idle_share": percent(r["idle_share"]),
                "findings": r["findings"] or 0,
                "value_at_stake": r["value_at_stake"],  # None: open findings without a known value, shown "—"
            }
        )
        keys.append({"agency": r["agency_code"]})
    return TableView(columns, rows, currency, keys)


def purchase_lines(table: pa.Table, lang: str, currency: str) -> TableView:
    """Explore's second level: an agency's purchase lines (tracker.views.explore.agency_lines).

    The order date, the idle units and the quantity bought are in the line's own level; here
    "registered" reads "16 of 16" so a missing unit shows without a column of its own.
    """
    t = _t(lang)
    columns = (
        Column("order", t("explore.column.order"), width=136, pinned=True),
        Column("item", t("explore.column.item"), width=100),
        Column("category", t("common.label.category"), width=68),
        Column("supplier", t("common.label.supplier"), width=68),
        Column("amount", t("explore.column.amount"), "money", 92),
        Column("registered", t("explore.column.registered"), width=76),
        Column("utilisation", t("common.kpi.utilisation"), "share", 70),
        Column("findings", t("common.column.findings"), "count", 62),
        Column("value_at_stake", t("common.column.value_stake"), "money", 100),
    )
    rows, keys = [], []
    for r in table.to_pylist():
        quantity = r.get("quantity")
        registered = formatting.count(r["assets"])
        rows.append(
            {
                "order": f"{r['po_number']}/{r['line_no']}" if r["po_number"] else t("explore.label.not_linked"),
                "item": r.get("item_description"),
                "category": category_name(r["category"], lang) if r.get("category") else None,
                "supplier": r.get("supplier"),
                "amount": r.get("amount"),
                "registered": registered if quantity is None else t("trustui.table.of", part=registered, whole=_whole(quantity)),
                "utilisation": percent(r.get("utilisation")),
                "findings": r["findings"],
                "value_at_stake": r["value_at_stake"],
            }
        )
        keys.append({"po": r["po_number"], "line": r["line_no"], "ocid": r.get("ocid")})
    return TableView(columns, rows, currency, keys)


def devices(table: pa.Table, lang: str, currency: str) -> TableView:
    """Explore's third level: the devices of a purchase line (tracker.views.explore.line_assets).

    A device whose agency sends no usage for its category has unknown use: its utilisation and
    last use are "—" (未知 in words), never "0 %" or "never used".
    """
    t = _t(lang)
    columns = (
        Column("asset", t("common.column.asset"), width=120, pinned=True),
        Column("category", t("common.label.category"), width=75),
        Column("status", t("common.column.status"), width=70),
        Column("utilisation", t("common.kpi.utilisation"), "share", 70),
        Column("last_used", t("common.kpi.last_used"), width=130),
        Column("evidence", t("explore.column.evidence"), width=90),
        Column("book_value", t("common.kpi.book_value"), "money", 95),
        Column("findings", t("common.column.findings"), width=110),
    )
    rows, keys = [], []
    for r in table.to_pylist():
        known = r.get("telemetry", True) is not False
        upper = t("explore.label.upper_bound") if r.get("utilisation_upper_bound") else ""
        rows.append(
            {
                "asset": r["asset_id"],
                "category": category_name(r["category"], lang),
                "status": name("asset_status", r["status"], lang) + (t("explore.label.standby") if r.get("standby") else ""),
                "utilisation": percent(r["utilisation"]) if known else None,
                "last_used": formatting.idle_words(r["days_idle"], r["last_used"], lang) if known else t("trust.unit.unknown"),
                "evidence": (name("evidence", r["evidence"], lang) + upper) if r.get("evidence") else None,
                "book_value": r["net_book_value"],
                "findings": rule_titles(r.get("rules"), lang),
            }
        )
        keys.append({"asset": r["asset_id"]})
    return TableView(columns, rows, currency, keys)


def line_devices(table: pa.Table, lang: str, currency: str) -> TableView:
    """The devices registered against a finding's purchase line (Findings page): fewer columns, the same cells."""
    full = devices(table, lang, currency)
    wanted = ("asset", "status", "utilisation", "last_used", "book_value")
    return TableView(tuple(c for c in full.columns if c.key in wanted), full.rows, currency, full.keys)


def _whole(value: Any) -> str:
    number = float(value)
    return formatting.count(number) if number.is_integer() else formatting.number(number, 2)
