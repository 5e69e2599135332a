"""Reallocation before purchase (调剂): the idle pool, planned purchases, proposals, savings, the two rules' words
beyond the rule table, in English and Chinese."""

from __future__ import annotations

REALLOCATION_MESSAGES: dict[str, tuple[str, str]] = {
    # --- roles' actions and the record kind ------------------------------------------------------------
    "action.pool_declare": ("offer devices to the idle pool", "将设备纳入公物仓"),
    "action.pool_withdraw": ("withdraw devices from the idle pool", "将设备移出公物仓"),
    "action.request": ("enter planned purchases", "填报配置申请"),
    "realloc.label.requests_template": ("Planned purchases", "配置申请"),
    # --- reasons of a refusal ----------------------------------------------------------------------------
    "reason.reason_required": ("a reason is required", "必须填写理由"),
    "reason.unknown_asset": ("no asset with this id in the register", "资产登记中没有该编号的资产"),
    "reason.request_exists": (
        "this agency already has a request with this id (upload a corrected file to replace it)",
        "该单位已有此编号的配置申请（如需替换请上传更正后的文件）",
    ),
    "reason.identifier": ("a text of 1 to {limit} characters", "应为 1 至 {limit} 个字符的文本"),
    # --- why a device is in the pool -------------------------------------------------------------------
    "realloc.pool_reason.NEVER_USED": ("never used", "从未使用"),
    "realloc.pool_reason.IDLE": ("idle", "闲置"),
    "realloc.pool_reason.register_idle": ("idle in the asset register", "资产登记为闲置"),
    "realloc.pool_reason.declared_surplus": ("declared surplus by its agency", "单位申报为富余"),
    "realloc.reason.own_agency": ("{why}, in the requesting agency", "{why}，本单位设备"),
    "realloc.reason.other_agency": ("{why}, from another agency", "{why}，其他单位设备"),
    "realloc.reason.other_agency_device": ("in another agency's pool", "其他单位公物仓设备"),
    "realloc.cover.sentence": (
        "{covered} of {quantity} {category} can come from the pool",
        "{quantity} 台{category}中有 {covered} 台可从公物仓调剂",
    ),
    # --- AVOIDABLE_PURCHASE (tracker.engine.rules.reallocation) -----------------------------------------
    "rule.AVOIDABLE_PURCHASE.title": ("Avoidable purchase (pool first)", "可调剂而采购"),
    "rule.AVOIDABLE_PURCHASE.rationale": (
        "Idle equipment any agency holds should be reallocated before new equipment is bought (the public asset warehouse first, then a purchase).",
        "应先调剂各单位的闲置资产（先公物仓、后采购），再购置新设备。",
    ),
    "rule.AVOIDABLE_PURCHASE.evidence": (
        "Line {po_number}/{line_no} ({category}, {quantity:unit|units}, ordered {order_date}): on that day the idle pool held {pool_units:device|devices} of this category, {other_agency_units} of them in other agencies ({pool_asset_ids}); {covered_units:unit|units} could have come from the pool → {value_amount}.",
        "采购行 {po_number}/{line_no}（{category}，{quantity} 台，{order_date} 下单）：当日公物仓中有 {pool_units} 台{category}，其中 {other_agency_units} 台属其他单位（{pool_asset_ids}）；其中 {covered_units} 台本可调剂 → {value_amount}。",
    ),
    "rule.AVOIDABLE_PURCHASE.param.min_units": (
        "Least units the pool must have covered for the line to be flagged.",
        "公物仓至少可满足多少台时才标记该采购行。",
    ),
    "rule.AVOIDABLE_PURCHASE.param.in_service_days": (
        "Days a device must have been in service before it counts in the pool.",
        "设备投入使用满多少天后才计入公物仓。",
    ),
    "rule.AVOIDABLE_PURCHASE.param.lookback_days": (
        "Days without usage before a day for a device to be in the pool that day.",
        "设备在某日前连续多少天无使用记录即在当日计入公物仓。",
    ),
    # --- EARLY_REPLACEMENT --------------------------------------------------------------------------
    "rule.EARLY_REPLACEMENT.title": ("Early replacement", "未满使用年限更新"),
    "rule.EARLY_REPLACEMENT.rationale": (
        "Equipment is to be replaced only after its minimum service life, in the standard version in force on the order date "
        "(财资〔2016〕27号: six years for computers and printers, unless Settings name another jurisdiction).",
        "设备应在达到下单日施行的标准版本规定的最低使用年限后方可更新（财资〔2016〕27号：计算机、打印机等为六年，除非设置中另选辖区）。",
    ),
    "rule.EARLY_REPLACEMENT.evidence": (
        "Line {po_number}/{line_no} ({category}, {quantity:unit|units}, ordered {order_date}): in the {lookback_days:day|days} before, agency {agency_code} disposed of or declared surplus {early_units:device|devices} of this category younger than their minimum service life of {min_years:year|years} ({early_asset_ids}); their remaining book value {value_amount}.",
        "采购行 {po_number}/{line_no}（{category}，{quantity} 台，{order_date} 下单）：下单前 {lookback_days} 天内，单位 {agency_code} 处置或申报富余了 {early_units} 台未满最低使用年限 {min_years} 年的{category}（{early_asset_ids}）；其剩余净值 {value_amount}。",
    ),
    "rule.EARLY_REPLACEMENT.param.lookback_days": (
        "Days before the order in which a disposal or surplus declaration counts as replaced.",
        "下单前多少天内的处置或富余申报视为被更新。",
    ),
    # --- the Reallocation page -------------------------------------------------------------------------
    "realloc.nav.section": ("Reallocation", "调剂"),
    "realloc.title.page": ("Reallocation before purchase", "先调剂后采购"),
    "realloc.caption.page": (
        "Idle equipment any agency holds (the pool, a virtual public asset warehouse) is offered to the agencies about to buy the same category: "
        "the requesting agency's own devices first, then the others', the longest service life left first.",
        "各单位的闲置设备（公物仓）优先调剂给拟采购同类设备的单位：先本单位、后其他单位，剩余使用年限长者优先。",
    ),
    "realloc.heading.transfers": ("Transfers", "调拨"),
    "realloc.caption.transfers": (
        "The transfers made for the requests above: the giving and the receiving agency accept, a finance officer approves.",
        "为上列申请发起的调拨：调出、调入单位确认后由财务人员批准。",
    ),
    "realloc.kpi.pool": ("Devices in the pool", "公物仓设备"),
    "realloc.kpi.requests_met": ("Requests met from the pool", "可由公物仓满足的申请"),
    "realloc.kpi.partly": ("{partly} partly", "{partly} 项部分满足"),
    "realloc.kpi.units_covered": ("Units from the pool", "可调剂台数"),
    "realloc.kpi.purchases_avoided": ("Purchases avoidable", "可避免的采购"),
    "realloc.kpi.value_reallocated": ("book {book} · cost {cost}", "净值 {book} · 原值 {cost}"),
    "realloc.help.purchases_avoided": (
        "Units the pool can cover × each request's unit budget: {value}. Value that can be reallocated: book value {book}, "
        "original cost {cost}. {unknown:covered request|covered requests} without a budget are not counted (unknown, not zero).",
        "可调剂台数 × 各申请的预算单价：{value}。可调剂价值：净值 {book}，原值 {cost}。"
        "{unknown} 项可调剂但未填预算单价的申请未计入（未知，不按零计）。",
    ),
    "realloc.heading.requests": ("Planned purchases and what the pool can cover", "配置申请及可调剂情况"),
    "realloc.note.no_requests": (
        "No planned purchase yet: upload them (record kind: purchase requests) or enter one below.",
        "尚无配置申请：请上传（记录类型：配置申请）或在下方填报。",
    ),
    "realloc.cli.proposed": (
        "Proposed: {devices:device|devices} in the pool; {covered} of {requested:unit|units} asked for by "
        "{requests:planned purchase|planned purchases} can come from it ({met:request|requests} wholly met, {partly} partly); "
        "purchases avoidable {avoided} ({unknown:request|requests} without a unit budget not counted)",
        "建议：公物仓共 {devices} 台设备；{requests} 项配置申请所需 {requested} 台中 {covered} 台可由公物仓调剂"
        "（{met} 项全部满足，{partly} 项部分满足）；可避免采购额 {avoided}（{unknown} 项未填预算单价的申请未计入）",
    ),
    "realloc.cli.realised": (
        "Realised: {transfers:approved transfer|approved transfers} in the window moved {devices:device|devices} "
        "(book value {book}, original cost {cost}); purchases avoided {avoided} ({met:request|requests} wholly met, "
        "{partly} partly)",
        "已实现：窗口期内 {transfers} 项经批准的调拨调入 {devices} 台设备（净值 {book}，原值 {cost}）；"
        "避免采购 {avoided}（{met} 项申请全部满足，{partly} 项部分满足）",
    ),
    "realloc.caption.click_pool": ("Click a device to see why it is in the pool.", "点击一台设备查看其入仓依据。"),
    "realloc.detail.evidence": (
        "**{asset}** is in the pool ({why}). {evidence}",
        "**{asset}** 已纳入公物仓（{why}）。{evidence}",
    ),
    "realloc.detail.no_finding": (
        "**{asset}** is in the pool ({why}); no finding on its usage goes with it.",
        "**{asset}** 已纳入公物仓（{why}），没有相应的使用情况核查结果。",
    ),
    "realloc.detail.other_agency": (
        "**{asset}** belongs to {agency}: its usage and findings are that agency's and are not shown to you.",
        "**{asset}** 属于{agency}：其使用情况和核查结果由该单位掌握，不向您显示。",
    ),
    "realloc.caption.click_request": ("Click a request to see the devices proposed for it.", "点击一项申请查看建议调剂的设备。"),
    "realloc.text.proposals_for": ("**{request}**: {cover}.", "**{request}**：{cover}。"),
    "realloc.column.request": ("Request", "申请编号"),
    "realloc.column.needed_by": ("Needed by", "需用日期"),
    "realloc.column.cover": ("From the pool", "可调剂"),
    "realloc.column.avoidable": ("Purchase avoidable", "可避免采购额"),
    "realloc.column.asset": ("Asset", "资产编号"),
    "realloc.column.from_agency": ("From agency", "调出单位"),
    "realloc.column.model": ("Model", "规格型号"),
    "realloc.column.age_years": ("Age (years)", "已使用年限"),
    "realloc.column.remaining_life": ("Life left (years)", "剩余使用年限"),
    "realloc.column.book_value": ("Book value", "净值"),
    "realloc.column.idle_days": ("Days idle", "闲置天数"),
    "realloc.column.reason": ("Why proposed", "建议理由"),
    "realloc.column.why": ("Why in the pool", "入仓原因"),
    "realloc.column.evidence": ("Evidence", "依据"),
    "realloc.column.quantity": ("Quantity", "数量"),
    "realloc.column.unit_budget": ("Unit budget", "预算单价"),
    "realloc.column.justification": ("Justification", "配置理由"),
    "realloc.heading.enter_request": ("Enter a planned purchase", "填报配置申请"),
    "realloc.button.enter_request": ("Enter the request", "提交申请"),
    "realloc.note.request_entered": ("Request {request} entered.", "申请 {request} 已提交。"),
    "realloc.heading.pool": ("The idle pool", "公物仓"),
    "realloc.note.pool_empty": ("The pool holds no device for these filters.", "在当前筛选条件下公物仓中没有设备。"),
    "realloc.heading.withdraw": ("Withdraw a device from the pool", "将设备移出公物仓"),
    "realloc.field.reason": ("Reason", "理由"),
    "realloc.button.withdraw": ("Withdraw", "移出"),
    "realloc.note.withdrawn": ("{asset} was withdrawn from the pool.", "{asset} 已移出公物仓。"),
    "realloc.heading.declare": ("Declare a device surplus", "申报富余设备"),
    "realloc.button.declare": ("Declare surplus", "申报富余"),
    "realloc.note.declared": ("{asset} is offered to the pool.", "{asset} 已纳入公物仓。"),
    "overview.kpi.purchases_avoidable": ("Realised", "调剂已实现"),
    "overview.kpi.proposed": ("proposed {proposed}", "建议 {proposed}"),
    "overview.kpi.requests_from_pool": (
        "{met} of {requests:request|requests} from the pool",
        "{requests} 项申请中 {met} 项可由公物仓满足",
    ),
    "overview.help.purchases_avoidable": (
        "Saving by reallocation. Realised: purchases avoided by transfers approved with an effective date in the window, {realised} "
        "({units:unit|units} moved for {met:request|requests} met wholly and {partly} partly, × each request's unit budget); "
        "value reallocated {book} book value, {cost} original cost, {devices:device|devices}. "
        "Proposed: what the idle pool can cover now, {proposed} ({covered} of {requested:unit|units}; {proposed_met} of "
        "{requests:request|requests} wholly). Requests without a unit budget are unknown, not zero: {unknown}. "
        "The Reallocation page has the detail.",
        "调剂节约。已实现：窗口期内生效并经批准的调拨所避免的采购 {realised}（为 {met} 项申请全部满足、{partly} 项部分满足调拨 {units} 台，"
        "× 各申请预算单价）；已调剂价值：净值 {book}，原值 {cost}，共 {devices} 台。"
        "建议：公物仓当前可满足 {proposed}（{requested} 台中 {covered} 台；{requests} 项申请中 {proposed_met} 项可全部满足）。"
        "未填预算单价的申请按未知计、不按零计：{unknown} 项。详见调剂页面。",
    ),
    # --- proposed and realised on the Reallocation page ---------------------------------------------------
    "realloc.heading.proposed": ("Proposed: what the pool can cover now", "建议：公物仓当前可满足"),
    "realloc.heading.realised": (
        "Realised: what transfers approved in the window moved",
        "已实现：窗口期内经批准的调拨",
    ),
    "realloc.kpi.realised_avoided": ("Purchases avoided", "已避免的采购"),
    "realloc.help.realised_avoided": (
        "Units moved by approved transfers for a request × the request's unit budget: {value}. "
        "Requests met without a unit budget are not counted (unknown, not zero): {unknown}.",
        "经批准调拨为配置申请调入的台数 × 申请预算单价：{value}。{unknown} 项未填预算单价的申请未计入（未知，不按零计）。",
    ),
    "realloc.kpi.realised_value": ("Value reallocated", "已调剂价值"),
    "realloc.kpi.realised_cost": ("cost {cost}", "原值 {cost}"),
    "realloc.help.realised_value": (
        "Book value on each transfer's effective date {book}; original cost {cost}. Devices without a known book value: {unknown}.",
        "各调拨生效日的账面净值 {book}；原值 {cost}。净值未知的设备：{unknown} 台。",
    ),
    "realloc.kpi.realised_requests": ("Requests met by transfers", "经调拨满足的申请"),
    "realloc.kpi.realised_devices": ("Devices moved", "已调拨设备"),
    "realloc.kpi.in_transfers.one": ("in 1 transfer", "共 1 张调拨单"),
    "realloc.kpi.in_transfers.other": ("in {n} transfers", "共 {n} 张调拨单"),
    "realloc.kpi.unknown_budgets": ("+ {unknown} unknown", "另有 {unknown} 项未知"),
    # --- transfers from proposals -----------------------------------------------------------------------
    "realloc.note.no_transfers": (
        "No transfer has been made for these requests yet: choose a request above and start one from a proposed device.",
        "尚无为这些申请发起的调拨：请在上方选择一项申请，从建议设备发起调拨。",
    ),
    "realloc.link.transfers": ("Every transfer, its steps and its slip", "全部调拨单、办理记录及调拨单下载"),
    "realloc.caption.transferred": (
        "{units:unit|units} of it already moved by approved transfers.",
        "其中 {units} 台已经批准调拨调入。",
    ),
    "realloc.column.transfer": ("Transfer", "调拨单"),
    "realloc.heading.start_transfer": ("Start a transfer of a proposed device", "发起建议设备的调拨"),
    "realloc.button.start_transfer": ("Start the transfer", "发起调拨"),
    "realloc.note.transfer_started": (
        "Transfer #{transfer_id} proposed: {asset} for request {request}. It waits for both agencies to accept, then for approval.",
        "已发起调拨单 #{transfer_id}：{asset} 用于申请 {request}。待调出、调入单位确认后报财务批准。",
    ),
    "realloc.transfer.approved": ("approved, effective {date}", "已批准，{date} 生效"),
    "realloc.transfer.refused": ("refused: {reason}", "已拒绝：{reason}"),
    "realloc.transfer.waiting_both": (
        "waiting for {from_agency} (giving) and {to_agency} (receiving)",
        "待调出单位 {from_agency} 和调入单位 {to_agency} 确认",
    ),
    "realloc.transfer.waiting_giving": ("waiting for the giving agency {from_agency}", "待调出单位 {from_agency} 确认"),
    "realloc.transfer.waiting_receiving": ("waiting for the receiving agency {to_agency}", "待调入单位 {to_agency} 确认"),
    "realloc.transfer.waiting_approval": ("accepted by both; waiting for approval", "双方已确认，待财务批准"),
    "pack.sheet.reallocation": ("Reallocation", "调剂"),
    # --- the evidence pack's Reallocation sheet (tracker.reallocation.sheet) ------------------------------
    "pack.column.line": ("line", "行类型"),
    "pack.column.request_id": ("request_id", "申请编号"),
    "pack.column.to_agency": ("to_agency", "调入单位"),
    "pack.column.from_agency": ("from_agency", "调出单位"),
    "pack.column.model": ("model", "规格型号"),
    "pack.column.age_years": ("age_years", "已使用年限"),
    "pack.column.book_value": ("book_value", "账面净值"),
    "pack.column.idle_days": ("idle_days", "闲置天数"),
    "pack.column.reason": ("reason", "理由"),
    "pack.column.covered": ("covered", "可调剂台数"),
    "pack.column.unit_budget": ("unit_budget", "预算单价"),
    "pack.column.transfer_id": ("transfer_id", "调拨单号"),
    "pack.column.effective_date": ("effective_date", "生效日期"),
    "pack.column.purchases_avoided": ("purchases_avoided", "避免的采购额"),
    "pack.column.units": ("units", "台数"),
    "pack.column.requests_met": ("requests_met", "全部满足的申请数"),
}
