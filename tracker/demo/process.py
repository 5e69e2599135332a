"""The one database connection of a dashboard process, shared by its pages and its HTTP routes.

DuckDB lets one process write a file: the dashboard's sessions and the push API
(tracker.service) each take a cursor of this connection (threads take their own cursor), opened
once per file, with the demo data on the first run of the default database.
"""

from __future__ import annotations

import threading

from tracker.demo.bootstrap import open_with_demo
from tracker.store.config import resolve_db_path
from tracker.store.db import Database

_OPEN: dict[str, Database] = {}
_LOCK = threading.Lock()


def process_database(path: str | None = None) -> Database:
    """The process's connection to `path` ($TRACKER_DB, else data/tracker.duckdb), opened on first use."""
    key = str(resolve_db_path(path))
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = open_with_demo(key)
        return _OPEN[key]
