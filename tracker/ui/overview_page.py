"""Overview for finance officers: where the equipment money went, and whether it is used."""

from __future__ import annotations

import streamlit as st

from tracker.engine.snapshots import Snapshot
from tracker.ui import charts
from tracker.ui.common import (
    active_filters_caption,
    category_name,
    count,
    data_status_banner,
    filters_sidebar,
    lang,
    md,
    money,
    money_exact,
    page_link,
    share,
    source,
    tr,
)
from tracker.views import overview
from tracker.views.filters import Filters
from tracker.views.source import Source


def render() -> None:
    filters = filters_sidebar()
    st.title(tr("Equipment spend and utilisation", "设备支出与使用情况"))
    src = source()
    snap = src.snapshot(filters)  # once per run: every section below reads this snapshot
    status = data_status_banner(filters, snap)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    with st.spinner(tr("Computing utilisation and findings…", "正在计算使用率和问题线索…")):
        figures = overview.kpis(src, snap, filters)
    if figures is None:
        return
    if figures.assets == 0 and figures.lines == 0:
        st.info(tr("Nothing matches the filters.", "没有符合筛选条件的数据。"))
        return
    _kpi_row(figures)
    left, right = st.columns(2)
    with left:
        _spend_chart(src, snap, filters)
    with right:
        _category_chart(src, snap, filters)
    _agency_chart(src, snap, filters, figures)
    _heatmap(src, snap, filters)
    _top_findings(snap, filters)


def _kpi_row(k: overview.Kpis) -> None:
    cols = st.columns(5)
    delta = None if k.spend_previous is None else money(k.spend - k.spend_previous)
    cols[0].metric(
        tr("Spend in window", "窗口内支出"),
        money(k.spend),
        delta=delta,
        delta_color="inverse",
        help=tr(
            f"Total of {count(k.lines)} purchase lines ordered in the window ({money_exact(k.spend)}); "
            f"the change is against the window of the same length before it.",
            f"窗口内下单的 {count(k.lines)} 条采购明细合计（{money_exact(k.spend)}）；变化为与前一个同长度窗口相比。",
        ),
    )
    cols[1].metric(
        tr("Assets", "资产数"),
        count(k.assets),
        help=tr(
            f"Registered assets; {count(k.assets_judged)} had available hours in the window.",
            f"已登记资产；其中 {count(k.assets_judged)} 台在窗口内有可用时长。",
        ),
    )
    cols[2].metric(
        tr("Median utilisation", "利用率中位数"),
        share(k.median_utilisation),
        help=tr(
            "Utilisation = used hours ÷ available hours (the category's standard hours on each "
            "working day the asset was in service). The median asset, not the average.",
            "利用率 = 使用时长 ÷ 可用时长（资产在用期间每个工作日的标准时长）。取中位数而非平均数。",
        ),
    )
    cols[3].metric(
        tr("Idle capital", "闲置资产净值"),
        money(k.idle_capital),
        delta=tr(f"{share(k.idle_share)} of book value", f"占净值 {share(k.idle_share)}"),
        delta_color="off",
        delta_arrow="off",
        help=tr(
            "Net book value of assets in service that are never used (past 60 days) or unused for 90 days.",
            "在用但从未使用（超过60天）或连续90天未使用资产的账面净值。",
        ),
    )
    cols[4].metric(
        tr("Value at stake, open findings", "待处理问题涉及金额"),
        money(k.value_at_stake_open),
        delta=tr(f"{count(k.open_findings)} findings", f"{count(k.open_findings)} 条线索"),
        delta_color="off",
        delta_arrow="off",
        help=tr(
            "Sum of the value at stake of the findings of the flag catalogue that are not yet reviewed.",
            "尚未复核的问题线索涉及金额之和。",
        ),
    )
    page_link("explore", tr("Drill down by agency →", "按单位钻取 →"))


def _spend_chart(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.monthly_spend(src, snap, filters)
    st.subheader(tr("Monthly spend", "月度采购支出"))
    if not table.num_rows:
        st.info(tr("No purchases match the filters.", "没有符合筛选条件的采购。"))
        return
    rows = table.to_pylist()
    ends = [r["spend"] for r in rows if r["fiscal_year_end"]]
    others = [r["spend"] for r in rows if not r["fiscal_year_end"]]
    if ends and others and sum(others) > 0:
        ratio = (sum(ends) / len(ends)) / (sum(others) / len(others))
        st.caption(
            tr(
                f"The last month of the fiscal year averages {ratio:.1f}× the other months.",
                f"财年最后一个月的平均支出是其他月份的 {ratio:.1f} 倍。",
            )
        )
    st.plotly_chart(
        charts.monthly_spend(
            table,
            spend_label=tr("Spend", "支出"),
            year_end_label=tr("Last month of the fiscal year", "财年最后一个月"),
            other_label=tr("Other months", "其他月份"),
            money=money,
            axis_title=tr("Spend", "支出"),
        ),
        width="stretch",
        key="chart_spend",
    )


def _category_chart(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.utilisation_by_category(src, snap, filters)
    st.subheader(tr("Utilisation by category", "各类设备使用率"))
    if not table.num_rows:
        st.info(tr("No assets with available hours match the filters.", "没有符合筛选条件且有可用时长的资产。"))
        return
    below = sum(1 for r in table.to_pylist() if r["p50"] is not None and r["p50"] < r["low_threshold"])
    st.caption(
        tr(
            f"Boxes: the middle half of assets; whiskers: 10th to 90th percentile. {below} categories have a "
            f"median below their low-use threshold.",
            f"箱体为中间一半资产，须线为第10至第90百分位。有 {below} 类设备的中位数低于其低使用率阈值。",
        )
    )
    st.plotly_chart(
        charts.utilisation_spread(
            table,
            names=category_name,
            axis_title=tr("Utilisation (used ÷ available hours)", "利用率（使用时长 ÷ 可用时长）"),
            threshold_label=tr("Low-use threshold", "低使用率阈值"),
            pooled_label=tr("All assets pooled", "整体利用率"),
            assets_label=tr("Assets", "资产数"),
        ),
        width="stretch",
        key="chart_categories",
    )


def _agency_chart(src: Source, snap: Snapshot, filters: Filters, k: overview.Kpis) -> None:
    table = overview.agencies_compared(src, snap, filters)
    st.subheader(tr("Agencies: spend against idle capital", "各单位：支出与闲置资产"))
    st.caption(
        tr(
            "Each circle is an agency; its size is the value at stake in open findings. The dashed line is the "
            "share for all agencies shown.",
            "每个圆代表一个单位，大小表示待处理问题涉及金额。虚线为所示全部单位的整体闲置比例。",
        )
    )
    st.plotly_chart(
        charts.agencies_scatter(
            table,
            overall_idle_share=k.idle_share,
            x_title=tr("Spend in window", "窗口内支出"),
            y_title=tr("Idle share of book value", "闲置净值占比"),
            size_label=tr("Value at stake", "涉及金额"),
            overall_label=tr("All agencies", "全部单位"),
            money=money,
        ),
        width="stretch",
        key="chart_agencies",
    )


def _heatmap(src: Source, snap: Snapshot, filters: Filters) -> None:
    table, agencies = overview.heatmap(src, snap, filters)
    st.subheader(tr("Utilisation by agency and category", "各单位各类设备使用率"))
    if not table.num_rows:
        st.info(tr("No assets match the filters.", "没有符合筛选条件的资产。"))
        return
    shown = len(set(table.column("agency_code").to_pylist()))
    if agencies > shown:
        st.caption(
            tr(
                f"The {shown} agencies with the largest equipment spend, of {agencies}. Narrow the filters to see others.",
                f"显示设备购置额最大的 {shown} 个单位（共 {agencies} 个）。可通过筛选查看其他单位。",
            )
        )
    st.plotly_chart(
        charts.heatmap(
            table,
            names=category_name,
            agency_title=tr("Agency", "单位"),
            category_title=tr("Category", "类别"),
            value_title=tr("Utilisation", "利用率"),
        ),
        width="stretch",
        key="chart_heatmap",
    )


def _top_findings(snap: Snapshot, filters: Filters) -> None:
    table = overview.top_findings(snap, filters)
    st.subheader(tr("Largest findings", "涉及金额最大的问题线索"))
    st.caption(tr("A finding is a risk signal to review, not a verdict.", "问题线索是需要复核的风险信号，不是结论。"))
    if not table.num_rows:
        st.info(tr("No findings for these filters.", "当前筛选条件下没有问题线索。"))
        return
    zh = lang() == "zh"
    for r in table.to_pylist():
        subject = r["asset_id"] or (
            f"{r['po_number']}/{r['line_no']}"
            if r["po_number"]
            else category_name(r["category"])
            if r["category"]
            else str(r["fiscal_year"] or "")
        )
        with st.container(border=True):
            st.markdown(
                f"**{r['title_zh'] if zh else r['title_en']}** · {md(r['agency_code'])} · {md(subject)} · "
                f"{tr('value at stake', '涉及金额')} **{md(money(r['value_at_stake'], short=False))}**"
            )
            st.caption(md(r["evidence_zh"] if zh else r["evidence"]))
