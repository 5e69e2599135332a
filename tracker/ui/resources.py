"""One DuckDB connection per dashboard process (per database file), and a cursor for each session."""

from __future__ import annotations

import streamlit as st

from tracker.demo.bootstrap import demo_on_first_run, open_with_demo
from tracker.store.config import resolve_db_path
from tracker.store.db import Database


@st.cache_resource(show_spinner=False)
def _process_database(path: str) -> Database:
    return open_with_demo(path)  # the demo tier only on the first run of the default database


def session_db() -> Database:
    """This session's cursor on the process's database ($TRACKER_DB, else data/tracker.duckdb)."""
    path = str(resolve_db_path())
    if st.session_state.get("db_path") != path:
        if demo_on_first_run(path):
            with st.spinner(
                f"First run of {path}: loading the demo data and its demo accounts… · 首次运行：正在加载演示数据和演示账户…"
            ):
                database = _process_database(path)
        else:
            database = _process_database(path)
        st.session_state["db_cursor"] = database.cursor()
        st.session_state["db_path"] = path
    return st.session_state["db_cursor"]
