"""The settings page's all-or-nothing saves and the merged change history (tracker.views.admin)."""

from __future__ import annotations

import pytest
from conftest import _commit

from tracker.engine.parameters import load_rule_parameters, set_setting
from tracker.store.profiles import ensure_default_profiles, load_profiles, profile_history
from tracker.store.settings import load_settings, setting_history
from tracker.views import admin
from tracker.views.source import Source

# -- settings page: all-or-nothing saves ---------------------------------------------------------


def test_profile_edits_name_the_category_of_each_edited_row():
    edits = admin.profile_edits(["desktop", "laptop"], {"1": {"low_threshold": 0.3, "name": "ignored"}})
    assert edits == [admin.Change("laptop", "low_threshold", 0.3)]


def test_profile_edits_are_stored_together_with_actor_and_note(db):
    ensure_default_profiles(db)
    changes = [admin.Change("laptop", "low_threshold", 0.3), admin.Change("printer", "price_cap", None)]
    assert admin.apply_profile_edits(db, changes, "admin", "new standard") == []
    profiles = load_profiles(db)
    assert profiles["laptop"].low_threshold == 0.3 and profiles["printer"].price_cap_cny is None
    latest = profile_history(db)[0]
    assert (latest["changed_by"], latest["note"]) == ("admin", "new standard")


def test_one_invalid_profile_value_stores_nothing(db):
    ensure_default_profiles(db)
    changes = [admin.Change("laptop", "low_threshold", 0.3), admin.Change("desktop", "hours_per_day", 30)]
    problems = admin.apply_profile_edits(db, changes, "admin")
    assert [p.change for p in problems] == [changes[1]]
    assert "每日标准小时数" in problems[0].text("zh")
    assert load_profiles(db)["laptop"].low_threshold == 0.25
    assert all(c["changed_by"] == "system" for c in profile_history(db))


def test_settings_are_stored_together_or_not_at_all(db):
    problems = admin.apply_settings(db, {"fiscal_year_start_month": 4, "rule.IDLE.idle_days": -1}, "admin")
    assert [p.change.target for p in problems] == ["rule.IDLE.idle_days"]
    assert load_settings(db).fiscal_year_start_month == 1 and setting_history(db) == []
    assert admin.apply_settings(db, {"fiscal_year_start_month": 4, "rule.IDLE.idle_days": 30}, "admin") == []
    assert load_settings(db).fiscal_year_start_month == 4
    assert load_rule_parameters(db) == {"IDLE": {"idle_days": 30}}


def _stored_state(db) -> tuple:
    return (
        db.fetchall("SELECT name, value FROM settings ORDER BY name"),
        db.fetchall("SELECT name, old_value, new_value FROM setting_changes ORDER BY change_id"),
        db.fetchall("SELECT entry_id, action, target FROM audit_log ORDER BY entry_id"),
    )


@pytest.mark.parametrize(
    "values",
    [
        {"rule.IDLE.idle_days": 0, "rule.YEAR_END_SURGE.min_ratio": 0.5},  # the reported save: both refused
        {"rule.IDLE.idle_days": 0, "rule.YEAR_END_SURGE.min_ratio": 3},  # a valid value beside an invalid one
        {"rule.YEAR_END_SURGE.min_ratio": 3, "rule.IDLE.idle_days": 1e308},
        {"currency": "USD", "fiscal_year_start_month": 13},
    ],
)
def test_a_save_with_an_invalid_value_stores_nothing(db, values):
    set_setting(db, "rule.IDLE.idle_days", 120, "admin")  # something already stored and audited
    before = _stored_state(db)
    problems = admin.apply_settings(db, values, "admin")
    assert problems and all(p.change.target in values for p in problems)
    assert _stored_state(db) == before
    assert load_rule_parameters(db) == {"IDLE": {"idle_days": 120}}


def test_idle_days_of_zero_is_refused_and_says_the_range(db):
    problems = admin.apply_settings(db, {"rule.IDLE.idle_days": 0, "rule.YEAR_END_SURGE.min_ratio": 0.5}, "admin")
    texts = {p.change.target: (p.text("en"), p.text("zh")) for p in problems}
    assert set(texts) == {"rule.IDLE.idle_days", "rule.YEAR_END_SURGE.min_ratio"}
    assert "from 1 to 3,653" in texts["rule.IDLE.idle_days"][0] and "1 到 3,653 之间的整数" in texts["rule.IDLE.idle_days"][1]
    assert "from 1 to 12" in texts["rule.YEAR_END_SURGE.min_ratio"][0]
    # named as the Settings page names them, never by the internal names
    assert texts["rule.IDLE.idle_days"] == (
        'Idle · Days without usage after which a used asset is idle: "0" is not accepted (a whole number from 1 to 3,653).',
        "闲置 · 曾使用的资产连续多少天未使用即为闲置：不接受“0”（1 到 3,653 之间的整数）。",
    )
    assert not any("idle_days" in text or "IDLE." in text or "Setting " in text for pair in texts.values() for text in pair)


def test_a_refused_profile_value_names_the_category_in_the_readers_language(db):
    ensure_default_profiles(db)
    problems = admin.apply_profile_edits(db, [admin.Change("copier", "hours_per_day", 30)], "admin")
    assert problems[0].text("en").startswith("Category Copier: hours per day")
    assert problems[0].text("zh").startswith("类别 复印机：")


def test_a_stored_value_not_in_force_is_named_by_its_label(db):
    db.execute("INSERT INTO settings VALUES ('rule.IDLE.idle_days', '0', now(), 'someone')")
    [problem] = admin.settings_problems(db)
    text = admin.stored_problem_text(problem, "en")
    assert text.startswith('The stored value "0" of Idle · Days without usage after which a used asset is idle is not used')


def test_changed_values_compare_after_normalising(db):
    set_setting(db, "currency", "USD", "admin")
    set_setting(db, "rule.IDLE.idle_days", 120, "admin")
    entered = {
        "currency": "usd",
        "country": "CN",
        "fiscal_year_start_month": 4,
        "rule.IDLE.idle_days": 120.0,
        "rule.NEVER_USED.grace_days": 60,
        "rule.LOW_UTILISATION.min_available_days": 30,
        "timezone": "Mars/Base",
    }
    assert admin.changed_values(db, entered) == {
        "fiscal_year_start_month": 4,
        "rule.LOW_UTILISATION.min_available_days": 30,
        "timezone": "Mars/Base",
    }


def test_change_history_merges_profiles_and_settings_newest_first(db):
    ensure_default_profiles(db)
    admin.apply_profile_edits(db, [admin.Change("laptop", "life_years", 5)], "alice", "audit advice")
    admin.apply_settings(db, {"currency": "usd"}, "bob")
    rows = admin.change_history(db).to_pylist()
    assert [(r["changed_by"], r["what"], r["field"], r["old_value"], r["new_value"]) for r in rows[:2]] == [
        ("bob", "currency", None, "CNY", "USD"),
        ("alice", "laptop", "life_years", "6", "5"),
    ]
    assert rows[1]["note"] == "audit advice"
    assert {r["changed_by"] for r in rows[2:]} == {"system"}


def test_findings_follow_a_rule_threshold(with_assets):
    db = with_assets
    src = Source(db)  # one process's cache, as the settings page and the dashboard share it
    assert admin.findings_now(src) is None  # no usage data: nothing to date a window by
    _commit(db, "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-2,2025-01-01,6\n", "usage.csv", "usage")
    before = admin.findings_now(src)
    assert before.by_rule == {"LOW_UTILISATION": 2, "NO_TELEMETRY": 1} and before.count == 3
    admin.apply_settings(db, {"rule.IDLE.idle_days": 30}, "admin")  # PC-2, unused for 61 days, is now idle
    assert admin.findings_now(src).by_rule == {"IDLE": 1, "LOW_UTILISATION": 1, "NO_TELEMETRY": 1}
    admin.apply_settings(db, {"rule.LOW_UTILISATION.min_available_days": 400}, "admin")  # more than the window
    after = admin.findings_now(src)
    assert after.by_rule == {"IDLE": 1, "NO_TELEMETRY": 1} and after.value_at_stake < before.value_at_stake


def test_supported_countries_name_the_calendars_holidays_knows():
    countries = admin.supported_countries()
    assert countries["CN"] == "China" and countries["GB"] == "United Kingdom"
    assert list(countries) == sorted(countries)
