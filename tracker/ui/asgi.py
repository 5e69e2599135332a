"""The service of an installed package (`tracker dashboard`): the dashboard with its HTTP routes, one process.

`streamlit run` finds `app` below and serves it (st.App): the dashboard script, the session cookie
routes and the push API share the process and its one DuckDB connection.
"""

import streamlit as st

from tracker.service.routes import DASHBOARD_SCRIPT, service_routes

app = st.App(DASHBOARD_SCRIPT, routes=service_routes())
