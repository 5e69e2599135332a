"""In a real browser, a hostile asset id and a hostile address show as text on Explore: no link, no remote image."""

from __future__ import annotations

import urllib.parse

import pytest
from conftest import copy_database
from playwright.sync_api import expect
from test_e2e import settle, sign_in

from tracker.store.db import Database

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=60_000)

PHISH_URL = "http://host/phish"
PIXEL_URL = "http://host/p.png"
HOSTILE_ASSET = f"[Session expired - sign in again]({PHISH_URL})![x]({PIXEL_URL})"
AGENCY = "A002"


@pytest.fixture(scope="module")
def server_database(dashboard_demo_file, tmp_path_factory):
    """The demo data with one of A002's devices registered under a hostile id (served by the module's `server`)."""
    db_path = tmp_path_factory.mktemp("e2e-markup") / "tracker.duckdb"
    copy_database(dashboard_demo_file, db_path)
    with Database.open(db_path) as database:
        (asset,) = database.fetchall("SELECT min(asset_id) FROM assets WHERE agency_code = ?", [AGENCY])[0]
        database.execute("UPDATE usage_daily SET asset_id = ? WHERE asset_id = ?", [HOSTILE_ASSET, asset])
        database.execute("UPDATE usage_months SET asset_id = ? WHERE asset_id = ?", [HOSTILE_ASSET, asset])
        database.execute("UPDATE assets SET asset_id = ? WHERE asset_id = ?", [HOSTILE_ASSET, asset])
        database.execute("DELETE FROM snapshots")
    return db_path


@pytest.fixture(scope="module")
def server(server):
    """The address of the module's server."""
    return server["url"]


def test_explore_shows_hostile_codes_as_text(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    try:
        query = urllib.parse.urlencode({"agency": AGENCY, "po": "-", "asset": HOSTILE_ASSET})
        sign_in(tab, f"{server}/explore?{query}", "admin", "demo-admin-pass")
        settle(tab)
        expect(tab.get_by_role("heading", name="Session expired").first).to_be_visible()
        _assert_no_link_or_image(tab)
        query = urllib.parse.urlencode({"agency": AGENCY, "po": f"[Session expired - sign in again]({PHISH_URL})", "line": "1"})
        sign_in(tab, f"{server}/explore?{query}", "admin", "demo-admin-pass")
        settle(tab)
        expect(tab.get_by_text("Session expired").first).to_be_visible()
        _assert_no_link_or_image(tab)
        assert not [u for u in requested if u.startswith("http://host/")], requested
    finally:
        context.close()


def _assert_no_link_or_image(tab) -> None:
    assert tab.locator(f"a[href='{PHISH_URL}']").count() == 0
    assert tab.locator(f"img[src='{PIXEL_URL}']").count() == 0
    assert tab.locator("a[href^='http://host']").count() == 0
