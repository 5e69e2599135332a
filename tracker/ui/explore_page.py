"""Explore: from an agency down to a purchase line, a device, and the device's daily usage.

The drill state lives in the URL (?agency=…&po=…&line=…&asset=…) so that a view can be shared;
a breadcrumb goes back up. Rows are chosen by clicking them (dataframe selection).
"""

from __future__ import annotations

import streamlit as st

from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.engine.snapshots import Snapshot
from tracker.text import formatting
from tracker.text.formatting import MISSING
from tracker.ui import charts
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
from tracker.views import explore, overview
from tracker.views.filters import Filters
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
    _breadcrumb(state)
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


def _breadcrumb(state: dict) -> None:
    parts = [(t("common.placeholder.all_agencies"), {})]
    if state["agency"]:
        parts.append((md(state["agency"]), {"agency": state["agency"]}))
    if state["po"]:
        label = t("explore.label.not_linked_purchase") if state["po"] == NO_LINE else md(f"{state['po']}/{state['line']}")
        parts.append((label, {k: state[k] for k in ("agency", "po", "line", "ocid")}))
    if state["asset"]:
        parts.append((md(state["asset"]), {}))
    cols = st.columns([1] * len(parts) + [max(1, 8 - len(parts))])
    for i, (label, target) in enumerate(parts):
        if i == len(parts) - 1:
            cols[i].markdown(f"**{label}**")
        else:
            cols[i].button(f"{label} ›", key=f"crumb_{i}", on_click=_go, kwargs=target)


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
    rows = table.to_pylist()
    shown = [
        {
            t("common.label.agency"): r["agency_code"],
            t("explore.column.name"): r.get("agency_name") or formatting.MISSING,
            t("common.column.spend_window"): r["spend"],
            t("common.column.assets"): r["assets"] or 0,
            t("common.kpi.utilisation"): None if r["utilisation"] is None else r["utilisation"] * 100,
            t("common.column.median_utilisation"): None if r["median_utilisation"] is None else r["median_utilisation"] * 100,
            t("explore.column.idle_capital"): r["idle_nbv"],
            t("explore.column.idle_share"): None if r["idle_share"] is None else r["idle_share"] * 100,
            t("common.column.findings"): r["findings"],
            t("common.column.value_stake"): r["value_at_stake"],
        }
        for r in rows
    ]
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="explore_agencies",
        height=_height(len(shown)),
        column_config=_money_percent_config(
            money_cols=(t("common.column.spend_window"), t("explore.column.idle_capital"), t("common.column.value_stake")),
            pct_cols=(t("common.kpi.utilisation"), t("common.column.median_utilisation"), t("explore.column.idle_share")),
            pinned=(t("common.label.agency"),),
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        _go(agency=rows[chosen]["agency_code"])
        st.rerun()


def _agency_level(src: Source, snap: Snapshot, filters: Filters, agency: str) -> None:
    table = explore.agency_lines(src, snap, filters, agency)
    st.subheader(t("explore.heading.purchase_lines", agency=md(agency)))
    if not table.num_rows:
        st.info(t("explore.note.agency_no_purchases_assets"))
        return
    st.caption(t("explore.caption.utilisation_assets_registered_against"))
    rows = table.to_pylist()
    shown = [
        {
            t("explore.column.order"): f"{r['po_number']}/{r['line_no']}" if r["po_number"] else t("explore.label.not_linked"),
            t("explore.column.item"): r.get("item_description") or formatting.MISSING,
            t("explore.column.ordered"): r.get("order_date"),
            t("explore.column.quantity"): r.get("quantity"),
            t("explore.column.registered"): r["assets"],
            t("common.kpi.utilisation"): None if r.get("utilisation") is None else r["utilisation"] * 100,
            t("explore.column.idle_units"): r["idle_units"],
            t("common.column.findings"): r["findings"],
            t("common.column.value_stake"): r["value_at_stake"],
            t("explore.column.amount"): r.get("amount"),
            t("common.label.category"): category_name(r.get("category")) if r.get("category") else formatting.MISSING,
            t("common.label.supplier"): r.get("supplier") or formatting.MISSING,
        }
        for r in rows
    ]
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="explore_lines",
        height=_height(len(shown)),
        column_config=_money_percent_config(
            money_cols=(t("explore.column.amount"), t("common.column.value_stake")),
            pct_cols=(t("common.kpi.utilisation"),),
            pinned=(t("explore.column.order"),),
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        r = rows[chosen]
        _go(agency=agency, po=r["po_number"] or NO_LINE, line=str(r["line_no"] or ""), ocid=r.get("ocid") or "")
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
    st.caption(t("explore.caption.click_device_see_daily"))
    rows = table.to_pylist()
    shown = [
        {
            t("common.column.asset"): r["asset_id"],
            t("common.label.category"): category_name(r["category"]),
            t("common.column.status"): named("asset_status", r["status"]) + (t("explore.label.standby") if r["standby"] else ""),
            t("explore.column.in_service"): r["in_service_date"],
            t("common.kpi.utilisation"): None if r["utilisation"] is None else r["utilisation"] * 100,
            t("common.kpi.last_used"): formatting.idle_words(r["days_idle"], r["last_used"], lang()),
            # what the usage rests on (docs/usage-sources.md): usage, signed_in, powered_on (an upper bound) or seen
            t("explore.column.evidence"): (named("evidence", r["evidence"]) if r.get("evidence") else "—")
            + (t("explore.label.upper_bound") if r.get("utilisation_upper_bound") else ""),
            t("explore.column.powered_on_hours"): r.get("powered_on_hours"),
            t("common.kpi.book_value"): r["net_book_value"],
            t("common.column.findings"): _rule_titles(r["rules"]),
        }
        for r in rows
    ]
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="explore_assets",
        height=_height(len(shown)),
        column_config=_money_percent_config(
            money_cols=(t("common.kpi.book_value"),), pct_cols=(t("common.kpi.utilisation"),), pinned=(t("common.column.asset"),)
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        _go(**{k: state[k] for k in ("agency", "po", "line", "ocid")}, asset=rows[chosen]["asset_id"])
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
    st.plotly_chart(
        charts.meter_readings(
            m.readings,
            m.daily_use,
            reading_label=t("meters.chart.reading"),
            use_label=t("meters.chart.use"),
            unit=m.unit[1 if zh else 0],
            lang=lang(),
        ),
        width="stretch",
        key="chart_meters",
    )
    st.caption(md(m.sentences[1 if zh else 0]))
    if m.life is not None:
        st.caption(md(m.life[1 if zh else 0]))


def _rule_titles(codes: str | None) -> str:
    if not codes:
        return ""
    return ", ".join(RULES_BY_CODE[c].title(lang()) for c in codes.split(", "))


def _height(rows: int) -> int:
    """Show up to 20 rows without an inner scroll bar; longer tables scroll."""
    return 38 + 35 * min(max(rows, 1), 20)


def _money_percent_config(*, money_cols=(), pct_cols=(), pinned=()) -> dict:
    """Money with thousands separators and the currency in the header; shares as percentages; ids pinned."""
    unit = currency()
    config = {}
    for name in money_cols:
        config[name] = st.column_config.NumberColumn(f"{name} ({unit})", format="localized")
    for name in pct_cols:
        config[name] = st.column_config.NumberColumn(format="%.1f %%")
    for name in pinned:
        config[name] = st.column_config.TextColumn(pinned=True)
    return config
