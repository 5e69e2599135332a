"""Sign-in, and on a new database the creation of the first administrator (there is no default password)."""

from __future__ import annotations

import streamlit as st

from tracker.access import auth
from tracker.demo import bootstrap
from tracker.text.errors import TrackerError
from tracker.ui.common import capitalised, db, lang, md, named, sign_in_lasting, t


def render() -> None:
    database = db()
    st.title(t("login.title.equipment_utilisation_tracker"))
    demo = bootstrap.has_demo_data(database)  # retires the demo accounts first if the database is really used
    if auth.needs_first_administrator(database):
        _first_administrator()
        return
    if st.session_state.pop("signed_out_idle", False):
        st.info(t("login.note.signed_out_after_minutes", session_idle_minutes=auth.SESSION_IDLE_MINUTES))
    if _single_sign_on():
        return
    with st.form("sign_in"):
        st.subheader(t("login.heading.sign_in"))
        username = st.text_input(t("login.field.username"), key="login_username")
        password = st.text_input(t("login.field.password"), type="password", key="login_password")
        if st.form_submit_button(t("login.heading.sign_in"), type="primary"):
            try:
                sign_in_lasting(auth.authenticate(database, username, password))
            except TrackerError as error:
                st.error(md(error.text(lang())))
            else:
                st.rerun()
    if demo:
        _demo_accounts(auth.active_demo_accounts(database))


def _single_sign_on() -> bool:
    """Sign-in through the identity provider configured as [auth] in Streamlit secrets, if any.

    Returns True when it signed the user in. The provider proves the e-mail; the account of that
    name (created by an administrator) gives the role and agency. Local accounts keep working.
    """
    try:
        configured = "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        configured = False
    if not configured:
        return False
    if getattr(st.user, "is_logged_in", False):
        try:
            sign_in_lasting(auth.user_for_identity(db(), st.user.get("email")), provider="oidc")
        except TrackerError as error:
            st.error(md(error.text(lang())))
            st.button(t("login.button.sign_out_organisation_account"), on_click=st.logout, key="sso_logout")
            return False
        st.rerun()
    st.button(t("login.button.sign_in_with_organisation"), on_click=st.login, key="sso_login", type="primary")
    st.caption(t("login.caption.local_account"))
    return False


def _first_administrator() -> None:
    st.subheader(t("login.heading.create_first_administrator"))
    st.caption(t("login.caption.database_no_accounts_yet"))
    with st.form("first_admin"):
        username = st.text_input(t("login.field.username"), key="first_username")
        name = st.text_input(t("login.field.full_name"), key="first_name")
        password = st.text_input(t("login.field.password_least_10_characters"), type="password", key="first_password")
        again = st.text_input(t("login.field.password_again"), type="password", key="first_password_again")
        if st.form_submit_button(t("login.button.create_and_sign_in"), type="primary"):
            if password != again:
                st.error(t("login.error.two_passwords_differ"))
                return
            try:
                if not auth.needs_first_administrator(db()):  # someone else was quicker: sign in instead
                    st.rerun()
                user = auth.create_user(db(), username, password, "admin", display_name=name, actor="first-run")
            except TrackerError as error:
                st.error(md(error.text(lang())))
            else:
                sign_in_lasting(user)
                st.rerun()


def _demo_accounts(accounts: list) -> None:
    with st.expander(t("login.section.demo_accounts_shown_while"), expanded=True):
        st.info(t("login.note.demo_accounts_stop"))
        st.dataframe(
            [
                {
                    t("login.field.username"): username,
                    t("login.field.password"): password,
                    t("login.column.role"): capitalised(named("role", role)),
                    t("common.label.agency"): agency or "",
                }
                for username, password, role, agency in accounts
            ],
            hide_index=True,
            width="stretch",
        )
