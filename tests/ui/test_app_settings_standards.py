"""The settings page's equipment standards tab, run by AppTest against a real DuckDB file.

AppTest does not type into a data editor: a test seeds the editor's edit state (edited_rows) in
session state, as the browser would send it, then presses the button.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import sign_in_as
from streamlit.testing.v1 import AppTest

from tracker.domain.categories import CATEGORIES
from tracker.store.db import Database

SCRIPT = """
from tracker.ui import common, settings_page

common.language_switch()
settings_page.render()
"""
EDITOR = "settings_standards_editor_0"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    path = tmp_path / "standards.duckdb"
    with Database.open(path):
        pass
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params["lang"] = lang
    sign_in_as(at, "admin", username="ada")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _add(at: AppTest, jurisdiction: str, version: str, day, edited_rows: dict) -> AppTest:
    at.text_input(key="settings_standards_new_jurisdiction").set_value(jurisdiction)
    at.text_input(key="settings_standards_new_version").set_value(version)
    at.date_input(key="settings_standards_new_from").set_value(day)
    at.session_state[EDITOR] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    _button(at, "Add the version").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _stored(at: AppTest) -> list[tuple]:
    return at.session_state["db_cursor"].fetchall(
        "SELECT jurisdiction, version, effective_from, category, price_cap, min_service_years FROM equipment_standards ORDER BY 4"
    )


def test_the_tab_lists_the_central_standard_with_empty_projector_and_scanner_caps(app_db):
    at = _page()
    listing = next(d.value for d in at.dataframe if "in_force" in d.value.columns)
    caps = dict(zip(listing["category"], listing["price_cap"]))
    assert caps["Desktop"] == "5,000.00" and caps["Projector"].startswith("no cap (varies by province)")
    assert at.selectbox(key="settings_standards_jurisdiction").value == "CN-central"


def test_a_version_is_added_audited_and_can_be_put_in_force(app_db):
    desktop = CATEGORIES.index("desktop")
    projector = CATEGORIES.index("projector")
    at = _add(
        _page(),
        "CN-44",
        "粤 2024",
        date(2024, 1, 1),
        {desktop: {"price_cap": 5500, "min_service_years": 6}, projector: {"price_cap": 8000}},
    )
    assert any("Version 粤 2024 of CN-44 stored" in s.value for s in at.success)
    assert _stored(at) == [
        ("CN-44", "粤 2024", date(2024, 1, 1), "desktop", 5500, 6),
        ("CN-44", "粤 2024", date(2024, 1, 1), "projector", 8000, None),
    ]
    audited = at.session_state["db_cursor"].fetchall("SELECT actor FROM audit_log WHERE target = 'standard:CN-44:粤 2024'")
    assert audited == [("ada",)]
    at.selectbox(key="settings_standards_jurisdiction").set_value("CN-44")
    _button(at, "Apply this jurisdiction").click().run()
    stored = at.session_state["db_cursor"].scalar("SELECT value FROM settings WHERE name = 'standards_jurisdiction'")
    assert stored == "CN-44"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_version_is_refused_as_a_whole_with_each_reason(app_db, lang):
    desktop, laptop = CATEGORIES.index("desktop"), CATEGORIES.index("laptop")
    at = _page(lang)
    label = "Add the version" if lang == "en" else "添加该版本"
    at.text_input(key="settings_standards_new_jurisdiction").set_value("CN-central")
    at.text_input(key="settings_standards_new_version").set_value("财资〔2016〕27号")
    at.date_input(key="settings_standards_new_from").set_value(None)
    at.session_state[EDITOR] = {
        "edited_rows": {desktop: {"price_cap": -100}, laptop: {"price_cap": 7000}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _button(at, label).click().run()
    assert not at.exception
    error = at.error[0].value
    if lang == "en":
        assert "Nothing was saved" in error and "already has a version" in error
        assert "In force from has an invalid value" in error and "a date" in error
        assert "Desktop · Price cap \\(yuan\\)" in error and "at least 0" in error  # markdown escapes the brackets
    else:
        assert "同名版本" in error and "施行日期" in error and "应为日期" in error
        assert "台式机的价格上限（元）" in error and "不小于 0" in error
    assert _stored(at) == []


def test_the_core_refuses_a_finance_officer_whatever_the_page_shows(app_db):
    from tracker.access.auth import User
    from tracker.engine.standards_admin import add_version
    from tracker.text.errors import ScopeError

    with Database.open(app_db) as db, pytest.raises(ScopeError):
        add_version(
            db,
            User("fin", "finance", None, None),
            jurisdiction="CN-44",
            version="p",
            effective_from="2024-01-01",
            rows={"desktop": {"price_cap": 1}},
        )
