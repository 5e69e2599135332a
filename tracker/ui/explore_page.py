"""Explore: from an agency down to a purchase line, a device, and the device's daily usage.

The drill state lives in the URL (?agency=…&po=…&line=…&asset=…) so that a view can be shared;
a breadcrumb goes back up. Rows are chosen by clicking them (dataframe selection).
"""

from __future__ import annotations

import streamlit as st

from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.text import formatting
from tracker.ui import charts
from tracker.ui.common import (
    active_filters_caption,
    category_name,
    count,
    currency,
    data_status_banner,
    day,
    db,
    filters_sidebar,
    lang,
    md,
    money,
    share,
    tr,
)
from tracker.views import dashboard

LEVEL_KEYS = ("agency", "po", "line", "ocid", "asset")
NO_LINE = "-"  # the po value of "assets not linked to a purchase line"


def render() -> None:
    filters = filters_sidebar()
    st.title(tr("Explore", "钻取分析"))
    status = data_status_banner(filters)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    state = {key: st.query_params.get(key) for key in LEVEL_KEYS}
    _breadcrumb(state)
    if state["asset"] and state["agency"]:
        _asset_level(filters, state)
    elif state["po"] and state["agency"]:
        _line_level(filters, state)
    elif state["agency"]:
        _agency_level(filters, state["agency"])
    else:
        _top_level(filters)


def _go(**levels: str | None) -> None:
    """Move the drill-down: set the given levels, clear the deeper ones, keep the language."""
    for key in LEVEL_KEYS:
        if key in levels and levels[key] is not None:
            st.query_params[key] = levels[key]
        elif key in st.query_params:
            del st.query_params[key]


def _breadcrumb(state: dict) -> None:
    parts = [(tr("All agencies", "全部单位"), {})]
    if state["agency"]:
        parts.append((state["agency"], {"agency": state["agency"]}))
    if state["po"]:
        label = tr("Not linked to a purchase", "未关联采购") if state["po"] == NO_LINE else f"{state['po']}/{state['line']}"
        parts.append((label, {k: state[k] for k in ("agency", "po", "line", "ocid")}))
    if state["asset"]:
        parts.append((state["asset"], {}))
    cols = st.columns([1] * len(parts) + [max(1, 8 - len(parts))])
    for i, (label, target) in enumerate(parts):
        if i == len(parts) - 1:
            cols[i].markdown(f"**{label}**")
        else:
            cols[i].button(f"{label} ›", key=f"crumb_{i}", on_click=_go, kwargs=target)


def _selected_row(event) -> int | None:
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return rows[0] if rows else None


def _top_level(filters: dashboard.Filters) -> None:
    table = dashboard.agencies_compared(db(), filters)  # the drill-down's first level
    st.subheader(tr("Agencies", "单位"))
    if not table.num_rows:
        st.info(tr("Nothing matches the filters.", "没有符合筛选条件的数据。"))
        return
    st.caption(tr("Click a row to see the agency's purchase lines.", "点击一行查看该单位的采购明细。"))
    rows = table.to_pylist()
    shown = [
        {
            tr("Agency", "单位"): r["agency_code"],
            tr("Name", "名称"): r.get("agency_name") or formatting.MISSING,
            tr("Spend in window", "窗口内支出"): r["spend"],
            tr("Assets", "资产数"): r["assets"] or 0,
            tr("Utilisation", "利用率"): None if r["utilisation"] is None else r["utilisation"] * 100,
            tr("Median utilisation", "利用率中位数"): None if r["median_utilisation"] is None else r["median_utilisation"] * 100,
            tr("Idle capital", "闲置净值"): r["idle_nbv"],
            tr("Idle share", "闲置占比"): None if r["idle_share"] is None else r["idle_share"] * 100,
            tr("Findings", "问题线索"): r["findings"],
            tr("Value at stake", "涉及金额"): r["value_at_stake"],
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
            money_cols=(tr("Spend in window", "窗口内支出"), tr("Idle capital", "闲置净值"), tr("Value at stake", "涉及金额")),
            pct_cols=(tr("Utilisation", "利用率"), tr("Median utilisation", "利用率中位数"), tr("Idle share", "闲置占比")),
            pinned=(tr("Agency", "单位"),),
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        _go(agency=rows[chosen]["agency_code"])
        st.rerun()


def _agency_level(filters: dashboard.Filters, agency: str) -> None:
    table = dashboard.agency_lines(db(), filters, agency)
    st.subheader(tr(f"Purchase lines of {agency}", f"{agency} 的采购明细"))
    if not table.num_rows:
        st.info(tr("This agency has no purchases or assets matching the filters.", "该单位没有符合筛选条件的采购或资产。"))
        return
    st.caption(
        tr(
            "Utilisation is that of the assets registered against each line. Click a line to see its devices.",
            "利用率为各采购明细下已登记资产的利用率。点击一行查看其设备。",
        )
    )
    rows = table.to_pylist()
    shown = [
        {
            tr("Order", "采购单"): f"{r['po_number']}/{r['line_no']}" if r["po_number"] else tr("Not linked", "未关联采购"),
            tr("Item", "品目"): r.get("item_description") or formatting.MISSING,
            tr("Ordered", "下单日期"): r.get("order_date"),
            tr("Quantity", "数量"): r.get("quantity"),
            tr("Registered", "已登记"): r["assets"],
            tr("Utilisation", "利用率"): None if r.get("utilisation") is None else r["utilisation"] * 100,
            tr("Idle units", "闲置台数"): r["idle_units"],
            tr("Findings", "问题线索"): r["findings"],
            tr("Value at stake", "涉及金额"): r["value_at_stake"],
            tr("Amount", "金额"): r.get("amount"),
            tr("Category", "类别"): category_name(r.get("category")) if r.get("category") else formatting.MISSING,
            tr("Supplier", "供应商"): r.get("supplier") or formatting.MISSING,
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
            money_cols=(tr("Amount", "金额"), tr("Value at stake", "涉及金额")),
            pct_cols=(tr("Utilisation", "利用率"),),
            pinned=(tr("Order", "采购单"),),
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        r = rows[chosen]
        _go(agency=agency, po=r["po_number"] or NO_LINE, line=str(r["line_no"] or ""), ocid=r.get("ocid") or "")
        st.rerun()


def _line_level(filters: dashboard.Filters, state: dict) -> None:
    po = None if state["po"] == NO_LINE else state["po"]
    line_no = int(state["line"]) if po and state["line"] else None
    table = dashboard.line_assets(db(), filters, state["agency"], po, line_no, state["ocid"] if po else None)
    title = (
        tr(f"Devices of line {po}/{line_no}", f"采购明细 {po}/{line_no} 的设备")
        if po
        else tr(f"Devices of {state['agency']} not linked to a purchase line", f"{state['agency']} 未关联采购明细的设备")
    )
    st.subheader(title)
    if not table.num_rows:
        st.info(tr("No registered devices for this line.", "该采购明细下没有已登记的设备。"))
        return
    st.caption(tr("Click a device to see its daily usage.", "点击设备查看其每日使用情况。"))
    rows = table.to_pylist()
    shown = [
        {
            tr("Asset", "资产编号"): r["asset_id"],
            tr("Category", "类别"): category_name(r["category"]),
            tr("Status", "状态"): r["status"] + (tr(" (standby)", "（备用）") if r["standby"] else ""),
            tr("In service", "启用日期"): r["in_service_date"],
            tr("Utilisation", "利用率"): None if r["utilisation"] is None else r["utilisation"] * 100,
            tr("Last used", "最近使用"): formatting.idle_words(r["days_idle"], r["last_used"], lang()),
            # what the usage rests on (docs/usage-sources.md): usage, signed_in, powered_on (an upper bound) or seen
            tr("Evidence", "证据"): (r.get("evidence") or "—")
            + (tr(" (upper bound)", "（上限）") if r.get("utilisation_upper_bound") else ""),
            tr("Powered on (h)", "开机小时"): r.get("powered_on_hours"),
            tr("Book value", "账面净值"): r["net_book_value"],
            tr("Findings", "问题线索"): _rule_titles(r["rules"]),
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
            money_cols=(tr("Book value", "账面净值"),), pct_cols=(tr("Utilisation", "利用率"),), pinned=(tr("Asset", "资产编号"),)
        ),
    )
    chosen = _selected_row(event)
    if chosen is not None:
        _go(**{k: state[k] for k in ("agency", "po", "line", "ocid")}, asset=rows[chosen]["asset_id"])
        st.rerun()


def _asset_level(filters: dashboard.Filters, state: dict) -> None:
    detail = dashboard.asset_detail(db(), filters, state["asset"], agencies=(state["agency"],))
    if detail is None:
        st.warning(tr("This device is not in the register of that agency.", "该单位的资产登记中没有此设备。"))
        return
    f = detail.facts
    st.subheader(tr(f"Device {f['asset_id']}", f"设备 {f['asset_id']}") + f" · {category_name(f['category'])}")
    cols = st.columns(5)
    cols[0].metric(
        tr("Utilisation", "利用率"),
        share(f["utilisation"]),
        help=tr("Used hours ÷ available hours in the window.", "窗口内使用时长 ÷ 可用时长。"),
    )
    cols[1].metric(
        tr("Hours used", "使用时长"),
        f"{f['used_hours']:,.0f} h",
        delta=tr(f"of {f['available_hours'] or 0:,.0f} h available", f"可用 {f['available_hours'] or 0:,.0f} 小时"),
        delta_color="off",
        delta_arrow="off",
    )
    cols[2].metric(
        tr("Days with use", "使用天数"),
        count(f["active_days"]),
        delta=tr(f"{count(f['available_days'])} available days", f"可用 {count(f['available_days'])} 天"),
        delta_color="off",
        delta_arrow="off",
        help=tr(
            "Days with any use, weekends included; available days follow the category's calendar.",
            "有使用记录的天数（含周末）；可用天数按该类设备的日历计算。",
        ),
    )
    cols[3].metric(
        tr("Last used", "最近使用"),
        formatting.day(f["last_used"], "en"),
        delta=formatting.idle_words(f["days_idle"], f["last_used"], lang()),
        delta_color="off",
        delta_arrow="off",
    )
    cols[4].metric(
        tr("Book value", "账面净值"),
        money(f["net_book_value"]),
        help=tr("Purchase cost depreciated straight-line over the category's life.", "按类别使用年限直线折旧后的购置成本。"),
    )
    st.caption(
        " · ".join(
            [
                tr(f"Status: {f['status']}", f"状态：{f['status']}") + (tr(" (standby)", "（备用）") if f["standby"] else ""),
                tr(f"In service since {day(f['in_service_date'])}", f"{day(f['in_service_date'])} 起启用"),
                tr(
                    f"Purchase line {f['line_po_number']}/{f['line_line_no']}",
                    f"采购明细 {f['line_po_number']}/{f['line_line_no']}",
                )
                if f.get("line_po_number")
                else tr("Not linked to a purchase line", "未关联采购明细"),
                tr(f"Cost {money(f['purchase_cost'], short=False)}", f"购置成本 {money(f['purchase_cost'], short=False)}"),
            ]
        )
    )
    if not f["telemetry"]:
        st.info(
            tr(
                f"{f['agency_code']} sends no usage data for {category_name(f['category'])}: this device's "
                f"utilisation cannot be judged (a data gap, not proof that it is idle).",
                f"{f['agency_code']} 未报送{category_name(f['category'])}的使用数据：无法判断该设备的利用率（属于数据缺口，并非闲置的证据）。",
            )
        )
    st.plotly_chart(
        charts.daily_usage(
            detail.daily,
            used_label=tr("Hours used", "使用时长"),
            available_label=tr("Available hours", "可用时长"),
            axis_title=tr("Hours per day", "每日小时数"),
        ),
        width="stretch",
        key="chart_daily",
    )
    st.subheader(tr("Findings on this device", "该设备的问题线索"))
    if not detail.flags.num_rows:
        st.caption(tr("None: this device is not flagged in this window.", "无：该设备在此窗口内未被标记。"))
    zh = lang() == "zh"
    for flag in detail.flags.to_pylist():
        st.warning(
            f"**{flag['title_zh'] if zh else flag['title_en']}** · "
            f"{tr('value at stake', '涉及金额')} {md(money(flag['value_at_stake'], short=False))}\n\n"
            f"{md(flag['evidence_zh'] if zh else flag['evidence'])}"
        )


def _rule_titles(codes: str | None) -> str:
    if not codes:
        return ""
    zh = lang() == "zh"
    return ", ".join(RULES_BY_CODE[c].title_zh if zh else RULES_BY_CODE[c].title_en for c in codes.split(", "))


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
