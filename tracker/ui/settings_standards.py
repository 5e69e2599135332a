"""The settings page's equipment standards tab: the jurisdiction in force, its versions, and a form to add a version.

Everything shown comes from tracker.engine.standards_admin; a version is checked as a whole there
(nothing stored while one value is refused) and only an administrator may change standards, which
the core enforces whatever this page shows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from tracker.domain.categories import CATEGORIES
from tracker.engine.standards_admin import add_version, set_jurisdiction, standards_listing
from tracker.store.settings import load_settings
from tracker.text.errors import TrackerError
from tracker.ui.common import category_name, db, lang, md, t, user

OUTCOME_KEY = "settings_standards_outcome"
EDITOR_NONCE_KEY = "settings_standards_nonce"  # bumped to empty the form after a version is stored
FIELDS = ("price_cap", "min_service_years", "min_copies")


def render() -> None:
    st.caption(t("standards.caption"))
    listing = standards_listing(db())
    known = sorted(set(listing.column("jurisdiction").to_pylist()))
    current = load_settings(db()).standards_jurisdiction
    choices = known if current in known else [current, *known]
    with st.form("settings_standards_jurisdiction", border=False):
        st.selectbox(
            t("standards.in_force"),
            choices,
            index=choices.index(current),
            key="settings_standards_jurisdiction",
            help=t("setting.standards_jurisdiction.help"),
        )
        st.form_submit_button(t("standards.save_jurisdiction"), on_click=_use)
    _outcome("jurisdiction")
    frame = listing.to_pandas()
    for jurisdiction in known:
        st.markdown(f"**{md(t('standards.versions', jurisdiction=jurisdiction))}**")
        rows = frame[frame["jurisdiction"] == jurisdiction].copy()
        rows["category"] = [category_name(c) for c in rows["category"]]
        rows["price_cap"] = [t("standards.no_cap") if pd.isna(v) else f"{float(v):,.2f}" for v in rows["price_cap"]]
        rows["version"] = [
            f"{v} ({t('standards.default_version')})" if built else v for v, built in zip(rows["version"], rows["built_in"])
        ]
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            placeholder="—",
            column_order=("version", "effective_from", "category", "price_cap", "min_service_years", "min_copies", "in_force"),
            column_config={
                "version": st.column_config.TextColumn(t("standards.field.version")),
                "effective_from": st.column_config.DateColumn(t("standards.field.effective_from"), format="YYYY-MM-DD"),
                "category": st.column_config.TextColumn(t("standards.field.category")),
                "price_cap": st.column_config.TextColumn(t("standards.field.price_cap")),
                "min_service_years": st.column_config.NumberColumn(t("standards.field.min_service_years"), format="%d"),
                "min_copies": st.column_config.NumberColumn(t("standards.field.min_copies"), format="localized"),
                "in_force": st.column_config.CheckboxColumn(t("standards.in_force")),
            },
        )
    st.subheader(t("standards.add"))
    _add_form(current)
    _outcome("add")


def _editor_key() -> str:
    return f"settings_standards_editor_{st.session_state.get(EDITOR_NONCE_KEY, 0)}"


def _add_form(current: str) -> None:
    empty = pd.DataFrame(
        {
            "category": list(CATEGORIES),
            "name": [category_name(c) for c in CATEGORIES],
            **{field: pd.Series([None] * len(CATEGORIES), dtype="float64") for field in FIELDS},
        }
    )
    with st.form("settings_standards_add", border=True):
        left, middle, right = st.columns(3)
        left.text_input(t("standards.field.jurisdiction"), current, max_chars=40, key="settings_standards_new_jurisdiction")
        middle.text_input(t("standards.field.version"), max_chars=100, key="settings_standards_new_version")
        right.date_input(t("standards.field.effective_from"), value=None, key="settings_standards_new_from")
        st.data_editor(
            empty,
            key=_editor_key(),
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=("category", "name"),
            column_order=("name", *FIELDS),
            column_config={
                "name": st.column_config.TextColumn(t("standards.field.category"), pinned=True),
                "price_cap": st.column_config.NumberColumn(t("standards.field.price_cap"), step=100, format="localized"),
                "min_service_years": st.column_config.NumberColumn(t("standards.field.min_service_years"), step=1),
                "min_copies": st.column_config.NumberColumn(t("standards.field.min_copies"), step=1000, format="localized"),
            },
        )
        st.form_submit_button(t("standards.button.add"), type="primary", on_click=_add)


def _entered_rows() -> dict[str, dict[str, Any]]:
    edited: dict[Any, dict[str, Any]] = st.session_state.get(_editor_key(), {}).get("edited_rows", {})
    return {CATEGORIES[int(index)]: dict(values) for index, values in edited.items()}


def _use() -> None:
    try:
        chosen = set_jurisdiction(db(), user(), st.session_state.get("settings_standards_jurisdiction"))
        st.session_state[OUTCOME_KEY] = {"section": "jurisdiction", "problems": [], "saved": chosen}
    except TrackerError as exc:
        st.session_state[OUTCOME_KEY] = {"section": "jurisdiction", "problems": [exc], "saved": None}


def _add() -> None:
    try:
        stored, problems = add_version(
            db(),
            user(),
            jurisdiction=st.session_state.get("settings_standards_new_jurisdiction"),
            version=st.session_state.get("settings_standards_new_version"),
            effective_from=st.session_state.get("settings_standards_new_from"),
            rows=_entered_rows(),
        )
    except TrackerError as exc:
        stored, problems = [], [exc]
    saved = None
    if stored:
        first = stored[0]
        saved = t(
            "standards.saved",
            version=first.version,
            jurisdiction=first.jurisdiction,
            effective_from=first.effective_from.isoformat(),
            categories=len(stored),
        )
        st.session_state[EDITOR_NONCE_KEY] = st.session_state.get(EDITOR_NONCE_KEY, 0) + 1
    st.session_state[OUTCOME_KEY] = {"section": "add", "problems": problems, "saved": saved}


def _outcome(section: str) -> None:
    outcome = st.session_state.get(OUTCOME_KEY)
    if not outcome or outcome["section"] != section:
        return
    if outcome["problems"]:
        st.error(
            "\n".join(
                [t("settings.error.nothing_saved_correct_values")] + [f"- {md(p.text(lang()))}" for p in outcome["problems"]]
            ),
            icon=":material/error:",
        )
    elif outcome["saved"]:
        message = outcome["saved"] if section == "add" else t("standards.jurisdiction_saved", jurisdiction=outcome["saved"])
        st.success(md(message), icon=":material/check_circle:")
