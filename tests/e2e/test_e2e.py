"""End to end: `streamlit run app.py` on a temporary database, driven by Playwright in Debian's Chromium.

The module has a server of its own on a copy of the demo database (`server` in tests/conftest.py:
its tests change what they read, and its upload ends the demo); the browser is shared by the run.
All tests in one xdist group, in order. Screenshots of every page are written to
tests/artifacts/screenshots/ (git-ignored); the README shows copies of them.
"""

from __future__ import annotations

import re

import pytest
from conftest import CHROMIUM, ROOT, SHOTS, wait_for_health  # noqa: F401 (the other browser modules import them from here)
from conftest import free_port as _free_port  # noqa: F401 (as above)
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=60_000)  # a loaded machine can take seconds for a run: wait for what a test expects


def sign_in(tab, url: str, username: str, password: str) -> None:
    """Open `url`; a browser without a session lands on the sign-in form, and after it on the page asked for.

    A sign-in lasts (its cookie): a browser context that has signed in before opens the page directly.
    Signing in sends the browser once through /session/begin, which sets the cookie and comes back.
    """
    tab.goto(url)
    settle(tab)
    form = tab.locator("[data-testid='stForm']")  # labels are in the URL's language: find the fields by type
    signed_in = tab.locator(
        "[data-testid='stSidebar'] button:has-text('Sign out'), [data-testid='stSidebar'] button:has-text('退出登录')"
    )
    form.locator("input[type='password']").or_(signed_in).first.wait_for(timeout=90_000)
    if form.locator("input[type='password']").count() == 0:
        return
    form.locator("input[type='text']").fill(username)
    form.locator("input[type='password']").fill(password)
    with tab.expect_navigation(url="**/*", timeout=90_000):
        form.locator("[data-testid='stFormSubmitButton'] button").click()
    settle(tab)


class SignedInTab:
    """A Playwright page whose goto() signs in when the browser has no session yet."""

    def __init__(self, tab, username: str, password: str):
        self._tab, self._username, self._password = tab, username, password

    def goto(self, url: str) -> None:
        sign_in(self._tab, url, self._username, self._password)

    def __getattr__(self, name):
        return getattr(self._tab, name)


@pytest.fixture
def page(browser, server):
    """A browser tab signed in as the demo administrator."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield SignedInTab(tab, "admin", "demo-admin-pass")
    context.close()


IDLE = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector("[data-testid='stStatusWidget']")
        && !document.querySelector("[data-stale='true']");
}"""


WATCH = """() => {
    window.trackerRan = false;
    const app = document.querySelector("[data-testid='stApp']");
    new MutationObserver((changes, observer) => {
        window.trackerRan = true;
        observer.disconnect();
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def rerun(tab, action) -> None:
    """Do `action` on an idle app and wait for the run it starts to finish: a change of the script state, then idle."""
    tab.evaluate(WATCH)
    action()
    tab.wait_for_function("() => window.trackerRan === true", timeout=90_000)
    settle(tab)


def painted(tab) -> None:
    """Wait for the browser to lay out and paint what is on the page (two animation frames)."""
    tab.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def settle(tab) -> None:  # noqa: D401 (works on a Page or a SignedInTab)
    """Wait until the app is idle: its script has run ("notRunning"), no "Running…" status, no stale element."""
    tab.wait_for_function(IDLE, timeout=90_000)
    painted(tab)


def shoot(tab, name: str, height: int = 2200) -> None:
    """A screenshot of the whole app (Streamlit scrolls inside its own container, so grow the viewport)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1440, "height": height})
    settle(tab)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1440, "height": 1000})


def metric_value(tab, label: str) -> str:
    card = tab.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_overview_in_english_and_chinese(server, page):
    page.goto(server["url"])
    settle(page)
    page.locator("[data-testid='stPlotlyChart']").nth(3).wait_for()
    expect(page.get_by_role("heading", name="Equipment spend and utilisation")).to_be_visible()
    assert metric_value(page, "Assets") == "2,053"
    assert page.locator("[data-testid='stPlotlyChart']").count() == 4
    shoot(page, "overview-en", 2600)
    page.goto(server["url"] + "/?lang=zh")
    settle(page)
    page.locator("[data-testid='stPlotlyChart']").nth(3).wait_for()
    expect(page.get_by_role("heading", name="设备支出与使用情况")).to_be_visible()
    assert metric_value(page, "资产数") == "2,053"
    assert metric_value(page, "涉及金额").endswith("万")
    shoot(page, "overview-zh", 2600)


def test_a_filter_changes_the_numbers(server, page):
    page.goto(server["url"])
    settle(page)
    before = metric_value(page, "Assets")
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    rerun(page, page.get_by_role("option", name=re.compile(r"^A001")).click)
    page.keyboard.press("Escape")
    expect(page.get_by_text("Filtered to Agency: A001")).to_be_visible()
    settle(page)
    after = metric_value(page, "Assets")
    assert int(after.replace(",", "")) < int(before.replace(",", ""))


def test_drill_down_from_agency_to_daily_usage(server, page):
    page.goto(server["url"] + "/explore?agency=A002")
    settle(page)
    expect(page.get_by_role("heading", name="Purchase lines of A002")).to_be_visible()
    shoot(page, "explore-lines", 1400)
    page.goto(server["url"] + "/explore?agency=A002&po=CG2024-A002-0007&line=1&ocid=")
    settle(page)
    expect(page.get_by_role("heading", name="Devices of line CG2024-A002-0007/1")).to_be_visible()
    shoot(page, "explore-devices", 1300)
    page.goto(server["url"] + "/explore?agency=A002&po=CG2024-A002-0007&line=1&ocid=&asset=A002-00400")
    settle(page)
    expect(page.get_by_role("heading", name=re.compile("Device A002-00400"))).to_be_visible()
    expect(page.get_by_text("Idle", exact=True).first).to_be_visible()
    chart = page.locator("[data-testid='stPlotlyChart']")
    chart.scroll_into_view_if_needed()
    chart.locator(".js-plotly-plot").wait_for()
    shoot(page, "explore-device", 1200)
    rerun(page, page.get_by_role("button", name="A002 ›").click)
    expect(page.get_by_role("heading", name="Purchase lines of A002")).to_be_visible()


def test_review_a_finding_and_download_the_evidence_pack(server, page, tmp_path):
    import openpyxl

    page.goto(server["url"] + "/findings")
    settle(page)
    expect(page.get_by_text("133 findings")).to_be_visible()
    # choose the first finding: click its row's selection cell
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    rerun(page, lambda: page.mouse.click(box["x"] + 20, box["y"] + 55))
    page.get_by_text("Confirmed", exact=True).first.click()
    settle(page)  # a choice may start a run of its own: the next action waits for the page to be idle again
    page.get_by_label("Note").fill("checked on site")
    settle(page)
    rerun(page, page.get_by_role("button", name="Record review").click)
    shoot(page, "findings-review", 1800)
    expect(page.get_by_text(re.compile(r"Now: Confirmed · admin"))).to_be_visible()
    rerun(page, page.get_by_role("button", name="Prepare evidence pack").click)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download XLSX").click()
    target = tmp_path / "pack.xlsx"
    download.value.save_as(target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Findings", "Rules", "Assets", "Purchase lines", "Reallocation"]
    findings = list(book["Findings"].iter_rows(min_row=2, values_only=True))
    header = next(book["Findings"].iter_rows(max_row=1, values_only=True))
    status = header.index("review_status")
    assert len(findings) == 133 and sum(1 for r in findings if r[status] == "confirmed") == 1


def test_an_agency_user_signs_in_and_sees_only_their_agency(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(server["url"])
        settle(tab)
        expect(tab.get_by_text("Demo accounts (shown while the demo data is loaded)")).to_be_visible()
        shoot(tab, "login", 1000)
        tab = SignedInTab(tab, "agency-a001", "demo-agency-pass")
        tab.goto(server["url"])
        # a first overview of a new session can take long on a busy machine; the fourth chart is below the fold
        expect(tab.locator("[data-testid='stPlotlyChart']")).to_have_count(4, timeout=180_000)
        expect(tab.get_by_text("Agency: A001 (your agency)")).to_be_visible()
        expect(tab.get_by_role("link", name="Settings")).not_to_be_visible()
        tab.goto(server["url"] + "/explore?agency=A002")
        settle(tab)
        expect(tab.get_by_text("A002 is not your agency: you see the figures of your own agency only.")).to_be_visible()
        tab.goto(server["url"] + "/explore")
        settle(tab)
        tab.get_by_role("heading", name="Agencies").wait_for()
        grid = tab.locator("[data-testid='stDataFrame']").first
        grid.wait_for()
        # the grid paints on a canvas; its accessible table lists the rows: one, A001
        body_rows = grid.locator("table[role='grid'] tbody [role='row']")
        expect(body_rows).to_have_count(1)
        expect(body_rows.first.locator("[role='gridcell']").first).to_have_text(re.compile("A001"))
    finally:
        context.close()


REALLOC_SHOTS = SHOTS / "reallocation"


def shoot_1280(tab, name: str, height: int = 2400) -> None:
    """A screenshot at 1,280 px wide (the narrowest desktop the dashboard is laid out for)."""
    REALLOC_SHOTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1280, "height": height})
    settle(tab)
    tab.screenshot(path=str(REALLOC_SHOTS / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 1000})


def no_table_scrolls_sideways(tab) -> None:
    """Every column of every table on the page is in view at 1,280 px: no grid is wider than its frame."""
    tab.wait_for_timeout(1500)  # the grid lays its columns out after it is attached
    sizes = tab.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stDataFrame'] .dvn-scroller")]
        .map(e => [e.scrollWidth, e.clientWidth])"""
    )
    assert sizes and all(scroll <= visible + 1 for scroll, visible in sizes), sizes


def grid_rows(grid):
    """A dataframe's accessible table (the grid paints on a canvas; this table holds the rows it shows)."""
    return grid.locator("table[role='grid']")


def test_the_reallocation_page_for_a_finance_officer_and_an_agency_user(server, browser):
    """A finance officer sees the pool and a request's proposals with its partial cover and starts a transfer; an
    agency user sees other agencies' pool devices without their usage or findings. English and Chinese, 1,280 px."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab = SignedInTab(tab, "finance", "demo-finance-pass")
        tab.goto(server["url"] + "/reallocation")
        settle(tab)
        expect(tab.get_by_role("heading", name="Reallocation before purchase")).to_be_visible()
        expect(tab.get_by_text("Realised: what transfers approved in the window moved")).to_be_visible()
        assert metric_value(tab, "Devices moved") == "1"
        expect(tab.get_by_role("heading", name="The idle pool")).to_be_visible()
        requests = tab.locator("[data-testid='stDataFrame']").first
        requests.scroll_into_view_if_needed()
        expect(grid_rows(requests)).to_contain_text("8 of 9 Desktop can come from the pool")
        box = requests.bounding_box()
        rerun(tab, lambda: tab.mouse.click(box["x"] + 20, box["y"] + 55))  # the first request: desktops, needed first
        expect(tab.get_by_text("SQ2026-A003-001: 8 of 9 Desktop can come from the pool.")).to_be_visible()
        proposals = tab.locator("[data-testid='stDataFrame']").nth(1)
        expect(grid_rows(proposals)).to_contain_text("accepted, awaiting approval")  # the demo's transfer of A001-00169
        no_table_scrolls_sideways(tab)  # requests, proposals, pool and transfers
        shoot_1280(tab, "reallocation-finance-request-en", 3000)
        rerun(tab, tab.get_by_role("button", name="Start the transfer").click)
        expect(tab.get_by_text(re.compile(r"Transfer #\d+ proposed: \S+ for request SQ2026-A003-001"))).to_be_visible()
        settle(tab)
        transfers = grid_rows(tab.locator("[data-testid='stDataFrame']").last)
        for state in ("(giving) and A003 (receiving)", "refused: Still needed", "approved, effective 2025-10-02"):
            expect(transfers).to_contain_text(state)
        shoot_1280(tab, "reallocation-finance-en", 3400)
        tab.goto(server["url"] + "/reallocation?lang=zh")
        settle(tab)
        expect(tab.get_by_role("heading", name="先调剂后采购")).to_be_visible()
        expect(tab.get_by_text("已实现：窗口期内经批准的调拨")).to_be_visible()
        expect(grid_rows(tab.locator("[data-testid='stDataFrame']").last)).to_contain_text("已批准，2025-10-02 生效")
        no_table_scrolls_sideways(tab)
        shoot_1280(tab, "reallocation-finance-zh", 3400)
        tab.goto(server["url"] + "/?lang=zh")
        settle(tab)
        assert metric_value(tab, "调剂已实现") != "—"
        shoot_1280(tab, "overview-finance-zh", 1400)
        tab.goto(server["url"] + "/")
        settle(tab)
        assert metric_value(tab, "Realised") == "¥7,000"
        tile = tab.locator("[data-testid='stMetric']").filter(has_text="Realised").first
        expect(tile.get_by_text("proposed ¥104K")).to_be_visible()
        expect(tile.locator("[data-testid='stTooltipIcon']")).to_be_visible()  # the exact figures are in its help
        shoot_1280(tab, "overview-finance-en", 1400)
    finally:
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab = SignedInTab(tab, "agency-a001", "demo-agency-pass")
        tab.goto(server["url"] + "/reallocation")
        settle(tab)
        expect(tab.get_by_role("heading", name="The idle pool")).to_be_visible()
        pool = tab.locator("[data-testid='stDataFrame']").nth(1)  # its own request, then the pool
        pool.scroll_into_view_if_needed()
        table = grid_rows(pool)
        expect(table.locator("tbody [role='row']").first).to_be_attached()
        headers = [h.inner_text().strip() for h in table.locator("thead [role='columnheader']").all()]
        assert {"Agency", "Model", "Book value", "Why in the pool", "Days idle"} <= set(headers), headers
        rows = table.locator("tbody [role='row']")
        others = 0
        for i in range(rows.count()):
            cells = dict(zip(headers, (c.inner_text().strip() for c in rows.nth(i).locator("[role='gridcell']").all())))
            if cells.get("Agency") in (None, "", "市教育局"):  # A001's own devices show everything
                continue
            others += 1
            # another agency's device: what a transfer needs, never its usage or findings
            assert cells["Model"] and cells["Book value"] not in ("", "—"), cells
            # unknown cells are drawn as "—" (the grid's placeholder); its accessible table leaves them empty
            assert {cells["Why in the pool"], cells["Days idle"]} <= {"", "—"} and "Evidence" not in cells, cells
        assert others > 0
        no_table_scrolls_sideways(tab)
        pool_box = pool.bounding_box()
        rerun(tab, lambda: tab.mouse.click(pool_box["x"] + 20, pool_box["y"] + 55))  # choose the pool's first device
        expect(tab.get_by_text(re.compile(r"is in the pool \(|belongs to .*not shown to you"))).to_be_visible()
        shoot_1280(tab, "reallocation-agency-en", 2600)
        tab.goto(server["url"] + "/reallocation?lang=zh")
        settle(tab)
        expect(tab.get_by_role("heading", name="公物仓")).to_be_visible()
        pool = grid_rows(tab.locator("[data-testid='stDataFrame']").nth(1))
        expect(pool.locator("thead")).to_contain_text("闲置天数")
        no_table_scrolls_sideways(tab)
        expect(pool.locator("tbody [role='row']").first).to_be_attached()
        shoot_1280(tab, "reallocation-agency-zh", 2600)
    finally:
        context.close()


def test_upload_through_the_browser_changes_the_overview(server, page, tmp_path):
    """A bad file shows its row errors and stores nothing; a good one is previewed, committed, and moves the data date.

    Runs last: the first real upload retires the demo accounts the other tests sign in with.
    """
    bad = tmp_path / "usage_bad.csv"
    bad.write_text("asset_id,usage_date,hours_used\nA001-00001,2026-01-05,6\nA001-00001,2026-01-06,-3\n", encoding="utf-8")
    good = tmp_path / "usage_january.csv"
    good.write_text("asset_id,usage_date,hours_used\nA001-00001,2026-01-05,6\nA001-00002,2026-01-05,4.5\n", encoding="utf-8")
    page.goto(server["url"] + "/upload")
    settle(page)
    rerun(page, lambda: page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(bad)))
    page.get_by_role("heading", name="Check before committing").wait_for()
    expect(page.get_by_text("Rows with problems: 1 of 2", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Commit all rows")).to_be_disabled()
    shoot(page, "upload-preview", 1500)
    rerun(page, page.get_by_role("button", name="Cancel").click)
    rerun(page, lambda: page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(good)))
    rerun(page, page.get_by_role("button", name="Commit all rows").click)
    page.get_by_text(re.compile(r"usage_january\.csv: 2 rows read, 2 accepted, 0 rejected; 2 new.*Committed as upload")).wait_for(
        timeout=60_000
    )
    shoot(page, "upload-receipt", 1200)
    # a real upload ends the demo: its public accounts stop working, and the first administrator is asked for
    tab = page._tab
    tab.goto(server["url"])
    settle(tab)
    tab.get_by_text("Create the first administrator").wait_for()
    assert not tab.get_by_text("Demo accounts (shown while the demo data is loaded)").is_visible()
    tab.get_by_label("Username").fill("chief")
    tab.get_by_label("Password (at least 10 characters)").fill("a long enough secret")
    tab.get_by_label("Password again").fill("a long enough secret")
    tab.get_by_role("button", name="Create and sign in").click()
    settle(tab)
    tab.get_by_text(re.compile(r"Data as of\s+2026-01-05")).wait_for()
