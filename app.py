"""Dashboard entry point of a checkout (`streamlit run app.py`, bin/dashboard).

`streamlit run` finds `app` below and serves the packaged dashboard (tracker/ui/app.py) with the
service's HTTP routes (the session cookie, the push API) in the same process. Run as a script
itself (Streamlit's AppTest), it is the dashboard.
"""

import runpy

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

if get_script_run_ctx(suppress_warning=True) is not None:
    runpy.run_module("tracker.ui.app", run_name="__main__")
else:
    from tracker.service.routes import DASHBOARD_SCRIPT, service_routes

    app = st.App(DASHBOARD_SCRIPT, routes=service_routes())
