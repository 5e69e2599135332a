"""One Ibis expression per rule.

A rule's expression returns one row per flagged subject with its key columns (agency_code,
asset_id, ocid, po_number, line_no, category, fiscal_year), utilisation, days_idle,
value_at_stake and the numbers its evidence sentence quotes. The expressions run on any Ibis
backend (DuckDB, or Spark on a lake) and read the shared tables of the RuleContext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from tracker.domain.calendar import fiscal_year, fiscal_year_bounds, last_month_of_fiscal_year
from tracker.engine.assignments import held_on, holdings_at
from tracker.engine.meters import metered_assets
from tracker.engine.metrics import fiscal_year_expr, round_to_cent, with_procurement_line
from tracker.engine.rules.idle_spells import idle_spells, used_assets
from tracker.engine.rules.model import RuleContext

# -- asset rules ---------------------------------------------------------------------------------


def asset_states(per_asset: ir.Table, coverage: ir.Table, params: Mapping[str, Mapping[str, Any]]) -> ir.Table:
    """Per asset: `state` = NEVER_USED, IDLE, LOW_UTILISATION or NULL, after exemptions and telemetry coverage.

    One expression decides the three asset rules at once (an asset meets at most one, in that order).
    """
    grace_days = params["NEVER_USED"]["grace_days"]
    idle_days = params["IDLE"]["idle_days"]
    min_available_days = params["LOW_UTILISATION"]["min_available_days"]
    a = per_asset
    covered = coverage.select("agency_code", "category", covered="reports_usage")
    t = a.left_join(covered, ["agency_code", "category"])
    held = t.in_service_on_as_of & ~t.standby & t.covered.fill_null(False)
    never_used = held & t.last_used.isnull() & (t.days_idle >= grace_days)
    idle = held & t.last_used.notnull() & (t.days_idle >= idle_days)
    low = held & (t.available_days >= min_available_days) & (t.utilisation < t.low_threshold)
    state = ibis.cases(
        (never_used.fill_null(False), "NEVER_USED"),
        (idle.fill_null(False), "IDLE"),
        (low.fill_null(False), "LOW_UTILISATION"),
        else_=ibis.null("string"),
    )
    return t.mutate(state=state)


def asset_flags(ctx: RuleContext, codes: Iterable[str]) -> ir.Table:
    """The assets meeting any of the asset rules `codes`, with `state` naming the rule each meets."""
    t = ctx.states
    t = t.filter(t.state.isin(list(codes)))
    nbv = t.net_book_value.cast("float64")
    value = ibis.ifelse(t.state == "LOW_UTILISATION", round_to_cent(nbv * (1.0 - t.utilisation / t.low_threshold)), nbv)
    return t.select(
        "state",
        "agency_code",
        "asset_id",
        "ocid",
        "po_number",
        "line_no",
        "category",
        "utilisation",
        "days_idle",
        value_at_stake=value,
        fiscal_year=ibis.null("int32"),
        in_service_date="in_service_date",
        last_used="last_used",
        available_days="available_days",
        available_hours="available_hours",
        used_hours="used_hours",
        evidence_kind="evidence",
        powered_on_hours="powered_on_hours",
        utilisation_share=t.utilisation,
        threshold_share=t.low_threshold,
        net_book_value_amount=nbv,
        value_amount=value,
    )  # the sentences take grace_days and idle_days from the rule's parameters


def asset_rule(code: str) -> Callable[[RuleContext], ir.Table]:
    def build(ctx: RuleContext) -> ir.Table:
        return asset_flags(ctx, (code,))

    return build


def no_telemetry(ctx: RuleContext) -> ir.Table:
    c = ctx.coverage
    c = c.filter((c.assets_in_service > 0) & ~c.reports_usage)
    return c.select(
        "agency_code",
        "category",
        asset_id=ibis.null("string"),
        ocid=ibis.null("string"),
        po_number=ibis.null("string"),
        line_no=ibis.null("int32"),
        fiscal_year=ibis.null("int32"),
        utilisation=ibis.null("float64"),
        days_idle=ibis.null("int64"),
        value_at_stake=ibis.null("float64"),
        assets_in_service="assets_in_service",
        idle_start=ibis.literal(ctx.window.idle_start),
        as_of=ibis.literal(ctx.window.as_of),
    )


# -- purchase-line rules -------------------------------------------------------------------------


def _lines(ctx: RuleContext) -> ir.Table:
    lines = ctx.backend.table("procurement_lines")
    return lines.filter(lines.order_date <= ctx.window.as_of)


def _line_columns(lines: ir.Table, ctx: RuleContext, **extra) -> dict:
    return dict(
        agency_code=lines.agency_code,
        ocid=lines.ocid,
        po_number=lines.po_number,
        line_no=lines.line_no,
        category=lines.category,
        asset_id=ibis.null("string"),
        utilisation=ibis.null("float64"),
        days_idle=ibis.null("int64"),
        fiscal_year=fiscal_year_expr(lines.order_date, ctx.fiscal_year_start_month),
        order_date=lines.order_date,
        **extra,
    )


def asset_lines(backend) -> ir.Table:
    """Every asset's matched procurement line (tracker.engine.metrics' matching); NULL keys when it has none."""
    assets = backend.table("assets").select("asset_id", "agency_code", "ocid", "po_number", "line_no")
    return with_procurement_line(backend, assets)


def _registered_per_line(ctx: RuleContext, assets: ir.Table) -> ir.Table:
    """`assets` (with asset_id) that have a matched procurement line, keyed by the line."""
    lines = ctx.asset_lines.filter(ctx.asset_lines.po_number.notnull())
    return assets.join(lines, "asset_id")


def idle_purchase(ctx: RuleContext) -> ir.Table:
    min_share = ctx.params["IDLE_PURCHASE"]["min_share"]
    states = ctx.states.filter(held_on(ctx.states.held_to, ctx.window.as_of))  # one row per device: its holding on as_of
    states = states.select("asset_id", "state", "purchase_cost")
    m = _registered_per_line(ctx, states)
    per_line = m.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(
        registered_units=m.asset_id.count(),
        flagged_units=m.asset_id.count(where=m.state.notnull()),
        never_used_units=m.asset_id.count(where=m.state == "NEVER_USED"),
        idle_units=m.asset_id.count(where=m.state == "IDLE"),
        low_units=m.asset_id.count(where=m.state == "LOW_UTILISATION"),
        flagged_cost=m.purchase_cost.cast("float64").sum(where=m.state.notnull()),
    )
    per_line = per_line.filter((per_line.flagged_units > 0), per_line.flagged_units >= per_line.registered_units * min_share)
    lines = _lines(ctx)
    t = lines.join(per_line, ["agency_code", "ocid", "po_number", "line_no"])
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=round_to_cent(t.flagged_cost),
            registered_units=t.registered_units,
            flagged_units=t.flagged_units,
            never_used_units=t.never_used_units,
            idle_units=t.idle_units,
            low_units=t.low_units,
            flagged_share=t.flagged_units / t.registered_units,
            min_share=ibis.literal(min_share),
            value_amount=round_to_cent(t.flagged_cost),
            quantity=t.quantity,
        )
    )


def unregistered_units(ctx: RuleContext) -> ir.Table:
    grace_days = ctx.params["UNREGISTERED_UNITS"]["grace_days"]
    m = ctx.asset_lines.filter(ctx.asset_lines.po_number.notnull())
    registered = m.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(registered_units=m.asset_id.count())
    lines = _lines(ctx)
    received = lines.delivery_date.fill_null(lines.order_date)
    lines = lines.filter(received <= ctx.window.as_of - timedelta(days=grace_days)).mutate(received_date=received)
    t = lines.left_join(registered, ["agency_code", "ocid", "po_number", "line_no"])
    t = t.mutate(registered_units=t.registered_units.fill_null(0))
    t = t.filter(t.registered_units < t.quantity)
    missing = t.quantity - t.registered_units
    value = round_to_cent(t.unit_price.cast("float64") * missing)
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=value,
            quantity=t.quantity,
            registered_units=t.registered_units,
            missing_units=missing,
            received_date=t.received_date,
            unit_price_amount=t.unit_price.cast("float64"),
            value_amount=value,
            grace_days=ibis.literal(grace_days),
        )
    )


def bought_despite_idle_stock(ctx: RuleContext) -> ir.Table:
    p = ctx.params["BOUGHT_DESPITE_IDLE_STOCK"]
    lookback_days, min_idle_assets, in_service_days = p["lookback_days"], p["min_idle_assets"], p["in_service_days"]
    lines = _lines(ctx)
    if ctx.usage_start is None:
        lines = lines.filter(ibis.literal(False))
    else:  # judged only when the whole look-back lies inside the usage data
        lines = lines.filter(lines.order_date >= ctx.usage_start + timedelta(days=lookback_days))
    covered = ctx.coverage.filter(ctx.coverage.reports_usage).select("agency_code", "category")
    lines = lines.semi_join(covered, ["agency_code", "category"])
    keys = lines.select("agency_code", "ocid", "po_number", "line_no", "category", "order_date")
    a = ctx.backend.table("assets")
    held = holdings_at(ctx.backend).rename(h_asset_id="asset_id", h_agency_code="agency_code")
    a = a.left_join(held, a.asset_id == held.h_asset_id)  # the stock is what each agency held on the order date
    stock = a.select(
        stock_agency=a.h_agency_code.fill_null(a.agency_code),
        stock_held_from=a.held_from,
        stock_held_to=a.held_to,
        stock_category="category",
        stock_asset_id="asset_id",
        stock_in_service=a.in_service_date.fill_null(a.purchase_date),
        stock_disposal="disposal_date",
        stock_status="status",
        stock_standby="standby",
    )
    pairs = keys.join(
        stock,
        [
            keys.agency_code == stock.stock_agency,
            keys.category == stock.stock_category,
            stock.stock_in_service <= keys.order_date - ibis.interval(days=in_service_days),
            stock.stock_held_from.isnull() | (stock.stock_held_from <= keys.order_date),
            held_on(stock.stock_held_to, keys.order_date),
        ],
    )
    held = (pairs.stock_disposal.isnull() & (pairs.stock_status != "disposed")) | (pairs.stock_disposal > pairs.order_date)
    pairs = pairs.filter(held, ~pairs.stock_standby)
    # idle: no use in [order date - look-back, order date), read from the run's idle spells (never the raw usage rows)
    if ctx.usage_start is None:
        idle = pairs
    else:
        spells = idle_spells(ctx, lookback_days, ctx.usage_start + timedelta(days=lookback_days))
        in_spell = pairs.semi_join(
            spells,
            [
                pairs.stock_asset_id == spells.asset_id,
                spells.idle_from <= pairs.order_date,
                spells.idle_until >= pairs.order_date,
            ],
        )
        used = used_assets(ctx, lookback_days)
        never_used = pairs.anti_join(used, pairs.stock_asset_id == used.asset_id)
        idle = ibis.union(in_spell, never_used, distinct=False)
    metered = metered_assets(ctx.backend)
    if metered is not None:  # a device measured by its counter is not judged idle by missing usage rows
        idle = idle.anti_join(metered, idle.stock_asset_id == metered.asset_id)
    per_line = idle.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(
        idle_stock_units=idle.stock_asset_id.count(), idle_asset_ids=idle.stock_asset_id.collect()
    )
    per_line = per_line.filter(per_line.idle_stock_units >= min_idle_assets)
    t = lines.join(per_line, ["agency_code", "ocid", "po_number", "line_no"])
    value = round_to_cent(ibis.least(t.total_amount.cast("float64"), t.idle_stock_units * t.unit_price.cast("float64")))
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=value,
            quantity=t.quantity,
            idle_stock_units=t.idle_stock_units,
            idle_asset_ids=t.idle_asset_ids,
            lookback_start=t.order_date - ibis.interval(days=lookback_days),
            lookback_days=ibis.literal(lookback_days),
            in_service_days=ibis.literal(in_service_days),
            min_idle_assets=ibis.literal(min_idle_assets),
            total_amount=t.total_amount.cast("float64"),
            value_amount=value,
        )
    )


# -- agency × fiscal-year rules ------------------------------------------------------------------


def _last_complete_fiscal_year(as_of: date, start_month: int) -> int:
    fy = fiscal_year(as_of, start_month)
    return fy if fiscal_year_bounds(fy, start_month)[1] <= as_of else fy - 1


def _spend_by_fiscal_year(ctx: RuleContext) -> ir.Table:
    """Per agency and complete fiscal year: total spend and spend in its last month (by order date)."""
    start_month = ctx.fiscal_year_start_month
    last_month = last_month_of_fiscal_year(start_month)
    lines = ctx.backend.table("procurement_lines")
    lines = lines.mutate(fiscal_year=fiscal_year_expr(lines.order_date, start_month), amount=lines.total_amount.cast("float64"))
    lines = lines.filter(lines.fiscal_year <= _last_complete_fiscal_year(ctx.window.as_of, start_month))
    return lines.group_by("agency_code", "fiscal_year").aggregate(
        year_spend=lines.amount.sum(),
        last_month_spend=lines.amount.sum(where=lines.order_date.month() == last_month),
    )


def year_end_surge(ctx: RuleContext) -> ir.Table:
    min_ratio, min_spend = ctx.params["YEAR_END_SURGE"]["min_ratio"], ctx.params["YEAR_END_SURGE"]["min_year_spend"]
    s = _spend_by_fiscal_year(ctx)
    s = s.mutate(monthly_average=s.year_spend / 12.0, last_month_spend=s.last_month_spend.fill_null(0.0))
    s = s.mutate(surge_ratio=s.last_month_spend / s.monthly_average.nullif(0))
    s = s.filter(s.surge_ratio > min_ratio, s.year_spend >= min_spend)
    value = round_to_cent(s.last_month_spend - s.monthly_average)
    return s.select(
        "agency_code",
        fiscal_year=s.fiscal_year.cast("int32"),
        asset_id=ibis.null("string"),
        ocid=ibis.null("string"),
        po_number=ibis.null("string"),
        line_no=ibis.null("int32"),
        category=ibis.null("string"),
        utilisation=ibis.null("float64"),
        days_idle=ibis.null("int64"),
        value_at_stake=value,
        last_month_spend_amount=s.last_month_spend,
        monthly_average_amount=s.monthly_average,
        year_spend_amount=s.year_spend,
        surge_ratio=s.surge_ratio,
        min_ratio=ibis.literal(float(min_ratio)),
        min_year_spend_amount=ibis.literal(float(min_spend)),
        value_amount=value,
    )
