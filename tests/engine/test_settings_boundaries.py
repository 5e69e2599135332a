"""Settings, rule parameters and the evaluation window at the edges of what they accept.

Each limit is tested at the edge and on both sides of it, through the functions the Settings page,
the command line and the engine call: a refused value raises ConfigError naming the setting and
stores nothing; an accepted one is stored as its normalised text.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.engine.metrics import Window
from tracker.engine.parameters import load_rule_parameters, set_setting, set_settings
from tracker.engine.rules.catalogue import resolve_parameters
from tracker.store.settings import load_settings, setting_history
from tracker.text.errors import ConfigError


@pytest.mark.parametrize(
    "name, value, stored",
    [
        ("fiscal_year_start_month", "1", "1"),  # the first month ...
        ("fiscal_year_start_month", "12", "12"),  # ... and the last
        ("fiscal_year_start_month", " 04 ", "4"),
        ("max_upload_mb", "1", "1"),  # the smallest positive limit
        ("max_upload_rows", "1", "1"),
        ("max_upload_rows", "007", "7"),
        ("currency", "usd", "USD"),  # exactly three letters
        ("country", "us", "US"),
        ("timezone", "Europe/London", "Europe/London"),
        ("rule.IDLE.idle_days", "1", "1"),  # the idle horizon: at least a day
        ("rule.NEVER_USED.grace_days", "0", "0"),  # a grace period may be none
        ("rule.IDLE.idle_days", "7.0", "7"),  # a whole number written as a decimal
        ("rule.IDLE_PURCHASE.min_share", "0", "0"),  # stored as written, without a trailing .0
        ("rule.IDLE_PURCHASE.min_share", "0.25", "0.25"),
        ("rule.YEAR_END_SURGE.min_ratio", "1", "1"),
    ],
)
def test_a_value_at_the_edge_is_accepted_and_stored_normalised(db, name, value, stored):
    assert set_setting(db, name, value, "alice") == stored
    if not name.startswith("rule."):
        assert str(getattr(load_settings(db), name)) == stored
    assert [h["new_value"] for h in setting_history(db, name)] == [stored]


@pytest.mark.parametrize(
    "name, value",
    [
        ("fiscal_year_start_month", "0"),  # one below the first month
        ("fiscal_year_start_month", "13"),  # one past the last
        ("fiscal_year_start_month", "-1"),
        ("fiscal_year_start_month", "1.5"),
        ("max_upload_mb", "0"),
        ("max_upload_mb", "-1"),
        ("max_upload_mb", "1.5"),
        ("max_upload_rows", "0"),
        ("currency", "US"),  # two letters
        ("currency", "USDX"),  # four
        ("currency", "U5D"),
        ("country", "XX"),
        ("timezone", "Mars/Olympus_Mons"),
        ("rule.IDLE.idle_days", "-1"),
        ("rule.IDLE.idle_days", "-0.5"),  # between −1 and 0: still negative
        ("rule.IDLE.idle_days", "0.5"),  # not whole
        ("rule.IDLE.idle_days", "0"),  # below the least: a day
        ("rule.IDLE_PURCHASE.min_share", "-0.01"),
        ("rule.IDLE.idle_weeks", "3"),
        ("rule.NOPE.idle_days", "3"),
        ("no_such_setting", "1"),
    ],
)
def test_a_value_past_the_edge_is_refused_and_nothing_is_stored(db, name, value):
    with pytest.raises(ConfigError) as refused:
        set_setting(db, name, value, "alice")
    assert refused.value.key == "config.bad_value"
    for lang in ("en", "zh"):  # names the value, or the unknown rule
        text = refused.value.text(lang)
        assert value.strip() in text or name.split(".")[1] in text, text
    assert str(getattr(load_settings(db), name, None) or "") in ("", _default(name) or "")
    assert setting_history(db) == []


def _default(name: str) -> str | None:
    from tracker.store.config import SETTING_DEFAULTS

    return SETTING_DEFAULTS.get(name)


def test_a_save_with_one_value_past_the_edge_stores_none_of_them(db):
    with pytest.raises(ConfigError):
        set_settings(db, {"currency": "EUR", "rule.IDLE.idle_days": "30", "fiscal_year_start_month": "13"}, "alice")
    assert setting_history(db) == [] and load_rule_parameters(db) == {}
    assert set_settings(db, {"currency": "EUR", "fiscal_year_start_month": "12"}, "alice") == {
        "currency": "EUR",
        "fiscal_year_start_month": "12",
    }
    assert (load_settings(db).currency, load_settings(db).fiscal_year_start_month) == ("EUR", 12)
    changes = [(h["old_value"], h["new_value"], h["changed_by"]) for h in setting_history(db, "currency")]
    assert changes == [("CNY", "EUR", "alice")]  # the value before is the default, as nothing was stored


@pytest.mark.parametrize(
    "parameters, accepted",
    [
        ({"IDLE": {"idle_days": 1}}, True),
        ({"IDLE": {"idle_days": 0}}, False),
        ({"IDLE": {"idle_days": -1}}, False),
        ({"IDLE": {"idle_days": 3.0}}, True),  # whole, though a float
        ({"IDLE": {"idle_days": 2.5}}, False),
        ({"IDLE": {"idle_days": True}}, False),  # a yes/no is not a number of days
        ({"IDLE": {"idle_days": "3"}}, False),
        ({"IDLE_PURCHASE": {"min_share": 0.0}}, True),
        ({"IDLE_PURCHASE": {"min_share": -0.001}}, False),
        ({"IDLE_PURCHASE": {"min_share": 1}}, True),
        ({"NOPE": {"x": 1}}, False),
        ({"IDLE": {"idle_weeks": 1}}, False),
    ],
)
def test_rule_parameters_given_to_the_engine(parameters, accepted):
    if not accepted:
        with pytest.raises(ConfigError):
            resolve_parameters(parameters)
        return
    resolved = resolve_parameters(parameters)
    ((code, values),) = parameters.items()
    for name, value in values.items():
        assert resolved[code][name] == value
        assert type(resolved[code][name]) is type(resolve_parameters(None)[code][name])
    untouched = resolve_parameters(None)
    assert {c: v for c, v in resolved.items() if c != code} == {c: v for c, v in untouched.items() if c != code}


def test_stored_parameters_are_read_back_with_their_type(db):
    set_setting(db, "rule.IDLE.idle_days", "1", "alice")
    set_setting(db, "rule.IDLE_PURCHASE.min_share", "1", "alice")
    assert load_rule_parameters(db) == {"IDLE": {"idle_days": 1}, "IDLE_PURCHASE": {"min_share": 1.0}}
    assert isinstance(load_rule_parameters(db)["IDLE"]["idle_days"], int)


@pytest.mark.parametrize("field", ["window_days", "idle_days", "never_used_min_days"])
def test_a_window_needs_at_least_one_day(field):
    one = Window(date(2025, 12, 31), **{field: 1})
    assert getattr(one, field) == 1
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ConfigError):
            Window(date(2025, 12, 31), **{field: bad})


def test_a_window_of_one_day_is_that_day_alone():
    one = Window(date(2025, 12, 31), window_days=1, idle_days=1)
    assert (one.start, one.idle_start, one.end_exclusive) == (date(2025, 12, 31), date(2025, 12, 31), date(2026, 1, 1))
    year = Window(date(2025, 12, 31))
    assert (year.start, year.idle_start) == (date(2025, 1, 1), date(2025, 10, 3))
    with pytest.raises(ConfigError):
        Window("2025-12-31")
