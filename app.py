"""Dashboard entry point: page setup, sign-in, the language switch and routing only; pages live in tracker/ui/."""

import streamlit as st

from tracker.access import auth
from tracker.ui import (
    audit_page,
    common,
    data_page,
    errors,
    explore_page,
    flags_page,
    login_page,
    overview_page,
    settings_page,
    upload_page,
)

st.set_page_config(page_title="Equipment utilisation tracker · 设备使用率监测", page_icon=":material/devices:", layout="wide")
common.language_switch()
tr = common.tr
user = common.current_user()

if user is None:
    # every page's address leads to the sign-in, so a shared link (/explore?agency=…) opens where it points after it
    sign_in = [st.Page(login_page.render, title=tr("Sign in", "登录"), icon=":material/login:", url_path="login", default=True)]
    sign_in += [st.Page(login_page.render, title=tr("Sign in", "登录"), url_path=path) for path in auth.PAGES]
    errors.run_page(st.navigation(sign_in, position="hidden"))
    st.stop()

allowed = auth.ROLE_PAGES[user.role]
sections = {
    tr("Monitor", "监测"): [
        ("overview", overview_page.render, tr("Overview", "总览"), ":material/monitoring:"),
        ("explore", explore_page.render, tr("Explore", "钻取"), ":material/manage_search:"),
    ],
    tr("Audit", "审计"): [
        ("findings", flags_page.render, tr("Findings", "问题线索"), ":material/flag:"),
    ],
    tr("Agency", "单位"): [
        ("upload", upload_page.render, tr("Upload", "上传数据"), ":material/upload_file:"),
    ],
    tr("Admin", "管理"): [
        ("settings", settings_page.render, tr("Settings", "设置"), ":material/settings:"),
        ("data", data_page.render, tr("Stored data", "数据概况"), ":material/database:"),
        ("audit", audit_page.render, tr("Audit trail", "审计日志"), ":material/verified_user:"),
    ],
}
pages = {}
for section, entries in sections.items():
    shown = [
        st.Page(render, title=title, icon=icon, url_path=path, default=path == "overview")
        for path, render, title, icon in entries
        if path in allowed
    ]
    if shown:
        pages[section] = shown
common.PAGES.clear()
common.PAGES.update({page.url_path: page for section in pages.values() for page in section})
common.account_sidebar(user)
errors.run_page(st.navigation(pages))  # an unexpected error shows a message with an id, never a traceback
