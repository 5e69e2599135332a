"""The Stored data page's API tokens section, for administrators: create (shown once), list, revoke."""

from __future__ import annotations

import streamlit as st

from tracker.access import tokens
from tracker.access.roles import ROLES
from tracker.text.errors import TrackerError
from tracker.text.formatting import MISSING
from tracker.ui.common import can, capitalised, db, fixed_language, lang, md, named, t, user

CREATED_KEY = "api_token_created"


def render() -> None:
    if not can("users"):
        return
    created = st.session_state.pop(CREATED_KEY, None)
    with st.expander(t("service.section.tokens"), expanded=created is not None):
        st.caption(t("service.caption.tokens"))
        if created is not None:
            name, secret = created
            st.success(t("service.token_created", name=md(name)))
            st.code(secret, language=None)
        with st.form("api_token_create", clear_on_submit=True):
            name = st.text_input(t("service.field.token_name"), key="api_token_name")
            role = st.selectbox(
                t("service.field.role"),
                ROLES,
                index=ROLES.index("agency"),
                key="api_token_role",
                format_func=fixed_language(lambda code, language: capitalised(named("role", code, language))),
            )
            agency = st.text_input(t("service.field.agency"), key="api_token_agency")
            if st.form_submit_button(t("service.button.create"), type="primary"):
                try:
                    made = tokens.create_token(db(), name, role, agency=agency or None, actor=user())
                except TrackerError as error:
                    st.error(md(error.text(lang())))
                else:
                    st.session_state[CREATED_KEY] = (made.name, made.secret)
                    st.rerun()
        listed = tokens.list_tokens(db())
        if not listed:
            st.info(t("service.note.no_tokens"))
            return
        shown = [{**row, "role": named("role", row["role"])} for row in listed]
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            placeholder=MISSING,
            column_order=tokens.COLUMNS,
            column_config={name: st.column_config.Column(t(f"trustui.token.{name}")) for name in tokens.COLUMNS},
        )
        active = [row["name"] for row in listed if row["revoked_at"] is None]
        if active:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            chosen = left.selectbox(t("service.field.revoke"), active, key="api_token_revoke")
            if right.button(t("service.button.revoke"), key="api_token_revoke_button"):
                try:
                    tokens.revoke_token(db(), chosen, actor=user())
                except TrackerError as error:
                    st.error(md(error.text(lang())))
                else:
                    st.success(t("service.token_revoked", name=md(chosen)))
                    st.rerun()
