"""Shared fixtures: a fresh database per test, the demo database built once, paths to the real files in
../shared/fixtures, and the dashboard served by `streamlit run` with a browser for the browser tests."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tracker.ingest.pipeline import ingest_file
from tracker.ingest.uploads import commit_upload
from tracker.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"


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


# Values written by hand or by an older version, each failing validation when read.
BAD_STORED_SETTINGS = {
    "fiscal_year_start_month": "13",
    "currency": "dollars",
    "country": "XX",
    "timezone": "Mars/Base",
    "max_upload_mb": "1e308",
    "max_upload_rows": "-5",
    "rule.IDLE.idle_days": "0",
    "rule.YEAR_END_SURGE.min_ratio": "nan",
    "rule.IDLE_PURCHASE.min_share": "1.5",
    "rule.NOPE.days": "3",
    "rule.IDLE.idle_weeks": "3",
}


def store_settings_by_hand(db: Database, values: dict[str, str]) -> None:
    for name, value in values.items():
        db.execute(
            "INSERT INTO settings (name, value, changed_at, changed_by) VALUES (?, ?, now(), 'by hand')",
            [name, value],
        )


def assert_no_control_flagged(truth: dict, *, assets: set, lines: set, years: set) -> None:
    """No clean control or exempt entry of a demo tier's ground truth is among the flagged subjects.

    `assets` holds the flagged asset ids, `lines` the flagged (agency, po_number, line_no), `years` the
    flagged (agency, fiscal_year). A control of one rule may be planted for another (a line with 2 idle
    units of its agency is no BOUGHT_DESPITE_IDLE_STOCK but is an AVOIDABLE_PURCHASE): such a line is
    left to the comparison with the planted cases.
    """
    planted_lines = {(e["agency_code"], e["po_number"], e["line_no"]) for e in truth["planted"] if e["po_number"]}
    flagged = []
    for entry in truth["clean_controls"] + truth["exempt"]:
        line = (entry["agency_code"], entry["po_number"], entry["line_no"])
        if entry["po_number"] and line in planted_lines:
            continue
        if entry["asset_id"]:
            flagged += [entry] if entry["asset_id"] in assets else []
        elif entry["po_number"]:
            flagged += [entry] if line in lines else []
        elif entry["fiscal_year"]:
            flagged += [entry] if (entry["agency_code"], entry["fiscal_year"]) in years else []
    assert flagged == []


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


def write_file(directory: Path, name: str, text: str) -> Path:
    """`text` written to `directory`/`name` in UTF-8: a file to ingest."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def registered(db, tmp_path, register_csv):
    """`db` with the asset register of the module's `register_csv` fixture (CSV text) ingested and committed."""
    report = ingest_file(db, "assets", write_file(tmp_path, "assets.csv", register_csv))
    assert report.status == "committed", report.errors
    return db


# -- the dashboard in a real browser (tests/e2e) --------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 90) -> None:
    """Until the server answers its health check; the test fails with the server's log if it stops or stays silent."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("streamlit did not start: " + log_path.read_text(encoding="utf-8")[-2000:])
        time.sleep(0.5)


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: bin/test installs it (apt-get install chromium)")


@contextmanager
def streamlit_app(
    db_path: Path, *, cwd: Path = ROOT, env: dict[str, str] | None = None, log_path: Path | None = None, port: int | None = None
) -> Iterator[dict]:
    """`streamlit run app.py` on `db_path` ($TRACKER_DB) until the block ends: {"url", "db", "log"}.

    `cwd` is where Streamlit looks for .streamlit/ (secrets.toml); `env` adds to the environment; `port` is
    a free one unless given. The server's output goes to `log_path` (beside the database unless given).
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_path or db_path.with_suffix(".log")
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true"]
            + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
            + ["--server.fileWatcherType", "none"],
            cwd=cwd,
            env=dict(os.environ, TRACKER_DB=str(db_path), **(env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_health(url, process, log_path)
            yield {"url": url, "db": db_path, "log": log_path}
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of a worker; each test opens its own context (cookies, viewport, language)."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def demo_server(dashboard_demo_file, tmp_path_factory):
    """The dashboard on a copy of the demo database, one for the whole run, shared by the browser modules that only
    read it (sign-ins and page views). A module whose tests change data others read uses `server` instead."""
    require_chromium()
    path = tmp_path_factory.mktemp("e2e-demo") / "tracker.duckdb"
    copy_database(dashboard_demo_file, path)
    with streamlit_app(path) as app:
        yield app


@pytest.fixture(scope="module")
def server_database(dashboard_demo_file, tmp_path_factory) -> Path:
    """The database `server` serves: a private copy of the demo database for the module.

    A module that needs other data overrides this fixture (a module-scoped fixture of the same name returning
    the path of a closed database).
    """
    path = tmp_path_factory.mktemp("e2e") / "tracker.duckdb"
    copy_database(dashboard_demo_file, path)
    return path


@pytest.fixture(scope="module")
def server(server_database):
    """The dashboard on the module's own `server_database`, for a module whose tests change what they read."""
    require_chromium()
    with streamlit_app(server_database) as app:
        yield app
