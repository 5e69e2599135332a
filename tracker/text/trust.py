"""Texts of the figures a reader must be able to trust: compact KPI tiles with their exact values,
unknown said as unknown, the change against the previous window, and the filters kept in the address."""

from __future__ import annotations

TRUST_MESSAGES: dict[str, tuple[str, str]] = {
    "trust.kpi.value_at_stake": ("Value at stake", "涉及金额"),
    "trust.kpi.in_open_findings.one": ("in 1 open finding", "1 条待处理线索"),
    "trust.kpi.in_open_findings.other": ("in {n} open findings", "{n} 条待处理线索"),
    "trust.kpi.vs_previous_window": ("Change against the previous {days} days.", "较前 {days} 天的变化。"),
    "trust.kpi.no_change": ("no change", "无变化"),
    "trust.kpi.unknown_for.one": ("Unknown for 1 agency.", "1 个单位未知。"),
    "trust.kpi.unknown_for.other": ("Unknown for {n} agencies.", "{n} 个单位未知。"),
    "trust.help.exact": ("Exactly {value}.", "精确值：{value}。"),
    "trust.help.idle_capital": (
        "Net book value of assets in service that are never used (past {grace_days} days) or unused for {idle_days} days.",
        "在用但从未使用（超过 {grace_days} 天）或连续 {idle_days} 天未使用资产的账面净值。",
    ),
    "trust.help.idle_unknown": (
        "Agencies that send no usage ({agencies}) are left out: their idle capital is unknown, not zero.",
        "未报送使用数据的单位（{agencies}）不计入：其闲置资产未知，而非为零。",
    ),
    "trust.help.value_at_stake": (
        "Sum of the value at stake of the open findings: never reviewed, or re-opened. The Findings page filtered to Open lists the same findings.",
        "待处理（未复核或重新打开）问题线索涉及金额之和，与“问题线索”页筛选“待处理”所列相同。",
    ),
}
