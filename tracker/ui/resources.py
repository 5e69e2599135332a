"""One DuckDB connection per dashboard process, and a cursor for each session."""

from __future__ import annotations

import streamlit as st

from tracker.bootstrap import open_with_demo
from tracker.db import Database


@st.cache_resource(show_spinner="Opening the database (the first run loads demo data)…")
def _process_database() -> Database:
    return open_with_demo()


def session_db() -> Database:
    """This session's cursor on the process's database."""
    if "db_cursor" not in st.session_state:
        st.session_state["db_cursor"] = _process_database().cursor()
    return st.session_state["db_cursor"]
