"""The settings page's category profiles tab: one editable row per category, saved all or nothing.

The table comes from tracker.views.admin.profiles_editor_table (the profile fields, and a metered
category's meter and capacity, docs/meters.md); the edits are checked and stored by
tracker.views.admin.apply_profile_edits, which refuses the whole save when one value is bad.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from tracker.domain.meters import METER_NAMES
from tracker.store.profiles import DAYS_CHOICES
from tracker.ui.common import category_name, db, lang, t, user
from tracker.views import admin

EDITOR_NONCE_KEY = "settings_profiles_nonce"  # bumped to show the stored values after a save
NOTE_KEY = "settings_profiles_note"
ROW_HEIGHT_PX = 35  # Streamlit's default table row height
COLUMNS = (
    "name",
    "hours_per_day",
    "days",
    "low_threshold",
    "life_years",  # price caps: the equipment standards (tracker.ui.settings_standards), no longer the profiles
    "meter",
    "capacity",
    "capacity_unit",
    "changed_at",
    "changed_by",
)

Save = Callable[[str, Callable[[], tuple[int, list[admin.Problem]]]], None]


def field_label(field: str) -> str:
    return {
        "hours_per_day": t("settings.label.hours_per_day"),
        "days": t("settings.label.available_days"),
        "low_threshold": t("settings.label.low_utilisation_threshold"),
        "life_years": t("settings.label.useful_life_years"),
        "price_cap": t("settings.label.price_cap_per_unit"),
        "meter": t("settings.label.meter"),
        "capacity": t("settings.label.capacity"),
        "meter_capacity": t("settings.label.capacity"),
        "*": t("settings.label.all_fields_defaults"),
    }.get(field, field)


def days_label(days: str) -> str:
    return {"workdays": t("settings.label.workdays"), "all": t("settings.label.every_day")}.get(days, days)


def _meter_label(meter: str | None) -> str:
    return t(f"meter.{meter}") if meter else t("settings.label.no_meter_hours")


def _editor_key() -> str:
    return f"settings_profiles_{st.session_state.get(EDITOR_NONCE_KEY, 0)}"


def render(save: Save, outcome: Callable[[str], None], outcome_key: str) -> None:
    """The tab; `save` and `outcome` run a section's save and show its result (tracker.ui.settings_page)."""
    st.caption(t("settings.caption.standard_hours_available_days"))
    frame = admin.profiles_editor_table(db(), lang()).to_pandas()
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
        column_order=COLUMNS,
        disabled=("category", "name", "capacity_unit", "changed_at", "changed_by"),
        column_config={
            "name": st.column_config.TextColumn(t("common.label.category"), pinned=True),
            "hours_per_day": st.column_config.NumberColumn(
                field_label("hours_per_day"),
                step=0.5,
                format="%.1f",
                help=t("settings.help.greater_than_0_most"),
            ),
            "days": st.column_config.SelectboxColumn(
                field_label("days"),
                options=DAYS_CHOICES,
                format_func={d: days_label(d) for d in DAYS_CHOICES}.get,
                required=True,
                help=t("settings.help.workdays_country_calendar_every"),
            ),
            "low_threshold": st.column_config.NumberColumn(
                field_label("low_threshold"),
                step=0.01,
                format="%.2f",
                help=t("settings.help.utilisation_below_share_low"),
            ),
            "life_years": st.column_config.NumberColumn(
                field_label("life_years"),
                step=1,
                format="%d",
                help=t("settings.help.whole_years_1_50"),
            ),
            "price_cap": st.column_config.NumberColumn(
                field_label("price_cap"), step=100, format="localized", help=t("settings.help.leave_empty_no_cap")
            ),
            "meter": st.column_config.SelectboxColumn(
                field_label("meter"),
                options=tuple(METER_NAMES),
                format_func=_meter_label,
                help=t("settings.help.meter"),
            ),
            "capacity": st.column_config.NumberColumn(
                field_label("capacity"), min_value=0, format="localized", help=t("settings.help.capacity")
            ),
            "capacity_unit": st.column_config.TextColumn(t("settings.label.capacity_unit")),
            "changed_at": st.column_config.DatetimeColumn(t("settings.column.changed"), format="YYYY-MM-DD"),
            "changed_by": st.column_config.TextColumn(t("settings.column.by")),
        },
    )
    st.text_input(
        t("settings.field.reason_change"),
        key=NOTE_KEY,
        placeholder=t("settings.placeholder.reason_example"),
    )
    row = st.container(horizontal=True)
    row.button(
        t("settings.button.save_profiles"),
        type="primary",
        key="settings_profiles_save",
        on_click=save,
        args=("profiles", lambda: _apply(outcome_key)),
    )
    row.button(t("settings.button.discard_edits"), key="settings_profiles_discard", on_click=_discard, args=(outcome_key,))
    outcome("profiles")


def _apply(outcome_key: str) -> tuple[int, list[admin.Problem]]:
    categories = admin.profiles_editor_table(db()).column("category").to_pylist()
    edited: dict[Any, Any] = st.session_state.get(_editor_key(), {}).get("edited_rows", {})
    changes = admin.profile_edits(categories, edited)
    problems = admin.apply_profile_edits(db(), changes, user(), st.session_state.get(NOTE_KEY))
    if changes and not problems:
        _discard(outcome_key)
    return len(changes), problems


def _discard(outcome_key: str) -> None:
    st.session_state[EDITOR_NONCE_KEY] = st.session_state.get(EDITOR_NONCE_KEY, 0) + 1
    st.session_state.pop(NOTE_KEY, None)
    st.session_state.pop(outcome_key, None)
