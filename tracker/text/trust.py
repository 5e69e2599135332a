"""Texts of the figures a reader must be able to trust: compact KPI tiles with their exact values,
unknown said as unknown, the change against the previous window, and the filters kept in the address."""

from __future__ import annotations

TRUST_MESSAGES: dict[str, tuple[str, str]] = {
    "trust.kpi.value_at_stake": ("Value at stake", "涉及金额"),
    "trust.kpi.in_open_findings.one": ("in 1 open finding", "1 条待处理线索"),
    "trust.kpi.in_open_findings.other": ("in {n} open findings", "{n} 条待处理线索"),
    "trust.kpi.vs_previous_window": ("Change against the previous {days:day|days}.", "较前 {days} 天的变化。"),
    "trust.kpi.no_change": ("no change", "无变化"),
    "trust.kpi.unknown_for.one": ("Unknown for 1 agency.", "1 个单位未知。"),
    "trust.kpi.unknown_for.other": ("Unknown for {n} agencies.", "{n} 个单位未知。"),
    "trust.help.exact": ("Exactly {value}.", "精确值：{value}。"),
    "trust.help.idle_capital": (
        "Net book value of assets in service that are never used (past {grace_days:day|days}) or unused for {idle_days:day|days}.",
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
    "trust.chart.median_asset": ("Median asset", "中位资产"),
    "trust.chart.middle_half": ("Middle half of assets", "中间一半资产"),
    "trust.chart.p10_p90": ("10th to 90th percentile", "第10至第90百分位"),
    "trust.chart.hours": ("h", "小时"),
    "trust.count.purchase_lines.one": ("{n} purchase line", "{n} 条采购明细"),
    "trust.count.purchase_lines.other": ("{n} purchase lines", "{n} 条采购明细"),
    "trust.count.open_findings.one": ("{n} open finding", "{n} 条待处理线索"),
    "trust.count.open_findings.other": ("{n} open findings", "{n} 条待处理线索"),
    "trust.chart.not_plotted": (
        "Not plotted, their idle share is unknown (no usage sent): {agencies}.",
        "未绘出（未报送使用数据，闲置比例未知）：{agencies}。",
    ),
    "trust.chart.all_assets_pooled": (
        "The diamond is the utilisation of all the category's assets pooled: their used hours ÷ their available hours.",
        "菱形为该类全部资产合并计算的利用率：使用时长之和 ÷ 可用时长之和。",
    ),
    "row.asset_id_not_yours": ("asset {value} is not an asset of your agency.", "资产 {value} 不是本单位的资产。"),
    "file.csv_stray_quote": (
        'The file {file} could not be read as CSV at line {line}, column {column}: the value {value} has a quote (") '
        'that does not close. Remove the quote, or put the whole value in quotes and double the quote inside it (""), '
        "then upload again.",
        '文件 {file} 第 {line} 行“{column}”列无法按 CSV 读取：值 {value} 中的引号（"）没有闭合。'
        '请删除该引号，或将整个值放在引号中并把其中的引号写成两个（""），然后重新上传。',
    ),
    "trust.upload.button": ("Choose a file", "选择文件"),
    "trust.upload.limit": ("Up to {limit_mb} MB per file", "每个文件不超过 {limit_mb} MB"),
    "trust.review.choose_status": ("Choose the new status first.", "请先选择新的状态。"),
    "trust.explore.not_your_agency": (
        "{agency} is not your agency: you see the figures of your own agency only.",
        "{agency} 不是本单位：您只能查看本单位的数据。",
    ),
    "trust.unit.hours": ("{hours} h", "{hours} 小时"),
    "trust.unit.unknown": ("unknown", "未知"),
}
