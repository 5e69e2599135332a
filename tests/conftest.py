"""Shared fixtures: a fresh database per test, and paths to the real files in ../shared/fixtures."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from tracker.ingest.uploads import commit_upload
from tracker.store.db import Database

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """Keep the developer's own database and language out of tests."""
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env-default.duckdb"))
    monkeypatch.delenv("TRACKER_LANG", raising=False)
    monkeypatch.delenv("TRACKER_USER", raising=False)
    monkeypatch.delenv("TRACKER_AUDIT_KEY_FILE", raising=False)
    monkeypatch.setenv("TRACKER_PAGE_ERRORS", "raise")  # a failing page fails its test (tracker.ui.errors)


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed or checkpointed database file with its audit key (kept beside it, outside the database)."""
    shutil.copyfile(source, target)
    key = source.with_name(source.stem + ".audit-key")
    if key.exists():
        shutil.copy2(key, target.with_name(target.stem + ".audit-key"))


@pytest.fixture
def db(tmp_path):
    database = Database.open(tmp_path / "tracker.duckdb")
    yield database
    database.close()


@pytest.fixture
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.exists():
        pytest.skip("../shared/fixtures is not present")
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory):
    """The small demo tier ingested once per test process (read-only for the tests that use it): (db, ground truth)."""
    from tracker.demo.tiers import generate
    from tracker.ingest.pipeline import ingest_file

    out = tmp_path_factory.mktemp("demo-small")
    files = generate(out, "small", 7)
    database = Database.open(out / "demo.duckdb")
    for kind, path in (("procurement", files.procurement), ("assets", files.assets), ("usage", files.usage)):
        assert ingest_file(database, kind, path).committed
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    yield database, truth
    database.close()


@pytest.fixture
def demo_copy(demo_small, tmp_path):
    """A private, writable copy of the small demo database (reviews, settings and exports write to it)."""
    source, _ = demo_small
    source.execute("CHECKPOINT")
    path = tmp_path / "demo.duckdb"
    copy_database(source.path, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def dashboard_demo_file(tmp_path_factory) -> Path:
    """A database as the dashboard's first run makes it (small demo tier, profiles, demo accounts), built once."""
    from tracker.demo.bootstrap import open_with_demo

    path = tmp_path_factory.mktemp("dashboard-demo") / "demo.duckdb"
    open_with_demo(path, demo=True).close()
    return path


@pytest.fixture
def demo_db(dashboard_demo_file, tmp_path, monkeypatch) -> Path:
    """A private copy of that database, which `app.py` opens ($TRACKER_DB)."""
    path = tmp_path / "demo.duckdb"
    copy_database(dashboard_demo_file, path)
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def switch_to(at, url_path: str):
    """Point an AppTest that has run once at the page registered under `url_path`.

    The dashboard's pages are functions given to st.navigation, and AppTest.switch_page only
    finds pages by script file; the registry AppTest keeps after a run maps url paths to pages.
    """
    for page_hash, info in at._registered_pages.items():
        if info.get("url_pathname") == url_path:
            at._page_hash = page_hash
            return at
    raise AssertionError(f"no page {url_path!r} among {[i.get('url_pathname') for i in at._registered_pages.values()]}")


def sign_in_as(at, role: str = "admin", *, username: str | None = None, agency: str | None = None):
    """Run an AppTest as a signed-in user of `role` (the login form is tested on its own)."""
    from datetime import datetime

    from tracker.access.auth import User

    at.session_state["user"] = User(username or role, role, agency, None)
    at.session_state["user_last_seen"] = datetime.now()
    return at


# -- uploads shared by the upload and settings tests ---------------------------------------------
ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date\n"
    "PC-1,A001,笔记本电脑,6500,2024-03-01\n"
    "PC-2,A001,laptop,6500,2024-03-01\n"
    "PR-1,A002,printer,1100,2024-03-01\n"
)


def _commit(db, text: str, name: str, kind: str, **options):
    data = text.encode("utf-8")
    return commit_upload(db, io.BytesIO(data), name, kind, size_bytes=len(data), actor="tester", **options)


@pytest.fixture
def with_assets(db):
    assert _commit(db, ASSETS_CSV, "assets.csv", "assets").committed
    return db
