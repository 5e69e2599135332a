"""Explore: from an agency down to a purchase line, a device, and the device's daily usage.

The drill state lives in the URL (?agency=…&po=…&line=…&asset=…) so that a view can be shared;
a breadcrumb goes back up. Rows are chosen by clicking them (dataframe selection).
"""

from __future__ import annotations

import streamlit as st

from tracker.engine.snapshots import Snapshot
from tracker.text import formatting
from tracker.text.formatting import MISSING
from tracker.ui import charts
from tracker.ui import tables as tables_ui
from tracker.ui.common import (
    active_filters_caption,
    category_name,
    count,
    currency,
    data_status_banner,
    day,
    filters_sidebar,
    lang,
    md,
    money,
    named,
    share,
    source,
    t,
)
from tracker.views import explore, overview, tables
from tracker.views.filters import Filters, agencies_in_view_label
from tracker.views.source import Source

LEVEL_KEYS = ("agency", "po", "line", "ocid", "asset")
NO_LINE = "-"  # the po value of "assets not linked to a purchase line"


def render() -> None:
    filters = filters_sidebar()
    st.title(t("explore.title.explore"))
    src = source()
    snap = src.snapshot(filters)  # once per run: every level reads this snapshot
    status = data_status_banner(filters, snap)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    state = {key: st.query_params.get(key) for key in LEVEL_KEYS}
    if filters.scope_agency is not None and state["agency"] and state["agency"] != filters.scope_agency:
        # said of any other code, existing or not: an address must not tell which agencies exist
        st.warning(t("trust.explore.not_your_agency", agency=md(state["agency"])))
        _go()
        state = dict.fromkeys(LEVEL_KEYS)
    _breadcrumb(state, filters)
    if state["asset"] and state["agency"]:
        _asset_level(src, snap, filters, state)
    elif state["po"] and state["agency"]:
        _line_level(snap, filters, state)
    elif state["agency"]:
        _agency_level(src, snap, filters, state["agency"])
    else:
        _top_level(src, snap, filters)


def _go(**levels: str | None) -> None:
    """Move the drill-down: set the given levels, clear the deeper ones, keep the language."""
    for key in LEVEL_KEYS:
        if key in levels and levels[key] is not None:
            st.query_params[key] = levels[key]
        elif key in st.query_params:
            del st.query_params[key]


def _breadcrumb(state: dict, filters: Filters) -> None:
    parts = [(agencies_in_view_label(filters, lang(), md), {})]
    if state["agency"]:
        parts.append((md(state["agency"]), {"agency": state["agency"]}))
    if state["po"]:
        label = t("explore.label.not_linked_purchase") if state["po"] == NO_LINE else md(f"{state['po']}/{state['line']}")
        parts.append((label, {k: state[k] for k in ("agency", "po", "line", "ocid")}))
    if state["asset"]:
        parts.append((md(state["asset"]), {}))
    row = st.container(horizontal=True, vertical_alignment="center")  # each part as wide as its text: none is cut
    for i, (label, target) in enumerate(parts):
        if i == len(parts) - 1:
            row.markdown(f"**{label}**", width="content")
        else:
            row.button(f"{label} ›", key=f"crumb_{i}", on_click=_go, kwargs=target)


def _selected_row(event) -> int | None:
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return rows[0] if rows else None


def _top_level(src: Source, snap: Snapshot, filters: Filters) -> None:
    table = overview.agencies_compared(src, snap, filters)  # the drill-down's first level
    st.subheader(t("explore.heading.agencies"))
    if not table.num_rows:
        st.info(t("common.note.nothing_matches_filters"))
        return
    st.caption(t("explore.caption.click_row_see_agency"))
    view = tables.agencies(table, lang(), currency())
    event = tables_ui.show(view, lang(), key="explore_agencies", height=_height(len(view.rows)), selectable=True)
    chosen = _selected_row(event)
    if chosen is not None:
        _go(**view.keys[chosen])
        st.rerun()


def _agency_level(src: Source, snap: Snapshot, filters: Filters, agency: str) -> None:
    table = explore.agency_lines(src, snap, filters, agency)
    st.subheader(t("explore.heading.purchase_lines", agency=md(agency)))
    if not table.num_rows:
        st.info(t("explore.note.agency_no_purchases_assets"))
        return
    st.caption(t("explore.caption.utilisation_assets_registered_against"))
    view = tables.purchase_lines(table, lang(), currency())
    event = tables_ui.show(view, lang(), key="explore_lines", height=_height(len(view.rows)), selectable=True)
    chosen = _selected_row(event)
    if chosen is not None:
        k = view.keys[chosen]
        _go(agency=agency, po=k["po"] or NO_LINE, line=str(k["line"] or ""), ocid=k["ocid"] or "")
        st.rerun()


def _line_level(snap: Snapshot, filters: Filters, state: dict) -> None:
    po = None if state["po"] == NO_LINE else state["po"]
    line_no = int(state["line"]) if po and state["line"] else None
    table = explore.line_assets(snap, filters, state["agency"], po, line_no, state["ocid"] if po else None)
    title = (
        t("explore.label.devices_line", po=md(po), line_no=line_no)
        if po
        else t("explore.label.devices_not_linked_purchase", agency=md(state["agency"]))
    )
    st.subheader(title)
    if not table.num_rows:
        st.info(t("explore.note.no_registered_devices_line"))
        return
    summary = explore.line_summary(snap, table, po, line_no, lang()) if po else None
    if summary:
        st.markdown(md(summary))
    st.caption(t("explore.caption.click_device_see_daily"))
    view = tables.devices(table, lang(), currency())
    event = tables_ui.show(view, lang(), key="explore_assets", height=_height(len(view.rows)), selectable=True)
    chosen = _selected_row(event)
    if chosen is not None:
        _go(**{k: state[k] for k in ("agency", "po", "line", "ocid")}, **view.keys[chosen])
        st.rerun()


def _asset_level(src: Source, snap: Snapshot, filters: Filters, state: dict) -> None:
    detail = explore.asset_detail(src, snap, filters, state["asset"], agencies=(state["agency"],))
    if detail is None:
        st.warning(t("explore.warning.device_not_register_agency"))
        return
    f = detail.facts
    st.subheader(t("explore.heading.device", asset_id=md(f["asset_id"])) + f" · {md(category_name(f['category']))}")
    cols = st.columns(5)
    cols[0].metric(
        t("common.kpi.utilisation"),
        share(f["utilisation"]),
        help=t("explore.help.used_hours_available_hours"),
    )
    known = bool(f["telemetry"])  # no usage sent for the agency's category: use is unknown, not nil
    cols[1].metric(
        t("common.kpi.hours_used"),
        t("trust.unit.hours", hours=formatting.number(f["used_hours"])) if known and f["used_hours"] is not None else MISSING,
        delta=t("explore.kpi.of_hours_available", hours=f["available_hours"] or 0),
        delta_color="off",
        delta_arrow="off",
    )
    cols[2].metric(
        t("explore.kpi.days_use"),
        count(f["active_days"]) if known else MISSING,
        delta=t("explore.kpi.available_days", available_days=count(f["available_days"])),
        delta_color="off",
        delta_arrow="off",
        help=t("explore.help.days_any_use_weekends"),
    )
    cols[3].metric(
        t("common.kpi.last_used"),
        formatting.day(f["last_used"], "en") if known else MISSING,
        delta=formatting.idle_words(f["days_idle"], f["last_used"], lang()) if known else t("trust.unit.unknown"),
        delta_color="off",
        delta_arrow="off",
    )
    cols[4].metric(
        t("common.kpi.book_value"),
        money(f["net_book_value"]),
        help=t("explore.help.purchase_cost_depreciated_straight"),
    )
    st.caption(
        " · ".join(
            [
                t("explore.label.status", status=named("asset_status", f["status"]))
                + (t("explore.label.standby") if f["standby"] else ""),
                t("explore.label.service_since", in_service_date=day(f["in_service_date"])),
                t("explore.label.purchase_line", line_po_number=md(f["line_po_number"]), line_line_no=f["line_line_no"])
                if f.get("line_po_number")
                else t("explore.label.not_linked_purchase_line"),
                t("explore.label.cost", purchase_cost=money(f["purchase_cost"], short=False)),
            ]
        )
    )
    if not f["telemetry"]:
        st.info(t("explore.note.sends_no_usage_data", agency_code=md(f["agency_code"]), category=category_name(f["category"])))
    st.plotly_chart(
        charts.daily_usage(
            detail.daily,
            used_label=t("common.kpi.hours_used"),
            available_label=t("common.label.available_hours"),
            axis_title=t("common.label.hours_per_day"),
            hours_unit=t("trust.chart.hours"),
            lang=lang(),
        ),
        width="stretch",
        key="chart_daily",
    )
    _meters(detail)
    st.subheader(t("explore.heading.findings_device"))
    if not detail.flags.num_rows:
        st.caption(t("explore.caption.none_device_not_flagged"))
    zh = lang() == "zh"
    for flag in detail.flags.to_pylist():
        st.warning(
            f"**{flag['title_zh'] if zh else flag['title_en']}** · "
            f"{t('common.label.value_at_stake')} {md(money(flag['value_at_stake'], short=False))}\n\n"
            f"{md(flag['evidence_zh'] if zh else flag['evidence'])}"
        )


def _meters(detail: explore.AssetDetail) -> None:
    """The counter readings of a metered device and the use derived from them (docs/meters.md)."""
    m = detail.meters
    if m is None:
        return
    zh = lang() == "zh"
    st.subheader(t("meters.chart.title"))
    st.plotly_chart(charts.device_meters(m, lang()), width="stretch", key="chart_meters")
    st.caption(md(m.sentences[1 if zh else 0]))
    if m.life is not None:
        st.caption(md(m.life[1 if zh else 0]))


def _height(rows: int) -> int:
    """Show up to 20 rows without an inner scroll bar; longer tables scroll."""
    return 38 + 35 * min(max(rows, 1), 20)
