"""Typed settings: each declared once with type, default and bounds; a bad stored value is listed and its default applies.

The pages and the flags with bad stored values: tests/ui/test_app_bad_settings.py."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from conftest import BAD_STORED_SETTINGS, store_settings_by_hand

from tracker.engine.parameters import (
    load_rule_parameters,
    parse_parameter,
    rule_parameter_problems,
    set_setting,
    settings_problems,
    validate_value,
)
from tracker.engine.rules.catalogue import RULES
from tracker.store.config import ENVIRONMENT, SETTINGS, Settings, env, parse_setting, resolve_db_path
from tracker.store.settings import load_settings, setting_history
from tracker.text.errors import ConfigError
from tracker.views import admin

# -- the declarations ----------------------------------------------------------------------------


def test_every_setting_is_declared_once_with_type_default_and_help():
    assert [s.name for s in SETTINGS] == [
        "currency",
        "country",
        "fiscal_year_start_month",
        "timezone",
        "max_upload_mb",
        "max_upload_rows",
        "standards_jurisdiction",
    ]
    defaults = Settings()
    for spec in SETTINGS:
        assert isinstance(spec.default, spec.type) and spec.help
        assert getattr(defaults, spec.name) == spec.default
        if spec.type is int:
            assert spec.minimum <= spec.default <= spec.maximum


def test_every_rule_parameter_has_bounds_around_its_default():
    for rule in RULES:
        for p in rule.parameters:
            assert p.minimum <= p.default <= p.maximum < math.inf, (rule.code, p.name)


def test_load_settings_is_typed(db):
    assert load_settings(db) == Settings()
    set_setting(db, "fiscal_year_start_month", "4", "admin")
    set_setting(db, "max_upload_mb", 20, "admin")
    settings = load_settings(db)
    assert settings.fiscal_year_start_month == 4 and settings.max_upload_mb == 20
    assert settings.as_text()["fiscal_year_start_month"] == "4"


@pytest.mark.parametrize(
    "name, value, stored",
    [
        ("fiscal_year_start_month", " 10 ", "10"),
        ("fiscal_year_start_month", 4.0, "4"),
        ("currency", "usd", "USD"),
        ("max_upload_rows", "1000", "1000"),
        ("rule.NEVER_USED.grace_days", "-0", "0"),
        ("rule.IDLE_PURCHASE.min_share", "-0", "0"),
        ("rule.IDLE_PURCHASE.min_share", "-0.0", "0"),
        ("rule.IDLE.idle_days", "90.0", "90"),
        ("rule.IDLE.idle_days", 1, "1"),
        ("rule.YEAR_END_SURGE.min_ratio", 2.5, "2.5"),
        ("rule.YEAR_END_SURGE.min_ratio", "12", "12"),
    ],
)
def test_values_are_stored_normalised(db, name, value, stored):
    assert set_setting(db, name, value, "admin") == stored
    assert db.scalar("SELECT value FROM settings WHERE name = ?", [name]) == stored


@pytest.mark.parametrize(
    "name, value",
    [
        ("rule.IDLE.idle_days", "1e308"),
        ("rule.IDLE.idle_days", 1e308),
        ("rule.IDLE.idle_days", 0),
        ("rule.IDLE.idle_days", "3654"),
        ("rule.IDLE.idle_days", "inf"),
        ("rule.IDLE.idle_days", True),
        ("rule.IDLE_PURCHASE.min_share", "nan"),
        ("rule.IDLE_PURCHASE.min_share", 1.01),
        ("rule.YEAR_END_SURGE.min_ratio", 0.5),
        ("rule.YEAR_END_SURGE.min_ratio", 12.5),
        ("rule.YEAR_END_SURGE.min_year_spend", "1e16"),
        ("rule.BOUGHT_DESPITE_IDLE_STOCK.min_idle_assets", "0"),
        ("rule.BOUGHT_DESPITE_IDLE_STOCK.lookback_days", "0"),
        ("fiscal_year_start_month", "0"),
        ("fiscal_year_start_month", "13"),
        ("fiscal_year_start_month", "-0"),
        ("fiscal_year_start_month", "4.5"),
        ("max_upload_mb", "0"),
        ("max_upload_mb", "9" * 400),
        ("max_upload_mb", "1e3"),
        ("max_upload_rows", "10000000001"),
        ("currency", "¥¥¥"),
        ("country", "Narnia"),
        ("timezone", "../../etc/passwd"),
        ("no_such_setting", "1"),
    ],
)
def test_values_out_of_bounds_are_refused_in_both_languages(db, name, value):
    with pytest.raises(ConfigError) as refused:
        validate_value(name, value)
    assert name.rsplit(".", 1)[-1] in refused.value.text("en")
    assert "无效" in refused.value.text("zh")
    with pytest.raises(ConfigError):
        set_setting(db, name, value, "admin")
    assert db.scalar("SELECT count(*) FROM settings") == 0 and setting_history(db) == []


def test_parse_gives_typed_values():
    assert parse_setting("fiscal_year_start_month", "7") == 7
    assert parse_parameter("rule.IDLE.idle_days", "45") == 45 and isinstance(parse_parameter("rule.IDLE.idle_days", "45"), int)
    assert parse_parameter("rule.IDLE_PURCHASE.min_share", "1") == 1.0
    assert isinstance(parse_parameter("rule.IDLE_PURCHASE.min_share", "1"), float)


# -- bad values stored by hand or by an older version ------------------------------------------


def test_bad_stored_values_give_defaults_and_are_listed(db):
    store_settings_by_hand(db, BAD_STORED_SETTINGS)
    assert load_settings(db) == Settings()
    assert load_rule_parameters(db) == {}
    problems = settings_problems(db)
    assert sorted(p.name for p in problems) == sorted(BAD_STORED_SETTINGS)
    by_name = {p.name: p for p in problems}
    assert (by_name["fiscal_year_start_month"].value, by_name["fiscal_year_start_month"].default) == ("13", "1")
    assert (by_name["rule.IDLE.idle_days"].value, by_name["rule.IDLE.idle_days"].default) == ("0", "90")
    assert "1 to 3,653" in by_name["rule.IDLE.idle_days"].text("en")
    assert "默认值 90" in by_name["rule.IDLE.idle_days"].text("zh")
    assert "a month number 1-12" in by_name["fiscal_year_start_month"].text("en")
    assert [p.text("en") for p in admin.settings_problems(db)] == [p.text("en") for p in problems]
    assert [p.name for p in rule_parameter_problems(db)] == sorted(n for n in BAD_STORED_SETTINGS if n.startswith("rule."))


def test_a_good_stored_parameter_beside_a_bad_one_still_applies(db):
    store_settings_by_hand(db, {"rule.IDLE.idle_days": "0", "rule.NEVER_USED.grace_days": "30"})
    assert load_rule_parameters(db) == {"NEVER_USED": {"grace_days": 30}}
    assert [p.name for p in settings_problems(db)] == ["rule.IDLE.idle_days"]


def test_saving_a_valid_value_clears_the_problem(db):
    store_settings_by_hand(db, {"rule.IDLE.idle_days": "0"})
    assert admin.apply_settings(db, {"rule.IDLE.idle_days": 60}, "admin") == []
    assert settings_problems(db) == [] and load_rule_parameters(db) == {"IDLE": {"idle_days": 60}}
    assert setting_history(db)[0]["old_value"] == "0"


def test_saving_the_form_unchanged_replaces_an_invalid_stored_value(db):
    store_settings_by_hand(db, {"rule.IDLE.idle_days": "0", "fiscal_year_start_month": "13"})
    shown = {"rule.IDLE.idle_days": 90, "fiscal_year_start_month": 1, "currency": "CNY"}  # the defaults in force
    changed = admin.changed_values(db, shown)
    assert changed == {"rule.IDLE.idle_days": 90, "fiscal_year_start_month": 1}
    assert admin.apply_settings(db, changed, "admin") == [] and settings_problems(db) == []
    assert db.scalar("SELECT value FROM settings WHERE name = 'rule.IDLE.idle_days'") == "90"


# -- environment variables ---------------------------------------------------------------------


def test_environment_variables_are_declared_and_read_through_config(monkeypatch, tmp_path):
    assert {v.name for v in ENVIRONMENT} == {
        "TRACKER_DB",
        "TRACKER_LANG",
        "TRACKER_USER",
        "TRACKER_PROGRESS",
        "TRACKER_PASSWORD",
        "TRACKER_AUDIT_KEY_FILE",
        "TRACKER_PAGE_ERRORS",
        "TRACKER_API_RATE",
    }
    assert all(v.meaning and v.default for v in ENVIRONMENT)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "x.duckdb"))
    assert resolve_db_path() == tmp_path / "x.duckdb" and env("TRACKER_DB") == str(tmp_path / "x.duckdb")
    with pytest.raises(KeyError):
        env("TRACKER_UNDECLARED")


def test_no_module_reads_an_undeclared_tracker_variable():
    root = Path(__file__).resolve().parents[2] / "tracker"
    declared = {v.name for v in ENVIRONMENT}
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "config.py":
            assert 'os.environ.get("TRACKER_' not in text and 'getenv("TRACKER_' not in text, path
        for name in set(re.findall(r"\bTRACKER_[A-Z_]*[A-Z]", text)):
            assert name in declared, (path, name)
