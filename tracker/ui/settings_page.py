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
from tracker.store.settings import load_settings, rule_parameter_name
from tracker.text import formatting
from tracker.text.errors import TrackerError
from tracker.text.i18n import MESSAGES
from tracker.ui import settings_profiles, settings_standards
from tracker.ui.common import can, category_name, count, counted, currency, db, lang, md, money, named, source, t, user
from tracker.views import admin

OUTCOME_KEY = "settings_outcome"  # the last save: section, saved, problems, findings before/after, error
REFUSAL_ROW_HEIGHT_PX = 76
GENERAL = ("country", "fiscal_year_start_month", "currency", "timezone", "max_upload_mb", "max_upload_rows")


def render() -> None:
    st.title(t("settings.title.settings"))
    if not can("settings"):
        st.error(t("settings.error.only_administrators_can_change"))
        return
    st.caption(t("settings.caption.thresholds_profiles_decide_which"))
    _stored_problems()
    tabs = st.tabs(
        [
            t("settings.tab.category_profiles"),
            t("settings.tab.rule_thresholds"),
            t("settings.tab.general"),
            t("standards.tab"),
            t("settings.tab.change_history"),
        ],
        key="settings_tab",
    )
    with tabs[0]:
        settings_profiles.render(_save, _outcome, OUTCOME_KEY)
    with tabs[1]:
        _rules()
    with tabs[2]:
        _general()
    with tabs[3]:
        settings_standards.render()
    with tabs[4]:
        _history()


def _stored_problems() -> None:
    """Stored values that are not used (written by hand or by an older version): their defaults apply."""
    problems = admin.settings_problems(db())
    if problems:
        st.warning(
            "\n".join([t("settings.stored_problems")] + [f"- {md(admin.stored_problem_text(p, lang()))}" for p in problems]),
            icon=":material/warning:",
        )


# -- labels --------------------------------------------------------------------------------------


def _setting_label(setting: str) -> str:
    key = f"setting.{setting}.label"
    return t(key) if key in MESSAGES else setting


def _setting_help(setting: str, help_en: str) -> str:
    key = f"setting.{setting}.help"
    return t(key) if key in MESSAGES else help_en


def _rule_title(rule: Rule) -> str:
    return rule.title(lang())


def _what_label(what: str, field: str | None) -> str:
    """A history row's subject in words: a category's field, a general setting, or a rule's parameter."""
    if field is not None:
        return f"{category_name(what)} · {settings_profiles.field_label(field)}"
    if what.startswith("rule."):
        code, _, parameter = what[len("rule.") :].partition(".")
        rule = RULES_BY_CODE.get(code)
        if rule is not None:
            described = next((p for p in rule.parameters if p.name == parameter), None)
            return f"{_rule_title(rule)} · {_parameter_label(described) if described else parameter}"
    return _setting_label(what)


def _parameter_label(parameter: Parameter) -> str:
    return parameter.description(lang()).rstrip(".。")


def _unit_label(unit: str) -> str:
    return {
        "days": t("settings.label.days"),
        "assets": t("settings.label.assets"),
        "share": t("settings.label.share_0_1"),
        "ratio": t("settings.label.times"),
        "currency": currency(),
    }.get(unit, unit)


def _month_label(month: int) -> str:
    return named("month", str(month))


# -- saving and its outcome ----------------------------------------------------------------------


def _save(section: str, apply: Callable[[], tuple[int, list[admin.Problem]]]) -> None:
    """Run one section's save, then recompute the findings; the outcome is shown in that section."""
    outcome: dict[str, Any] = {"section": section, "problems": [], "saved": 0, "before": None, "after": None, "error": None}
    try:
        before = admin.findings_now(source())
        saved, problems = apply()
        outcome.update(saved=saved, problems=problems)
        if saved and not problems:
            outcome.update(before=before, after=admin.findings_now(source()))
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
            t("settings.error.nothing_saved_correct_values"),
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
            row_height=REFUSAL_ROW_HEIGHT_PX,  # a reason wraps over three lines instead of being cut at the column's edge
            column_config={
                "what": st.column_config.TextColumn(t("settings.column.value_changed"), width="medium"),
                "value": st.column_config.TextColumn(t("settings.column.entered"), width="small"),
                "reason": st.column_config.TextColumn(t("settings.column.why_refused"), width="large"),
            },
        )
        return
    if not outcome["saved"]:
        st.info(t("settings.note.nothing_save_no_value"))
        return
    saved = outcome["saved"]
    st.success(
        t("settings.success.saved_change", changes=counted("settings.count.changes", saved)),
        icon=":material/check_circle:",
    )
    st.info(_findings_message(outcome["before"], outcome["after"]), icon=":material/flag:")


def _findings_message(before: admin.Findings | None, after: admin.Findings | None) -> str:
    if after is None:
        return t("settings.label.no_usage_data_yet")
    now = t(
        "settings.label.dashboard_now_shows_stake",
        findings=counted("settings.count.findings", after.count),
        value_at_stake=money(after.value_at_stake),
    )
    if before is None:
        return now + t("settings.label.full_stop")
    return now + t("settings.label.before_change", count=count(before.count), value_at_stake=money(before.value_at_stake))


# -- (b) rule thresholds -------------------------------------------------------------------------


def _rule_key(code: str, parameter: str) -> str:
    return f"settings_rule_{code}_{parameter}"


def _rules() -> None:
    st.caption(t("settings.caption.each_rule_flags_risk"))
    stored = load_rule_parameters(db())
    with st.form("settings_rules", border=False):
        for rule in RULES:
            with st.container(border=True):
                about, inputs = st.columns([2, 3], gap="large")
                about.markdown(f"**{_rule_title(rule)}** · `{rule.code}` · {_severity_label(rule.severity)}")
                about.caption(rule.rationale(lang()))
                if not rule.parameters:
                    inputs.caption(_no_parameters(rule))
                for column, parameter in zip(inputs.columns(max(2, len(rule.parameters))), rule.parameters):
                    _parameter_input(column, rule, parameter, stored.get(rule.code, {}).get(parameter.name))
        st.form_submit_button(t("settings.button.save_thresholds"), type="primary", on_click=_save, args=("rules", _apply_rules))
    _outcome("rules")


def _severity_label(severity: str) -> str:
    return t("settings.label.severity", severity=named("severity", severity))


def _no_parameters(rule: Rule) -> str:
    if rule.code == "OVER_PRICE_CAP":
        return t("settings.label.uses_category_price_cap")
    return t("settings.label.no_threshold_set")


def _parameter_input(column, rule: Rule, parameter: Parameter, stored: float | None) -> None:
    whole = isinstance(parameter.default, int)
    current = parameter.default if stored is None else stored
    value = int(current) if whole else float(current)
    step = {"share": 0.05, "ratio": 0.1, "currency": 10_000}.get(parameter.unit, 1)
    # No min_value/max_value: the browser would refuse a value out of range in silence (and in English);
    # the core checks every value on Save and says what is allowed, in the page's language.
    column.number_input(
        t("settings.field.parameter_unit", parameter=_parameter_label(parameter), unit=_unit_label(parameter.unit)),
        value=value,
        step=int(step) if whole else float(step),
        format="%d" if whole else "%.2f",
        key=_rule_key(rule.code, parameter.name),
        help=t("settings.help.default", default=formatting.number(parameter.default, 0 if whole else 2).removesuffix(".00")),
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
    countries.setdefault(current.country, current.country)  # a stored alias (e.g. UK) stays selected
    zones = sorted(available_timezones() | {current.timezone})
    with st.form("settings_general", border=False):
        left, right = st.columns(2)
        left.selectbox(
            _setting_label("country"),
            list(countries),
            index=list(countries).index(current.country),
            format_func=lambda code: f"{code} · {countries[code]}",
            key="settings_country",
            help=helps["country"],
        )
        months = {month: _month_label(month) for month in range(1, 13)}  # fixed here: format_func may run elsewhere
        right.selectbox(
            _setting_label("fiscal_year_start_month"),
            list(months),
            index=current.fiscal_year_start_month - 1,
            format_func=months.get,
            key="settings_fiscal_year_start_month",
            help=helps["fiscal_year_start_month"],
        )
        left.text_input(
            _setting_label("currency"), current.currency, max_chars=3, key="settings_currency", help=helps["currency"]
        )
        right.selectbox(
            _setting_label("timezone"),
            zones,
            index=zones.index(current.timezone),
            key="settings_timezone",
            help=helps["timezone"],
        )
        left.number_input(
            _setting_label("max_upload_mb"),
            value=current.max_upload_mb,
            step=100,
            key="settings_max_upload_mb",
            help=helps["max_upload_mb"],
        )
        right.number_input(
            _setting_label("max_upload_rows"),
            value=current.max_upload_rows,
            step=1_000_000,
            key="settings_max_upload_rows",
            help=helps["max_upload_rows"],
        )
        st.form_submit_button(
            t("settings.button.save_settings"), type="primary", on_click=_save, args=("general", _apply_general)
        )
    _outcome("general")


def _apply_general() -> tuple[int, list[admin.Problem]]:
    changed = admin.changed_values(db(), {name: st.session_state.get(f"settings_{name}") for name in GENERAL})
    return len(changed), admin.apply_settings(db(), changed, user())


# -- (d) history ---------------------------------------------------------------------------------


def _history() -> None:
    history = admin.change_history(db())
    if history.num_rows == 0:
        st.info(t("settings.note.no_changes_recorded_yet"))
        return
    fields = history.column("field").to_pylist()
    frame = history.to_pandas()
    frame["what"] = [_what_label(w, f) for w, f in zip(history.column("what").to_pylist(), fields)]
    for column in ("old_value", "new_value"):
        values = history.column(column).to_pylist()
        frame[column] = [settings_profiles.days_label(v) if f == "days" and v else v for v, f in zip(values, fields)]
    frame["new_value"] = [t("settings.label.default") if f == "*" else v for v, f in zip(frame["new_value"], fields)]
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="settings_history",
        placeholder="—",
        column_order=("changed_at", "changed_by", "what", "old_value", "new_value", "note"),
        column_config={
            "changed_at": st.column_config.DatetimeColumn(t("common.column.when"), format="YYYY-MM-DD HH:mm:ss"),
            "changed_by": st.column_config.TextColumn(t("settings.column.who")),
            "what": st.column_config.TextColumn(t("settings.column.what"), width="large"),
            "old_value": st.column_config.TextColumn(t("settings.column.old_value")),
            "new_value": st.column_config.TextColumn(t("settings.column.new_value")),
            "note": st.column_config.TextColumn(t("common.column.reason"), width="medium"),
        },
    )
