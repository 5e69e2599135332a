"""What each flag rule says, in English and Chinese: its title, rationale, evidence sentence and parameters.

`rule.<CODE>.title`, `.rationale`, `.evidence` and `.param.<name>` (what a threshold means) -> (English,
Chinese). Evidence placeholders are named as tracker.engine.rules.sentences formats them; `{category}`
is the row's category in the template's language.
"""

from __future__ import annotations

RULE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- NEVER_USED --------------------------------------------------------------------------------
    "rule.NEVER_USED.title": ("Never used", "从未使用"),
    "rule.NEVER_USED.rationale": (
        "An asset in service past its grace period with no usage row ever is idle capital.",
        "资产已投入使用超过宽限期却从无使用记录，属闲置资产。",
    ),
    # what an asset's evidence proves, said after an asset finding (docs/usage-sources.md)
    "evidence.note.signed_in": (
        " Its use is the time a person was signed in, according to its Security event log.",
        "其使用时长为安全事件日志记录的登录时长。",
    ),
    "evidence.note.powered_on": (
        " It was powered on {hours} h in the window according to its System event log (an upper bound of its use).",
        "据其系统事件日志，窗口期内开机 {hours} 小时（为使用时长的上限）。",
    ),
    "evidence.note.seen": (
        " It was only seen on (an inventory or device-management check-in), which proves no hours of use.",
        "仅有在线记录（资产清单或设备管理签到），不能证明使用时长。",
    ),
    "rule.NEVER_USED.evidence": (
        "{category} {asset_id} has no usage since it entered service on {in_service_date}, {days_idle:day|days} ago (grace period {grace_days:day|days}); net book value {net_book_value_amount}.{evidence_note}",
        "{category} {asset_id} 自 {in_service_date} 投入使用以来 {days_idle} 天无任何使用记录（宽限期 {grace_days} 天）；净值 {net_book_value_amount}。{evidence_note}",
    ),
    "rule.NEVER_USED.param.grace_days": (
        "Days in service before a never-used asset is flagged.",
        "从未使用的资产在投入使用多少天后被标记。",
    ),
    # --- IDLE --------------------------------------------------------------------------------------
    "rule.IDLE.title": ("Idle", "闲置"),
    "rule.IDLE.rationale": (
        "Audits define idle as unused for three consecutive months.",
        "审计实务将连续三个月未使用认定为闲置。",
    ),
    "rule.IDLE.evidence": (
        "{category} {asset_id} has not been used in the {days_idle:day|days} since {last_used} (threshold {idle_days:day|days}); net book value {net_book_value_amount}.{evidence_note}",
        "{category} {asset_id} 自 {last_used} 起已 {days_idle} 天未使用（阈值 {idle_days} 天）；净值 {net_book_value_amount}。{evidence_note}",
    ),
    "rule.IDLE.param.idle_days": (
        "Days without usage after which a used asset is idle.",
        "曾使用的资产连续多少天未使用即为闲置。",
    ),
    # --- LOW_UTILISATION ---------------------------------------------------------------------------
    "rule.LOW_UTILISATION.title": ("Low utilisation", "利用率低"),
    "rule.LOW_UTILISATION.rationale": (
        "Used hours well below the category's standard hours mean the asset could serve more users.",
        "使用时长远低于该类设备的标准时长，说明资产可供更多人使用。",
    ),
    "rule.LOW_UTILISATION.evidence": (
        "{category} {asset_id} was used {used_hours} of {available_hours} available hours over {available_days:available day|available days}: utilisation {utilisation_share}, below the threshold of {threshold_share}; value at stake {value_amount} of net book value {net_book_value_amount}.{evidence_note}",
        "{category} {asset_id} 在 {available_days} 个可用日的 {available_hours} 可用小时中仅使用 {used_hours} 小时：利用率 {utilisation_share}，低于阈值 {threshold_share}；涉及金额 {value_amount}（净值 {net_book_value_amount}）。{evidence_note}",
    ),
    "rule.LOW_UTILISATION.param.min_available_days": (
        "Available days in the window needed to judge utilisation.",
        "评估利用率所需的窗口内可用天数。",
    ),
    # --- NO_TELEMETRY ------------------------------------------------------------------------------
    "rule.NO_TELEMETRY.title": ("No usage data", "缺少使用数据"),
    "rule.NO_TELEMETRY.rationale": (
        "Silence is a data gap, not proof of waste: these assets cannot be judged idle until usage is reported.",
        "没有数据是数据缺口，不是浪费的证据：在报送使用记录之前无法判断这些资产是否闲置。",
    ),
    "rule.NO_TELEMETRY.evidence": (
        "{category}: agency {agency_code} has {assets_in_service:asset|assets} in service, none with usage reported from {idle_start} to {as_of}; idleness cannot be judged there.",
        "单位 {agency_code} 有 {assets_in_service} 台{category}在用，但 {idle_start} 至 {as_of} 期间均无使用记录；无法判断是否闲置。",
    ),
    # --- IDLE_PURCHASE -----------------------------------------------------------------------------
    "rule.IDLE_PURCHASE.title": ("Idle purchase", "购置后闲置"),
    "rule.IDLE_PURCHASE.rationale": (
        "A purchase whose units mostly sit unused was not needed when it was made.",
        "所购设备大多闲置，说明采购时并无实际需要。",
    ),
    "rule.IDLE_PURCHASE.evidence": (
        "{flagged_units} of the {registered_units:registered unit|registered units} of line {po_number}/{line_no} ({category}, ordered {order_date}) are never used ({never_used_units}), idle ({idle_units}) or under-used ({low_units}): {flagged_share} (threshold {min_share_share}); their cost {value_amount}.",
        "采购行 {po_number}/{line_no}（{category}，{order_date} 下单）已登记的 {registered_units} 台中有 {flagged_units} 台从未使用（{never_used_units}）、闲置（{idle_units}）或利用率低（{low_units}）：占 {flagged_share}（阈值 {min_share_share}）；购置成本 {value_amount}。",
    ),
    "rule.IDLE_PURCHASE.param.min_share": (
        "Share of the line's registered units that are never used, idle or under-used.",
        "该采购行已登记设备中从未使用、闲置或利用率低的比例。",
    ),
    # --- UNREGISTERED_UNITS ------------------------------------------------------------------------
    "rule.UNREGISTERED_UNITS.title": ("Unregistered units", "未登记入账"),
    "rule.UNREGISTERED_UNITS.rationale": (
        "Units bought but never entered in the asset register cannot be tracked or reassigned.",
        "已购设备未登记入资产账，无法跟踪或调剂。",
    ),
    "rule.UNREGISTERED_UNITS.evidence": (
        "Line {po_number}/{line_no} ({category}) bought {quantity:unit|units}, received {received_date}, of which {registered_units:is|are} registered: {missing_units} missing × {unit_price_amount} = {value_amount}.",
        "采购行 {po_number}/{line_no}（{category}）购买 {quantity} 台，于 {received_date} 交付，但已登记 {registered_units} 台：缺 {missing_units} 台 × {unit_price_amount} = {value_amount}。",
    ),
    "rule.UNREGISTERED_UNITS.param.grace_days": (
        "Days after delivery (or order) allowed for registration.",
        "交付（或下单）后允许登记的天数。",
    ),
    # --- BOUGHT_DESPITE_IDLE_STOCK -----------------------------------------------------------------
    "rule.BOUGHT_DESPITE_IDLE_STOCK.title": ("Bought despite idle stock", "有闲置仍采购"),
    "rule.BOUGHT_DESPITE_IDLE_STOCK.rationale": (
        "Idle units of the same category should have been reassigned (调剂) before buying new ones.",
        "同类设备闲置时应先调剂，而不是新购。",
    ),
    "rule.BOUGHT_DESPITE_IDLE_STOCK.evidence": (
        "On {order_date} agency {agency_code} ordered {quantity:unit|units} of {category} (line {po_number}/{line_no}) while {idle_stock_units:unit|units} in service at least {in_service_days:day|days} had no usage since {lookback_start} ({idle_assets}; the rule needs {min_idle_assets}); value at stake {value_amount}.",
        "单位 {agency_code} 于 {order_date} 采购 {quantity} 台{category}（采购行 {po_number}/{line_no}），而已投入使用至少 {in_service_days} 天的 {idle_stock_units} 台同类设备自 {lookback_start} 起无使用记录（{idle_assets}；规则要求 {min_idle_assets} 台）；涉及金额 {value_amount}。",
    ),
    "rule.BOUGHT_DESPITE_IDLE_STOCK.param.min_idle_assets": (
        "Idle units of the category held on the order date.",
        "下单日持有的同类闲置设备数。",
    ),
    "rule.BOUGHT_DESPITE_IDLE_STOCK.param.in_service_days": (
        "Days in service before the order date for a unit to count.",
        "设备在下单日前至少已投入使用的天数。",
    ),
    "rule.BOUGHT_DESPITE_IDLE_STOCK.param.lookback_days": (
        "Days before the order date without usage.",
        "下单日前无使用记录的天数。",
    ),
    # --- YEAR_END_SURGE ----------------------------------------------------------------------------
    "rule.YEAR_END_SURGE.title": ("Year-end spending surge", "年底突击花钱"),
    "rule.YEAR_END_SURGE.rationale": (
        "Last-month spending far above the monthly average buys lower-quality projects (Liebman & Mahoney 2017).",
        "年底最后一个月支出远高于月均水平，所购项目质量往往较低。",
    ),
    "rule.YEAR_END_SURGE.evidence": (
        "Agency {agency_code} spent {last_month_spend_amount} in the last month of fiscal year {fiscal_year}: {surge_ratio} the monthly average of {monthly_average_amount} (year spend {year_spend_amount}; threshold {min_ratio_ratio}, minimum year spend {min_year_spend_amount}); {value_amount} above the average.",
        "单位 {agency_code} 在 {fiscal_year} 财年最后一个月支出 {last_month_spend_amount}，为月均 {monthly_average_amount} 的 {surge_ratio}（全年支出 {year_spend_amount}；阈值 {min_ratio_ratio}，最低全年支出 {min_year_spend_amount}）；超出月均 {value_amount}。",
    ),
    "rule.YEAR_END_SURGE.param.min_ratio": (
        "Last-month spend ÷ monthly average must exceed this.",
        "最后一个月支出 ÷ 月均支出须超过此值。",
    ),
    "rule.YEAR_END_SURGE.param.min_year_spend": ("Least fiscal-year spend judged.", "参与判断的最低财年支出。"),
    # --- OVER_PRICE_CAP ----------------------------------------------------------------------------
    "rule.OVER_PRICE_CAP.title": ("Over the price cap", "超标准配置"),
    "rule.OVER_PRICE_CAP.rationale": (
        "Equipment standards cap unit prices per category: the version in force on the order date of the jurisdiction "
        "chosen in Settings (by default the central standard 财资〔2016〕27号). Projector and scanner caps vary by province: "
        "they have no cap until a province's version is stored, so they are not judged.",
        "配置标准规定了各类设备的单价上限：按设置中所选辖区在下单日施行的版本判断（默认为中央标准财资〔2016〕27号）。"
        "投影仪、扫描仪的上限因省而异：在录入本省版本之前不设上限，不作判断。",
    ),
    "rule.OVER_PRICE_CAP.evidence": (
        "Line {po_number}/{line_no} ({category}): unit price {unit_price_amount} is above the cap of {cap_amount} ({standard_version}); {quantity:unit|units} → {value_amount} over the cap.",
        "采购行 {po_number}/{line_no}（{category}）：单价 {unit_price_amount} 超过上限 {cap_amount}（{standard_version}）；{quantity} 台共超出 {value_amount}。",
    ),
}
