"""What the Overview shows: the data status, the KPIs, and the tables behind its charts.

Each function takes the snapshot the page looked up once for its run (None without usage data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tracker.engine.assignments import devices_once
from tracker.engine.metrics import Window, rollup, utilisation_quantiles
from tracker.engine.rules.model import FLAGS_SCHEMA
from tracker.engine.snapshots import Snapshot
from tracker.views.filters import Filters, filter_table
from tracker.views.findings import open_findings
from tracker.views.source import Source

HEATMAP_AGENCIES = 25


@dataclass(frozen=True)
class Kpis:
    spend: float
    spend_previous: float | None
    lines: int
    assets: int
    assets_judged: int
    median_utilisation: float | None
    idle_capital: float | None  # None: no agency inside the filters has usage to judge idleness by
    net_book_value: float
    idle_share: float | None  # of the book value of the agencies judged
    value_at_stake_open: float | None  # None: open findings, none with a known value at stake (no usage to value)
    open_findings: int
    idle_unknown_agencies: tuple[str, ...] = ()  # agencies whose assets have no utilisation: idle capital unknown


@dataclass(frozen=True)
class DataStatus:
    """What the figures rest on: the as-of date, the window, and who sends usage."""

    as_of: date | None
    window_start: date | None
    window_days: int
    agencies: int
    agencies_with_usage: int
    usage_first: date | None
    usage_last: date | None
    days_since_last_usage: int | None


def data_status(source: Source, snap: Snapshot | None, filters: Filters, *, today: date | None = None) -> DataStatus:
    first, last = source.usage_span()
    as_of = filters.as_of or last
    if filters.scope_agency is None and not filters.agencies:
        agencies = source.db.scalar("SELECT count(DISTINCT agency_code) FROM assets", name="agencies with assets")
        with_usage = 0 if snap is None else snap.agencies_with_usage
    elif filters.scope_agency is None:  # the agencies chosen in the filter, of those that hold assets
        assets = filter_table(snap.assets, Filters(agencies=filters.agencies)) if snap is not None else None
        codes = set() if assets is None else set(assets.column("agency_code").to_pylist())
        agencies = len(codes) if snap is not None else len(filters.agencies)
        used = assets.filter(pc.greater(pc.fill_null(assets.column("used_hours"), 0), 0)) if assets is not None else None
        with_usage = 0 if used is None else len(set(used.column("agency_code").to_pylist()))
    else:  # an agency reader learns about their own agency only
        assets = filter_table(snap.assets, filters) if snap is not None else None
        agencies = 1
        with_usage = int(
            bool(
                assets is not None
                and assets.num_rows
                and pc.any(pc.greater(pc.fill_null(assets.column("used_hours"), 0), 0)).as_py()
            )
        )
    today = today or date.today()
    return DataStatus(
        as_of,
        None if as_of is None else Window(as_of, filters.window_days).start,
        filters.window_days,
        agencies,
        with_usage,
        first,
        last,
        None if last is None else (today - last).days,
    )


def kpis(source: Source, snap: Snapshot | None, filters: Filters) -> Kpis | None:
    if snap is None:
        return None
    window = snap.window
    lines = filter_table(snap.lines, filters)
    order_dates = lines.column("order_date")
    in_window = pc.and_(pc.greater_equal(order_dates, window.start), pc.less_equal(order_dates, window.as_of))
    previous_start = window.start - timedelta(days=window.window_days)
    in_previous = pc.and_(pc.greater_equal(order_dates, previous_start), pc.less(order_dates, window.start))
    spend = pc.sum(lines.filter(in_window).column("amount")).as_py() or 0.0
    spend_before = lines.filter(in_previous)
    has_previous = snap.lines.num_rows and pc.min(snap.lines.column("order_date")).as_py() <= previous_start
    assets = filter_table(snap.assets, filters)
    totals = source.run("kpi_totals", lambda t: rollup(t.mutate(all=ibis.literal(1)), ("all",)), assets).to_pylist()
    total = totals[0] if totals else {}
    flags = open_findings(source, snap, filters)
    stake = pc.sum(flags.column("value_at_stake")).as_py()  # None when no finding has a known value
    nbv = total.get("net_book_value") or 0.0
    unknown = unjudged_agencies(assets)
    judged_assets = assets.filter(pc.invert(pc.is_in(assets.column("agency_code"), value_set=pa.array(unknown, pa.string()))))
    judged_nbv = pc.sum(devices_once(judged_assets).column("net_book_value")).as_py() or 0.0
    idle = pc.sum(judged_assets.filter(pc.fill_null(judged_assets.column("idle_candidate"), False)).column("net_book_value"))
    idle = (idle.as_py() or 0.0) if judged_assets.num_rows else None
    judged = pc.count_distinct(assets.filter(pc.is_valid(assets.column("utilisation"))).column("asset_id")).as_py()
    return Kpis(
        spend=float(spend),
        spend_previous=float(pc.sum(spend_before.column("amount")).as_py() or 0.0) if has_previous else None,
        lines=lines.filter(in_window).num_rows,
        assets=devices_once(assets).num_rows,  # a device moved between agencies in the window, once
        assets_judged=int(judged or 0),
        median_utilisation=total.get("median_utilisation"),
        idle_capital=None if idle is None else float(idle),
        net_book_value=float(nbv),
        idle_share=(idle / judged_nbv) if idle is not None and judged_nbv else None,
        value_at_stake_open=None if stake is None and flags.num_rows else float(stake or 0.0),
        open_findings=flags.num_rows,
        idle_unknown_agencies=tuple(unknown),
    )


def unjudged_agencies(assets: pa.Table) -> list[str]:
    """Agencies with assets none of which has a utilisation (no usage sent): their idle capital is unknown, not zero."""
    if not assets.num_rows:
        return []
    counts = assets.group_by("agency_code").aggregate([("utilisation", "count")])
    return sorted(
        code for code, n in zip(counts.column("agency_code").to_pylist(), counts.column("utilisation_count").to_pylist()) if not n
    )


def monthly_spend(source: Source, snap: Snapshot | None, filters: Filters) -> pa.Table:
    """Spend per month (by order date) with `fiscal_year_end` marking the last month of each fiscal year."""
    if snap is None:
        return pa.table(
            {
                "month": pa.array([], pa.date32()),
                "spend": pa.array([], pa.float64()),
                "lines": pa.array([], pa.int64()),
                "fiscal_year_end": pa.array([], pa.bool_()),
            }
        )
    last_month = 12 if snap.fiscal_year_start_month == 1 else snap.fiscal_year_start_month - 1

    def build(t: ir.Table) -> ir.Table:
        g = t.group_by("month").aggregate(spend=t.amount.sum(), lines=t.count())
        return g.mutate(fiscal_year_end=g.month.month() == last_month).order_by("month")

    return source.run(f"monthly_spend_{last_month}", build, filter_table(snap.lines, filters))


def utilisation_by_category(source: Source, snap: Snapshot | None, filters: Filters) -> pa.Table:
    """Per category: the spread of asset utilisation (p10…p90), the pooled utilisation and its threshold."""
    if snap is None:
        return pa.table({})
    assets = filter_table(snap.assets, filters)
    spread = source.run("category_spread", lambda t: utilisation_quantiles(t, ("category",)), assets)
    pooled = source.run("category_rollup", lambda t: rollup(t, ("category",)), assets)
    thresholds = source.run(
        "category_threshold", lambda t: t.group_by("category").aggregate(low_threshold=t.low_threshold.max()), assets
    )
    table = spread.join(pooled.select(["category", "utilisation", "idle_nbv", "net_book_value"]), "category")
    table = table.join(thresholds, "category")
    return table.sort_by([("p50", "descending")])


def agencies_compared(source: Source, snap: Snapshot | None, filters: Filters) -> pa.Table:
    """Per agency: spend in the window, idle share of book value, value at stake in open findings, utilisation."""
    if snap is None:
        return pa.table({})
    assets = filter_table(snap.assets, filters)
    per_agency = source.run("agency_rollup", lambda t: rollup(t, ("agency_code",)), assets)
    lines = filter_table(snap.lines, filters)
    window = snap.window
    lines = lines.filter(
        pc.and_(
            pc.greater_equal(lines.column("order_date"), window.start), pc.less_equal(lines.column("order_date"), window.as_of)
        )
    )
    spend = (
        lines.group_by("agency_code")
        .aggregate([("amount", "sum"), ("agency_name", "max")])
        .rename_columns(["agency_code", "spend", "agency_name"])
        if lines.num_rows
        else pa.table(
            {
                "agency_code": pa.array([], pa.string()),
                "spend": pa.array([], pa.float64()),
                "agency_name": pa.array([], pa.string()),
            }
        )
    )
    flags = open_findings(source, snap, filters)
    stake = (
        flags.group_by("agency_code")
        .aggregate([("value_at_stake", "sum"), ("flag_id", "count")])
        .rename_columns(["agency_code", "value_at_stake", "findings"])
    )
    table = per_agency.join(spend, "agency_code", join_type="full outer").join(stake, "agency_code", join_type="left outer")
    # an agency without purchase lines in the window still has its name (from the agencies it registered)
    names = dict(
        source.db.fetchall("SELECT agency_code, agency_name FROM agencies WHERE agency_name IS NOT NULL", name="agency names")
    )
    table = table.set_column(
        table.column_names.index("agency_name"),
        "agency_name",
        pa.array(
            [n or names.get(c) for c, n in zip(table.column("agency_code").to_pylist(), table.column("agency_name").to_pylist())],
            pa.string(),
        ),
    )
    nbv = table.column("net_book_value")
    # an agency without any judged asset (no usage sent) has unknown idle capital: None, never 0
    judged = pc.is_valid(table.column("median_utilisation"))
    idle_nbv = pc.if_else(judged, table.column("idle_nbv"), None)
    table = table.set_column(table.column_names.index("idle_nbv"), "idle_nbv", idle_nbv)
    idle_share = pc.if_else(pc.and_(judged, pc.greater(pc.fill_null(nbv, 0), 0)), pc.divide(idle_nbv, nbv), None)
    table = table.append_column("idle_share", idle_share)
    table = table.set_column(table.column_names.index("spend"), "spend", pc.fill_null(table.column("spend"), 0.0))
    # no open finding: nothing at stake (0); open findings none of which has a known value: unknown (None), never 0
    stake = pc.if_else(pc.is_null(table.column("findings")), 0.0, table.column("value_at_stake"))
    table = table.set_column(table.column_names.index("value_at_stake"), "value_at_stake", stake)
    table = table.set_column(table.column_names.index("findings"), "findings", pc.fill_null(table.column("findings"), 0))
    return table.sort_by([("spend", "descending"), ("agency_code", "ascending")])


def heatmap(source: Source, snap: Snapshot | None, filters: Filters, *, top: int = HEATMAP_AGENCIES) -> tuple[pa.Table, int]:
    """Utilisation per agency × category for the `top` agencies by book value; also how many agencies there are."""
    if snap is None:
        return pa.table({}), 0
    assets = filter_table(snap.assets, filters)
    cells = source.run("agency_category", lambda t: rollup(t, ("agency_code", "category")), assets)
    if not cells.num_rows:
        return cells, 0
    weight = (
        cells.group_by("agency_code")
        .aggregate([("purchase_cost", "sum")])
        .sort_by([("purchase_cost_sum", "descending"), ("agency_code", "ascending")])
    )
    keep = weight.column("agency_code").slice(0, top).combine_chunks()
    return cells.filter(pc.is_in(cells.column("agency_code"), value_set=keep)), weight.num_rows


def top_findings(source: Source, snap: Snapshot | None, filters: Filters, limit: int = 10) -> pa.Table:
    """The `limit` open findings with the most value at stake (those without a value last)."""
    if snap is None:
        return FLAGS_SCHEMA.empty_table()
    table = open_findings(source, snap, filters)
    order = pc.sort_indices(table, [("value_at_stake", "descending"), ("flag_id", "ascending")])
    return table.take(order).slice(0, limit)


def heatmap_all_unknown(table: pa.Table) -> tuple[str, ...]:
    """The agencies of a heatmap none of whose cells has a known utilisation (no usage sent), empty when one has:
    such a chart would draw no cell at all, so the page says why instead."""
    if not table.num_rows or table.column("utilisation").null_count < table.num_rows:
        return ()
    return tuple(sorted(set(table.column("agency_code").to_pylist())))
