"""In a real browser: an administrator uploads a Windows System log, sees the intervals per machine, and commits.

The preview is walked in Chinese and in English at 1,280 px; the commit comes last (a real upload
ends the demo). Screenshots go to tests/artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, SHOTS, copy_database
from playwright.sync_api import expect
from test_e2e import settle, sign_in

from tracker.store.db import Database

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=60_000)

LOGS = ROOT.parent / "shared" / "fixtures" / "windows-eventlog"
MACHINE = "DESKTOP-2KGM189"


@pytest.fixture(scope="module")
def server_database(dashboard_demo_file, tmp_path_factory):
    """The demo data with one desktop registered under the host name the real System log names (the module's `server`)."""
    if not LOGS.is_dir():
        pytest.skip(f"the real event logs are not at {LOGS}")
    db_path = tmp_path_factory.mktemp("e2e-evtx") / "tracker.duckdb"
    copy_database(dashboard_demo_file, db_path)
    with Database.open(db_path) as database:
        (asset,) = database.fetchall("SELECT min(asset_id) FROM assets WHERE category = 'desktop'")[0]
        database.execute("UPDATE assets SET hostname = ? WHERE asset_id = ?", [MACHINE.lower(), asset])
    return db_path


def _upload(tab, url: str) -> None:
    sign_in(tab, url, "admin", "demo-admin-pass")
    tab.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(LOGS / "system.evtx"))


def _shoot(tab, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1280, "height": 2000})
    settle(tab)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})


def test_an_event_log_upload_shows_its_intervals_in_chinese_and_english_and_commits(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    _upload(tab, server["url"] + "/upload?lang=zh")
    tab.get_by_text("从事件日志读取的时段").wait_for()
    # the table is drawn on a canvas (checked on the screenshot); the timeline's axis and legend are text
    chart = tab.locator("[data-testid='stPlotlyChart']").filter(has_text=MACHINE)
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("开机")
    expect(chart).to_contain_text("WIN-P4SIAA0SQCO")
    expect(chart).to_contain_text("年")  # the date axis in Chinese, not Plotly's English month names
    expect(chart).not_to_contain_text(re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"))
    expect(tab.get_by_text(re.compile(r"各时段（\d+ 个）"))).to_be_visible()
    _shoot(tab, "upload-evtx-zh")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    _upload(tab, server["url"] + "/upload")
    tab.get_by_text("Intervals read from the event logs").wait_for()
    expect(tab.locator("[data-testid='stPlotlyChart']").filter(has_text=MACHINE)).to_contain_text("Powered on")
    expect(tab.get_by_text(re.compile(r"matched to the asset register: 1; not matched: 1\. WIN-P4SIAA0SQCO"))).to_be_visible()
    _shoot(tab, "upload-evtx-en")
    tab.get_by_role("button", name=re.compile(r"Commit the good rows only")).click()
    tab.get_by_text(re.compile(r"system\.evtx: .*Committed as upload")).wait_for(timeout=90_000)
    _shoot(tab, "upload-evtx-committed")
    context.close()
