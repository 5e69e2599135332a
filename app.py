"""Dashboard entry point: page setup, the language switch and routing only; pages live in tracker/ui/."""

import streamlit as st

from tracker.ui import common, data_page, explore_page, flags_page, overview_page, settings_page, upload_page

st.set_page_config(page_title="Equipment utilisation tracker · 设备使用率监测", page_icon=":material/devices:", layout="wide")
common.language_switch()
tr = common.tr

pages = {
    tr("Monitor", "监测"): [
        st.Page(overview_page.render, title=tr("Overview", "总览"), icon=":material/monitoring:", url_path="overview", default=True),
        st.Page(explore_page.render, title=tr("Explore", "钻取"), icon=":material/manage_search:", url_path="explore"),
    ],
    tr("Audit", "审计"): [
        st.Page(flags_page.render, title=tr("Findings", "问题线索"), icon=":material/flag:", url_path="findings"),
    ],
    tr("Agency", "单位"): [
        st.Page(upload_page.render, title=tr("Upload", "上传数据"), icon=":material/upload_file:", url_path="upload"),
    ],
    tr("Admin", "管理"): [
        st.Page(settings_page.render, title=tr("Settings", "设置"), icon=":material/settings:", url_path="settings"),
        st.Page(data_page.render, title=tr("Stored data", "数据概况"), icon=":material/database:", url_path="data"),
    ],
}
common.PAGES.update({page.url_path: page for section in pages.values() for page in section})
st.navigation(pages).run()
