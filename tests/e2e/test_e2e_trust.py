"""In a real browser at 1280 px: no KPI tile is cut off, in English or Chinese; no Chinese page shows English words or raw codes.

Every page of every role is walked in Chinese (the demo accounts), its visible text read, and a
list of words that must never show untranslated (None, in_use, open, high, days, Upload, …) checked.
"""

from __future__ import annotations

import re

import pytest
from conftest import SHOTS
from playwright.sync_api import expect
from test_e2e import settle, sign_in

from tracker.access.auth import ROLE_PAGES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def server(demo_server):
    """The demo server of the run (tests/conftest.py): these tests only sign in and read pages."""
    return demo_server


ACCOUNTS = {
    "admin": ("admin", "demo-admin-pass"),
    "finance": ("finance", "demo-finance-pass"),
    "auditor": ("auditor", "demo-auditor-pass"),
    "agency": ("agency-a001", "demo-agency-pass"),
}
# words and codes that mean an untranslated text or a raw value in the Chinese interface
ENGLISH = {
    "None", "nan", "null", "in_use", "in_storage", "disposed", "open", "confirmed", "dismissed", "resolved", "high",
    "medium", "low", "days", "day", "hours", "Upload", "Browse", "per", "file", "files", "ratio", "currency",
    "unit", "units", "findings", "finding", "rows", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec", "Error", "Traceback", "True", "False",
}  # fmt: skip
HOURS_IN_ENGLISH = re.compile(r"\d h\b")
# the language switch names English in English; Streamlit's skip link is for screen readers
ALLOWED_LINES = {"English", "Language · 语言", "Skip to main content"}

TRUNCATED = """metric => [...metric.querySelectorAll('*')].filter(
    e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible'
       || getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1
       || (e.innerText || '').trim().endsWith('…')
).map(e => e.innerText)"""


def _tab(browser, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    return context, tab


def _ready(tab) -> None:
    """Until the page has finished every run a sign-in starts: idle, and still idle a moment later, with nothing loading."""
    tab.locator("h1").first.wait_for(timeout=120_000)
    for _ in range(3):
        settle(tab)
        tab.wait_for_timeout(700)
    tab.wait_for_function("() => !document.querySelector(\"[data-testid='stSkeleton']\")", timeout=120_000)
    settle(tab)


def _visible_text(tab) -> str:
    icons = set(tab.locator("[data-testid='stIconMaterial']").all_inner_texts())
    text = tab.locator("[data-testid='stApp']").inner_text()
    lines = [line for line in text.splitlines() if line.strip() and line.strip() not in ALLOWED_LINES | icons]
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("role", ["admin", "agency"])
def test_no_kpi_tile_is_cut_off_at_1280_px(server, browser, lang, role):
    context, tab = _tab(browser)
    sign_in(tab, f"{server['url']}/?lang={lang}", *ACCOUNTS[role])
    _ready(tab)
    tiles = tab.locator("[data-testid='stMetric']")
    tiles.first.wait_for(timeout=120_000)
    assert tiles.count() >= 5
    for tile in tiles.all():
        assert tile.evaluate(TRUNCATED) == [], tile.inner_text()
        value = tile.locator("[data-testid='stMetricValue']").inner_text().strip()
        assert value and not value.endswith("…") and "None" not in value
    tab.screenshot(path=str(SHOTS / f"kpis-1280-{role}-{lang}.png"))
    context.close()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_chinese_page_is_in_chinese(server, browser, role):
    context, tab = _tab(browser)
    found = {}
    for page in sorted(ROLE_PAGES[role]):
        sign_in(tab, f"{server['url']}/{page}?lang=zh", *ACCOUNTS[role])
        _ready(tab)
        text = _visible_text(tab)
        words = set(re.findall(r"[A-Za-z_]+", text))
        bad = sorted(words & ENGLISH) + HOURS_IN_ENGLISH.findall(text)
        if bad:
            found[page] = bad
        assert re.search(r"[\u4e00-\u9fff]", text), page
        assert "Page not found" not in tab.locator("body").inner_text(), page  # /overview answers as "/" does
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"zh-{role}-{page}.png"), full_page=True)
    context.close()
    assert not found, found


TABLE_OVERFLOW = """() => [...document.querySelectorAll("[data-testid='stDataFrame'] .dvn-scroller")]
    .map(e => [e.scrollWidth, e.clientWidth])"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_explores_tables_fit_the_page_at_1280_px(server, browser, lang):  # noqa: F811
    """Every column a reviewer needs (value at stake, amount, category, supplier) is on screen: no table scrolls sideways."""
    context, tab = _tab(browser)
    for address in ("explore", "explore?agency=A001"):
        sign_in(tab, f"{server['url']}/{address}{'&' if '?' in address else '?'}lang={lang}", *ACCOUNTS["admin"])
        _ready(tab)
        tab.locator("[data-testid='stDataFrame']").first.wait_for(timeout=120_000)
        tab.wait_for_timeout(1500)  # the grid lays its columns out after it is attached
        sizes = tab.evaluate(TABLE_OVERFLOW)
        assert sizes and all(scroll <= visible + 1 for scroll, visible in sizes), (address, sizes)
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"explore-1280-{address.replace('?', '-').replace('=', '-')}-{lang}.png"))
    context.close()


@pytest.mark.parametrize(("locale", "heading"), [("zh-CN", "设备使用率监测"), ("en-US", "Equipment utilisation tracker")])
def test_a_new_tab_without_a_language_in_its_address_follows_the_browser(server, browser, locale, heading):
    """A link shared without ?lang= opens in the reader's own language, as their browser reports it."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale=locale)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(f"{server['url']}/explore")
    expect(tab.locator("h1").first).to_have_text(heading, timeout=90_000)
    context.close()


@pytest.mark.parametrize(
    ("lang", "crumb", "top"), [("zh", "单位：A001、A002", "全部单位"), ("en", "Agencies: A001, A002", "All agencies")]
)
def test_explores_breadcrumb_names_the_agencies_the_filter_chose(server, browser, lang, crumb, top):
    """With two agencies chosen in the sidebar, the drill-down's first part names them, not "All agencies"."""
    context, tab = _tab(browser)
    sign_in(tab, f"{server['url']}/explore?f_agency=A001&f_agency=A002&agency=A001&lang={lang}", *ACCOUNTS["finance"])
    _ready(tab)
    first = tab.locator("[data-testid='stMain'] button").filter(has_text=crumb).first
    expect(first).to_be_visible()
    assert top not in tab.locator("[data-testid='stMain']").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"explore-breadcrumb-{lang}.png"))
    context.close()
