"""A metered category's meter and capacity in the settings page's profiles table and all-or-nothing saves."""

from __future__ import annotations

import pytest

from tracker.store import audit
from tracker.store.meter_profiles import load_meter_profiles, validate_meter_value
from tracker.store.profiles import ensure_default_profiles, load_profiles, profile_history
from tracker.text.errors import ConfigError
from tracker.views import admin


def _rows(db, lang="en"):
    return {row["category"]: row for row in admin.profiles_editor_table(db, lang).to_pylist()}


def test_the_table_shows_each_metered_categorys_meter_capacity_and_unit(db):
    rows = _rows(db)
    assert (rows["printer"]["meter"], rows["printer"]["capacity"], rows["printer"]["capacity_unit"]) == (
        "pages_total",
        2000.0,
        "pages per month",
    )
    assert rows["projector"]["capacity_unit"] == "lamp hours per working day"
    assert (rows["laptop"]["meter"], rows["laptop"]["capacity"], rows["laptop"]["capacity_unit"]) == (None, None, None)
    assert _rows(db, "zh")["copier"]["capacity_unit"] == "张/月"


def test_profile_edits_take_the_meter_and_capacity_columns():
    edits = admin.profile_edits(["printer", "laptop"], {"0": {"capacity": 3000, "capacity_unit": "x", "meter": "copies"}})
    assert edits == [admin.Change("printer", "capacity", 3000), admin.Change("printer", "meter", "copies")]


def test_a_capacity_and_meter_are_saved_with_the_other_edits_and_recorded(db):
    ensure_default_profiles(db)
    changes = [
        admin.Change("printer", "capacity", 3000),
        admin.Change("copier", "meter", "pages_total"),
        admin.Change("laptop", "low_threshold", 0.3),
        admin.Change("laptop", "meter", None),  # a category without a meter stays without one
    ]
    assert admin.apply_profile_edits(db, changes, "admin", "new fleet") == []
    meters = load_meter_profiles(db)
    assert meters["printer"].capacity == 3000 and meters["copier"].meter == "pages_total"
    assert load_profiles(db)["laptop"].low_threshold == 0.3
    recorded = {(c["category"], c["field"]): c for c in profile_history(db) if c["changed_by"] == "admin"}
    assert set(recorded) == {("printer", "meter_capacity"), ("copier", "meter"), ("laptop", "low_threshold")}
    capacity = recorded[("printer", "meter_capacity")]
    assert (capacity["old_value"], capacity["new_value"], capacity["note"]) == ("2000", "3000", "new fleet")
    history = admin.change_history(db).to_pylist()
    assert any(r["what"] == "printer" and r["field"] == "meter_capacity" and r["new_value"] == "3000" for r in history)
    entries = audit.audit_table(db).to_pylist()
    assert sum(e["action"] == "profile_changed" and e["target"] == "printer" for e in entries) == 1


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        (
            admin.Change("printer", "capacity", -5),
            'Category Printer: the capacity must be a number greater than 0; got "-5".',
            "产能",
        ),
        (admin.Change("printer", "capacity", "lots"), '"lots"', "lots"),
        (admin.Change("printer", "capacity", None), "greater than 0", "大于 0"),
        (admin.Change("projector", "meter", "pages_total"), "pages_total", "计数器"),
        (admin.Change("printer", "meter", None), "is measured by a meter", "以计数器计量"),
        (
            admin.Change("laptop", "meter", "copies"),
            'Category Laptop has no meter (its use is counted in hours); got "copies"',
            "没有计数器",
        ),
        (admin.Change("laptop", "capacity", 100), "Category Laptop has no meter, so it has no capacity", "没有产能"),
    ],
)
def test_a_bad_meter_value_is_refused_by_name_and_nothing_is_stored(db, change, english, chinese):
    ensure_default_profiles(db)
    problems = admin.apply_profile_edits(db, [admin.Change("laptop", "low_threshold", 0.3), change], "admin")
    assert [p.change for p in problems] == [change]
    assert english in problems[0].text("en") and chinese in problems[0].text("zh")
    assert load_profiles(db)["laptop"].low_threshold == 0.25
    assert load_meter_profiles(db)["printer"].capacity == 2000
    assert all(c["changed_by"] == "system" for c in profile_history(db))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, 2e9, 0])
def test_capacities_out_of_range_are_refused(value):
    with pytest.raises(ConfigError):
        validate_meter_value("printer", "meter_capacity", value)


def test_a_meter_is_named_by_any_of_its_aliases():
    assert validate_meter_value("printer", "meter", "总页数") == "pages_total"
    assert validate_meter_value("printer", "meter_capacity", " 1500 ") == 1500.0
