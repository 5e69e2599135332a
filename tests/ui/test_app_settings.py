"""The settings page, run by AppTest against a real DuckDB file: profiles, rule thresholds, general settings, history.

Most tests run the page on its own, so that they do not depend on the other pages; one test reaches
it through app.py's navigation. AppTest does not type into a data editor: a test seeds the editor's
edit state (edited_rows) in session state, as the browser would send it, then presses Save.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")

SCRIPT = """
from tracker.ui import common, settings_page

common.language_switch()
settings_page.render()
"""
EDITOR = "settings_profiles_0"
LAPTOP_ROW, DESKTOP_ROW, PRINTER_ROW = 1, 0, 4  # rows of the profiles table, in the order of tracker.domain.categories


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """Two laptops of one agency: PC-1 used on the last day, PC-2 barely used (low utilisation)."""
    path = tmp_path / "settings.duckdb"
    (tmp_path / "assets.csv").write_text(
        "asset_id,agency_code,category,purchase_cost,purchase_date\n"
        "PC-1,A001,laptop,6500,2024-03-01\nPC-2,A001,laptop,6500,2024-03-01\n",
        encoding="utf-8",
    )
    (tmp_path / "usage.csv").write_text(
        "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-2,2025-01-01,6\n", encoding="utf-8"
    )
    with Database.open(path) as db:
        for kind in ("assets", "usage"):
            assert ingest_file(db, kind, tmp_path / f"{kind}.csv").committed
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def _page(lang: str = "en", user: str | None = None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params["lang"] = lang
    sign_in_as(at, "admin", username=user or "dashboard")
    at.run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _db(at: AppTest):
    return at.session_state["db_cursor"]


def _edit_profiles(at: AppTest, edited_rows: dict, note: str = "") -> AppTest:
    at.session_state[EDITOR] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.text_input(key="settings_profiles_note").set_value(note)
    at.button(key="settings_profiles_save").click().run()
    _no_exception(at)
    return at


def _history(at: AppTest):
    return next(d.value for d in at.dataframe if "new_value" in d.value.columns)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize(
    ("lang", "title", "tabs"),
    [
        ("en", "Settings", ["Category profiles", "Rule thresholds", "General", "Equipment standards", "Change history"]),
        ("zh", "设置", ["类别配置", "规则阈值", "常规设置", "配置标准", "修改记录"]),
    ],
)
def test_the_page_renders_in_both_languages(app_db, lang, title, tabs):
    at = _page(lang)
    assert at.title[0].value == title
    assert [t.label for t in at.tabs] == tabs
    profiles = at.data_editor[0].value
    assert len(profiles) == 15 and profiles["low_threshold"][LAPTOP_ROW] == 0.25
    assert at.number_input(key="settings_rule_IDLE_idle_days").value == 90
    assert at.selectbox(key="settings_country").value == "CN"


def test_the_navigation_leads_to_the_page(app_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=60)).run()
    switch_to(at, "settings").run()
    _no_exception(at)
    assert at.title[0].value == "Settings" and len(at.data_editor) == 2  # the profiles, and a new standard's categories


def test_a_profile_change_is_stored_with_its_actor_and_shown_in_the_history(app_db):
    at = _edit_profiles(_page(user="alice"), {LAPTOP_ROW: {"low_threshold": 0.4}}, note="new standard")
    assert any("Saved 1 change." == s.value for s in at.success)
    assert any("The dashboard now shows" in i.value for i in at.info)
    row = _db(at).fetchone("SELECT low_threshold, changed_by FROM category_profiles WHERE category = 'laptop'")
    assert row == (0.4, "alice")
    latest = _history(at).iloc[0]
    assert (latest["changed_by"], latest["what"], latest["old_value"], latest["new_value"], latest["note"]) == (
        "alice",
        "Laptop · Low-utilisation threshold",
        "0.25",
        "0.4",
        "new standard",
    )
    assert at.data_editor[0].value["low_threshold"][LAPTOP_ROW] == 0.4  # the editor shows the stored value


def test_an_invalid_profile_value_is_refused_and_nothing_is_stored(app_db):
    at = _edit_profiles(_page(), {DESKTOP_ROW: {"hours_per_day": 30}, LAPTOP_ROW: {"life_years": 5}})
    assert "Nothing was saved" in at.error[0].value
    problems = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(problems["what"]) == ["Desktop · Hours per day"]
    assert "at most 24" in problems["reason"][0]
    assert _db(at).scalar("SELECT count(*) FROM category_profile_changes WHERE changed_by <> 'system'") == 0
    assert _db(at).scalar("SELECT life_years FROM category_profiles WHERE category = 'laptop'") == 6


def test_an_invalid_profile_value_is_explained_in_chinese(app_db):
    at = _edit_profiles(_page("zh"), {DESKTOP_ROW: {"low_threshold": 2}})
    problems = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert "低利用率阈值必须大于 0 且不超过 1" in problems["reason"][0]


def test_a_printers_capacity_is_stored_and_shown_in_the_history(app_db):
    at = _page(user="alice")
    profiles = at.data_editor[0].value
    assert (profiles["meter"][PRINTER_ROW], profiles["capacity"][PRINTER_ROW]) == ("pages_total", 2000)
    assert profiles["capacity_unit"][PRINTER_ROW] == "pages per month"
    at = _edit_profiles(at, {PRINTER_ROW: {"capacity": 3500}}, note="duplex fleet")
    assert any("Saved 1 change." == s.value for s in at.success)
    row = _db(at).fetchone("SELECT meter_capacity, changed_by FROM category_profiles WHERE category = 'printer'")
    assert row == (3500, "alice")
    latest = _history(at).iloc[0]
    assert (latest["what"], latest["old_value"], latest["new_value"], latest["note"]) == (
        "Printer · Capacity",
        "2000",
        "3500",
        "duplex fleet",
    )
    assert at.data_editor[0].value["capacity"][PRINTER_ROW] == 3500


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("en", 'Category Printer: the capacity must be a number greater than 0; got "-10".'),
        ("zh", "类别 打印机：产能必须是大于 0 的数字，实际为“-10”。"),
    ],
)
def test_an_invalid_capacity_is_refused_with_its_category_and_value(app_db, lang, reason):
    at = _edit_profiles(_page(lang), {PRINTER_ROW: {"capacity": -10}, LAPTOP_ROW: {"life_years": 5}})
    problems = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(problems["value"]) == ["-10"] and list(problems["reason"]) == [reason]
    assert _db(at).scalar("SELECT meter_capacity FROM category_profiles WHERE category = 'printer'") is None
    assert _db(at).scalar("SELECT life_years FROM category_profiles WHERE category = 'laptop'") == 6
    assert _db(at).scalar("SELECT count(*) FROM category_profile_changes WHERE changed_by <> 'system'") == 0


def test_a_rule_threshold_is_stored_and_changes_the_findings(app_db):
    at = _page()
    at.number_input(key="settings_rule_LOW_UTILISATION_min_available_days").set_value(400)
    _button(at, "Save thresholds").click().run()
    _no_exception(at)
    assert _db(at).scalar("SELECT value FROM settings WHERE name = 'rule.LOW_UTILISATION.min_available_days'") == "400"
    findings = next(i.value for i in at.info if "The dashboard now shows" in i.value)
    assert "now shows 0 findings" in findings and "before this change: 2," in findings  # PC-2 is no longer judged
    assert _history(at).iloc[0]["what"] == "Low utilisation · Available days in the window needed to judge utilisation"


def test_a_general_setting_is_stored(app_db):
    at = _page()
    at.selectbox(key="settings_fiscal_year_start_month").set_value(4)
    at.selectbox(key="settings_country").set_value("GB")
    _button(at, "Save settings").click().run()
    _no_exception(at)
    stored = dict(_db(at).fetchall("SELECT name, value FROM settings"))
    assert stored == {"fiscal_year_start_month": "4", "country": "GB"}
    assert any("Saved 2 changes." == s.value for s in at.success)
    history = _history(at)
    assert set(history["what"][:2]) == {"Fiscal year starts in", "Country calendar"}


def test_an_invalid_general_setting_is_refused(app_db):
    at = _page()
    at.text_input(key="settings_currency").set_value("US")
    at.selectbox(key="settings_fiscal_year_start_month").set_value(7)
    _button(at, "Save settings").click().run()
    _no_exception(at)
    assert "Nothing was saved" in at.error[0].value
    assert _db(at).scalar("SELECT count(*) FROM settings") == 0


def test_saving_unchanged_settings_records_nothing(app_db):
    at = _page()
    _button(at, "Save settings").click().run()
    _button(at, "Save thresholds").click().run()
    _no_exception(at)
    assert any("Nothing to save" in i.value for i in at.info)
    assert _db(at).scalar("SELECT count(*) FROM setting_changes") == 0


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", ('"99,999,999,999,999"', "3,653")),
        ("zh", ("从未使用", "不接受“99,999,999,999,999”", "0 到 3,653 之间的整数")),
    ],
)
def test_a_refused_threshold_reads_in_full_with_its_setting_value_and_range(app_db, lang, said):
    at = _page(lang)
    at.number_input(key="settings_rule_NEVER_USED_grace_days").set_value(99_999_999_999_999)
    _button(at, "保存阈值" if lang == "zh" else "Save thresholds").click().run()
    _no_exception(at)
    refusal = next(d for d in at.dataframe if "reason" in d.value.columns)
    reason = refusal.value["reason"][0]
    assert all(part in reason for part in said), reason
    assert refusal.proto.row_height >= 60  # rows tall enough for a reason to wrap, not cut at 1280 px
    assert _db(at).scalar("SELECT count(*) FROM settings") == 0


@pytest.mark.parametrize(
    ("lang", "key", "value", "said"),
    [
        ("en", "settings_rule_NEVER_USED_grace_days", -1, ('"-1"', "0 to 3,653")),
        ("zh", "settings_rule_NEVER_USED_grace_days", -1, ("不接受“-1”", "0 到 3,653 之间的整数")),
        ("en", "settings_rule_IDLE_PURCHASE_min_share", 1.5, ('"1.5"',)),
        ("zh", "settings_rule_IDLE_PURCHASE_min_share", 1.5, ("不接受“1.5”",)),
    ],
)
def test_a_threshold_below_or_above_its_range_reaches_the_check_and_is_explained(app_db, lang, key, value, said):
    """The boxes set no range of their own (the browser would refuse in silence, in English): the value reaches
    the check, which refuses it naming the setting, the value and the range, in the page's language."""
    at = _page(lang)
    at.number_input(key=key).set_value(value)
    _button(at, "保存阈值" if lang == "zh" else "Save thresholds").click().run()
    _no_exception(at)
    refusal = next(d for d in at.dataframe if "reason" in d.value.columns)
    reason = refusal.value["reason"][0]
    assert all(part in reason for part in said), reason
    assert _db(at).scalar("SELECT count(*) FROM settings") == 0
