"""Category profiles in the database: defaults written once, strict validation, dated history."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import tracker.store.db
from tracker.domain.categories import CATEGORIES, DEFAULT_PROFILES
from tracker.store.db import Database
from tracker.store.profiles import (
    PROFILE_FIELDS,
    ensure_default_profiles,
    load_profiles,
    profile_history,
    profiles_table,
    set_profile_value,
)
from tracker.text.errors import ConfigError

HOSTILE = "x'); DROP TABLE category_profiles; --"


def _snapshot(db: Database) -> tuple[list, list]:
    """Every stored profile row and every history row, to prove a refusal changed nothing."""
    rows = db.fetchall("SELECT * FROM category_profiles ORDER BY category")
    history = db.fetchall("SELECT * FROM category_profile_changes ORDER BY change_id")
    return rows, history


def _stored(db: Database, category: str) -> tuple:
    return db.fetchone(
        "SELECT hours_per_day, days, low_threshold, life_years, price_cap, changed_by FROM category_profiles WHERE category = ?",
        [category],
    )


# -- defaults ------------------------------------------------------------------------------------
def test_fresh_database_has_no_rows_until_the_defaults_are_ensured(db):
    assert db.scalar("SELECT count(*) FROM category_profiles") == 0
    assert db.scalar("SELECT count(*) FROM category_profile_changes") == 0
    assert load_profiles(db) == {p.category: p for p in DEFAULT_PROFILES}  # reading falls back, writes nothing
    assert db.scalar("SELECT count(*) FROM category_profiles") == 0

    assert ensure_default_profiles(db) == 15
    assert ensure_default_profiles(db) == 0
    assert db.scalar("SELECT count(*) FROM category_profiles") == 15


def test_ensuring_defaults_records_their_creation(db):
    ensure_default_profiles(db)
    history = profile_history(db)
    assert len(history) == 15
    assert {h["category"] for h in history} == set(CATEGORIES)
    assert all(h["field"] == "*" and h["old_value"] is None and h["new_value"] == "default" for h in history)
    assert all(h["changed_by"] == "system" and h["changed_at"] is not None for h in history)


def test_ensuring_defaults_adds_only_the_missing_ones(db):
    ensure_default_profiles(db)
    set_profile_value(db, "laptop", "hours_per_day", 9, "alice")
    db.execute("DELETE FROM category_profiles WHERE category IN ('printer', 'server')")
    assert ensure_default_profiles(db) == 2
    assert load_profiles(db)["laptop"].hours_per_day == 9  # an edit is never overwritten by a default


@pytest.mark.parametrize(
    "category, hours_per_day, days, low_threshold, life_years, price_cap",
    [
        ("laptop", 8, "workdays", 0.25, 6, Decimal(7000)),
        ("desktop", 8, "workdays", 0.25, 6, Decimal(5000)),
        ("printer", 8, "workdays", 0.10, 6, Decimal(1200)),
        ("server", 24, "all", 0.10, 6, None),
        ("instrument", 7, "workdays", 0.50, 5, None),
        ("projector", 8, "workdays", 0.15, 5, None),
    ],
)
def test_stored_defaults_equal_design_section_3(db, category, hours_per_day, days, low_threshold, life_years, price_cap):
    ensure_default_profiles(db)
    assert _stored(db, category) == (hours_per_day, days, low_threshold, life_years, price_cap, "system")
    profile = load_profiles(db)[category]
    assert (profile.hours_per_day, profile.days, profile.low_threshold, profile.life_years, profile.price_cap_cny) == (
        hours_per_day,
        days,
        low_threshold,
        life_years,
        price_cap,
    )


def test_loaded_profiles_keep_the_chinese_names_and_decimal_caps(db):
    ensure_default_profiles(db)
    profiles = load_profiles(db)
    assert list(profiles) == list(CATEGORIES)
    assert profiles["laptop"].names_zh == ("便携式计算机", "笔记本电脑")
    assert isinstance(profiles["laptop"].price_cap_cny, Decimal)
    assert profiles["projector"].price_cap_cny is None


# -- setting values ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value, expected, history_text",
    [
        ("hours_per_day", "7.5", 7.5, "7.5"),
        ("hours_per_day", 24, 24.0, "24"),
        ("days", "all", "all", "all"),
        ("days", " ALL ", "all", "all"),
        ("low_threshold", 0.3, 0.3, "0.3"),
        ("low_threshold", "1", 1.0, "1"),
        ("life_years", "8", 8, "8"),
        ("life_years", 50, 50, "50"),
        ("price_cap", "6500.5", Decimal("6500.50"), "6500.50"),
        ("price_cap", 0, Decimal("0.00"), "0.00"),
        ("price_cap", "", None, None),
        ("price_cap", None, None, None),
    ],
)
def test_each_field_takes_a_valid_value_and_reads_it_back(db, field, value, expected, history_text):
    ensure_default_profiles(db)
    returned = set_profile_value(db, "laptop", field, value, "alice", note="budget review")
    attribute = "price_cap_cny" if field == "price_cap" else field
    assert getattr(returned, attribute) == expected
    assert getattr(load_profiles(db)["laptop"], attribute) == expected
    assert _stored(db, "laptop")[PROFILE_FIELDS.index(field)] == expected
    assert _stored(db, "laptop")[-1] == "alice"
    latest = profile_history(db, "laptop")[0]
    assert (latest["field"], latest["new_value"], latest["changed_by"], latest["note"]) == (
        field,
        history_text,
        "alice",
        "budget review",
    )


def test_a_change_records_the_old_and_new_value(db):
    ensure_default_profiles(db)
    set_profile_value(db, "printer", "low_threshold", "0.2", "bob")
    latest = profile_history(db, "printer")[0]
    assert (latest["old_value"], latest["new_value"]) == ("0.1", "0.2")
    set_profile_value(db, "projector", "price_cap", "9000", "bob")
    set_profile_value(db, "projector", "price_cap", None, "bob")
    cleared, capped = profile_history(db, "projector")[:2]
    assert (capped["old_value"], capped["new_value"]) == (None, "9000.00")
    assert (cleared["old_value"], cleared["new_value"]) == ("9000.00", None)


def test_setting_a_category_not_yet_stored_stores_its_default_first(db):
    set_profile_value(db, "camera", "life_years", 4, "alice")
    assert db.scalar("SELECT count(*) FROM category_profiles") == 1
    assert _stored(db, "camera") == (8, "workdays", 0.10, 4, None, "alice")
    assert [h["field"] for h in profile_history(db, "camera")] == ["life_years", "*"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("hours_per_day", 0),
        ("hours_per_day", -1),
        ("hours_per_day", 24.01),
        ("hours_per_day", "abc"),
        ("hours_per_day", "nan"),
        ("hours_per_day", float("inf")),
        ("hours_per_day", True),
        ("hours_per_day", None),
        ("hours_per_day", ""),
        ("days", "weekdays"),
        ("days", ""),
        ("days", None),
        ("days", 5),
        ("low_threshold", 0),
        ("low_threshold", 1.01),
        ("low_threshold", -0.1),
        ("low_threshold", "25%"),
        ("life_years", 0),
        ("life_years", 51),
        ("life_years", 5.5),
        ("life_years", "5.5"),
        ("life_years", "five"),
        ("life_years", False),
        ("price_cap", -1),
        ("price_cap", "-0.01"),
        ("price_cap", "12.345"),
        ("price_cap", "7,000"),
        ("price_cap", "1e20"),
        ("price_cap", "NaN"),
        ("price_cap", [7000]),
    ],
)
def test_each_invalid_value_is_refused_and_nothing_changes(db, field, value):
    ensure_default_profiles(db)
    before = _snapshot(db)
    with pytest.raises(ConfigError) as refused:
        set_profile_value(db, "laptop", field, value, "alice")
    assert refused.value.key.startswith("config.profile_")
    assert "laptop" in refused.value.text("en") and "laptop" in refused.value.text("zh")
    assert _snapshot(db) == before


def test_an_invalid_value_on_a_fresh_database_writes_nothing(db):
    with pytest.raises(ConfigError):
        set_profile_value(db, "laptop", "hours_per_day", 25, "alice")
    assert _snapshot(db) == ([], [])


@pytest.mark.parametrize(
    "field, value",
    [
        ("hours_per_day", 8),
        ("hours_per_day", "8.0"),
        ("days", "workdays"),
        ("low_threshold", "0.25"),
        ("life_years", 6),
        ("price_cap", "7000"),
        ("price_cap", Decimal("7000.00")),
    ],
)
def test_setting_the_current_value_adds_no_history(db, field, value):
    ensure_default_profiles(db)
    before = _snapshot(db)
    set_profile_value(db, "laptop", field, value, "alice")
    assert _snapshot(db) == before


def test_setting_a_default_value_on_a_fresh_database_writes_nothing(db):
    set_profile_value(db, "laptop", "life_years", 6, "alice")
    assert _snapshot(db) == ([], [])


def test_unknown_category_and_field_are_refused(db):
    ensure_default_profiles(db)
    before = _snapshot(db)
    with pytest.raises(ConfigError) as unknown_category:
        set_profile_value(db, "toaster", "hours_per_day", 8, "alice")
    assert unknown_category.value.key == "config.unknown_category"
    assert "toaster" in unknown_category.value.text("zh")
    with pytest.raises(ConfigError) as unknown_field:
        set_profile_value(db, "laptop", "names_zh", "笔记本", "alice")
    assert unknown_field.value.key == "config.unknown_profile_field"
    with pytest.raises(ConfigError):
        set_profile_value(db, "laptop", "changed_by", "mallory", "alice")
    assert _snapshot(db) == before


# -- history -------------------------------------------------------------------------------------
def test_history_is_newest_first_with_actor_and_time(db):
    ensure_default_profiles(db)
    set_profile_value(db, "laptop", "hours_per_day", 9, "alice", note="longer days")
    set_profile_value(db, "laptop", "hours_per_day", 10, "bob")
    set_profile_value(db, "server", "low_threshold", 0.2, "carol")

    laptop = profile_history(db, "laptop")
    assert [(h["new_value"], h["changed_by"]) for h in laptop] == [("10", "bob"), ("9", "alice"), ("default", "system")]
    assert laptop[1]["note"] == "longer days" and laptop[0]["note"] is None
    assert [h["changed_at"] for h in laptop] == sorted((h["changed_at"] for h in laptop), reverse=True)

    everything = profile_history(db)
    assert everything[0]["changed_by"] == "carol"
    assert len(everything) == 15 + 3
    assert profile_history(db, "toaster") == []


def test_the_row_carries_the_time_and_actor_of_its_last_change(db):
    ensure_default_profiles(db)
    set_profile_value(db, "laptop", "days", "all", "alice")
    row_time = db.scalar("SELECT changed_at FROM category_profiles WHERE category = 'laptop'")
    assert row_time == profile_history(db, "laptop")[0]["changed_at"]


# -- hostile input -------------------------------------------------------------------------------
def test_sql_looking_input_is_refused_or_stored_as_data(db):
    ensure_default_profiles(db)
    before = _snapshot(db)
    for category, field, value in [
        (HOSTILE, "hours_per_day", 8),
        ("laptop", HOSTILE, 8),
        ("laptop", "hours_per_day = 0, days", 8),
        ("laptop", "days", "workdays'; DROP TABLE category_profiles; --"),
        ("laptop", "price_cap", "0; DROP TABLE category_profile_changes"),
        ("laptop", "life_years", "6 OR 1=1"),
    ]:
        with pytest.raises(ConfigError):
            set_profile_value(db, category, field, value, "alice")
    assert _snapshot(db) == before

    set_profile_value(db, "laptop", "life_years", 7, HOSTILE, note=HOSTILE)
    latest = profile_history(db, "laptop")[0]
    assert latest["changed_by"] == HOSTILE and latest["note"] == HOSTILE
    assert _stored(db, "laptop")[-1] == HOSTILE
    assert db.scalar("SELECT count(*) FROM category_profiles") == 15


# -- the table the engine joins ------------------------------------------------------------------
def test_profiles_table_has_one_row_per_category_and_the_stored_columns(db):
    table = profiles_table(db)  # before the defaults are stored: defaults, undated
    assert table.num_rows == 15
    assert table.column_names == ["category", *PROFILE_FIELDS, "changed_at", "changed_by"]
    assert table.schema.field("price_cap").type == pa.decimal128(18, 2)
    assert table.schema.field("life_years").type == pa.int32()
    assert table.schema.field("changed_at").type == pa.timestamp("us")
    assert table.column("changed_by").null_count == 15

    ensure_default_profiles(db)
    set_profile_value(db, "printer", "price_cap", "1500", "alice")
    rows = {r["category"]: r for r in profiles_table(db).to_pylist()}
    assert list(rows) == list(CATEGORIES)
    assert rows["printer"]["price_cap"] == Decimal("1500.00") and rows["printer"]["changed_by"] == "alice"
    assert rows["server"]["days"] == "all" and rows["server"]["price_cap"] is None
    assert rows["server"]["changed_by"] == "system" and rows["server"]["changed_at"] is not None


# -- migration -----------------------------------------------------------------------------------
def test_a_version_1_database_is_migrated_to_the_current_version(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    every_migration = tracker.store.db._migrations()
    with monkeypatch.context() as patch:
        patch.setattr(tracker.store.db, "_migrations", lambda: every_migration[:1])
        with Database.open(path) as old:
            assert old.schema_version() == 1
            old.execute("INSERT INTO agencies VALUES (?, ?)", ["A1", "Agency one"])
            tables = {r[0] for r in old.fetchall("SELECT table_name FROM information_schema.tables")}
            assert "category_profiles" not in tables

    with Database.open(path) as db:
        assert db.schema_version() == every_migration[-1][0] > 1
        assert db.scalar("SELECT agency_name FROM agencies WHERE agency_code = 'A1'") == "Agency one"
        assert db.scalar("SELECT count(*) FROM category_profiles") == 0
        assert ensure_default_profiles(db) == 15
        set_profile_value(db, "laptop", "hours_per_day", 7, "alice")
        assert load_profiles(db)["laptop"].hours_per_day == 7
