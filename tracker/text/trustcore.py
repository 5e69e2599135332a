"""What the evidence pack says of its thresholds and codes, and how a threshold's value reads, in English and Chinese."""

from __future__ import annotations

TRUSTCORE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- a threshold's value with its unit (tracker.engine.rules.model.Parameter.unit) ------------------
    "trustcore.unit.days": ("{n:day|days}", "{n} 天"),
    "trustcore.unit.assets": ("{n:asset|assets}", "{n} 台"),
    "trustcore.unit.hours": ("{n} h", "{n} 小时"),
    "trustcore.pack.parameter": ("{name} = {value} ({description})", "{description}：{value}（{name}）"),
    # --- the per-category low-use thresholds of the Rules sheet --------------------------------------------
    "trustcore.pack.threshold_title": ("Low-use threshold: {category}", "低使用率阈值：{category}"),
    "trustcore.pack.threshold_rationale": (
        "From the category profile ({category}) in force for this window; {changed}. An asset of this category is "
        "under-used when its used hours ÷ available hours fall below the threshold.",
        "取自本窗口适用的类别配置（{category}）；{changed}。该类资产的使用时长 ÷ 可用时长低于阈值即为利用率低。",
    ),
    "trustcore.pack.profile_default": ("the tracker's default", "系统默认值"),
    "trustcore.pack.profile_changed": ("set on {when} by {who}", "{who} 于 {when} 设定"),
    "trustcore.pack.threshold_values": (
        "low_threshold = {threshold}; hours_per_day = {hours}; days = {days}",
        "低使用率阈值：{threshold}；每日标准时长：{hours}；可用日：{days}",
    ),
    "trustcore.days.workdays": ("workdays of the country calendar", "国家日历的工作日"),
    "trustcore.days.all": ("every day", "每天"),
    # --- what a rule's finding is about (tracker.engine.rules.model.Rule.subject) ------------------------
    "subject.asset": ("asset", "资产"),
    "subject.po_line": ("purchase line", "采购明细"),
    "subject.agency_category": ("agency and category", "单位及类别"),
    "subject.agency_fiscal_year": ("agency and fiscal year", "单位及财年"),
    # --- a device an agency's usage file names that is not in its own register -----------------------------
    "row.device_not_your_agency": (
        "no asset in your agency's register has the host name or serial number {value}; if the device is yours, add it "
        "to the asset register (the upload report offers the unmatched devices as a register template).",
        "本单位资产登记中没有主机名或序列号为 {value} 的资产；如属本单位设备，请先登记（上传报告可下载预填了未对应设备的登记模板）。",
    ),
    # --- the filters a pack was limited to ------------------------------------------------------------------
    "trustcore.filter.agencies": ("agencies", "单位"),
    "trustcore.filter.categories": ("categories", "类别"),
    "trustcore.filter.suppliers": ("suppliers", "供应商"),
    "trustcore.filter.fiscal_years": ("fiscal years", "财年"),
    "trustcore.filter.rules": ("rules", "规则"),
    "trustcore.filter.severities": ("severities", "严重程度"),
    "trustcore.filter.review_statuses": ("review statuses", "复核状态"),
    "trustcore.unknown": ("—", "未知"),
    "trustcore.bool.true": ("yes", "是"),
    "trustcore.bool.false": ("no", "否"),
}
