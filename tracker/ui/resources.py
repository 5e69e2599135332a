"""What a dashboard process holds once, and what each session reads through.

Per process: the DuckDB connection (per database file), the snapshot cache and the compiled
aggregations. Per session: a cursor of that connection, and a Source over it with those caches.
"""

from __future__ import annotations

import streamlit as st

from tracker.demo.bootstrap import demo_on_first_run
from tracker.demo.process import process_database
from tracker.engine.snapshots import SnapshotCache
from tracker.store.config import resolve_db_path
from tracker.store.db import Database
from tracker.text import i18n
from tracker.views.source import CompiledQueries, Source


@st.cache_resource(show_spinner=False)
def _process_database(path: str) -> Database:
    return process_database(path)  # shared with the push API; the demo tier only on the first run of the default database


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
        if demo_on_first_run(path):
            language = "zh" if str(st.session_state.get("lang") or st.query_params.get("lang", "en")).startswith("zh") else "en"
            with st.spinner(i18n.text("demo.loading_first_run", language, path=path)):
                database = _process_database(path)
        else:
            database = _process_database(path)
        st.session_state["db_cursor"] = database.cursor()
        st.session_state["db_path"] = path
    return st.session_state["db_cursor"]


def session_source() -> Source:
    """This session's cursor with the process's snapshot cache and compiled aggregations."""
    return Source(session_db(), _snapshot_cache(), _compiled_queries())
