"""Findings for auditors: the ranked list, one finding's evidence, its review, and the evidence pack."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from tracker.casework.evidence import build_pack
from tracker.casework.review import STATUSES, flag_finding_key, review, review_history
from tracker.engine.parameters import load_rule_parameters
from tracker.engine.rules.catalogue import RULES, RULES_BY_CODE, resolve_parameters
from tracker.engine.rules.model import SEVERITIES
from tracker.text import formatting
from tracker.text.errors import TrackerError
from tracker.ui import charts
from tracker.ui.common import (
    active_filters_caption,
    can,
    category_name,
    data_status_banner,
    db,
    filters_sidebar,
    fixed_language,
    lang,
    md,
    money,
    share,
    tr,
    user,
)
from tracker.views import dashboard
from tracker.views.dashboard import FindingFilters

STATUS_NAMES = {
    "open": ("Open", "待复核"),
    "confirmed": ("Confirmed", "已确认"),
    "dismissed": ("Dismissed", "已驳回"),
    "resolved": ("Resolved", "已整改"),
}
SEVERITY_NAMES = {"high": ("High", "高"), "medium": ("Medium", "中"), "low": ("Low", "低"), "info": ("Info", "提示")}


def _name(table: dict, key: str, language: str | None = None) -> str:
    en, zh = table.get(key, (key, key))
    return zh if (language or lang()) == "zh" else en


def _rule_title(code: str, language: str | None = None) -> str:
    rule = RULES_BY_CODE[code]
    return rule.title_zh if (language or lang()) == "zh" else rule.title_en


def render() -> None:
    filters = filters_sidebar()
    st.title(tr("Findings", "问题线索"))
    status = data_status_banner(filters)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    st.caption(
        tr(
            "Each finding is a risk signal to review, not a verdict. Rules and their thresholds are defined below.",
            "每条线索都是需要复核的风险信号，不是结论。规则及其阈值见页面下方。",
        )
    )
    cols = st.columns(3)
    narrowing = FindingFilters(
        rules=tuple(
            cols[0].multiselect(
                tr("Rule", "规则"),
                [r.code for r in RULES],
                key="ff_rules",
                format_func=fixed_language(_rule_title),
                placeholder=tr("All rules", "全部规则"),
            )
        ),
        severities=tuple(
            cols[1].multiselect(
                tr("Severity", "严重程度"),
                SEVERITIES,
                key="ff_severities",
                format_func=fixed_language(lambda s, language: _name(SEVERITY_NAMES, s, language)),
                placeholder=tr("All severities", "全部"),
            )
        ),
        statuses=tuple(
            cols[2].multiselect(
                tr("Review status", "复核状态"),
                STATUSES,
                key="ff_statuses",
                format_func=fixed_language(lambda s, language: _name(STATUS_NAMES, s, language)),
                placeholder=tr("All statuses", "全部状态"),
            )
        ),
    )
    database = db()
    table = dashboard.findings(database, filters, narrowing)
    total = sum(v or 0 for v in table.column("value_at_stake").to_pylist())
    st.markdown(
        tr(
            f"**{table.num_rows:,} findings** · value at stake **{money(total)}**",
            f"**{table.num_rows:,} 条线索** · 涉及金额 **{money(total)}**",
        )
    )
    if not table.num_rows:
        st.info(tr("No findings match the filters.", "没有符合筛选条件的问题线索。"))
        _rules_panel()
        return
    rows = table.to_pylist()
    zh = lang() == "zh"
    shown = [
        {
            tr("Rule", "规则"): _rule_title(r["rule"]),
            tr("Severity", "严重程度"): _name(SEVERITY_NAMES, r["severity"]),
            tr("Agency", "单位"): r["agency_code"],
            tr("Subject", "对象"): _subject(r),
            tr("Value at stake", "涉及金额"): r["value_at_stake"],
            tr("Review", "复核"): _name(STATUS_NAMES, r["review_status"]) + (" ↺" if r["reopened_because"] else ""),
            tr("Evidence", "依据"): r["evidence_zh"] if zh else r["evidence"],
        }
        for r in rows
    ]
    unit = formatting.currency_prefix(dashboard.snapshot(database, filters).currency).strip()
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="flags_table",
        height=38 + 35 * min(len(shown), 15),
        column_config={
            tr("Value at stake", "涉及金额"): st.column_config.NumberColumn(
                f"{tr('Value at stake', '涉及金额')} ({unit})", format="localized"
            ),
            tr("Evidence", "依据"): st.column_config.TextColumn(width="large"),
        },
    )
    if can("export"):
        _exports(table, filters, narrowing)
    selected = (getattr(getattr(event, "selection", None), "rows", None) or [None])[0]
    if selected is not None:
        st.session_state["flag_selected"] = rows[selected]["flag_id"]
    chosen = next((r for r in rows if r["flag_id"] == st.session_state.get("flag_selected")), None)
    if chosen is None:
        st.caption(tr("Click a finding to see its evidence and review it.", "点击一条线索查看依据并进行复核。"))
    else:
        _finding_detail(chosen, filters)
    _rules_panel()


def _subject(r: dict) -> str:
    if r["asset_id"]:
        return r["asset_id"]
    if r["po_number"]:
        return f"{r['po_number']}/{r['line_no']}"
    if r["subject"] == "agency_category":
        return category_name(r["category"])
    return tr(f"fiscal year {r['fiscal_year']}", f"{r['fiscal_year']} 财年")


def _finding_detail(flag: dict, filters: dashboard.Filters) -> None:
    zh = lang() == "zh"
    st.subheader(f"{_rule_title(flag['rule'])} · {flag['agency_code']} · {_subject(flag)}")
    rule = RULES_BY_CODE[flag["rule"]]
    st.markdown(md(flag["evidence_zh"] if zh else flag["evidence"]))
    st.caption(tr("Criterion: ", "判断依据：") + (rule.rationale_zh if zh else rule.rationale_en))
    if flag["reopened_because"]:
        st.warning(flag["reopened_because_zh"] if zh else flag["reopened_because"])
    left, right = st.columns([3, 2])
    with left:
        if flag["asset_id"]:
            detail = dashboard.asset_detail(db(), filters, flag["asset_id"], agencies=(flag["agency_code"],))
            if detail is not None:
                st.plotly_chart(
                    charts.daily_usage(
                        detail.daily,
                        used_label=tr("Hours used", "使用时长"),
                        available_label=tr("Available hours", "可用时长"),
                        axis_title=tr("Hours per day", "每日小时数"),
                    ),
                    width="stretch",
                    key="flag_usage",
                )
        elif flag["po_number"]:
            devices = dashboard.line_assets(db(), filters, flag["agency_code"], flag["po_number"], flag["line_no"], flag["ocid"])
            st.markdown(
                tr(
                    f"**Devices registered against line {flag['po_number']}/{flag['line_no']}**",
                    f"**采购明细 {flag['po_number']}/{flag['line_no']} 下登记的设备**",
                )
            )
            st.dataframe(
                [
                    {
                        tr("Asset", "资产编号"): d["asset_id"],
                        tr("Status", "状态"): d["status"],
                        tr("Utilisation", "利用率"): share(d["utilisation"]),
                        tr("Last used", "最近使用"): formatting.idle_words(d["days_idle"], d["last_used"], lang()),
                        tr("Book value", "账面净值"): money(d["net_book_value"], short=False),
                    }
                    for d in devices.to_pylist()
                ],
                hide_index=True,
                width="stretch",
                key="flag_devices",
            )
    with right:
        if can("review"):
            _review_form(flag)
        else:
            st.caption(
                tr(
                    f"Review: {_name(STATUS_NAMES, flag['review_status'])} (auditors record reviews)",
                    f"复核：{_name(STATUS_NAMES, flag['review_status'])}（由审计人员复核）",
                )
            )


def _review_form(flag: dict) -> None:
    st.markdown(tr("**Review**", "**复核**"))
    st.caption(
        tr(f"Now: {_name(STATUS_NAMES, flag['review_status'])}", f"当前：{_name(STATUS_NAMES, flag['review_status'])}")
        + (f" · {flag['reviewed_by']} · {flag['reviewed_at']:%Y-%m-%d %H:%M}" if flag["reviewed_by"] else "")
    )
    with st.form(key=f"review_{flag['flag_id']}", clear_on_submit=True):
        choices = [s for s in STATUSES if s != flag["review_status"]] or list(STATUSES)
        status = st.radio(
            tr("New status", "新状态"),
            choices,
            format_func=fixed_language(lambda s, language: _name(STATUS_NAMES, s, language)),
            horizontal=True,
            key="review_status_choice",
        )
        reason = st.text_input(tr("Reason (required to dismiss)", "理由（驳回时必填）"), key="review_reason")
        note = st.text_area(tr("Note", "说明"), key="review_note", height=80)
        if st.form_submit_button(tr("Record review", "提交复核")):
            try:
                review(db(), flag, status, user(), reason=reason, note=note)
            except TrackerError as error:
                st.error(error.text(lang()))
            else:
                st.success(tr(f"Recorded: {_name(STATUS_NAMES, status)}.", f"已记录：{_name(STATUS_NAMES, status)}。"))
                st.rerun()
    history = review_history(db(), flag_finding_key(flag))
    if history:
        st.markdown(tr("**History**", "**复核记录**"))
        st.dataframe(
            [
                {
                    tr("When", "时间"): h.reviewed_at.strftime("%Y-%m-%d %H:%M"),
                    tr("Who", "复核人"): h.reviewed_by,
                    tr("Status", "状态"): _name(STATUS_NAMES, h.status),
                    tr("Reason", "理由"): h.reason or "",
                    tr("Note", "说明"): h.note or "",
                }
                for h in history
            ],
            hide_index=True,
            width="stretch",
            key="flag_history",
        )


def _exports(table, filters: dashboard.Filters, narrowing: FindingFilters) -> None:
    """The evidence pack of exactly the findings on screen, as XLSX or a ZIP of CSV files."""
    snap = dashboard.snapshot(db(), filters)
    if snap is None:
        return
    active = dict(filters.active) | {
        k: v
        for k, v in (("rules", narrowing.rules), ("severities", narrowing.severities), ("review_statuses", narrowing.statuses))
        if v
    }
    # a pack prepared for other findings, reviews, filters or language is not offered
    signature = (
        snap.version,
        snap.window,
        lang(),
        tuple(sorted(active.items())),
        tuple(table.column("flag_id").to_pylist()),
        tuple(table.column("review_status").to_pylist()),
    )
    if st.button(tr("Prepare evidence pack", "生成证据包"), key="prepare_pack"):
        pack = build_pack(
            db(),
            table,
            snapshot=snap,
            as_of=snap.window.as_of,
            window_days=snap.window.window_days,
            actor=user(),
            lang=lang(),
            filters=active,
        )
        st.session_state["evidence_pack"] = (signature, pack)
    prepared = st.session_state.get("evidence_pack")
    pack = prepared[1] if prepared and prepared[0] == signature else None
    if pack is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        cols = st.columns([1, 1, 3])
        cols[0].download_button(
            tr("Download XLSX", "下载 XLSX"),
            pack.xlsx,
            file_name=f"evidence-pack-{stamp}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="download_pack_xlsx",
        )
        cols[1].download_button(
            tr("Download CSV (ZIP)", "下载 CSV（ZIP）"),
            pack.zip,
            file_name=f"evidence-pack-{stamp}.zip",
            mime="application/zip",
            key="download_pack_zip",
        )
        cols[2].caption(
            tr(
                f"{pack.findings:,} findings · fingerprint {pack.fingerprint[:16]}…",
                f"{pack.findings:,} 条线索 · 数据指纹 {pack.fingerprint[:16]}…",
            )
        )


def _rules_panel() -> None:
    params = resolve_parameters(load_rule_parameters(db()))
    zh = lang() == "zh"
    with st.expander(tr("How each rule is defined, and its thresholds in force", "各规则的定义及当前阈值")):
        for rule in RULES:
            values = ", ".join(f"{p.name} = {params[rule.code][p.name]:g} {p.unit}" for p in rule.parameters)
            st.markdown(
                f"**{rule.code}** · {rule.title_zh if zh else rule.title_en} · "
                f"{_name(SEVERITY_NAMES, rule.severity)}  \n"
                f"{rule.rationale_zh if zh else rule.rationale_en}" + (f"  \n`{values}`" if values else "")
            )
