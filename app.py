"""Dashboard entry point: page setup and routing only; pages live in tracker/ui/."""

import streamlit as st

from tracker.ui import data_page

st.set_page_config(page_title="Equipment utilisation tracker · 设备使用率监测", page_icon="🖥️", layout="wide")

navigation = st.navigation([st.Page(data_page.render, title="Data · 数据", url_path="data", default=True)])
navigation.run()
