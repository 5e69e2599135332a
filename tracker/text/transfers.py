"""What transfers between agencies say (调拨, docs/transfers.md): refusals, states, steps, the slip and the page."""

from __future__ import annotations

TRANSFER_MESSAGES: dict[str, tuple[str, str]] = {
    # --- refusals ---------------------------------------------------------------------------------
    "transfer.not_allowed": (
        "A {role} may not {action}.",
        "{role}无权{action}。",
    ),
    "transfer.not_your_agency": (
        "Only agency {agency} may {action} for agency {agency}.",
        "只有单位 {agency} 可以为本单位{action}。",
    ),
    "transfer.unknown": (
        "There is no transfer {transfer_id}.",
        "没有编号为 {transfer_id} 的调拨单。",
    ),
    "transfer.wrong_state": (
        "Transfer {transfer_id} is {state}: it cannot be {action} now.",
        "调拨单 {transfer_id} 的状态为“{state}”，现在不能{action}。",
    ),
    "transfer.already_accepted": (
        "Transfer {transfer_id} was already accepted by agency {agency}.",
        "调拨单 {transfer_id} 已由单位 {agency} 确认。",
    ),
    "transfer.name_the_side": (
        "Say which agency's acceptance this is: the giving agency {from_agency} or the receiving agency {to_agency}.",
        "请说明这是哪一方的确认：调出单位 {from_agency} 还是调入单位 {to_agency}。",
    ),
    "transfer.same_agency": (
        "A transfer moves devices between two agencies; {agency} is both.",
        "调拨须在两个单位之间进行，调出和调入单位都是 {agency}。",
    ),
    "transfer.unknown_agency": (
        "There is no agency {agency} in the data.",
        "数据中没有单位 {agency}。",
    ),
    "transfer.no_assets": (
        "Name at least one device to transfer.",
        "请至少列出一台要调拨的设备。",
    ),
    "transfer.unknown_asset": (
        "There is no device {asset_id} in the asset register.",
        "资产登记中没有设备 {asset_id}。",
    ),
    "transfer.not_held_by": (
        "Device {asset_id} is held by another agency, not by {agency}.",
        "设备 {asset_id} 不属于单位 {agency}。",
    ),
    "transfer.disposed": (
        "Device {asset_id} is disposed: it cannot be transferred.",
        "设备 {asset_id} 已处置，不能调拨。",
    ),
    "transfer.already_open": (
        "Device {asset_id} is already in open transfer {transfer_id}.",
        "设备 {asset_id} 已在未办结的调拨单 {transfer_id} 中。",
    ),
    "transfer.effective_too_early": (
        "The effective date {effective_date} is not after {since}, when agency {agency} began to hold device {asset_id}.",
        "生效日期 {effective_date} 不晚于单位 {agency} 开始持有设备 {asset_id} 的日期 {since}。",
    ),
    "row.transferred_elsewhere": (
        "agency_code {value}: the device was transferred to agency {other} by an approved transfer; its register row names the agency holding it now.",
        "单位代码 {value}：该设备已经批准调拨至单位 {other}，登记行须填写现持有单位。",
    ),
    "transfer.not_proposed": (
        "Device {asset_id} is not proposed to request {request_id} now (the pool or the requests changed): reload the page.",
        "设备 {asset_id} 目前不在申请 {request_id} 的调剂建议中（公物仓或申请已变化），请刷新页面。",
    ),
    "transfer.bad_date": (
        "The effective date is not a date (YYYY-MM-DD): {value}",
        "生效日期不是有效日期（YYYY-MM-DD）：{value}",
    ),
    "transfer.reason_required": (
        "A refusal needs a reason.",
        "拒绝时必须填写理由。",
    ),
    "transfer.too_long": (
        "{field} is longer than {limit} characters.",
        "{field} 超过 {limit} 个字符。",
    ),
    # --- what a step is called (in "may not …" and "cannot be … now") -----------------------------
    "transfer.action.create": ("propose a transfer", "发起调拨"),
    "transfer.action.accept": ("accept a transfer", "确认调拨"),
    "transfer.action.refuse": ("refuse a transfer", "拒绝调拨"),
    "transfer.action.approve": ("approve a transfer", "批准调拨"),
    "transfer.action.read": ("see this transfer", "查看此调拨单"),
    "transfer.done.accept": ("accepted", "确认"),
    "transfer.done.refuse": ("refused", "拒绝"),
    "transfer.done.approve": ("approved", "批准"),
    # --- states and steps ---------------------------------------------------------------------------
    "transfer.state.proposed": ("proposed", "待确认"),
    "transfer.state.accepted": ("accepted, awaiting approval", "已确认，待批准"),
    "transfer.state.approved": ("approved", "已批准"),
    "transfer.state.refused": ("refused", "已拒绝"),
    "transfer.step.created": ("proposed", "发起"),
    "transfer.step.giving_accepted": ("accepted by the giving agency", "调出单位确认"),
    "transfer.step.receiving_accepted": ("accepted by the receiving agency", "调入单位确认"),
    "transfer.step.approved": ("approved", "财务批准"),
    "transfer.step.refused": ("refused", "拒绝"),
    # --- outcomes -----------------------------------------------------------------------------------
    "transfer.created": (
        "Transfer {transfer_id} proposed: {count:device|devices} from {from_agency} to {to_agency}, effective {effective_date}.",
        "已发起调拨单 {transfer_id}：{count} 台设备由 {from_agency} 调往 {to_agency}，{effective_date} 生效。",
    ),
    "transfer.accepted": (
        "Transfer {transfer_id} accepted for agency {agency}.",
        "调拨单 {transfer_id} 已由单位 {agency} 确认。",
    ),
    "transfer.refused": (
        "Transfer {transfer_id} refused.",
        "调拨单 {transfer_id} 已拒绝。",
    ),
    "transfer.approved": (
        "Transfer {transfer_id} approved: the devices belong to {to_agency} from {effective_date}.",
        "调拨单 {transfer_id} 已批准：设备自 {effective_date} 起归属 {to_agency}。",
    ),
    # --- columns (lists, the slip) ------------------------------------------------------------------
    "transfer.col.transfer_id": ("Transfer", "调拨单号"),
    "transfer.col.state": ("State", "状态"),
    "transfer.col.from_agency": ("From agency", "调出单位"),
    "transfer.col.to_agency": ("To agency", "调入单位"),
    "transfer.col.effective_date": ("Effective date", "生效日期"),
    "transfer.col.request_id": ("Purchase request", "配置申请"),
    "transfer.col.proposal_ref": ("Proposal", "调剂建议"),
    "transfer.col.devices": ("Devices", "设备数"),
    "transfer.col.book_value": ("Book value", "账面净值"),
    "transfer.col.created_by": ("Proposed by", "发起人"),
    "transfer.col.created_at": ("Proposed at", "发起时间"),
    "transfer.col.note": ("Note", "备注"),
    "transfer.col.asset_id": ("Asset ID", "资产编号"),
    "transfer.col.category": ("Category", "类别"),
    "transfer.col.model": ("Model", "型号"),
    "transfer.col.purchase_cost": ("Original cost", "原值"),
    "transfer.col.step": ("Step", "环节"),
    "transfer.col.actor": ("By", "经办人"),
    "transfer.col.role": ("Role", "角色"),
    "transfer.col.agency": ("Agency", "单位"),
    "transfer.col.at": ("When", "时间"),
    "transfer.col.reason": ("Reason", "理由"),
    # --- the slip (调拨单) ---------------------------------------------------------------------------
    "transfer.slip.title": ("Asset transfer slip", "资产调拨单"),
    "transfer.slip.sheet_summary": ("Transfer", "调拨单"),
    "transfer.slip.sheet_devices": ("Devices", "设备清单"),
    "transfer.slip.sheet_approvals": ("Approvals", "审批记录"),
    "transfer.slip.field": ("Field", "项目"),
    "transfer.slip.value": ("Value", "内容"),
    "transfer.slip.total_book_value": ("Total book value", "账面净值合计"),
    "transfer.slip.total_cost": ("Total original cost", "原值合计"),
    "transfer.slip.currency": ("Currency", "币种"),
    "transfer.slip.printed_by": ("Printed by", "打印人"),
    "transfer.slip.printed_at": ("Printed at", "打印时间"),
    "transfer.slip.unknown": ("unknown", "未知"),
    # --- the dashboard section ----------------------------------------------------------------------
    "transfer.page.title": ("Transfers", "调拨"),
    "transfer.page.intro": (
        "Devices moving between agencies: the giving agency accepts, the receiving agency accepts, a finance "
        "officer approves; the device belongs to the receiving agency from the effective date.",
        "单位之间调拨设备：调出单位确认、调入单位确认、财务人员批准后，设备自生效日期起归属调入单位。",
    ),
    "transfer.page.none": ("No transfers yet.", "暂无调拨单。"),
    "transfer.page.choose": ("Transfer", "调拨单"),
    "transfer.page.new": ("Propose a transfer", "发起调拨"),
    "transfer.page.assets": ("Asset IDs (one a line or separated by commas)", "资产编号（每行一个或以逗号分隔）"),
    "transfer.page.reason": ("Reason (required to refuse)", "理由（拒绝时必填）"),
    "transfer.page.accept": ("Accept", "确认"),
    "transfer.page.accept_as": ("Accept for", "确认方"),
    "transfer.page.refuse": ("Refuse", "拒绝"),
    "transfer.page.approve": ("Approve", "批准"),
    "transfer.page.propose": ("Propose", "发起"),
    "transfer.page.slip": ("Download the transfer slip (XLSX)", "下载调拨单（XLSX）"),
    "transfer.page.steps": ("Steps", "办理记录"),
    "transfer.page.nothing_to_do": ("Nothing for you to do on this transfer.", "此调拨单暂无需您办理的事项。"),
}
