"""What a dashboard process holds once, and what each session reads through.

Per process: the DuckDB connection (per database file), the snapshot cache and the compiled
aggregations. Per session: a cursor of that connection, and a Source over it with those caches.
"""

from __future__ import annotations

import streamlit as st

from tracker.demo.bootstrap import open_with_demo
from tracker.engine.snapshots import SnapshotCache
from tracker.store.config import resolve_db_path
from tracker.store.db import Database
from tracker.views.source import CompiledQueries, Source


@st.cache_resource(show_spinner="Opening the database (the first run loads demo data)…")
def _process_database(path: str) -> Database:
    return open_with_demo(path)


@st.cache_resource(show_spinner=False)
def _snapshot_cache() -> SnapshotCache:
    """The process's snapshots, shared by every session (keyed by database file and data version)."""
    return SnapshotCache()


@st.cache_resource(show_spinner=False)
def _compiled_queries() -> CompiledQueries:
    return CompiledQueries()


def session_db() -> Database:
    """This session's cursor on the process's database ($TRACKER_DB, else data/tracker.duckdb)."""
    path = str(resolve_db_path())
    if st.session_state.get("db_path") != path:
        st.session_state["db_cursor"] = _process_database(path).cursor()
        st.session_state["db_path"] = path
    return st.session_state["db_cursor"]


def session_source() -> Source:
    """This session's cursor with the process's snapshot cache and compiled aggregations."""
    return Source(session_db(), _snapshot_cache(), _compiled_queries())
