"""End to end: a sign-in lasts across a reload and a second tab, and ends everywhere at sign-out, in Chromium.

`streamlit run app.py` (the dashboard with its session routes) on a new database with one
administrator. The session cookie is HttpOnly and SameSite=Strict; a cookie whose session was
ended, and a forged one, are refused.
"""

from __future__ import annotations

import pytest
from test_e2e import settle, sign_in

from tracker.access import auth
from tracker.store.db import Database

PASSWORD = "admin-pass-123"
SIGNED_IN = "Signed in as"

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server_database(tmp_path_factory):
    """A new database with one administrator (served by the module's `server`)."""
    db_path = tmp_path_factory.mktemp("sessions") / "tracker.duckdb"
    with Database.open(db_path) as db:
        auth.create_user(db, "admin", PASSWORD, "admin", display_name="Ada Admin", actor="test")
    return db_path


def _signed_in(tab) -> bool:
    """Waits for the page to show who is signed in; False if it shows the sign-in form instead."""
    tab.locator(f"[data-testid='stSidebar'] :text('{SIGNED_IN}'), [data-testid='stForm'] input[type='password']").first.wait_for()
    return tab.locator("[data-testid='stSidebar']").get_by_text(SIGNED_IN).count() == 1


def _on_sign_in_form(tab) -> bool:
    return not _signed_in(tab) and tab.locator("[data-testid='stForm'] input[type='password']").count() == 1


def _session_cookie(context) -> dict:
    found = [c for c in context.cookies() if c["name"] == "tracker_session"]
    assert len(found) == 1, context.cookies()
    return found[0]


def test_a_sign_in_lasts_across_reloads_and_tabs_and_ends_everywhere(server, browser):
    url = server["url"]
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    first = context.new_page()
    first.set_default_timeout(60_000)
    sign_in(first, f"{url}/explore?lang=en", "admin", PASSWORD)
    assert _signed_in(first)
    assert first.url.startswith(f"{url}/explore")  # back on the page asked for, after the cookie was set
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain HTTP here
    assert "." in cookie["value"] and len(cookie["value"]) > 60  # signed: id.token.signature
    assert first.evaluate("() => document.cookie").find("tracker_session") == -1  # not readable by scripts

    # a reload stays signed in
    first.reload()
    settle(first)
    assert _signed_in(first)

    # a second tab too, on another page
    second = context.new_page()
    second.set_default_timeout(60_000)
    second.goto(f"{url}/findings?lang=en")
    settle(second)
    assert _signed_in(second)

    # signing out in the second tab ends the first: its next run shows the sign-in form
    with second.expect_navigation(timeout=90_000):
        second.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    settle(second)
    assert _on_sign_in_form(second)
    assert all(c["name"] != "tracker_session" for c in context.cookies())  # the cookie is cleared
    with first.expect_navigation(timeout=90_000):  # the ended session's cookie is cleared on the way
        first.locator("[data-testid='stSidebar']").get_by_role("link", name="Overview").click()
    settle(first)
    assert _on_sign_in_form(first)
    context.close()

    # the ended session's cookie, presented again by another browser, is refused; so is a forged one
    for value in (cookie["value"], cookie["value"][:-4] + "AAAA"):
        stale = browser.new_context(locale="en-GB")
        stale.add_cookies([{"name": "tracker_session", "value": value, "url": url}])
        tab = stale.new_page()
        tab.goto(f"{url}/overview?lang=en")
        settle(tab)
        assert _on_sign_in_form(tab), tab.locator("[data-testid='stApp']").inner_text()
        stale.close()

    log = server["log"].read_text(encoding="utf-8")
    assert "Traceback" not in log
