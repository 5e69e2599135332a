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
}
