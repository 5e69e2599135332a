"""Settings, rule parameters and the evaluation window at the edges of what they accept.

Each limit is tested at the edge and on both sides of it, through the functions the Settings page,
the command line and the engine call: a refused value raises ConfigError naming the setting and
stores nothing; an accepted one is stored as its normalised text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.engine.metrics import Window
from tracker.engine.parameters import default_text, load_rule_parameters, set_setting, set_settings, validate_value
from tracker.engine.rules.catalogue import resolve_parameters
from tracker.store import config
from tracker.store.config import SETTING_DEFAULTS, Settings, parse_setting, settings_from_stored, validate_setting
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


# -- general settings, without a database: the value parsed, or the reason it is refused ------------
MONTH = ("a month number 1-12", "1 到 12 之间的月份数")
MB = ("a whole number from 1 to 1,000,000", "1 到 1,000,000 之间的整数")
ROWS = ("a whole number from 1 to 10,000,000,000", "1 到 10,000,000,000 之间的整数")
CURRENCY = ("three-letter ISO 4217 code", "三位 ISO 4217 币种代码")
COUNTRY = ("not a country known to the holidays calendar", "节假日日历支持的国家")
ZONE = ("unknown time zone", "未知的时区")
JURISDICTION = ("1 to 40 letters, digits, hyphens or underscores", "1 至 40 个字母、数字、连字符或下划线")


@pytest.mark.parametrize(
    "name, value, parsed",
    [
        ("fiscal_year_start_month", 1, 1),
        ("fiscal_year_start_month", 12, 12),
        ("fiscal_year_start_month", 12.0, 12),
        ("fiscal_year_start_month", "+12", 12),
        ("fiscal_year_start_month", "0" * 29 + "7", 7),  # thirty digits are read
        ("max_upload_mb", "1", 1),
        ("max_upload_mb", "1000000", 1_000_000),  # the largest
        ("max_upload_rows", 10_000_000_000, 10_000_000_000),
        ("currency", " eur ", "EUR"),
        ("currency", "Usd", "USD"),
        ("country", " cn ", "CN"),
        ("timezone", " UTC ", "UTC"),
        ("standards_jurisdiction", "CN-central", "CN-central"),
        ("standards_jurisdiction", "CN_44", "CN_44"),
        ("standards_jurisdiction", "j", "j"),  # one character ...
        ("standards_jurisdiction", "j" * 40, "j" * 40),  # ... to forty
    ],
)
def test_a_general_setting_at_its_edge_is_parsed(name, value, parsed):
    assert parse_setting(name, value) == parsed
    assert type(parse_setting(name, value)) is type(parsed)
    assert validate_setting(name, value) == str(parsed)


@pytest.mark.parametrize(
    "name, value, shown, reason",
    [
        ("fiscal_year_start_month", 0, "0", MONTH),
        ("fiscal_year_start_month", 13, "13", MONTH),
        ("fiscal_year_start_month", 13.0, "13", MONTH),  # shown as the whole number it is
        ("fiscal_year_start_month", 4.5, "4.5", MONTH),  # a float that is not whole
        ("fiscal_year_start_month", True, "True", MONTH),  # a yes/no is not a month
        ("fiscal_year_start_month", "0" * 30 + "7", "0" * 30 + "7", MONTH),  # thirty-one digits are not
        ("fiscal_year_start_month", "", "", MONTH),
        ("max_upload_mb", "0", "0", MB),
        ("max_upload_mb", "1000001", "1000001", MB),
        ("max_upload_mb", False, "False", MB),
        ("max_upload_rows", 10_000_000_001, "10,000,000,001", ROWS),
        ("max_upload_rows", 0.0, "0", ROWS),
        ("currency", "EU", "EU", CURRENCY),
        ("currency", "EURO", "EURO", CURRENCY),
        ("currency", "¥¥¥", "¥¥¥", CURRENCY),  # three letters, but not ASCII
        ("currency", "E1R", "E1R", CURRENCY),
        ("currency", "", "", CURRENCY),
        ("country", "XX", "XX", COUNTRY),
        ("timezone", "", "", ZONE),
        ("timezone", "Mars/Olympus_Mons", "Mars/Olympus_Mons", ZONE),
        ("standards_jurisdiction", "", "", JURISDICTION),
        ("standards_jurisdiction", "j" * 41, "j" * 41, JURISDICTION),
        ("standards_jurisdiction", "CN 44", "CN 44", JURISDICTION),
        ("standards_jurisdiction", "CN.44", "CN.44", JURISDICTION),
        ("no_such_setting", "1", "1", ("unknown setting", "未知的设置项")),
    ],
)
def test_a_general_setting_past_its_edge_is_refused_with_its_reason(name, value, shown, reason):
    with pytest.raises(ConfigError) as refused:
        parse_setting(name, value)
    assert refused.value.key == "config.bad_value"
    for lang, quoted, expected in zip(("en", "zh"), (f'"{shown}"', f"“{shown}”"), reason):
        text = refused.value.text(lang)
        assert name in text and quoted in text and expected in text, text


def test_stored_general_settings_apply_or_give_way_to_their_default():
    settings, problems = settings_from_stored(
        {"no_such_setting": "1", "currency": "eur", "max_upload_mb": "20", "fiscal_year_start_month": "0"}
    )
    assert settings == Settings(currency="EUR", max_upload_mb=20)
    assert [(p.name, p.value, p.default) for p in problems] == [
        ("fiscal_year_start_month", "0", "1"),
        ("no_such_setting", "1", "—"),  # no default to name
    ]
    assert problems[0].text("en") == 'The stored value "0" of fiscal_year_start_month is not used, the default 1 is: ' + MONTH[0]
    assert problems[0].text() == problems[0].text("en")  # English unless asked
    assert problems[1].text("zh") == "no_such_setting 的存储值“1”未被采用，改用默认值 —：未知的设置项"
    assert settings.as_text() == {**SETTING_DEFAULTS, "currency": "EUR", "max_upload_mb": "20"}
    assert [spec.default_text for spec in config.SETTINGS] == [
        "CNY",
        "CN",
        "1",
        "Asia/Shanghai",
        "1024",
        "50000000",
        "CN-central",
    ]


def test_the_database_path_is_the_argument_then_the_environment_then_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_DB", raising=False)
    assert config.resolve_db_path("given.duckdb") == Path("given.duckdb")
    assert config.resolve_db_path() == config.default_db_path()
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env.duckdb"))
    assert config.resolve_db_path("given.duckdb") == Path("given.duckdb")
    assert config.resolve_db_path("") == config.resolve_db_path() == tmp_path / "env.duckdb"
    with pytest.raises(KeyError, match="TRACKER_NOPE is not declared in tracker.store.config.ENVIRONMENT"):
        config.env("TRACKER_NOPE")
    monkeypatch.setenv("TRACKER_DB", "")
    assert config.resolve_db_path() == config.default_db_path()
    monkeypatch.chdir(tmp_path)  # run from elsewhere: a checkout still uses its own data/
    monkeypatch.setattr(config, "IS_CHECKOUT", True)
    assert config.default_db_path() == config.PROJECT_ROOT / "data" / "tracker.duckdb" != tmp_path / "data" / "tracker.duckdb"
    monkeypatch.setattr(config, "IS_CHECKOUT", False)
    assert config.default_db_path() == tmp_path / "data" / "tracker.duckdb"


def test_defaults_and_stored_texts_of_settings_and_rule_parameters():
    assert default_text("currency") == "CNY" and default_text("fiscal_year_start_month") == "1"
    assert default_text("rule.IDLE.idle_days") == "90"
    assert default_text("no_such_setting") is None
    assert validate_value("fiscal_year_start_month", " 04 ") == "4"
    assert validate_value("rule.IDLE.idle_days", "7.0") == "7"
    with pytest.raises(ConfigError):
        validate_value("rule.IDLE.idle_days", "0")


def test_a_first_change_records_the_default_as_the_value_before(db):
    set_setting(db, "rule.IDLE.idle_days", "60", "alice")
    set_setting(db, "fiscal_year_start_month", "4", "alice")
    assert [(h["old_value"], h["new_value"]) for h in setting_history(db, "rule.IDLE.idle_days")] == [("90", "60")]
    assert [(h["old_value"], h["new_value"]) for h in setting_history(db, "fiscal_year_start_month")] == [("1", "4")]


def test_the_standards_jurisdiction_must_have_a_version(db):
    with pytest.raises(ConfigError) as refused:
        set_setting(db, "standards_jurisdiction", "CN-99", "alice")
    assert refused.value.key == "config.bad_value" and "CN-99" in refused.value.text("en")
    with pytest.raises(ConfigError):
        set_settings(db, {"currency": "EUR", "standards_jurisdiction": "CN-99"}, "alice")
    assert setting_history(db) == []
    assert set_setting(db, "standards_jurisdiction", "CN-central", "alice") == "CN-central"
    assert set_settings(db, {"standards_jurisdiction": "CN-central", "currency": "EUR"}, "alice") == {
        "standards_jurisdiction": "CN-central",
        "currency": "EUR",
    }
