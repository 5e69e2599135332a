"""The flag catalogue of DESIGN §5: each rule is metadata (data) plus one Ibis expression.

A rule's expression returns one row per flagged subject with its key columns (agency_code,
asset_id, ocid, po_number, line_no, category, fiscal_year), utilisation, days_idle,
value_at_stake and the numbers its evidence sentence quotes. The expressions run on any Ibis
backend (DuckDB now, PySpark later); `compute_flags` executes them, then does the small Python
post-processing over the flags only: stable ids, evidence sentences in English and Chinese, ranking.

Evidence templates name their numbers by suffix, so formatting is one rule for all:
`*_amount` money in the settings currency, `*_share` a percentage, `*_ratio` a multiple, `*_hours`
one decimal, ints with thousands separators, dates ISO; `{category_en}` / `{category_zh}` name the
row's category.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.calendar import fiscal_year, fiscal_year_bounds
from tracker.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.db import Database
from tracker.errors import ConfigError
from tracker.metrics import (Window, fiscal_year_expr, with_procurement_line, asset_utilisation, ibis_backend,
                             round_to_cent, telemetry_coverage)
from tracker.profiles import load_profiles
from tracker.settings import load_settings

SEVERITIES = ("high", "medium", "low", "info")
SUBJECTS = ("asset", "po_line", "agency_category", "agency_fiscal_year")
ASSET_STATE_RULES = ("NEVER_USED", "IDLE", "LOW_UTILISATION")

FLAG_COLUMNS = (
    "flag_id", "rule", "severity", "agency_code", "asset_id", "po_number", "line_no", "category", "utilisation",
    "days_idle", "value_at_stake", "evidence", "evidence_zh", "title_en", "title_zh", "subject", "fiscal_year", "ocid",
    "window_start", "as_of", "year_end_idle_purchase",
)
FLAGS_SCHEMA = pa.schema([
    ("flag_id", pa.string()), ("rule", pa.string()), ("severity", pa.string()), ("agency_code", pa.string()),
    ("asset_id", pa.string()), ("po_number", pa.string()), ("line_no", pa.int32()), ("category", pa.string()),
    ("utilisation", pa.float64()), ("days_idle", pa.int64()), ("value_at_stake", pa.float64()),
    ("evidence", pa.string()), ("evidence_zh", pa.string()), ("title_en", pa.string()), ("title_zh", pa.string()),
    ("subject", pa.string()), ("fiscal_year", pa.int32()), ("ocid", pa.string()), ("window_start", pa.date32()),
    ("as_of", pa.date32()), ("year_end_idle_purchase", pa.bool_()),
])
UTILISATION_DIGITS = 6  # float sums differ in the last bits between runs and engines; 6 digits do not
KEY_COLUMNS = ("agency_code", "asset_id", "ocid", "po_number", "line_no", "category", "fiscal_year")


@dataclass(frozen=True)
class Parameter:
    """One tunable threshold of a rule, with its default and unit."""

    name: str
    default: int | float
    unit: str
    description_en: str
    description_zh: str


@dataclass(frozen=True)
class RuleContext:
    """What every rule expression may read: the backend, the window, shared tables and resolved parameters."""

    backend: Any
    window: Window
    per_asset: ir.Table  # asset_utilisation(...), cached
    coverage: ir.Table  # telemetry_coverage(...), cached
    states: ir.Table  # asset_states(...), cached: per_asset with the asset rule each asset meets
    asset_lines: ir.Table  # asset_lines(...), cached: each asset's matched procurement line
    profiles: Mapping[str, CategoryProfile]
    fiscal_year_start_month: int
    usage_start: date | None  # first usage date in the data
    params: Mapping[str, Mapping[str, Any]]  # rule code -> parameter name -> value


@dataclass(frozen=True)
class Rule:
    """A flag rule: what it means (data shown in the UI and exports) and how it is computed (one expression)."""

    code: str
    severity: str
    subject: str
    title_en: str
    title_zh: str
    rationale_en: str
    rationale_zh: str
    parameters: tuple[Parameter, ...]
    evidence_en: str
    evidence_zh: str
    build: Callable[[RuleContext], ir.Table]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


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
    state = ibis.cases((never_used.fill_null(False), "NEVER_USED"), (idle.fill_null(False), "IDLE"),
                       (low.fill_null(False), "LOW_UTILISATION"), else_=ibis.null("string"))
    return t.mutate(state=state)


def asset_flags(ctx: RuleContext, codes: Iterable[str]) -> ir.Table:
    """The assets meeting any of the asset rules `codes`, with `state` naming the rule each meets."""
    t = ctx.states
    t = t.filter(t.state.isin(list(codes)))
    nbv = t.net_book_value.cast("float64")
    value = ibis.ifelse(t.state == "LOW_UTILISATION", round_to_cent(nbv * (1.0 - t.utilisation / t.low_threshold)), nbv)
    return t.select(
        "state", "agency_code", "asset_id", "ocid", "po_number", "line_no", "category", "utilisation", "days_idle",
        value_at_stake=value, fiscal_year=ibis.null("int32"),
        in_service_date="in_service_date", last_used="last_used", available_days="available_days",
        available_hours="available_hours", used_hours="used_hours",
        utilisation_share=t.utilisation, threshold_share=t.low_threshold, net_book_value_amount=nbv,
        value_amount=value,
        grace_days=ibis.literal(ctx.params["NEVER_USED"]["grace_days"]),
        idle_days=ibis.literal(ctx.params["IDLE"]["idle_days"]),
    )


def _asset_flags(code: str) -> Callable[[RuleContext], ir.Table]:
    def build(ctx: RuleContext) -> ir.Table:
        return asset_flags(ctx, (code,))
    return build


def _no_telemetry(ctx: RuleContext) -> ir.Table:
    c = ctx.coverage
    c = c.filter((c.assets_in_service > 0) & ~c.reports_usage)
    return c.select(
        "agency_code", "category", asset_id=ibis.null("string"), ocid=ibis.null("string"),
        po_number=ibis.null("string"), line_no=ibis.null("int32"), fiscal_year=ibis.null("int32"),
        utilisation=ibis.null("float64"), days_idle=ibis.null("int64"), value_at_stake=ibis.null("float64"),
        assets_in_service="assets_in_service", idle_start=ibis.literal(ctx.window.idle_start),
        as_of=ibis.literal(ctx.window.as_of),
    )


# -- purchase-line rules -------------------------------------------------------------------------

def _lines(ctx: RuleContext) -> ir.Table:
    lines = ctx.backend.table("procurement_lines")
    return lines.filter(lines.order_date <= ctx.window.as_of)


def _line_columns(lines: ir.Table, ctx: RuleContext, **extra) -> dict:
    return dict(
        agency_code=lines.agency_code, ocid=lines.ocid, po_number=lines.po_number, line_no=lines.line_no,
        category=lines.category, asset_id=ibis.null("string"), utilisation=ibis.null("float64"),
        days_idle=ibis.null("int64"), fiscal_year=fiscal_year_expr(lines.order_date, ctx.fiscal_year_start_month),
        order_date=lines.order_date, **extra,
    )


def asset_lines(backend) -> ir.Table:
    """Every asset's matched procurement line (tracker.metrics' matching); NULL keys when it has none."""
    assets = backend.table("assets").select("asset_id", "agency_code", "ocid", "po_number", "line_no")
    return with_procurement_line(backend, assets)


def _registered_per_line(ctx: RuleContext, assets: ir.Table) -> ir.Table:
    """`assets` (with asset_id) that have a matched procurement line, keyed by the line."""
    lines = ctx.asset_lines.filter(ctx.asset_lines.po_number.notnull())
    return assets.join(lines, "asset_id")


def _idle_purchase(ctx: RuleContext) -> ir.Table:
    min_share = ctx.params["IDLE_PURCHASE"]["min_share"]
    states = ctx.states.select("asset_id", "state", "purchase_cost")
    m = _registered_per_line(ctx, states)
    per_line = m.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(
        registered_units=m.asset_id.count(),
        flagged_units=m.asset_id.count(where=m.state.notnull()),
        never_used_units=m.asset_id.count(where=m.state == "NEVER_USED"),
        idle_units=m.asset_id.count(where=m.state == "IDLE"),
        low_units=m.asset_id.count(where=m.state == "LOW_UTILISATION"),
        flagged_cost=m.purchase_cost.cast("float64").sum(where=m.state.notnull()),
    )
    per_line = per_line.filter((per_line.flagged_units > 0),
                               per_line.flagged_units >= per_line.registered_units * min_share)
    lines = _lines(ctx)
    t = lines.join(per_line, ["agency_code", "ocid", "po_number", "line_no"])
    return t.select(**_line_columns(
        t, ctx, value_at_stake=round_to_cent(t.flagged_cost), registered_units=t.registered_units,
        flagged_units=t.flagged_units, never_used_units=t.never_used_units, idle_units=t.idle_units,
        low_units=t.low_units, flagged_share=t.flagged_units / t.registered_units, min_share=ibis.literal(min_share),
        value_amount=round_to_cent(t.flagged_cost), quantity=t.quantity))


def _unregistered_units(ctx: RuleContext) -> ir.Table:
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
    return t.select(**_line_columns(
        t, ctx, value_at_stake=value, quantity=t.quantity, registered_units=t.registered_units, missing_units=missing,
        received_date=t.received_date, unit_price_amount=t.unit_price.cast("float64"), value_amount=value,
        grace_days=ibis.literal(grace_days)))


def _bought_despite_idle_stock(ctx: RuleContext) -> ir.Table:
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
    stock = a.select(stock_agency="agency_code", stock_category="category", stock_asset_id="asset_id",
                     stock_in_service=a.in_service_date.fill_null(a.purchase_date), stock_disposal="disposal_date",
                     stock_status="status", stock_standby="standby")
    pairs = keys.join(stock, [
        keys.agency_code == stock.stock_agency, keys.category == stock.stock_category,
        stock.stock_in_service <= keys.order_date - ibis.interval(days=in_service_days),
    ])
    held = (pairs.stock_disposal.isnull() & (pairs.stock_status != "disposed")) | (pairs.stock_disposal > pairs.order_date)
    # the look-back start as a DATE: DATE - INTERVAL is a timestamp, and comparing every usage date
    # with a timestamp would convert all of them (seconds on ~90 M rows)
    pairs = pairs.filter(held, ~pairs.stock_standby).mutate(
        lookback_start=(pairs.order_date - ibis.interval(days=lookback_days)).cast("date"))
    usage = ctx.backend.table("usage_daily")
    usage = usage.filter(usage.hours_used > 0).select(used_asset_id="asset_id", usage_date="usage_date")
    used = pairs.join(usage, [
        pairs.stock_asset_id == usage.used_asset_id,
        usage.usage_date >= pairs.lookback_start,
        usage.usage_date < pairs.order_date,
    ]).select("agency_code", "ocid", "po_number", "line_no", "stock_asset_id").distinct()
    idle = pairs.anti_join(used, ["agency_code", "ocid", "po_number", "line_no", "stock_asset_id"])
    per_line = idle.group_by("agency_code", "ocid", "po_number", "line_no").aggregate(
        idle_stock_units=idle.stock_asset_id.count(), idle_asset_ids=idle.stock_asset_id.collect())
    per_line = per_line.filter(per_line.idle_stock_units >= min_idle_assets)
    t = lines.join(per_line, ["agency_code", "ocid", "po_number", "line_no"])
    value = round_to_cent(ibis.least(t.total_amount.cast("float64"), t.idle_stock_units * t.unit_price.cast("float64")))
    return t.select(**_line_columns(
        t, ctx, value_at_stake=value, quantity=t.quantity, idle_stock_units=t.idle_stock_units,
        idle_asset_ids=t.idle_asset_ids, lookback_start=t.order_date - ibis.interval(days=lookback_days),
        lookback_days=ibis.literal(lookback_days), in_service_days=ibis.literal(in_service_days),
        min_idle_assets=ibis.literal(min_idle_assets), total_amount=t.total_amount.cast("float64"),
        value_amount=value))


def _over_price_cap(ctx: RuleContext) -> ir.Table:
    caps = [(p.category, float(p.price_cap_cny)) for p in ctx.profiles.values() if p.price_cap_cny is not None]
    lines = _lines(ctx)
    if not caps:
        return lines.filter(ibis.literal(False)).select(**_line_columns(lines, ctx, value_at_stake=ibis.null("float64")))
    cap_table = ibis.memtable(pa.table({"cap_category": [c for c, _ in caps], "cap": [v for _, v in caps]}))
    t = lines.join(cap_table, lines.category == cap_table.cap_category)
    unit_price = t.unit_price.cast("float64")
    t = t.filter(unit_price > t.cap)
    value = round_to_cent((unit_price - t.cap) * t.quantity)
    return t.select(**_line_columns(
        t, ctx, value_at_stake=value, quantity=t.quantity, unit_price_amount=unit_price, cap_amount=t.cap,
        value_amount=value))


# -- agency × fiscal-year rules ------------------------------------------------------------------

def _last_complete_fiscal_year(as_of: date, start_month: int) -> int:
    fy = fiscal_year(as_of, start_month)
    return fy if fiscal_year_bounds(fy, start_month)[1] <= as_of else fy - 1


def _spend_by_fiscal_year(ctx: RuleContext) -> ir.Table:
    """Per agency and complete fiscal year: total spend and spend in its last month (by order date)."""
    start_month = ctx.fiscal_year_start_month
    last_month = 12 if start_month == 1 else start_month - 1
    lines = ctx.backend.table("procurement_lines")
    lines = lines.mutate(fiscal_year=fiscal_year_expr(lines.order_date, start_month),
                         amount=lines.total_amount.cast("float64"))
    lines = lines.filter(lines.fiscal_year <= _last_complete_fiscal_year(ctx.window.as_of, start_month))
    return lines.group_by("agency_code", "fiscal_year").aggregate(
        year_spend=lines.amount.sum(),
        last_month_spend=lines.amount.sum(where=lines.order_date.month() == last_month),
    )


def _year_end_surge(ctx: RuleContext) -> ir.Table:
    min_ratio, min_spend = ctx.params["YEAR_END_SURGE"]["min_ratio"], ctx.params["YEAR_END_SURGE"]["min_year_spend"]
    s = _spend_by_fiscal_year(ctx)
    s = s.mutate(monthly_average=s.year_spend / 12.0, last_month_spend=s.last_month_spend.fill_null(0.0))
    s = s.mutate(surge_ratio=s.last_month_spend / s.monthly_average.nullif(0))
    s = s.filter(s.surge_ratio > min_ratio, s.year_spend >= min_spend)
    value = round_to_cent(s.last_month_spend - s.monthly_average)
    return s.select(
        "agency_code", fiscal_year=s.fiscal_year.cast("int32"), asset_id=ibis.null("string"),
        ocid=ibis.null("string"), po_number=ibis.null("string"), line_no=ibis.null("int32"),
        category=ibis.null("string"), utilisation=ibis.null("float64"), days_idle=ibis.null("int64"),
        value_at_stake=value, last_month_spend_amount=s.last_month_spend, monthly_average_amount=s.monthly_average,
        year_spend_amount=s.year_spend, surge_ratio=s.surge_ratio, min_ratio=ibis.literal(float(min_ratio)),
        min_year_spend_amount=ibis.literal(float(min_spend)), value_amount=value,
    )


# -- the catalogue -------------------------------------------------------------------------------

def _days(name, default, en, zh):
    return Parameter(name, default, "days", en, zh)


RULES: tuple[Rule, ...] = (
    Rule("NEVER_USED", "high", "asset", "Never used", "从未使用",
         "An asset in service past its grace period with no usage row ever is idle capital.",
         "资产已投入使用超过宽限期却从无使用记录，属闲置资产。",
         (_days("grace_days", 60, "Days in service before a never-used asset is flagged.", "从未使用的资产在投入使用多少天后被标记。"),),
         "{category_en} {asset_id} has no usage since it entered service on {in_service_date}, {days_idle} days ago "
         "(grace {grace_days} days); net book value {net_book_value_amount}.",
         "{category_zh} {asset_id} 自 {in_service_date} 投入使用以来 {days_idle} 天无任何使用记录（宽限期 {grace_days} 天）；"
         "净值 {net_book_value_amount}。",
         _asset_flags("NEVER_USED")),
    Rule("IDLE", "high", "asset", "Idle", "闲置",
         "Audits define idle as unused for three consecutive months.",
         "审计实务将连续三个月未使用认定为闲置。",
         (_days("idle_days", 90, "Days without usage after which a used asset is idle.", "曾使用的资产连续多少天未使用即为闲置。"),),
         "{category_en} {asset_id} has not been used in the {days_idle} days since {last_used} (threshold {idle_days}); "
         "net book value {net_book_value_amount}.",
         "{category_zh} {asset_id} 自 {last_used} 起已 {days_idle} 天未使用（阈值 {idle_days} 天）；净值 {net_book_value_amount}。",
         _asset_flags("IDLE")),
    Rule("LOW_UTILISATION", "medium", "asset", "Low utilisation", "利用率低",
         "Used hours well below the category's standard hours mean the asset could serve more users.",
         "使用时长远低于该类设备的标准时长，说明资产可供更多人使用。",
         (_days("min_available_days", 60, "Available days in the window needed to judge utilisation.", "评估利用率所需的窗口内可用天数。"),),
         "{category_en} {asset_id} was used {used_hours} of {available_hours} available hours over {available_days} "
         "available days: utilisation {utilisation_share}, below the threshold of {threshold_share}; value at stake "
         "{value_amount} of net book value {net_book_value_amount}.",
         "{category_zh} {asset_id} 在 {available_days} 个可用日的 {available_hours} 可用小时中仅使用 {used_hours} 小时："
         "利用率 {utilisation_share}，低于阈值 {threshold_share}；涉及金额 {value_amount}（净值 {net_book_value_amount}）。",
         _asset_flags("LOW_UTILISATION")),
    Rule("NO_TELEMETRY", "info", "agency_category", "No usage data", "缺少使用数据",
         "Silence is a data gap, not proof of waste: these assets cannot be judged idle until usage is reported.",
         "没有数据是数据缺口，不是浪费的证据：在报送使用记录之前无法判断这些资产是否闲置。",
         (),
         "Agency {agency_code} has {assets_in_service} {category_en} asset(s) in service but none reported usage "
         "from {idle_start} to {as_of}; their idleness cannot be judged.",
         "单位 {agency_code} 有 {assets_in_service} 台{category_zh}在用，但 {idle_start} 至 {as_of} 期间均无使用记录；"
         "无法判断是否闲置。",
         _no_telemetry),
    Rule("IDLE_PURCHASE", "high", "po_line", "Idle purchase", "购置后闲置",
         "A purchase whose units mostly sit unused was not needed when it was made.",
         "所购设备大多闲置，说明采购时并无实际需要。",
         (Parameter("min_share", 0.5, "share", "Share of the line's registered units that are never used, idle or under-used.",
                    "该采购行已登记设备中从未使用、闲置或利用率低的比例。"),),
         "{flagged_units} of the {registered_units} registered units of line {po_number}/{line_no} ({category_en}, "
         "ordered {order_date}) are never used ({never_used_units}), idle ({idle_units}) or under-used ({low_units}): "
         "{flagged_share} (threshold {min_share_share}); their cost {value_amount}.",
         "采购行 {po_number}/{line_no}（{category_zh}，{order_date} 下单）已登记的 {registered_units} 台中有 {flagged_units} 台"
         "从未使用（{never_used_units}）、闲置（{idle_units}）或利用率低（{low_units}）：占 {flagged_share}（阈值 "
         "{min_share_share}）；购置成本 {value_amount}。",
         _idle_purchase),
    Rule("UNREGISTERED_UNITS", "medium", "po_line", "Unregistered units", "未登记入账",
         "Units bought but never entered in the asset register cannot be tracked or reassigned.",
         "已购设备未登记入资产账，无法跟踪或调剂。",
         (_days("grace_days", 60, "Days after delivery (or order) allowed for registration.", "交付（或下单）后允许登记的天数。"),),
         "Line {po_number}/{line_no} ({category_en}) bought {quantity} units, received {received_date}, but only "
         "{registered_units} are registered: {missing_units} missing × {unit_price_amount} = {value_amount}.",
         "采购行 {po_number}/{line_no}（{category_zh}）购买 {quantity} 台，于 {received_date} 交付，但仅登记 "
         "{registered_units} 台：缺 {missing_units} 台 × {unit_price_amount} = {value_amount}。",
         _unregistered_units),
    Rule("BOUGHT_DESPITE_IDLE_STOCK", "high", "po_line", "Bought despite idle stock", "有闲置仍采购",
         "Idle units of the same category should have been reassigned (调剂) before buying new ones.",
         "同类设备闲置时应先调剂，而不是新购。",
         (Parameter("min_idle_assets", 3, "assets", "Idle units of the category held on the order date.", "下单日持有的同类闲置设备数。"),
          _days("in_service_days", 90, "Days in service before the order date for a unit to count.", "设备在下单日前至少已投入使用的天数。"),
          _days("lookback_days", 90, "Days before the order date without usage.", "下单日前无使用记录的天数。")),
         "On {order_date} agency {agency_code} ordered {quantity} {category_en} unit(s) (line {po_number}/{line_no}) "
         "while {idle_stock_units} units in service at least {in_service_days} days had no usage since {lookback_start} "
         "({idle_assets}; the rule needs {min_idle_assets}); value at stake {value_amount}.",
         "单位 {agency_code} 于 {order_date} 采购 {quantity} 台{category_zh}（采购行 {po_number}/{line_no}），"
         "而已投入使用至少 {in_service_days} 天的 {idle_stock_units} 台同类设备自 {lookback_start} 起无使用记录"
         "（{idle_assets}；规则要求 {min_idle_assets} 台）；涉及金额 {value_amount}。",
         _bought_despite_idle_stock),
    Rule("YEAR_END_SURGE", "medium", "agency_fiscal_year", "Year-end spending surge", "年底突击花钱",
         "Last-month spending far above the monthly average buys lower-quality projects (Liebman & Mahoney 2017).",
         "年底最后一个月支出远高于月均水平，所购项目质量往往较低。",
         (Parameter("min_ratio", 2.0, "ratio", "Last-month spend ÷ monthly average must exceed this.", "最后一个月支出 ÷ 月均支出须超过此值。"),
          Parameter("min_year_spend", 100_000, "currency", "Least fiscal-year spend judged.", "参与判断的最低财年支出。")),
         "Agency {agency_code} spent {last_month_spend_amount} in the last month of fiscal year {fiscal_year}: "
         "{surge_ratio} the monthly average of {monthly_average_amount} (year spend {year_spend_amount}; threshold "
         "{min_ratio_ratio}, minimum year spend {min_year_spend_amount}); {value_amount} above the average.",
         "单位 {agency_code} 在 {fiscal_year} 财年最后一个月支出 {last_month_spend_amount}，为月均 {monthly_average_amount} 的 "
         "{surge_ratio}（全年支出 {year_spend_amount}；阈值 {min_ratio_ratio}，最低全年支出 {min_year_spend_amount}）；"
         "超出月均 {value_amount}。",
         _year_end_surge),
    Rule("OVER_PRICE_CAP", "medium", "po_line", "Over the price cap", "超标准配置",
         "The central-government office equipment standard caps unit prices per category (财资〔2016〕27号).",
         "中央行政单位通用办公设备配置标准规定了各类设备的价格上限（财资〔2016〕27号）。",
         (),
         "Line {po_number}/{line_no} ({category_en}): unit price {unit_price_amount} is above the cap of {cap_amount}; "
         "{quantity} unit(s) → {value_amount} over the cap.",
         "采购行 {po_number}/{line_no}（{category_zh}）：单价 {unit_price_amount} 超过上限 {cap_amount}；"
         "{quantity} 台共超出 {value_amount}。",
         _over_price_cap),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


# -- running the catalogue -----------------------------------------------------------------------

def resolve_parameters(parameters: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Every rule's parameters, defaults overridden by `parameters` ({rule code: {name: value}})."""
    resolved = {rule.code: rule.defaults() for rule in RULES}
    for code, values in (parameters or {}).items():
        if code not in resolved:
            raise ConfigError("config.bad_value", name="rule", value=code, reason=", ".join(RULES_BY_CODE))
        for name, value in values.items():
            if name not in resolved[code]:
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason="unknown parameter")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason="a number ≥ 0")
            if isinstance(resolved[code][name], int) and not float(value).is_integer():
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason="a whole number")
            resolved[code][name] = type(resolved[code][name])(value)
    return resolved


def flag_id(rule: str, subject_key: str, window_days: int, as_of: date) -> str:
    """Stable id: the same rule, subject and window always give the same id, whatever the upload history."""
    text = "\x1f".join((rule, subject_key, str(window_days), as_of.isoformat()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def subject_key(subject: str, row: Mapping[str, Any]) -> str:
    if subject == "asset":
        parts = (row["asset_id"],)
    elif subject == "po_line":
        parts = (row["agency_code"], row["ocid"], row["po_number"], row["line_no"])
    elif subject == "agency_category":
        parts = (row["agency_code"], row["category"])
    else:
        parts = (row["agency_code"], row["fiscal_year"])
    return "|".join("" if part is None else str(part) for part in parts)


def compute_flags(db: Database, *, as_of: date | None = None, window_days: int = 365,
                  rules: Iterable[str] | None = None, agency: str | None = None,
                  parameters: Mapping[str, Mapping[str, Any]] | None = None,
                  per_asset: pa.Table | None = None) -> pa.Table:
    """Run the catalogue (or the named rules) on the database, with its stored settings and profiles.

    `parameters` overrides the stored rule parameters (tracker.settings.load_rule_parameters),
    which override the catalogue's defaults. `per_asset`: asset_utilisation's table for the same
    window and settings, when the caller already has it.
    """
    from tracker.settings import load_rule_parameters

    settings = load_settings(db)
    stored = load_rule_parameters(db)
    for code, values in (parameters or {}).items():
        stored.setdefault(code, {}).update(values)
    return compute_flags_on(
        ibis_backend(db), as_of=as_of, window_days=window_days, rules=rules, agency=agency, parameters=stored,
        country=settings["country"], fiscal_year_start_month=int(settings["fiscal_year_start_month"]),
        currency=settings["currency"], profiles=load_profiles(db) or None,
        per_asset=None if per_asset is None else ibis.memtable(per_asset))


def compute_flags_on(backend, *, as_of: date | None = None, window_days: int = 365, rules: Iterable[str] | None = None,
                     agency: str | None = None, parameters: Mapping[str, Mapping[str, Any]] | None = None,
                     country: str = "CN", fiscal_year_start_month: int = 1, currency: str = "CNY",
                     profiles: Mapping[str, CategoryProfile] | None = None,
                     per_asset: ir.Table | None = None) -> pa.Table:
    """Run the catalogue on any Ibis backend holding the tracker's tables; flags highest value at stake first.

    A purchase line that is IDLE_PURCHASE and bought in the last month of a YEAR_END_SURGE fiscal
    year of its agency (年底突击花钱 → 闲置) ranks first, whether or not surges were asked for.
    The shared tables (per-asset utilisation, telemetry coverage, asset states) are computed once
    and cached, so each rule is a small query over them. `per_asset` passes an asset_utilisation
    already computed for the same window (e.g. a memtable of the dashboard's snapshot).
    """
    codes = list(RULES_BY_CODE) if rules is None else list(dict.fromkeys(rules))
    for code in codes:
        if code not in RULES_BY_CODE:
            raise ConfigError("config.bad_value", name="rule", value=code, reason=", ".join(RULES_BY_CODE))
    params = resolve_parameters(parameters)
    usage_start, usage_end = _usage_span(backend)
    as_of = as_of or usage_end or _latest_order_date(backend)
    if as_of is None:
        return FLAGS_SCHEMA.empty_table()
    profiles = profiles or {p.category: p for p in DEFAULT_PROFILES}
    window = Window(as_of, window_days, idle_days=params["IDLE"]["idle_days"],
                    never_used_min_days=max(1, params["NEVER_USED"]["grace_days"]))
    if per_asset is None:
        per_asset = asset_utilisation(backend, window, country=country, profiles=profiles).cache()
    coverage = telemetry_coverage(backend, window).cache()
    states = asset_states(per_asset, coverage, params).cache()
    lines = asset_lines(backend).cache() if {"IDLE_PURCHASE", "UNREGISTERED_UNITS"} & set(codes) else None
    ctx = RuleContext(backend, window, per_asset, coverage, states, lines, profiles, fiscal_year_start_month,
                      usage_start, params)
    formats = _Formats(currency)
    surge = RULES_BY_CODE["YEAR_END_SURGE"]
    surge_rows = _rule_rows(surge, ctx, agency)
    # the asset rules in one query, split by the rule each asset meets
    asset_codes = [code for code in codes if code in ASSET_STATE_RULES]
    by_state: dict[str, list[dict]] = {code: [] for code in asset_codes}
    if asset_codes:
        for row in _filtered(asset_flags(ctx, asset_codes), agency).to_pyarrow().to_pylist():
            by_state[row.pop("state")].append(row)
    rows: list[dict] = []
    for code in codes:
        rule = RULES_BY_CODE[code]
        if code in by_state:
            rule_rows = by_state[code]
        else:
            rule_rows = surge_rows if rule is surge else _rule_rows(rule, ctx, agency)
        rows.extend(_flag_rows(rule, rule_rows, ctx, formats))
    surge_years = {(r["agency_code"], r["fiscal_year"]) for r in surge_rows}
    last_month = 12 if fiscal_year_start_month == 1 else fiscal_year_start_month - 1
    for row in rows:
        order_date = row.pop("order_date", None)
        row["year_end_idle_purchase"] = bool(
            row["rule"] == "IDLE_PURCHASE" and order_date is not None and order_date.month == last_month
            and (row["agency_code"], row["fiscal_year"]) in surge_years)
    rows.sort(key=lambda r: (not r["year_end_idle_purchase"], -(r["value_at_stake"] or 0.0), r["rule"], r["flag_id"]))
    return pa.Table.from_pylist(rows, schema=FLAGS_SCHEMA)


def _usage_span(backend) -> tuple[date | None, date | None]:
    """First and last usage dates in the data (None, None without usage)."""
    usage = backend.table("usage_daily")
    span = usage.aggregate(first=usage.usage_date.min(), last=usage.usage_date.max()).to_pyarrow().to_pylist()[0]
    return span["first"], span["last"]


def _latest_order_date(backend) -> date | None:
    return backend.table("procurement_lines").order_date.max().to_pyarrow().as_py()


def _filtered(expr: ir.Table, agency: str | None) -> ir.Table:
    return expr if agency is None else expr.filter(expr.agency_code == agency)


def _rule_rows(rule: Rule, ctx: RuleContext, agency: str | None) -> list[dict]:
    rows = _filtered(rule.build(ctx), agency).to_pyarrow().to_pylist()
    for row in rows:
        row.pop("state", None)
    return rows


def _flag_rows(rule: Rule, rule_rows: list[dict], ctx: RuleContext, formats: "_Formats") -> list[dict]:
    flags = []
    for row in rule_rows:
        params = formats.evidence_params(row, ctx.params[rule.code])
        value = row["value_at_stake"]
        flags.append({
            "flag_id": flag_id(rule.code, subject_key(rule.subject, row), ctx.window.window_days, ctx.window.as_of),
            "rule": rule.code, "severity": rule.severity,
            **{k: row.get(k) for k in KEY_COLUMNS},
            "utilisation": None if row["utilisation"] is None else round(row["utilisation"], UTILISATION_DIGITS),
            "days_idle": row["days_idle"],
            "value_at_stake": None if value is None else float(value),
            "evidence": rule.evidence_en.format(**params), "evidence_zh": rule.evidence_zh.format(**params),
            "title_en": rule.title_en, "title_zh": rule.title_zh, "subject": rule.subject,
            "window_start": ctx.window.start, "as_of": ctx.window.as_of, "order_date": row.get("order_date"),
        })
    return flags


# -- evidence formatting -------------------------------------------------------------------------

def _category_name_zh(profile: CategoryProfile) -> str:
    return min(profile.names_zh, key=len) if profile.names_zh else profile.category


CATEGORY_NAMES_ZH = {p.category: _category_name_zh(p) for p in DEFAULT_PROFILES} | {"network": "网络设备"}
CURRENCY_SYMBOLS = {"CNY": "¥"}


class _Formats:
    """Turns a rule row's numbers into the strings its evidence templates quote."""

    def __init__(self, currency: str):
        symbol = CURRENCY_SYMBOLS.get(currency)
        self.money_prefix = symbol if symbol else f"{currency} "

    def money(self, value) -> str:
        if value is None:
            return "—"
        amount = float(value)
        return f"{self.money_prefix}{amount:,.0f}" if amount.is_integer() else f"{self.money_prefix}{amount:,.2f}"

    def value(self, name: str, value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):  # sums differ in the last bits between engines: keep them out of the text
            value = round(value, UTILISATION_DIGITS)
        if name.endswith("_amount"):
            return self.money(value)
        if name.endswith("_share"):
            return f"{float(value) * 100:.1f} %"
        if name.endswith("_ratio"):
            return f"{float(value):.2f}×"
        if isinstance(value, list):
            return ", ".join(sorted(str(v) for v in value))
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int) and name not in ("fiscal_year", "line_no"):
            return f"{value:,}"
        if isinstance(value, (float, Decimal)):
            return f"{float(value):,.1f}"
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def evidence_params(self, row: Mapping[str, Any], rule_params: Mapping[str, Any]) -> dict[str, str]:
        params = {name: self.value(name, value) for name, value in row.items()}
        for name, value in rule_params.items():
            params.setdefault(name, self.value(name, value))
            params[f"{name}_share"] = self.value("_share", value)
            params[f"{name}_ratio"] = self.value("_ratio", value)
        category = row.get("category") or ""
        params["category_en"] = category.replace("_", " ").capitalize()
        params["category_zh"] = CATEGORY_NAMES_ZH.get(category, category)
        params["idle_assets"] = self.value("idle_asset_ids", row.get("idle_asset_ids") or [])
        return params
