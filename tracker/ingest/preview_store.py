"""Upload previews kept on disk, beside the database, instead of in a dashboard session's memory.

A preview of a large file holds every rejected row and every problem (hundreds of MB for 100 k
rows); kept in the session it stays in the server's memory for as long as the browser tab is
open. Here it is written to `<database folder>/.previews/<random key>.pickle` (readable by the
server's user only), read back while the user looks at it, and removed when they commit, reset,
or check another file; files older than PREVIEW_MAX_AGE are removed whenever a preview is saved.
Only this module writes the folder, and a key is 32 hex digits checked before any path is made
of it, so nothing but the server's own previews is ever read back.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import secrets
import tempfile
import time
from pathlib import Path

from tracker.ingest.uploads import UploadPreview
from tracker.store.db import Database

PREVIEW_MAX_AGE = 6 * 3600  # seconds: a preview nobody committed is gone after this
_KEY = re.compile(r"[0-9a-f]{32}")


def preview_folder(db: Database) -> Path:
    if not db.path or str(db.path) == ":memory:":
        return Path(tempfile.gettempdir()) / "tracker-previews"
    return Path(db.path).resolve().parent / ".previews"


def _path(db: Database, key: str) -> Path | None:
    return preview_folder(db) / f"{key}.pickle" if _KEY.fullmatch(key or "") else None


def save_preview(db: Database, preview: UploadPreview) -> str:
    """Write the preview to disk; returns the key the session keeps in its place."""
    folder = preview_folder(db)
    folder.mkdir(mode=0o700, exist_ok=True)
    sweep(db)
    key = secrets.token_hex(16)
    path = folder / f"{key}.pickle"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        pickle.dump(preview, out, protocol=pickle.HIGHEST_PROTOCOL)
    return key


def load_preview(db: Database, key: str | None) -> UploadPreview | None:
    """The preview saved under `key`, or None when it is gone (swept, or another server's folder)."""
    path = _path(db, key or "")
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as source:
            preview = pickle.load(source)  # noqa: S301 - a file this module wrote, under a checked random key
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # damaged or from an older version: the page checks the file again
    return preview if isinstance(preview, UploadPreview) else None


def drop_preview(db: Database, key: str | None) -> None:
    path = _path(db, key or "")
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def sweep(db: Database, max_age: float = PREVIEW_MAX_AGE) -> int:
    """Remove previews older than `max_age` seconds; returns how many were removed."""
    folder = preview_folder(db)
    if not folder.is_dir():
        return 0
    removed, now = 0, time.time()
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
    return removed
