"""The dashboard: page setup, sign-in, the language switch and routing only; pages live beside it in tracker/ui/.

Run by `tracker dashboard` (an installed package) or `streamlit run app.py` (a checkout).
"""

import streamlit as st

from tracker.access import auth
from tracker.ui import (
    audit_page,
    browser,
    common,
    data_page,
    errors,
    explore_page,
    flags_page,
    login_page,
    overview_page,
    reallocation_page,
    refused_page,
    settings_page,
    transfers_section,
    upload_page,
)

t = common.t
st.set_page_config(page_title=t("login.title.equipment_utilisation_tracker"), page_icon=":material/devices:", layout="wide")
common.start_run()
common.language_switch()
user = common.current_user()

if user is None:
    # every page's address leads to the sign-in, so a shared link (/explore?agency=…) opens where it points after it
    sign_in = [
        st.Page(login_page.render, title=t("login.heading.sign_in"), icon=":material/login:", url_path="login", default=True)
    ]
    sign_in += [st.Page(login_page.render, title=t("login.heading.sign_in"), url_path=path) for path in auth.PAGES]
    errors.run_page(st.navigation(sign_in, position="hidden"))
    st.stop()

allowed = auth.ROLE_PAGES[user.role]
sections = {
    t("nav.section.monitor"): [
        ("overview", overview_page.render, t("nav.page.overview"), ":material/monitoring:"),
        ("explore", explore_page.render, t("nav.page.explore"), ":material/manage_search:"),
        ("transfers", transfers_section.render, t("transfer.page.title"), ":material/swap_horiz:"),
    ],
    t("nav.section.audit"): [
        ("findings", flags_page.render, t("common.column.findings"), ":material/flag:"),
    ],
    t("realloc.nav.section"): [
        ("reallocation", reallocation_page.render, t("realloc.title.page"), ":material/swap_horiz:"),
    ],
    t("common.label.agency"): [
        ("upload", upload_page.render, t("nav.page.upload"), ":material/upload_file:"),
    ],
    t("nav.section.admin"): [
        ("settings", settings_page.render, t("settings.title.settings"), ":material/settings:"),
        ("data", data_page.render, t("nav.page.data"), ":material/database:"),
        ("audit", audit_page.render, t("audit.title.audit_trail"), ":material/verified_user:"),
    ],
}
pages = {}
for section, entries in sections.items():
    shown = [st.Page(render, title=title, icon=icon, url_path=path) for path, render, title, icon in entries if path in allowed]
    if shown:
        pages[section] = shown
# a page of another role keeps its address, hidden: it says whose page it is instead of sending the reader elsewhere
refused = [
    st.Page(refused_page.renderer(path), title=title, url_path=path, visibility="hidden")
    for entries in sections.values()
    for path, _, title, _ in entries
    if path not in allowed
]
# "/" shows the Overview through a hidden default page, so that the Overview's own address /overview answers too
# (Streamlit's default page answers at "/" only and reserves its own path)
if "overview" in allowed:
    refused.append(
        st.Page(overview_page.render, title=t("nav.page.overview"), url_path="home", default=True, visibility="hidden")
    )
common.PAGES.clear()
common.PAGES.update({page.url_path: page for section in pages.values() for page in section})
common.account_sidebar(user)
first = next(iter(pages))
shown = st.navigation({**pages, first: pages[first] + refused})
browser.send_pending(shown.url_path)  # a new sign-in: the browser sets the session cookie, then comes back here
errors.run_page(shown)  # an unexpected error shows a message with an id, never a traceback
