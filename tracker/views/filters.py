"""The dashboard's filters, what they offer, and how a table is narrowed by them.

Filters are applied here, in the core, so that the exports and the charts agree with what is on
screen, and so that agency scoping, when the caller passes it, cannot be bypassed by a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, check_window_days, fiscal_year
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text.i18n import category_name, text
from tracker.views.source import Source


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. Empty tuples mean "all"."""

    agencies: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] = ()
    as_of: date | None = None
    window_days: int = DEFAULT_WINDOW_DAYS
    scope_agency: str | None = None  # the only agency the reader may see (an agency user); None: all

    def __post_init__(self) -> None:
        check_window_days(self.window_days)

    @property
    def active(self) -> dict[str, tuple]:
        """The narrowing filters that are set (for the "active filters" line and exports)."""
        return {
            name: value
            for name, value in (
                ("agencies", self.agencies),
                ("categories", self.categories),
                ("suppliers", self.suppliers),
                ("fiscal_years", self.fiscal_years),
            )
            if value
        }


FILTER_LABEL_KEYS = {
    "agencies": "common.label.agency",
    "categories": "common.label.category",
    "suppliers": "common.label.supplier",
    "fiscal_years": "common.label.fiscal_year",
}


def active_filters_text(filters: Filters, lang: str, escape: Callable[[str], str] = str) -> str | None:
    """The filters in force in words, None when none is set: "Filtered to Agency: A001, A002 · Category: Laptop",
    "当前筛选：单位：A001、A002 · 类别：笔记本电脑". `escape` is applied to each value (a page's markup)."""
    joiner = text("common.caption.filter_values_joiner", lang)
    parts = []
    for name, values in filters.active.items():
        shown = [escape(category_name(v, lang) if name == "categories" else str(v)) for v in values]
        parts.append(
            text("common.caption.filter_part", lang, label=text(FILTER_LABEL_KEYS[name], lang), values=joiner.join(shown))
        )
    if not parts:
        return None
    return text("common.caption.filtered_to", lang) + " · ".join(parts)


CRUMB_AGENCIES_NAMED = 3  # up to this many chosen agencies are named in Explore's breadcrumb, more are counted


def agencies_in_view_label(filters: Filters, lang: str, escape: Callable[[str], str] = str) -> str:
    """What the first part of a drill-down covers: "All agencies", the chosen agencies ("Agencies: A001, A002",
    "5 agencies chosen") or, for a reader who sees one agency only, "Your agency"."""
    if filters.scope_agency is not None:
        return text("explore.crumb.own_agency", lang)
    if not filters.agencies:
        return text("common.placeholder.all_agencies", lang)
    if len(filters.agencies) > CRUMB_AGENCIES_NAMED:
        return text("explore.crumb.agencies_many", lang, count=len(filters.agencies))
    joiner = text("common.caption.filter_values_joiner", lang)
    return text("explore.crumb.agencies_filtered", lang, agencies=joiner.join(escape(a) for a in filters.agencies))


@dataclass(frozen=True)
class FindingFilters:
    """The Flags page's own narrowing, on top of the shared Filters."""

    rules: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


def _mask(table: pa.Table, column: str, values: tuple) -> pa.ChunkedArray | None:
    if not values or column not in table.column_names:
        return None
    return pc.is_in(table.column(column), value_set=pa.array(list(values), table.schema.field(column).type))


def filter_table(table: pa.Table, filters: Filters, *, columns: dict[str, str] | None = None) -> pa.Table:
    """Rows of `table` that pass the filters; a filter on a column the table lacks does not apply."""
    names = {"agencies": "agency_code", "categories": "category", "suppliers": "supplier", "fiscal_years": "fiscal_year"} | (
        columns or {}
    )
    mask = None
    if filters.scope_agency is not None:  # the reader's scope holds whatever else is asked for
        if "agency_code" not in table.column_names:
            return table.slice(0, 0)
        mask = pc.equal(table.column("agency_code"), filters.scope_agency)
    for attribute, column in names.items():
        m = _mask(table, column, getattr(filters, attribute))
        if m is not None:
            mask = m if mask is None else pc.and_(mask, m)
    return table if mask is None else table.filter(pc.fill_null(mask, False))


# -- filter options ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    agencies: dict[str, str]  # code -> name (or code)
    categories: list[str]
    suppliers: list[str]
    fiscal_years: list[int]
    usage_first: date | None
    usage_last: date | None


def filter_options(source: Source, scope_agency: str | None = None) -> FilterOptions:
    """What the filters offer; an agency reader is offered their own agency and the values of its own rows only."""
    db = source.db
    # every option comes from rows inside the scope: an agency must not learn other agencies' suppliers,
    # categories or years from a list (a NULL scope keeps every row)
    scoped = "WHERE (CAST($scope AS VARCHAR) IS NULL OR agency_code = $scope)"
    scope = {"scope": scope_agency}
    names = dict(
        db.fetchall(
            "SELECT agency_code, coalesce(max(agency_name), agency_code) FROM ("
            " SELECT agency_code, agency_name FROM agencies UNION ALL SELECT agency_code, agency_name FROM procurement_lines"
            f" UNION ALL SELECT agency_code, NULL FROM assets) {scoped} GROUP BY agency_code ORDER BY agency_code",
            scope,
            name="agency names",
        )
    )
    categories = [
        r[0]
        for r in db.fetchall(
            "SELECT DISTINCT category FROM (SELECT agency_code, category FROM assets"
            f" UNION SELECT agency_code, category FROM procurement_lines) {scoped} ORDER BY category",
            scope,
            name="categories",
        )
    ]
    suppliers = [
        r[0]
        for r in db.fetchall(
            f"SELECT DISTINCT supplier FROM procurement_lines {scoped} AND supplier IS NOT NULL ORDER BY supplier",
            scope,
            name="suppliers",
        )
    ]
    start_month = load_settings(db).fiscal_year_start_month
    months = db.fetchall(
        f"SELECT DISTINCT year(order_date), month(order_date) FROM procurement_lines {scoped}", scope, name="order months"
    )
    years = sorted({fiscal_year(date(y, m, 1), start_month) for y, m in months})
    first, last = source.usage_span()
    return FilterOptions(names, categories, suppliers, years, first, last)


# -- agencies named anywhere in the data ------------------------------------------------------------

# Every table whose rows name an agency; a usage row is an asset's, so its agency is the asset's (or,
# for a transferred device, one of its assignments').
_AGENCY_CODES = (
    "SELECT agency_code FROM agencies UNION SELECT agency_code FROM procurement_lines"
    " UNION SELECT agency_code FROM assets UNION SELECT agency_code FROM asset_assignments"
    " UNION SELECT agency_code FROM purchase_requests"
)


def agency_in_data(db: Database, code: str) -> bool:
    """Whether any row of the data names the agency `code`, matched exactly as stored (as the filters and rules match it)."""
    return bool(
        db.scalar(f"SELECT EXISTS (SELECT 1 FROM ({_AGENCY_CODES}) WHERE agency_code = ?)", [code], name="agency in data")
    )


def agencies_in_data(db: Database) -> list[str]:
    """The agency codes any row of the data names, sorted."""
    sql = f"SELECT agency_code FROM ({_AGENCY_CODES}) WHERE agency_code IS NOT NULL ORDER BY agency_code"
    return [row[0] for row in db.fetchall(sql, name="agencies in data")]
