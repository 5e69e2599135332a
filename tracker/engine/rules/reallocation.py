"""Warehouse first (公物仓优先): the rules that judge a purchase line against the idle pool and the standards.

AVOIDABLE_PURCHASE: on the line's order date, the pool held devices of the same category in any
agency that could have met it. A device was in the pool on a day D when it was held (in service for
`in_service_days`, not disposed, not standby) and either had no use in the `lookback_days` before D
(its agency reporting usage for the category, and the whole look-back inside the usage data), or
its agency had declared it surplus on or before D and it was not withdrawn since.

EARLY_REPLACEMENT: the line replaces devices of the same category that its agency disposed of, or
declared surplus, in the `lookback_days` before the order, while they were younger than the minimum
service life of the standard in force on the line's order date (the jurisdiction of the
`standards_jurisdiction` setting; tracker.engine.rules.standards).

Both read only procurement_lines, assets and usage_daily, and the declarations and standards the
run passes in as small tables, so they run on any Ibis backend (DuckDB, Spark on a lake).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.engine.metrics import DAYS_PER_YEAR, round_to_cent
from tracker.engine.rules.expressions import _line_columns, _lines
from tracker.engine.rules.idle_spells import FAR_FUTURE, SPELLS, idle_spells, used_assets
from tracker.engine.rules.model import RuleContext
from tracker.engine.rules.standards import standards_on_order_date

GONE = ibis.schema(
    {
        "asset_id": "string",
        "gone_agency": "string",
        "gone_category": "string",
        "cost": "decimal(18, 2)",
        "start": "date",
        "gone_on": "date",
    }
)
SURPLUS_SCHEMA = pa.schema([("asset_id", pa.string()), ("declared_on", pa.date32()), ("until", pa.date32())])


def surplus_periods(actions: Iterable[tuple[str, str, date]]) -> pa.Table:
    """(asset_id, declared_on, until): each period a device was declared surplus, from (asset, action, day) rows.

    `until` is the day before the withdrawal that ended it, or FAR_FUTURE while it lasts.
    """
    periods: list[dict] = []
    open_since: dict[str, date] = {}
    for asset_id, action, day in sorted(actions, key=lambda a: (a[0], a[2])):
        if action == "declare_surplus":
            open_since.setdefault(asset_id, day)
        elif action == "withdraw" and asset_id in open_since:
            start = open_since.pop(asset_id)
            if day > start:
                periods.append({"asset_id": asset_id, "declared_on": start, "until": day - timedelta(days=1)})
    periods += [{"asset_id": a, "declared_on": d, "until": FAR_FUTURE} for a, d in open_since.items()]
    return pa.Table.from_pylist(periods, schema=SURPLUS_SCHEMA)


def _day(value: ir.Value) -> ir.Value:
    return value.cast("date")


def _held_assets(ctx: RuleContext, in_service_days: int) -> ir.Table:
    """Assets that could be in the pool: not standby; when they are held from and until (a disposal ends it)."""
    a = ctx.backend.table("assets")
    a = a.filter(~a.standby, (a.status != "disposed") | a.disposal_date.notnull())
    start = a.in_service_date.fill_null(a.purchase_date)
    a = a.filter(start.notnull())
    held_until = ibis.ifelse(a.disposal_date.isnull(), ibis.literal(FAR_FUTURE), _day(a.disposal_date - ibis.interval(days=1)))
    return a.select(
        "asset_id",
        stock_agency=a.agency_code,
        stock_category=a.category,
        held_from=_day(start + ibis.interval(days=in_service_days)),
        held_until=held_until,
    )


def _idle_periods(ctx: RuleContext, lookback_days: int) -> ir.Table | None:
    """Per asset, the days D on which it had no use in [D - lookback, D) (tracker.engine.rules.idle_spells).

    Only for agencies and categories that report usage, and from the first day whose whole look-back is
    inside the usage data; None when there is no usage at all.
    """
    if ctx.usage_start is None:
        return None
    first_judged = ctx.usage_start + timedelta(days=lookback_days)
    a = ctx.backend.table("assets").select("asset_id", "agency_code", "category")
    a = a.semi_join(ctx.coverage.filter(ctx.coverage.reports_usage), ["agency_code", "category"]).select("asset_id")
    spells = idle_spells(ctx, lookback_days, first_judged).semi_join(a, "asset_id")
    never_used = a.anti_join(used_assets(ctx, lookback_days), "asset_id")
    never_used = never_used.select("asset_id", idle_from=ibis.literal(first_judged), idle_until=ibis.literal(FAR_FUTURE))
    return ibis.union(spells.cast(SPELLS), never_used.cast(SPELLS), distinct=False)


def _pool_periods(ctx: RuleContext, lookback_days: int, in_service_days: int) -> ir.Table:
    """(asset_id, stock_agency, stock_category, pool_from, pool_until): the days each device was in the pool."""
    held = _held_assets(ctx, in_service_days)
    parts = []
    idle = _idle_periods(ctx, lookback_days)
    if idle is not None:
        parts.append(idle.cast(SPELLS))
    if ctx.surplus is not None and ctx.surplus.num_rows:
        s = ibis.memtable(ctx.surplus)
        parts.append(s.select("asset_id", idle_from=s.declared_on, idle_until=s.until).cast(SPELLS))
    if not parts:
        return held.filter(ibis.literal(False)).select(
            "asset_id", "stock_agency", "stock_category", pool_from="held_from", pool_until="held_until"
        )
    periods = parts[0] if len(parts) == 1 else ibis.union(*parts)
    t = periods.join(held, "asset_id")
    t = t.mutate(pool_from=ibis.greatest(t.idle_from, t.held_from), pool_until=ibis.least(t.idle_until, t.held_until))
    t = t.filter(t.pool_from <= t.pool_until)
    return t.select("asset_id", "stock_agency", "stock_category", "pool_from", "pool_until")


def _pool_on_order_dates(
    ctx: RuleContext, lines: ir.Table, lookback_days: int, in_service_days: int
) -> tuple[ir.Table, ir.Table]:
    """The pool on each (category, order date) of the lines: its devices, and how many of them each agency held.

    Lines share categories and order dates, so the pool is looked up once per (category, order date),
    not once per line: (category, order_date, pool_units, pool_asset_ids) and
    (category, order_date, stock_agency, agency_units).
    """
    pool = _pool_periods(ctx, lookback_days, in_service_days)
    days = lines.select("category", "order_date").distinct()
    pairs = days.join(
        pool, [days.category == pool.stock_category, pool.pool_from <= days.order_date, pool.pool_until >= days.order_date]
    )
    # a device in two of its periods on the day (idle and declared surplus) counts once
    pairs = pairs.select("category", "order_date", "asset_id", "stock_agency").distinct()
    per_day = pairs.group_by("category", "order_date").aggregate(
        pool_units=pairs.asset_id.count(), pool_asset_ids=pairs.asset_id.collect()
    )
    per_agency = pairs.group_by("category", "order_date", "stock_agency").aggregate(agency_units=pairs.asset_id.count())
    return per_day, per_agency


def avoidable_purchase(ctx: RuleContext) -> ir.Table:
    p = ctx.params["AVOIDABLE_PURCHASE"]
    lookback_days, in_service_days, min_units = p["lookback_days"], p["in_service_days"], p["min_units"]
    lines = _lines(ctx)
    per_day, per_agency = _pool_on_order_dates(ctx, lines, lookback_days, in_service_days)
    t = lines.join(per_day, ["category", "order_date"])
    own = per_agency.rename(own_category="category", own_order_date="order_date")
    t = t.left_join(
        own,
        [t.category == own.own_category, t.order_date == own.own_order_date, t.agency_code == own.stock_agency],
    )
    t = t.mutate(other_agency_units=t.pool_units - t.agency_units.fill_null(0))
    covered = ibis.least(t.quantity, t.pool_units)
    t = t.filter(covered >= min_units)
    covered = ibis.least(t.quantity, t.pool_units)
    value = round_to_cent(covered * t.unit_price.cast("float64"))
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=value,
            quantity=t.quantity,
            pool_units=t.pool_units,
            other_agency_units=t.other_agency_units,
            covered_units=covered,
            pool_asset_ids=t.pool_asset_ids,
            unit_price_amount=t.unit_price.cast("float64"),
            lookback_days=ibis.literal(lookback_days),
            value_amount=value,
        )
    )


def early_replacement(ctx: RuleContext) -> ir.Table:
    p = ctx.params["EARLY_REPLACEMENT"]
    lookback_days = p["lookback_days"]
    lines = _lines(ctx)
    a = ctx.backend.table("assets")
    start = a.in_service_date.fill_null(a.purchase_date)
    gone = a.filter(a.disposal_date.notnull(), start.notnull()).select(
        "asset_id",
        gone_agency=a.agency_code,
        gone_category=a.category,
        cost=a.purchase_cost,
        start=start,
        gone_on=a.disposal_date,
    )
    if ctx.surplus is not None and ctx.surplus.num_rows:
        s = ibis.memtable(ctx.surplus)
        declared = a.filter(start.notnull()).join(s, "asset_id")
        declared = declared.select(
            "asset_id",
            gone_agency=declared.agency_code,
            gone_category=declared.category,
            cost=declared.purchase_cost,
            start=declared.in_service_date.fill_null(declared.purchase_date),
            gone_on=declared.declared_on,
        )
        gone = ibis.union(gone.cast(GONE), declared.cast(GONE))
    # the minimum service life of the standard in force on the line's order date
    keys = standards_on_order_date(
        ctx, lines.select("agency_code", "ocid", "po_number", "line_no", "category", "order_date"), "min_years"
    )
    pairs = keys.join(
        gone,
        [
            keys.agency_code == gone.gone_agency,
            keys.category == gone.gone_category,
            gone.gone_on <= keys.order_date,
            gone.gone_on >= _day(keys.order_date - ibis.interval(days=lookback_days)),
        ],
    )
    age_years = pairs.gone_on.delta(pairs.start, unit="day").cast("float64") / DAYS_PER_YEAR
    pairs = pairs.mutate(age_years=age_years)
    pairs = pairs.filter(pairs.age_years < pairs.min_years.cast("float64"), pairs.age_years >= 0)
    pairs = pairs.mutate(remaining=pairs.cost.cast("float64") * (1.0 - pairs.age_years / pairs.min_years.cast("float64")))
    per_asset = pairs.group_by("agency_code", "ocid", "po_number", "line_no", "asset_id").aggregate(
        remaining=pairs.remaining.max(), min_years=pairs.min_years.max()
    )
    per_line = per_asset.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(
        early_units=per_asset.asset_id.count(),
        early_asset_ids=per_asset.asset_id.collect(),
        remaining=per_asset.remaining.sum(),
        min_years=per_asset.min_years.max(),
    )
    t = lines.join(per_line, ["agency_code", "ocid", "po_number", "line_no"])
    value = round_to_cent(t.remaining)
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=value,
            quantity=t.quantity,
            early_units=t.early_units,
            early_asset_ids=t.early_asset_ids,
            min_years=t.min_years,
            lookback_days=ibis.literal(lookback_days),
            value_amount=value,
        )
    )
