"""Sign-in, and on a new database the creation of the first administrator (there is no default password)."""

from __future__ import annotations

import streamlit as st

from tracker.access import auth
from tracker.demo import bootstrap
from tracker.text.errors import TrackerError
from tracker.ui.common import ROLE_NAMES, db, lang, sign_in, tr


def render() -> None:
    database = db()
    st.title(tr("Equipment utilisation tracker", "设备使用率监测"))
    demo = bootstrap.has_demo_data(database)  # retires the demo accounts first if the database is really used
    if auth.needs_first_administrator(database):
        _first_administrator()
        return
    if st.session_state.pop("signed_out_idle", False):
        st.info(
            tr(
                f"You were signed out after {auth.SESSION_IDLE_MINUTES} minutes without activity.",
                f"由于 {auth.SESSION_IDLE_MINUTES} 分钟无操作，您已退出登录。",
            )
        )
    if _single_sign_on():
        return
    with st.form("sign_in"):
        st.subheader(tr("Sign in", "登录"))
        username = st.text_input(tr("Username", "用户名"), key="login_username")
        password = st.text_input(tr("Password", "密码"), type="password", key="login_password")
        if st.form_submit_button(tr("Sign in", "登录"), type="primary"):
            try:
                sign_in(auth.authenticate(database, username, password))
            except TrackerError as error:
                st.error(error.text(lang()))
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
            sign_in(auth.user_for_identity(db(), st.user.get("email")))
        except TrackerError as error:
            st.error(error.text(lang()))
            st.button(tr("Sign out of the organisation account", "退出单位账号"), on_click=st.logout, key="sso_logout")
            return False
        st.rerun()
    st.button(
        tr("Sign in with your organisation account", "使用单位账号登录"), on_click=st.login, key="sso_login", type="primary"
    )
    st.caption(tr("Or with a local account:", "或使用本地账户："))
    return False


def _first_administrator() -> None:
    st.subheader(tr("Create the first administrator", "创建第一个管理员账户"))
    st.caption(
        tr(
            "This database has no accounts yet. The administrator you create here can then add the others "
            "(Settings is theirs; or use `python -m tracker users add`).",
            "此数据库尚无账户。在此创建的管理员之后可以添加其他用户（或使用 `python -m tracker users add`）。",
        )
    )
    with st.form("first_admin"):
        username = st.text_input(tr("Username", "用户名"), key="first_username")
        name = st.text_input(tr("Full name", "姓名"), key="first_name")
        password = st.text_input(
            tr("Password (at least 10 characters)", "密码（至少 10 个字符）"), type="password", key="first_password"
        )
        again = st.text_input(tr("Password again", "再次输入密码"), type="password", key="first_password_again")
        if st.form_submit_button(tr("Create and sign in", "创建并登录"), type="primary"):
            if password != again:
                st.error(tr("The two passwords differ.", "两次输入的密码不一致。"))
                return
            try:
                if not auth.needs_first_administrator(db()):  # someone else was quicker: sign in instead
                    st.rerun()
                user = auth.create_user(db(), username, password, "admin", display_name=name, actor="first-run")
            except TrackerError as error:
                st.error(error.text(lang()))
            else:
                sign_in(user)
                st.rerun()


def _demo_accounts(accounts: list) -> None:
    with st.expander(
        tr("Demo accounts (shown while the demo data is loaded)", "演示账户（仅在加载演示数据时显示）"), expanded=True
    ):
        st.info(
            tr(
                "This database holds demo data. The demo accounts stop working, and this list disappears, at the "
                "first real upload or the first account a person creates.",
                "此数据库为演示数据。首次真实上传数据或首次由用户创建账户后，演示账户即停用，本列表也不再显示。",
            )
        )
        zh = lang() == "zh"
        st.dataframe(
            [
                {
                    tr("Username", "用户名"): username,
                    tr("Password", "密码"): password,
                    tr("Role", "角色"): ROLE_NAMES[role][1 if zh else 0],
                    tr("Agency", "单位"): agency or "",
                }
                for username, password, role, agency in accounts
            ],
            hide_index=True,
            width="stretch",
        )
