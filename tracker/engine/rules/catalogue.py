"""The rules as data: code, severity, subject, titles, rationale, parameters and evidence templates.

Evidence templates name their numbers by suffix, so formatting is one rule for all (see
tracker.engine.rules.sentences): `*_amount` money in the settings currency, `*_share` a
percentage, `*_ratio` a multiple, `*_hours` one decimal, ints with thousands separators, dates
ISO; `{category_en}` / `{category_zh}` name the row's category.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.engine.rules.expressions import (
    asset_rule,
    bought_despite_idle_stock,
    idle_purchase,
    no_telemetry,
    over_price_cap,
    unregistered_units,
    year_end_surge,
)
from tracker.engine.rules.model import Parameter, Rule
from tracker.text.errors import ConfigError


def _days(name, default, en, zh):
    return Parameter(name, default, "days", en, zh)


RULES: tuple[Rule, ...] = (
    Rule(
        "NEVER_USED",
        "high",
        "asset",
        "Never used",
        "从未使用",
        "An asset in service past its grace period with no usage row ever is idle capital.",
        "资产已投入使用超过宽限期却从无使用记录，属闲置资产。",
        (
            _days(
                "grace_days",
                60,
                "Days in service before a never-used asset is flagged.",
                "从未使用的资产在投入使用多少天后被标记。",
            ),
        ),
        "{category_en} {asset_id} has no usage since it entered service on {in_service_date}, {days_idle} days ago "
        "(grace {grace_days} days); net book value {net_book_value_amount}.{evidence_note_en}",
        "{category_zh} {asset_id} 自 {in_service_date} 投入使用以来 {days_idle} 天无任何使用记录（宽限期 {grace_days} 天）；"
        "净值 {net_book_value_amount}。{evidence_note_zh}",
        asset_rule("NEVER_USED"),
    ),
    Rule(
        "IDLE",
        "high",
        "asset",
        "Idle",
        "闲置",
        "Audits define idle as unused for three consecutive months.",
        "审计实务将连续三个月未使用认定为闲置。",
        (
            _days(
                "idle_days", 90, "Days without usage after which a used asset is idle.", "曾使用的资产连续多少天未使用即为闲置。"
            ),
        ),
        "{category_en} {asset_id} has not been used in the {days_idle} days since {last_used} (threshold {idle_days}); "
        "net book value {net_book_value_amount}.{evidence_note_en}",
        "{category_zh} {asset_id} 自 {last_used} 起已 {days_idle} 天未使用（阈值 {idle_days} 天）；净值 {net_book_value_amount}。"
        "{evidence_note_zh}",
        asset_rule("IDLE"),
    ),
    Rule(
        "LOW_UTILISATION",
        "medium",
        "asset",
        "Low utilisation",
        "利用率低",
        "Used hours well below the category's standard hours mean the asset could serve more users.",
        "使用时长远低于该类设备的标准时长，说明资产可供更多人使用。",
        (
            _days(
                "min_available_days",
                60,
                "Available days in the window needed to judge utilisation.",
                "评估利用率所需的窗口内可用天数。",
            ),
        ),
        "{category_en} {asset_id} was used {used_hours} of {available_hours} available hours over {available_days} "
        "available days: utilisation {utilisation_share}, below the threshold of {threshold_share}; value at stake "
        "{value_amount} of net book value {net_book_value_amount}.{evidence_note_en}",
        "{category_zh} {asset_id} 在 {available_days} 个可用日的 {available_hours} 可用小时中仅使用 {used_hours} 小时："
        "利用率 {utilisation_share}，低于阈值 {threshold_share}；涉及金额 {value_amount}（净值 {net_book_value_amount}）。"
        "{evidence_note_zh}",
        asset_rule("LOW_UTILISATION"),
    ),
    Rule(
        "NO_TELEMETRY",
        "info",
        "agency_category",
        "No usage data",
        "缺少使用数据",
        "Silence is a data gap, not proof of waste: these assets cannot be judged idle until usage is reported.",
        "没有数据是数据缺口，不是浪费的证据：在报送使用记录之前无法判断这些资产是否闲置。",
        (),
        "Agency {agency_code} has {assets_in_service} {category_en} asset(s) in service but none reported usage "
        "from {idle_start} to {as_of}; their idleness cannot be judged.",
        "单位 {agency_code} 有 {assets_in_service} 台{category_zh}在用，但 {idle_start} 至 {as_of} 期间均无使用记录；"
        "无法判断是否闲置。",
        no_telemetry,
    ),
    Rule(
        "IDLE_PURCHASE",
        "high",
        "po_line",
        "Idle purchase",
        "购置后闲置",
        "A purchase whose units mostly sit unused was not needed when it was made.",
        "所购设备大多闲置，说明采购时并无实际需要。",
        (
            Parameter(
                "min_share",
                0.5,
                "share",
                "Share of the line's registered units that are never used, idle or under-used.",
                "该采购行已登记设备中从未使用、闲置或利用率低的比例。",
            ),
        ),
        "{flagged_units} of the {registered_units} registered units of line {po_number}/{line_no} ({category_en}, "
        "ordered {order_date}) are never used ({never_used_units}), idle ({idle_units}) or under-used ({low_units}): "
        "{flagged_share} (threshold {min_share_share}); their cost {value_amount}.",
        "采购行 {po_number}/{line_no}（{category_zh}，{order_date} 下单）已登记的 {registered_units} 台中有 {flagged_units} 台"
        "从未使用（{never_used_units}）、闲置（{idle_units}）或利用率低（{low_units}）：占 {flagged_share}（阈值 "
        "{min_share_share}）；购置成本 {value_amount}。",
        idle_purchase,
    ),
    Rule(
        "UNREGISTERED_UNITS",
        "medium",
        "po_line",
        "Unregistered units",
        "未登记入账",
        "Units bought but never entered in the asset register cannot be tracked or reassigned.",
        "已购设备未登记入资产账，无法跟踪或调剂。",
        (
            _days(
                "grace_days", 60, "Days after delivery (or order) allowed for registration.", "交付（或下单）后允许登记的天数。"
            ),
        ),
        "Line {po_number}/{line_no} ({category_en}) bought {quantity} units, received {received_date}, but only "
        "{registered_units} are registered: {missing_units} missing × {unit_price_amount} = {value_amount}.",
        "采购行 {po_number}/{line_no}（{category_zh}）购买 {quantity} 台，于 {received_date} 交付，但仅登记 "
        "{registered_units} 台：缺 {missing_units} 台 × {unit_price_amount} = {value_amount}。",
        unregistered_units,
    ),
    Rule(
        "BOUGHT_DESPITE_IDLE_STOCK",
        "high",
        "po_line",
        "Bought despite idle stock",
        "有闲置仍采购",
        "Idle units of the same category should have been reassigned (调剂) before buying new ones.",
        "同类设备闲置时应先调剂，而不是新购。",
        (
            Parameter(
                "min_idle_assets",
                3,
                "assets",
                "Idle units of the category held on the order date.",
                "下单日持有的同类闲置设备数。",
            ),
            _days(
                "in_service_days",
                90,
                "Days in service before the order date for a unit to count.",
                "设备在下单日前至少已投入使用的天数。",
            ),
            _days("lookback_days", 90, "Days before the order date without usage.", "下单日前无使用记录的天数。"),
        ),
        "On {order_date} agency {agency_code} ordered {quantity} {category_en} unit(s) (line {po_number}/{line_no}) "
        "while {idle_stock_units} units in service at least {in_service_days} days had no usage since {lookback_start} "
        "({idle_assets}; the rule needs {min_idle_assets}); value at stake {value_amount}.",
        "单位 {agency_code} 于 {order_date} 采购 {quantity} 台{category_zh}（采购行 {po_number}/{line_no}），"
        "而已投入使用至少 {in_service_days} 天的 {idle_stock_units} 台同类设备自 {lookback_start} 起无使用记录"
        "（{idle_assets}；规则要求 {min_idle_assets} 台）；涉及金额 {value_amount}。",
        bought_despite_idle_stock,
    ),
    Rule(
        "YEAR_END_SURGE",
        "medium",
        "agency_fiscal_year",
        "Year-end spending surge",
        "年底突击花钱",
        "Last-month spending far above the monthly average buys lower-quality projects (Liebman & Mahoney 2017).",
        "年底最后一个月支出远高于月均水平，所购项目质量往往较低。",
        (
            Parameter(
                "min_ratio",
                2.0,
                "ratio",
                "Last-month spend ÷ monthly average must exceed this.",
                "最后一个月支出 ÷ 月均支出须超过此值。",
            ),
            Parameter("min_year_spend", 100_000, "currency", "Least fiscal-year spend judged.", "参与判断的最低财年支出。"),
        ),
        "Agency {agency_code} spent {last_month_spend_amount} in the last month of fiscal year {fiscal_year}: "
        "{surge_ratio} the monthly average of {monthly_average_amount} (year spend {year_spend_amount}; threshold "
        "{min_ratio_ratio}, minimum year spend {min_year_spend_amount}); {value_amount} above the average.",
        "单位 {agency_code} 在 {fiscal_year} 财年最后一个月支出 {last_month_spend_amount}，为月均 {monthly_average_amount} 的 "
        "{surge_ratio}（全年支出 {year_spend_amount}；阈值 {min_ratio_ratio}，最低全年支出 {min_year_spend_amount}）；"
        "超出月均 {value_amount}。",
        year_end_surge,
    ),
    Rule(
        "OVER_PRICE_CAP",
        "medium",
        "po_line",
        "Over the price cap",
        "超标准配置",
        "The central-government office equipment standard caps unit prices per category (财资〔2016〕27号).",
        "中央行政单位通用办公设备配置标准规定了各类设备的价格上限（财资〔2016〕27号）。",
        (),
        "Line {po_number}/{line_no} ({category_en}): unit price {unit_price_amount} is above the cap of {cap_amount}; "
        "{quantity} unit(s) → {value_amount} over the cap.",
        "采购行 {po_number}/{line_no}（{category_zh}）：单价 {unit_price_amount} 超过上限 {cap_amount}；"
        "{quantity} 台共超出 {value_amount}。",
        over_price_cap,
    ),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


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
