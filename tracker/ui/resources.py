"""One DuckDB connection per dashboard process (per database file), and a cursor for each session."""

from __future__ import annotations

import streamlit as st

from tracker.demo.bootstrap import open_with_demo
from tracker.store.config import resolve_db_path
from tracker.store.db import Database


@st.cache_resource(show_spinner="Opening the database (the first run loads demo data)…")
def _process_database(path: str) -> Database:
    return open_with_demo(path)


def session_db() -> Database:
    """This session's cursor on the process's database ($TRACKER_DB, else data/tracker.duckdb)."""
    path = str(resolve_db_path())
    if st.session_state.get("db_path") != path:
        st.session_state["db_cursor"] = _process_database(path).cursor()
        st.session_state["db_path"] = path
    return st.session_state["db_cursor"]
