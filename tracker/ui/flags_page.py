"""Findings for auditors: the ranked list, one finding's evidence, its review, and the evidence pack."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from tracker.casework.evidence import build_pack
from tracker.casework.review import STATUSES, flag_finding_key, review, review_history
from tracker.engine.parameters import load_rule_parameters
from tracker.engine.rules.catalogue import RULES, RULES_BY_CODE, resolve_parameters
from tracker.engine.rules.model import SEVERITIES
from tracker.engine.snapshots import Snapshot
from tracker.text import formatting
from tracker.text.errors import TrackerError
from tracker.ui import charts
from tracker.ui import tables as tables_ui
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
    named,
    source,
    t,
    user,
)
from tracker.views import explore, findings, tables
from tracker.views.filters import Filters, FindingFilters
from tracker.views.source import Source


def _rule_title(code: str, language: str | None = None) -> str:
    return RULES_BY_CODE[code].title(language or lang())


def render() -> None:
    filters = filters_sidebar()
    st.title(t("common.column.findings"))
    src = source()
    snap = src.snapshot(filters)  # once per run: the list, its currency, the evidence pack and the detail read it
    status = data_status_banner(filters, snap)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    st.caption(t("findings.caption.each_finding_risk_signal"))
    cols = st.columns(3)
    narrowing = FindingFilters(
        rules=tuple(
            cols[0].multiselect(
                t("findings.column.rule"),
                [r.code for r in RULES],
                key="ff_rules",
                format_func=fixed_language(_rule_title),
                placeholder=t("findings.placeholder.all_rules"),
            )
        ),
        severities=tuple(
            cols[1].multiselect(
                t("findings.column.severity"),
                SEVERITIES,
                key="ff_severities",
                format_func=fixed_language(lambda s, language: named("severity", s, language)),
                placeholder=t("findings.placeholder.all_severities"),
            )
        ),
        statuses=tuple(
            cols[2].multiselect(
                t("findings.field.review_status"),
                STATUSES,
                key="ff_statuses",
                format_func=fixed_language(lambda s, language: named("review_status", s, language)),
                placeholder=t("findings.placeholder.all_statuses"),
            )
        ),
    )
    table = findings.findings(src, snap, filters, narrowing)
    total = findings.value_at_stake(table)
    st.markdown(t("findings.text.findings_value_stake", num_rows=table.num_rows, total=money(total)))
    if not table.num_rows:
        st.info(t("findings.note.no_findings_match_filters"))
        _rules_panel()
        return
    rows = table.to_pylist()
    zh = lang() == "zh"
    shown = [
        {
            t("findings.column.rule"): _rule_title(r["rule"]),
            t("findings.column.severity"): named("severity", r["severity"]),
            t("common.label.agency"): r["agency_code"],
            t("findings.column.subject"): _subject(r),
            t("common.column.value_stake"): r["value_at_stake"],
            t("findings.column.review"): named("review_status", r["review_status"]) + (" ↺" if r["reopened_because"] else ""),
            t("findings.column.evidence"): r["evidence_zh"] if zh else r["evidence"],
        }
        for r in rows
    ]
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="flags_table",
        placeholder=formatting.MISSING,
        height=38 + 35 * min(len(shown), 15),
        column_config={
            t("common.column.value_stake"): st.column_config.NumberColumn(format=formatting.money_column_format(snap.currency)),
            t("findings.column.evidence"): st.column_config.TextColumn(width="large"),
        },
    )
    if can("export"):
        _exports(table, snap, filters, narrowing)
    selected = (getattr(getattr(event, "selection", None), "rows", None) or [None])[0]
    if selected is not None:
        st.session_state["flag_selected"] = rows[selected]["flag_id"]
    chosen = next((r for r in rows if r["flag_id"] == st.session_state.get("flag_selected")), None)
    if chosen is None:
        st.caption(t("findings.caption.click_finding_see_evidence"))
    else:
        _finding_detail(chosen, src, snap, filters)
    _rules_panel()


def _subject(r: dict) -> str:
    if r["asset_id"]:
        return r["asset_id"]
    if r["po_number"]:
        return f"{r['po_number']}/{r['line_no']}"
    if r["subject"] == "agency_category":
        return category_name(r["category"])
    return t("findings.label.fiscal_year", fiscal_year=r["fiscal_year"])


def _finding_detail(flag: dict, src: Source, snap: Snapshot, filters: Filters) -> None:
    zh = lang() == "zh"
    st.subheader(f"{_rule_title(flag['rule'])} · {md(flag['agency_code'])} · {md(_subject(flag))}")
    rule = RULES_BY_CODE[flag["rule"]]
    st.markdown(md(flag["evidence_zh"] if zh else flag["evidence"]))
    st.caption(t("findings.caption.criterion") + rule.rationale(lang()))
    if flag["reopened_because"]:
        st.warning(md(flag["reopened_because_zh"] if zh else flag["reopened_because"]))
    left, right = st.columns([3, 2])
    with left:
        if flag["asset_id"]:
            detail = explore.asset_detail(src, snap, filters, flag["asset_id"], agencies=(flag["agency_code"],))
            if detail is not None and detail.meters is not None:  # a metered device: its readings (docs/meters.md)
                st.plotly_chart(charts.device_meters(detail.meters, lang()), width="stretch", key="flag_meters")
            elif detail is not None:
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
                    key="flag_usage",
                )
        elif flag["po_number"]:
            devices = explore.line_assets(snap, filters, flag["agency_code"], flag["po_number"], flag["line_no"], flag["ocid"])
            st.markdown(
                t("findings.text.devices_registered_against_line", po_number=md(flag["po_number"]), line_no=flag["line_no"])
            )
            tables_ui.show(tables.line_devices(devices, lang(), snap.currency), lang(), key="flag_devices")
    with right:
        if can("review"):
            _review_form(flag)
        else:
            st.caption(
                t("findings.caption.review_auditors_record_reviews", review_status=named("review_status", flag["review_status"]))
            )


REVIEW_DONE_KEY = "review_done"  # the message of a review just recorded, shown after the rerun


def _review_form(flag: dict) -> None:
    st.markdown(t("findings.text.review"))
    st.caption(
        t("findings.caption.status_now", review_status=named("review_status", flag["review_status"]))
        + (f" · {md(flag['reviewed_by'])} · {flag['reviewed_at']:%Y-%m-%d %H:%M}" if flag["reviewed_by"] else "")
    )
    done = st.session_state.pop(REVIEW_DONE_KEY, None)
    if done:  # said after the rerun that shows the new status, so that it is seen
        st.success(done)
    with st.form(key=f"review_{flag['flag_id']}", clear_on_submit=True):
        choices = [s for s in STATUSES if s != flag["review_status"]] or list(STATUSES)
        status = st.radio(
            t("findings.field.new_status"),
            choices,
            index=None,  # nothing chosen in advance: one careless click must not re-open a confirmed finding
            format_func=fixed_language(lambda s, language: named("review_status", s, language)),
            horizontal=True,
            key="review_status_choice",
        )
        reason = st.text_input(t("findings.field.reason_required_dismiss"), key="review_reason")
        note = st.text_area(t("findings.field.note"), key="review_note", height=80)
        if st.form_submit_button(t("findings.button.record_review")):
            if status is None:
                st.error(t("trust.review.choose_status"))
            else:
                try:
                    review(db(), flag, status, user(), reason=reason, note=note)
                except TrackerError as error:
                    st.error(md(error.text(lang())))
                else:
                    st.session_state[REVIEW_DONE_KEY] = t("findings.success.recorded", status=named("review_status", status))
                    st.rerun()
    history = review_history(db(), flag_finding_key(flag))
    if history:
        st.markdown(t("findings.text.history"))
        for h in history:  # as text that wraps: a long reason or note is read whole, not cut off in a cell
            head = f"{h.reviewed_at:%Y-%m-%d %H:%M} · {md(h.reviewed_by)} · **{named('review_status', h.status)}**"
            details = [
                f"{t('findings.column.reason')}: {md(h.reason)}" if h.reason else "",
                f"{t('findings.field.note')}: {md(h.note)}" if h.note else "",
            ]
            st.markdown(head + "".join(f"  \n{d}" for d in details if d))


def _exports(table, snap: Snapshot | None, filters: Filters, narrowing: FindingFilters) -> None:
    """The evidence pack of exactly the findings on screen, as XLSX or a ZIP of CSV files."""

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
    if st.button(t("findings.button.prepare_evidence_pack"), key="prepare_pack"):
        pack = build_pack(
            db(),
            table,
            as_of=snap.window.as_of,
            window_days=snap.window.window_days,
            actor=user(),
            lang=lang(),
            filters=active,
            snapshot=snap,
        )
        st.session_state["evidence_pack"] = (signature, pack)
    prepared = st.session_state.get("evidence_pack")
    pack = prepared[1] if prepared and prepared[0] == signature else None
    if pack is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        cols = st.columns([1, 1, 3])
        cols[0].download_button(
            t("findings.button.download_xlsx"),
            pack.xlsx,
            file_name=f"evidence-pack-{stamp}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="download_pack_xlsx",
        )
        cols[1].download_button(
            t("findings.button.download_csv_zip"),
            pack.zip,
            file_name=f"evidence-pack-{stamp}.zip",
            mime="application/zip",
            key="download_pack_zip",
        )
        cols[2].caption(t("findings.caption.findings_fingerprint", findings=pack.findings, fingerprint=pack.fingerprint[:16]))


def _rules_panel() -> None:
    params = resolve_parameters(load_rule_parameters(db()))
    with st.expander(t("findings.section.how_each_rule_defined")):
        for rule in RULES:
            values = ", ".join(f"{p.name} = {params[rule.code][p.name]:g} {p.unit}" for p in rule.parameters)
            st.markdown(
                f"**{rule.code}** · {rule.title(lang())} · "
                f"{named('severity', rule.severity)}  \n"
                f"{rule.rationale(lang())}" + (f"  \n`{values}`" if values else "")
            )
