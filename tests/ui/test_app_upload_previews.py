"""An upload's preview is kept on disk beside the database, not in the session; it is removed with the file."""

from __future__ import annotations

import os
import time

import pytest
from streamlit.testing.v1 import AppTest
from test_app_upload import BAD_USAGE, GOOD_USAGE, _page, _upload, app_db  # noqa: F401 (app_db is a fixture)

from tracker.ingest import preview_store, uploads
from tracker.store.db import Database


def _previews(app_db) -> list:  # noqa: F811
    folder = app_db.parent / ".previews"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def test_the_session_keeps_a_key_and_the_preview_is_on_disk(app_db):  # noqa: F811
    at = _upload(_page(), "usage.csv", BAD_USAGE)
    state = at.session_state["upload_preview"]
    assert set(state) == {"token", "stored", "error"}
    assert not any(isinstance(v, uploads.UploadPreview) for v in state.values())
    (path,) = _previews(app_db)
    assert path.stem == state["stored"] and oct(path.stat().st_mode & 0o777) == "0o600"
    at.run()  # a rerun reads the preview back from disk
    assert {m.label: m.value for m in at.metric}["Rejected"] == "2"
    _upload(at, "usage2.csv", GOOD_USAGE)  # another file: the first preview is removed
    assert len(_previews(app_db)) == 1 and _previews(app_db)[0].stem != path.stem
    at.button(key="upload_cancel").click().run()
    assert _previews(app_db) == []


def test_a_committed_upload_leaves_no_preview(app_db):  # noqa: F811
    at = _upload(_page(), "usage.csv", GOOD_USAGE)
    assert len(_previews(app_db)) == 1
    at.button(key="upload_commit_all").click().run()
    assert not at.exception and _previews(app_db) == []


def test_a_swept_preview_is_checked_again_not_an_error(app_db):  # noqa: F811
    at: AppTest = _upload(_page(), "usage.csv", BAD_USAGE)
    for path in _previews(app_db):
        path.unlink()
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rejected"] == "2" and len(_previews(app_db)) == 1


@pytest.mark.parametrize("key", ["../upload", "", None, "g" * 32, "0" * 31])
def test_only_the_stores_own_keys_are_read(app_db, key):  # noqa: F811
    with Database.open(app_db) as db:
        assert preview_store.load_preview(db, key) is None
        preview_store.drop_preview(db, key)  # nothing happens


def test_old_previews_are_swept(app_db):  # noqa: F811
    _upload(_page(), "usage.csv", BAD_USAGE)
    (path,) = _previews(app_db)
    old = time.time() - preview_store.PREVIEW_MAX_AGE - 60
    os.utime(path, (old, old))
    with Database.open(app_db) as db:
        assert preview_store.sweep(db) == 1
    assert _previews(app_db) == []


def test_a_file_without_a_good_row_offers_no_commit_of_good_rows(app_db):  # noqa: F811
    at = _upload(_page(), "usage.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-02-30,6\nPC-2,2025-03-03,-2\n")
    assert {m.label: m.value for m in at.metric}["Accepted"] == "0"
    keys = {b.key for b in at.button}
    assert "upload_commit_good" not in keys and "upload_cancel" in keys
