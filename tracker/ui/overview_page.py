"""Overview for finance officers: where the equipment money went, and whether it is used."""

from __future__ import annotations

import streamlit as st

from tracker.engine.metrics import Window
from tracker.engine.snapshots import Snapshot
from tracker.reallocation.savings import Savings
from tracker.text.formatting import currency_prefix
from tracker.ui import charts
from tracker.ui.common import (
    active_filters_caption,
    category_name,
    count,
    counted,
    currency,
    data_status_banner,
    filters_sidebar,
    lang,
    md,
    money,
    money_compact,
    money_exact,
    page_link,
    share,
    source,
    t,
)
from tracker.views import overview
from tracker.views.filters import Filters
from tracker.views.reallocation import reallocation_view
from tracker.views.source import Source


def render() -> None:
    filters = filters_sidebar()
    st.title(t("overview.title.equipment_spend_utilisation"))
    src = source()
    snap = src.snapshot(filters)  # once per run: every section below reads this snapshot
    status = data_status_banner(filters, snap)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    with st.spinner(t("overview.note.computing_utilisation_findings")):
        figures = overview.kpis(src, snap, filters)
    if figures is None:
        return
    if figures.assets == 0 and figures.lines == 0:
        st.info(t("common.note.nothing_matches_filters"))
        return
    _kpi_row(figures, snap.window, reallocation_view(src, snap, filters, lang()).savings)
    left, right = st.columns(2)
    with left:
        _spend_chart(src, snap, filters)
    with right:
        _category_chart(src, snap, filters)
    _agency_chart(src, snap, filters, figures)
    _heatmap(src, snap, filters)
    _top_findings(src, snap, filters)


def _kpi_row(k: overview.Kpis, window: Window, saved: Savings) -> None:
    """Six tiles in two rows of three, so that labels and notes fit at 1280 px; the exact value in each tile's help."""
    cols = st.columns(3) + st.columns(3)
    change = None if k.spend_previous is None else k.spend - k.spend_previous
    cols[0].metric(
        t("common.column.spend_window"),
        money_compact(k.spend),
        delta=None if change is None else (money_compact(abs(change)) if change else t("trust.kpi.no_change")),
        delta_color="off",
        delta_arrow="off" if not change else ("up" if change > 0 else "down"),
        help=t("overview.help.total_purchase_lines_ordered", lines=count(k.lines), spend=money_exact(k.spend)),
    )
    if change is not None:  # a caption wraps where a tile's delta line would be cut off
        cols[0].caption(t("trust.kpi.vs_previous_window", days=count(window.window_days)))
    cols[1].metric(
        t("common.column.assets"),
        count(k.assets),
        help=t("overview.help.registered_assets_had_available", assets_judged=count(k.assets_judged)),
    )
    cols[2].metric(
        t("common.column.median_utilisation"),
        share(k.median_utilisation),
        help=t("overview.help.utilisation_used_hours_available"),
    )
    unknown = counted("trust.kpi.unknown_for", len(k.idle_unknown_agencies)) if k.idle_unknown_agencies else None
    idle_help = t("trust.help.idle_capital", grace_days=count(window.never_used_min_days), idle_days=count(window.idle_days))
    if k.idle_capital is not None:
        idle_help += " " + t("trust.help.exact", value=money_exact(k.idle_capital))
    if unknown:
        idle_help += " " + t("trust.help.idle_unknown", agencies=md(", ".join(k.idle_unknown_agencies)))
    cols[3].metric(
        t("overview.kpi.idle_capital"),
        money_compact(k.idle_capital),
        delta=None if k.idle_capital is None else t("overview.kpi.book_value", idle_share=share(k.idle_share)),
        delta_color="off",
        delta_arrow="off",
        help=idle_help,
    )
    if unknown:
        cols[3].caption(unknown)
    cols[4].metric(
        t("trust.kpi.value_at_stake"),
        money_compact(k.value_at_stake_open),
        delta=counted("trust.kpi.in_open_findings", k.open_findings),
        delta_color="off",
        delta_arrow="off",
        help=t("trust.help.value_at_stake") + " " + t("trust.help.exact", value=money_exact(k.value_at_stake_open)),
    )
    done = saved.realised  # the reallocation tile: realised first, proposed beside it (exact figures in its help)
    unknown = done.purchases_avoided_unknown + saved.purchases_avoided_unknown
    cols[5].metric(
        t("overview.kpi.purchases_avoidable"),
        money_compact(done.purchases_avoided_known),
        delta=t(
            "overview.kpi.proposed",
            proposed=money_compact(saved.purchases_avoided_known),
        ),
        delta_color="off",
        delta_arrow="off",
        help=t(
            "overview.help.purchases_avoidable",
            realised=money_exact(done.purchases_avoided_known),
            units=count(done.units_for_requests),
            met=count(done.requests_met),
            partly=count(done.requests_partly_met),
            book=money_exact(done.book_value),
            cost=money_exact(done.cost),
            devices=count(done.devices),
            proposed=money_exact(saved.purchases_avoided_known),
            covered=count(saved.units_covered),
            requested=count(saved.units_requested),
            proposed_met=count(saved.requests_met),
            requests=count(saved.requests),
            unknown=count(unknown),
        ),
    )
    cols[5].caption(t("overview.kpi.requests_from_pool", met=count(saved.requests_met), requests=count(saved.requests)))
    page_link("explore", t("overview.link.drill_down_agency"))


def _spend_chart(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.monthly_spend(src, snap, filters)
    st.subheader(t("overview.heading.monthly_spend"))
    if not table.num_rows:
        st.info(t("overview.note.no_purchases_match_filters"))
        return
    rows = table.to_pylist()
    ends = [r["spend"] for r in rows if r["fiscal_year_end"]]
    others = [r["spend"] for r in rows if not r["fiscal_year_end"]]
    if ends and others and sum(others) > 0:
        ratio = (sum(ends) / len(ends)) / (sum(others) / len(others))
        st.caption(t("overview.caption.last_month_fiscal_year", ratio=ratio))
    st.plotly_chart(
        charts.monthly_spend(
            table,
            spend_label=t("overview.label.spend"),
            year_end_label=t("overview.label.last_month_fiscal_year"),
            other_label=t("overview.label.other_months"),
            money=money,
            axis_title=t("overview.label.spend"),
            money_prefix=currency_prefix(currency()),
            lines_text=lambda n: counted("trust.count.purchase_lines", n),
        ),
        width="stretch",
        key="chart_spend",
    )


def _category_chart(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.utilisation_by_category(src, snap, filters)
    st.subheader(t("overview.heading.utilisation_category"))
    if not table.num_rows:
        st.info(t("overview.note.no_assets_available_hours"))
        return
    below = sum(1 for r in table.to_pylist() if r["p50"] is not None and r["p50"] < r["low_threshold"])
    st.caption(t("overview.caption.boxes_middle_half_assets", below=below) + " " + t("trust.chart.all_assets_pooled"))
    st.plotly_chart(
        charts.utilisation_spread(
            table,
            names=category_name,
            axis_title=t("overview.label.utilisation_used_available_hours"),
            threshold_label=t("overview.label.low_use_threshold"),
            pooled_label=t("overview.label.all_assets_pooled"),
            assets_label=t("common.column.assets"),
            median_label=t("trust.chart.median_asset"),
            middle_label=t("trust.chart.middle_half"),
            spread_label=t("trust.chart.p10_p90"),
        ),
        width="stretch",
        key="chart_categories",
    )


def _agency_chart(src: Source, snap: Snapshot, filters: Filters, k: overview.Kpis) -> None:
    table = overview.agencies_compared(src, snap, filters)
    st.subheader(t("overview.heading.agencies_spend_against_idle"))
    st.caption(t("overview.caption.each_circle_agency_size"))
    unknown = [r["agency_code"] for r in table.to_pylist() if r["idle_share"] is None and r["assets"]]
    if not any(r["idle_share"] is not None for r in table.to_pylist()):
        st.info(
            t("common.note.nothing_matches_filters")
            if not unknown
            else t("trust.chart.not_plotted", agencies=md(", ".join(unknown)))
        )
        return
    if unknown:
        st.caption(t("trust.chart.not_plotted", agencies=md(", ".join(unknown))))
    st.plotly_chart(
        charts.agencies_scatter(
            table,
            overall_idle_share=k.idle_share,
            x_title=t("common.column.spend_window"),
            y_title=t("overview.label.idle_share_book_value"),
            size_label=t("common.column.value_stake"),
            overall_label=t("common.placeholder.all_agencies"),
            money=money,
            money_prefix=currency_prefix(currency()),
            findings_text=lambda n: counted("trust.count.open_findings", n),
        ),
        width="stretch",
        key="chart_agencies",
    )


def _heatmap(src: Source, snap: Snapshot, filters: Filters) -> None:
    table, agencies = overview.heatmap(src, snap, filters)
    st.subheader(t("overview.heading.utilisation_agency_category"))
    if not table.num_rows:
        st.info(t("overview.note.no_assets_match_filters"))
        return
    unknown = overview.heatmap_all_unknown(table)
    if unknown:
        st.info(t("overview.note.utilisation_unknown", agencies=md(", ".join(unknown))))
        return
    shown = len(set(table.column("agency_code").to_pylist()))
    if agencies > shown:
        st.caption(t("overview.caption.agencies_largest_equipment_spend", shown=shown, agencies=agencies))
    st.plotly_chart(
        charts.heatmap(
            table,
            names=category_name,
            agency_title=t("common.label.agency"),
            category_title=t("common.label.category"),
            value_title=t("common.kpi.utilisation"),
            assets_label=t("common.column.assets"),
        ),
        width="stretch",
        key="chart_heatmap",
    )


def _top_findings(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.top_findings(src, snap, filters)
    st.subheader(t("overview.heading.largest_findings"))
    st.caption(t("overview.caption.finding_risk_signal_review"))
    if not table.num_rows:
        st.info(t("overview.note.no_findings_these_filters"))
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
                f"{t('common.label.value_at_stake')} **{md(money(r['value_at_stake'], short=False))}**"
            )
            st.caption(md(r["evidence_zh"] if zh else r["evidence"]))
