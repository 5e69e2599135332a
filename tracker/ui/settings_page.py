"""The settings page for administrators: category profiles, rule thresholds, general settings, and their history.

Every save is all or nothing (tracker.views.admin.apply_profile_edits / apply_settings) and recorded
with who and when. After a save the dashboard's default view is recomputed and the page says how
many findings there are now, so the administrator sees the effect of the change at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st

from tracker.engine.parameters import load_rule_parameters
from tracker.engine.rules.catalogue import RULES, RULES_BY_CODE
from tracker.engine.rules.model import Parameter, Rule
from tracker.store.config import SETTINGS
from tracker.store.profiles import DAYS_CHOICES, profiles_table
from tracker.store.settings import load_settings, rule_parameter_name
from tracker.text.errors import TrackerError
from tracker.ui.common import can, category_name, count, currency, db, lang, md, money, tr, user
from tracker.views import admin

OUTCOME_KEY = "settings_outcome"  # the last save: section, saved, problems, findings before/after, error
EDITOR_NONCE_KEY = "settings_profiles_nonce"  # bumped to show the stored values after a save
NOTE_KEY = "settings_profiles_note"
ROW_HEIGHT_PX = 35  # Streamlit's default table row height
GENERAL = ("country", "fiscal_year_start_month", "currency", "timezone", "max_upload_mb", "max_upload_rows")


def render() -> None:
    st.title(tr("Settings", "设置"))
    if not can("settings"):
        st.error(tr("Only administrators can change settings.", "只有管理员可以修改设置。"))
        return
    st.caption(
        tr(
            "Thresholds and profiles decide which purchases and devices are flagged. Every change is recorded "
            "with who made it and when, and the findings are recomputed as soon as it is saved.",
            "阈值和类别配置决定哪些采购和设备会被标记。每次修改都会记录修改人和时间，保存后立即重新计算问题线索。",
        )
    )
    tabs = st.tabs(
        [
            tr("Category profiles", "类别配置"),
            tr("Rule thresholds", "规则阈值"),
            tr("General", "常规设置"),
            tr("Change history", "修改记录"),
        ],
        key="settings_tab",
    )
    with tabs[0]:
        _profiles()
    with tabs[1]:
        _rules()
    with tabs[2]:
        _general()
    with tabs[3]:
        _history()


# -- labels --------------------------------------------------------------------------------------


def _field_label(field: str) -> str:
    return {
        "hours_per_day": tr("Hours per day", "每日标准小时数"),
        "days": tr("Available days", "可用日"),
        "low_threshold": tr("Low-utilisation threshold", "低利用率阈值"),
        "life_years": tr("Useful life (years)", "使用年限（年）"),
        "price_cap": tr("Price cap per unit (CNY)", "单价上限（元）"),
        "*": tr("all fields (defaults)", "全部字段（默认值）"),
    }.get(field, field)


def _days_label(days: str) -> str:
    return {"workdays": tr("workdays", "工作日"), "all": tr("every day", "每天")}.get(days, days)


def _setting_label(name: str) -> str:
    return {
        "currency": tr("Currency", "币种"),
        "country": tr("Country calendar", "国家日历"),
        "fiscal_year_start_month": tr("Fiscal year starts in", "财年起始月份"),
        "timezone": tr("Time zone", "时区"),
        "max_upload_mb": tr("Largest upload (MB)", "上传文件大小上限（MB）"),
        "max_upload_rows": tr("Most rows per upload", "单次上传行数上限"),
    }.get(name, name)


def _setting_help(name: str, help_en: str) -> str:
    return tr(
        help_en,
        {
            "currency": "没有币种列的金额及涉及金额所用的 ISO 4217 币种代码。",
            "country": "以该国家的法定节假日和调休工作日确定设备的可用日。",
            "fiscal_year_start_month": "财年开始的月份（1-12）：中国为 1 月，美国联邦为 10 月，英国为 4 月。",
            "timezone": "带时区偏移的会话时间在拆分为每日时长前换算到的时区。",
            "max_upload_mb": "单次上传允许的最大文件大小（MB），在解析文件之前检查。",
            "max_upload_rows": "单次上传允许的最多数据行数。",
        }.get(name, help_en),
    )


def _rule_title(rule: Rule) -> str:
    return tr(rule.title_en, rule.title_zh)


def _what_label(what: str, field: str | None) -> str:
    """A history row's subject in words: a category's field, a general setting, or a rule's parameter."""
    if field is not None:
        return f"{category_name(what)} · {_field_label(field)}"
    if what.startswith("rule."):
        code, _, parameter = what[len("rule.") :].partition(".")
        rule = RULES_BY_CODE.get(code)
        if rule is not None:
            described = next((p for p in rule.parameters if p.name == parameter), None)
            return f"{_rule_title(rule)} · {_parameter_label(described) if described else parameter}"
    return _setting_label(what)


def _parameter_label(parameter: Parameter) -> str:
    return tr(parameter.description_en, parameter.description_zh).rstrip(".。")


def _unit_label(unit: str) -> str:
    return {
        "days": tr("days", "天"),
        "assets": tr("assets", "台"),
        "share": tr("share, 0 to 1", "比例，0 到 1"),
        "ratio": tr("times", "倍"),
        "currency": currency(),
    }.get(unit, unit)


def _month_label(month: int) -> str:
    names = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    return tr(names[month - 1], f"{month} 月")


# -- saving and its outcome ----------------------------------------------------------------------


def _save(section: str, apply: Callable[[], tuple[int, list[admin.Problem]]]) -> None:
    """Run one section's save, then recompute the findings; the outcome is shown in that section."""
    outcome: dict[str, Any] = {"section": section, "problems": [], "saved": 0, "before": None, "after": None, "error": None}
    try:
        before = admin.findings_now(db())
        saved, problems = apply()
        outcome.update(saved=saved, problems=problems)
        if saved and not problems:
            outcome.update(before=before, after=admin.findings_now(db()))
    except TrackerError as exc:
        outcome["error"] = exc
    st.session_state[OUTCOME_KEY] = outcome


def _outcome(section: str) -> None:
    outcome = st.session_state.get(OUTCOME_KEY)
    if not outcome or outcome["section"] != section:
        return
    if outcome["error"] is not None:
        st.error(md(outcome["error"].text(lang())), icon=":material/error:")
        return
    if outcome["problems"]:
        st.error(
            tr("Nothing was saved: correct the values below and save again.", "未保存任何修改：请更正以下数值后重新保存。"),
            icon=":material/error:",
        )
        rows = [
            {
                "what": _what_label(p.change.target, p.change.field),
                "value": "" if p.change.value is None else str(p.change.value),
                "reason": p.text(lang()),
            }
            for p in outcome["problems"]
        ]
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={
                "what": st.column_config.TextColumn(tr("Value changed", "修改项")),
                "value": st.column_config.TextColumn(tr("Entered", "输入值")),
                "reason": st.column_config.TextColumn(tr("Why it was refused", "拒绝原因"), width="large"),
            },
        )
        return
    if not outcome["saved"]:
        st.info(tr("Nothing to save: no value was changed.", "没有需要保存的修改。"))
        return
    saved = outcome["saved"]
    st.success(
        tr(f"Saved {count(saved)} change{'s' if saved != 1 else ''}.", f"已保存 {count(saved)} 项修改。"),
        icon=":material/check_circle:",
    )
    st.info(_findings_message(outcome["before"], outcome["after"]), icon=":material/flag:")


def _findings_message(before: admin.Findings | None, after: admin.Findings | None) -> str:
    if after is None:
        return tr(
            "There is no usage data yet, so there are no findings to recompute.", "尚无使用数据，暂无可重新计算的问题线索。"
        )
    findings = "finding" if after.count == 1 else "findings"
    now = tr(
        f"The dashboard now shows {count(after.count)} {findings} with {money(after.value_at_stake)} at stake",
        f"仪表板现有 {count(after.count)} 条问题线索，涉及金额 {money(after.value_at_stake)}",
    )
    if before is None:
        return now + tr(".", "。")
    return now + tr(
        f" (before this change: {count(before.count)}, {money(before.value_at_stake)}).",
        f"（修改前：{count(before.count)} 条，{money(before.value_at_stake)}）。",
    )


# -- (a) category profiles -----------------------------------------------------------------------


def _editor_key() -> str:
    return f"settings_profiles_{st.session_state.get(EDITOR_NONCE_KEY, 0)}"


def _profiles() -> None:
    st.caption(
        tr(
            "Standard hours, available days, the low-utilisation threshold, useful life and price cap of each "
            "category. Edit the cells, give the reason, and save: all the changes are stored together, or none "
            "if any value is invalid.",
            "各类别的每日标准小时数、可用日、低利用率阈值、使用年限和单价上限。修改单元格并填写原因后保存："
            "所有修改一并保存；如有任何数值无效，则全部不保存。",
        )
    )
    table = profiles_table(db())
    frame = table.to_pandas()
    frame.insert(1, "name", [category_name(c) for c in frame["category"]])
    frame["price_cap"] = frame["price_cap"].astype("float64")
    st.data_editor(
        frame,
        key=_editor_key(),
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        placeholder="—",
        height=ROW_HEIGHT_PX * (len(frame) + 1) + 3,  # every category visible, no inner scrolling
        column_order=("name", "hours_per_day", "days", "low_threshold", "life_years", "price_cap", "changed_at", "changed_by"),
        disabled=("category", "name", "changed_at", "changed_by"),
        column_config={
            "name": st.column_config.TextColumn(tr("Category", "类别"), pinned=True),
            "hours_per_day": st.column_config.NumberColumn(
                _field_label("hours_per_day"),
                step=0.5,
                format="%.1f",
                help=tr("Greater than 0, at most 24.", "大于 0，不超过 24。"),
            ),
            "days": st.column_config.SelectboxColumn(
                _field_label("days"),
                options=DAYS_CHOICES,
                format_func={d: _days_label(d) for d in DAYS_CHOICES}.get,
                required=True,
                help=tr("Workdays of the country calendar, or every day.", "国家日历中的工作日，或每天。"),
            ),
            "low_threshold": st.column_config.NumberColumn(
                _field_label("low_threshold"),
                step=0.01,
                format="%.2f",
                help=tr("Utilisation below this share is low (0 to 1).", "利用率低于此比例即为偏低（0 到 1）。"),
            ),
            "life_years": st.column_config.NumberColumn(
                _field_label("life_years"),
                step=1,
                format="%d",
                help=tr("Whole years, 1 to 50, for straight-line depreciation.", "1 到 50 的整数年，用于直线法折旧。"),
            ),
            "price_cap": st.column_config.NumberColumn(
                _field_label("price_cap"), step=100, format="localized", help=tr("Leave empty for no cap.", "留空表示不设上限。")
            ),
            "changed_at": st.column_config.DatetimeColumn(tr("Changed", "修改时间"), format="YYYY-MM-DD"),
            "changed_by": st.column_config.TextColumn(tr("By", "修改人")),
        },
    )
    st.text_input(
        tr("Reason for the change", "修改原因"),
        key=NOTE_KEY,
        placeholder=tr("e.g. new office-equipment standard of 2026", "例如：2026 年新办公设备配置标准"),
    )
    row = st.container(horizontal=True)
    row.button(
        tr("Save profiles", "保存类别配置"),
        type="primary",
        key="settings_profiles_save",
        on_click=_save,
        args=("profiles", _apply_profiles),
    )
    row.button(tr("Discard edits", "放弃修改"), key="settings_profiles_discard", on_click=_discard_profile_edits)
    _outcome("profiles")


def _apply_profiles() -> tuple[int, list[admin.Problem]]:
    categories = profiles_table(db()).column("category").to_pylist()
    edited = st.session_state.get(_editor_key(), {}).get("edited_rows", {})
    changes = admin.profile_edits(categories, edited)
    problems = admin.apply_profile_edits(db(), changes, user(), st.session_state.get(NOTE_KEY))
    if changes and not problems:
        _discard_profile_edits()
    return len(changes), problems


def _discard_profile_edits() -> None:
    st.session_state[EDITOR_NONCE_KEY] = st.session_state.get(EDITOR_NONCE_KEY, 0) + 1
    st.session_state.pop(NOTE_KEY, None)
    st.session_state.pop(OUTCOME_KEY, None)


# -- (b) rule thresholds -------------------------------------------------------------------------


def _rule_key(code: str, parameter: str) -> str:
    return f"settings_rule_{code}_{parameter}"


def _rules() -> None:
    st.caption(
        tr(
            "Each rule flags a risk, not a verdict. Its thresholds are shown with every finding and written into every export.",
            "每条规则标记的是风险线索，而非结论。阈值会随每条问题线索显示，并写入每份导出文件。",
        )
    )
    stored = load_rule_parameters(db())
    with st.form("settings_rules", border=False):
        for rule in RULES:
            with st.container(border=True):
                about, inputs = st.columns([2, 3], gap="large")
                about.markdown(f"**{_rule_title(rule)}** · `{rule.code}` · {_severity_label(rule.severity)}")
                about.caption(tr(rule.rationale_en, rule.rationale_zh))
                if not rule.parameters:
                    inputs.caption(_no_parameters(rule))
                for column, parameter in zip(inputs.columns(max(2, len(rule.parameters))), rule.parameters):
                    _parameter_input(column, rule, parameter, stored.get(rule.code, {}).get(parameter.name))
        st.form_submit_button(tr("Save thresholds", "保存阈值"), type="primary", on_click=_save, args=("rules", _apply_rules))
    _outcome("rules")


def _severity_label(severity: str) -> str:
    return {
        "high": tr("high severity", "高风险"),
        "medium": tr("medium severity", "中风险"),
        "low": tr("low severity", "低风险"),
        "info": tr("information", "提示"),
    }.get(severity, severity)


def _no_parameters(rule: Rule) -> str:
    if rule.code == "OVER_PRICE_CAP":
        return tr("Uses each category's price cap, set under Category profiles.", "使用各类别的单价上限（在“类别配置”中设置）。")
    return tr("No threshold to set.", "没有可设置的阈值。")


def _parameter_input(column, rule: Rule, parameter: Parameter, stored: float | None) -> None:
    whole = isinstance(parameter.default, int)
    current = parameter.default if stored is None else stored
    value = int(current) if whole else float(current)
    step = {"share": 0.05, "ratio": 0.1, "currency": 10_000}.get(parameter.unit, 1)
    column.number_input(
        tr(
            f"{_parameter_label(parameter)} ({_unit_label(parameter.unit)})",
            f"{_parameter_label(parameter)}（{_unit_label(parameter.unit)}）",
        ),
        min_value=0 if whole else 0.0,
        max_value=1.0 if parameter.unit == "share" else None,
        value=value,
        step=int(step) if whole else float(step),
        format="%d" if whole else "%.2f",
        key=_rule_key(rule.code, parameter.name),
        help=tr(f"Default: {parameter.default}", f"默认值：{parameter.default}"),
    )


def _apply_rules() -> tuple[int, list[admin.Problem]]:
    entered = {
        rule_parameter_name(rule.code, p.name): st.session_state.get(_rule_key(rule.code, p.name))
        for rule in RULES
        for p in rule.parameters
    }
    changed = admin.changed_values(db(), entered)
    return len(changed), admin.apply_settings(db(), changed, user())


# -- (c) general settings ------------------------------------------------------------------------


def _general() -> None:
    current = load_settings(db())
    helps = {spec.name: _setting_help(spec.name, spec.help) for spec in SETTINGS}
    countries = admin.supported_countries()
    countries.setdefault(current["country"], current["country"])  # a stored alias (e.g. UK) stays selected
    zones = sorted(available_timezones() | {current["timezone"]})
    with st.form("settings_general", border=False):
        left, right = st.columns(2)
        left.selectbox(
            _setting_label("country"),
            list(countries),
            index=list(countries).index(current["country"]),
            format_func=lambda code: f"{code} · {countries[code]}",
            key="settings_country",
            help=helps["country"],
        )
        months = {month: _month_label(month) for month in range(1, 13)}  # fixed here: format_func may run elsewhere
        right.selectbox(
            _setting_label("fiscal_year_start_month"),
            list(months),
            index=int(current["fiscal_year_start_month"]) - 1,
            format_func=months.get,
            key="settings_fiscal_year_start_month",
            help=helps["fiscal_year_start_month"],
        )
        left.text_input(
            _setting_label("currency"), current["currency"], max_chars=3, key="settings_currency", help=helps["currency"]
        )
        right.selectbox(
            _setting_label("timezone"),
            zones,
            index=zones.index(current["timezone"]),
            key="settings_timezone",
            help=helps["timezone"],
        )
        left.number_input(
            _setting_label("max_upload_mb"),
            min_value=1,
            value=int(current["max_upload_mb"]),
            step=100,
            key="settings_max_upload_mb",
            help=helps["max_upload_mb"],
        )
        right.number_input(
            _setting_label("max_upload_rows"),
            min_value=1,
            value=int(current["max_upload_rows"]),
            step=1_000_000,
            key="settings_max_upload_rows",
            help=helps["max_upload_rows"],
        )
        st.form_submit_button(tr("Save settings", "保存设置"), type="primary", on_click=_save, args=("general", _apply_general))
    _outcome("general")


def _apply_general() -> tuple[int, list[admin.Problem]]:
    changed = admin.changed_values(db(), {name: st.session_state.get(f"settings_{name}") for name in GENERAL})
    return len(changed), admin.apply_settings(db(), changed, user())


# -- (d) history ---------------------------------------------------------------------------------


def _history() -> None:
    history = admin.change_history(db())
    if history.num_rows == 0:
        st.info(tr("No changes recorded yet.", "尚无修改记录。"))
        return
    fields = history.column("field").to_pylist()
    frame = history.to_pandas()
    frame["what"] = [_what_label(w, f) for w, f in zip(history.column("what").to_pylist(), fields)]
    for column in ("old_value", "new_value"):
        values = history.column(column).to_pylist()
        frame[column] = [_days_label(v) if f == "days" and v else v for v, f in zip(values, fields)]
    frame["new_value"] = [tr("default", "默认值") if f == "*" else v for v, f in zip(frame["new_value"], fields)]
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="settings_history",
        placeholder="—",
        column_order=("changed_at", "changed_by", "what", "old_value", "new_value", "note"),
        column_config={
            "changed_at": st.column_config.DatetimeColumn(tr("When", "时间"), format="YYYY-MM-DD HH:mm:ss"),
            "changed_by": st.column_config.TextColumn(tr("Who", "修改人")),
            "what": st.column_config.TextColumn(tr("What", "修改项"), width="large"),
            "old_value": st.column_config.TextColumn(tr("Old value", "原值")),
            "new_value": st.column_config.TextColumn(tr("New value", "新值")),
            "note": st.column_config.TextColumn(tr("Reason", "原因"), width="medium"),
        },
    )
