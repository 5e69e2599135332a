"""Metered devices judged by their counters (docs/meters.md): hand-made reading series, one case each.

As of 2025-06-30 with a 365-day window (2024-07-01..2025-06-30) and the default rules: idle horizon
90 days (from 2025-04-02), grace 60 days, LOW_UTILISATION below 10 % for printers with at least 60
available days. A printer's capacity is 2,000 pages a month of 250 / 12 working days.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.domain.calendar import count_available_days
from tracker.domain.meters import DEFAULT_METER_PROFILES, WORKDAYS_PER_MONTH
from tracker.engine.meters import AvailableDays, Reading, derive, meter_use
from tracker.engine.metrics import Window, asset_utilisation, ibis_backend
from tracker.engine.rules.run import compute_flags
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import run_expr

AS_OF = date(2025, 6, 30)
WINDOW = Window(AS_OF, window_days=365)
PRINTER = DEFAULT_METER_PROFILES["printer"]

ASSETS = """\
asset_id,agency_code,category,purchase_cost,in_service_date
P-STEADY,A001,printer,2600,2024-01-01
P-FLAT,A001,printer,2600,2024-01-01
P-RESET,A001,printer,2600,2024-01-01
P-HOLIDAY,A001,printer,2600,2024-01-01
P-SINGLE,A001,printer,2600,2024-01-01
P-NEW,A001,printer,2600,2025-01-01
P-LOW,A001,printer,2600,2024-01-01
J-1,A001,projector,4000,2024-01-01
J-2,A002,projector,4000,2024-01-01
D-1,A002,desktop,5000,2024-01-01
"""

STEADY = "\n".join(
    f"P-STEADY,{date(2024 + (6 + m) // 12, (6 + m) % 12 + 1, 1)},pages_total,{10000 + 1500 * m}" for m in range(12)
)
READINGS = f"""\
asset_id,read_at,meter,value
{STEADY}
P-FLAT,2025-01-01,pages_total,1000
P-FLAT,2025-06-30,pages_total,1802
P-FLAT,2025-03-01,pages_total,1802
P-RESET,2024-07-01,pages_total,50000
P-RESET,2024-10-01,pages_total,53000
P-RESET,2024-12-01,pages_total,300
P-RESET,2025-03-01,pages_total,3300
P-RESET,2025-06-30,pages_total,6300
P-HOLIDAY,2025-01-15,pages_total,10000
P-HOLIDAY,2025-02-15,pages_total,10400
P-SINGLE,2025-06-01,pages_total,4242
P-NEW,2025-01-10,pages_total,5
P-NEW,2025-06-30,pages_total,5
P-LOW,2024-07-01,pages_total,0
P-LOW,2025-06-30,pages_total,1000
J-1,2025-01-02,lamp_hours,100
J-1,2025-06-30,lamp_hours,600
"""


@pytest.fixture
def metered(db, tmp_path: Path):
    for kind, name, body in (("assets", "assets.csv", ASSETS), ("meters", "readings.csv", READINGS)):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        report = ingest_file(db, kind, path)
        assert report.status == "committed", [e.text() for e in report.errors]
    return db


def _per_asset(db) -> dict[str, dict]:
    rows = run_expr(asset_utilisation(ibis_backend(db), WINDOW), name="test").to_pylist()
    return {r["asset_id"]: r for r in rows}


def _flags(db) -> dict[tuple[str, str | None], dict]:
    rows = compute_flags(db, as_of=AS_OF, window_days=365).to_pylist()
    return {(r["rule"], r["asset_id"] or f"{r['agency_code']}/{r['category']}"): r for r in rows}


def test_steady_use_is_spread_over_the_days_and_compared_with_capacity(metered):
    row = _per_asset(metered)["P-STEADY"]
    covered = count_available_days(date(2024, 7, 1), date(2025, 5, 31), "workdays")
    assert row["evidence"] == "meter"
    assert row["available_days"] == covered
    assert row["utilisation"] == pytest.approx(16500 / (PRINTER.capacity / WORKDAYS_PER_MONTH * covered))
    assert row["used_hours"] is None and row["available_hours"] is None  # hours are unknown, not zero
    assert row["last_used"] == date(2025, 6, 1) and row["days_idle"] == 0
    assert not row["idle_candidate"]  # in use: not offered to other agencies as idle stock
    assert not any(key[1] == "P-STEADY" for key in _flags(metered))


def test_a_counter_flat_for_120_days_is_idle_with_its_readings_as_evidence(metered):
    row = _per_asset(metered)["P-FLAT"]
    assert row["last_used"] == date(2025, 3, 1) and row["days_idle"] == 121
    assert row["idle_candidate"]  # idle 121 days, past the 90 of IDLE: idle stock others may take
    flag = _flags(metered)[("IDLE", "P-FLAT")]
    assert "1,802 pages on 2025-03-01, 1,802 on 2025-06-30: no use in 121 days." in flag["evidence"]
    assert "2025-03-01 读数 1,802 页，2025-06-30 读数 1,802：121 天内没有使用。" in flag["evidence_zh"]


def test_a_reset_starts_a_new_series_and_is_reported_never_negative_use(metered):
    ((facts, use),) = meter_use(ibis_backend(metered), WINDOW, asset_ids=["P-RESET"])
    assert [(r.before.value, r.after.value) for r in use.resets] == [(53000, 300)]
    assert use.use == pytest.approx(9000)  # three periods of 3,000; the pair across the drop is not use
    covered = count_available_days(date(2024, 7, 1), date(2024, 9, 30), "workdays") + count_available_days(
        date(2024, 12, 1), date(2025, 6, 29), "workdays"
    )
    assert use.covered_days == covered  # Oct 1 - Dec 1 is unknown, neither use nor idleness
    assert not any(key[1] == "P-RESET" for key in _flags(metered))


def test_readings_a_month_apart_across_the_spring_festival_count_only_its_working_days(metered):
    row = _per_asset(metered)["P-HOLIDAY"]
    workdays = count_available_days(date(2025, 1, 15), date(2025, 2, 14), "workdays")
    weekdays = sum(1 for d in range(31) if date.fromordinal(date(2025, 1, 15).toordinal() + d).weekday() < 5)
    assert workdays < weekdays  # the holiday is not a working day
    assert row["available_days"] == workdays  # the rest of the window is not covered: nothing invented
    assert row["utilisation"] == pytest.approx(400 / (PRINTER.capacity / WORKDAYS_PER_MONTH * workdays))


def test_a_meters_working_days_follow_the_country_asked_for(metered):
    """The same month of readings in a country without the Spring Festival: its working days are that country's."""
    ((_, china),) = meter_use(ibis_backend(metered), WINDOW, asset_ids=["P-HOLIDAY"], country="CN")
    ((_, france),) = meter_use(ibis_backend(metered), WINDOW, asset_ids=["P-HOLIDAY"], country="FR")
    assert china.covered_days == count_available_days(date(2025, 1, 15), date(2025, 2, 14), "workdays", "CN")
    assert france.covered_days == count_available_days(date(2025, 1, 15), date(2025, 2, 14), "workdays", "FR")
    assert france.covered_days > china.covered_days  # the festival's working days off are China's only


def test_a_single_reading_is_unknown_use_never_idle(metered):
    row = _per_asset(metered)["P-SINGLE"]
    assert row["evidence"] == "meter"
    assert row["utilisation"] is None and row["last_used"] is None and row["days_idle"] is None
    assert not row["idle_candidate"]
    assert not any(key[1] == "P-SINGLE" for key in _flags(metered))


def test_a_counter_that_never_moved_since_service_is_never_used(metered):
    flag = _flags(metered)[("NEVER_USED", "P-NEW")]
    assert flag["days_idle"] == (AS_OF - date(2025, 1, 1)).days
    assert "5 pages on 2025-01-10, 5 on 2025-06-30" in flag["evidence"]


def test_low_use_against_capacity_is_low_utilisation(metered):
    flag = _flags(metered)[("LOW_UTILISATION", "P-LOW")]
    assert flag["utilisation"] < 0.10
    assert "1,000 pages between 2024-07-01 (0) and 2025-06-30 (1,000)" in flag["evidence"]


def test_an_agency_without_projector_readings_gets_no_telemetry_never_idleness(metered):
    flags = _flags(metered)
    assert ("NO_TELEMETRY", "A002/projector") in flags
    assert ("NO_TELEMETRY", "A001/projector") not in flags and ("NO_TELEMETRY", "A001/printer") not in flags
    assert not any(key[1] == "J-2" for key in flags)
    projector = _per_asset(metered)["J-1"]
    assert projector["utilisation"] == pytest.approx(
        500 / (8 * count_available_days(date(2025, 1, 2), date(2025, 6, 29), "workdays"))
    )


def test_derive_on_its_own_spreads_use_over_calendar_days_and_clips_to_the_period():
    calendar = AvailableDays(date(2025, 1, 1), date(2025, 3, 1), "CN")
    readings = [Reading(datetime(2024, 12, 2), 0), Reading(datetime(2025, 1, 1), 300)]  # 10 pages a day in December
    use = derive(
        "X",
        "pages_total",
        readings,
        period_start=date(2024, 12, 22),
        period_end=date(2025, 3, 1),
        calendar=calendar,
        days_rule="all",
        profile=PRINTER,
        in_service=None,
    )
    assert use.use == pytest.approx(100)  # the last 10 days of December


def test_an_administrator_sets_a_category_capacity_and_utilisation_follows(metered):
    from tracker.store.meter_profiles import set_meter_profile
    from tracker.text.errors import ConfigError

    before = _per_asset(metered)["P-STEADY"]["utilisation"]
    profile = set_meter_profile(metered, "printer", "admin", capacity="4000")
    assert profile.capacity == 4000
    assert _per_asset(metered)["P-STEADY"]["utilisation"] == pytest.approx(before / 2)
    assert metered.scalar("SELECT count(*) FROM category_profile_changes WHERE field = 'meter_capacity'") == 1
    for bad in ({"capacity": "-1"}, {"capacity": "lots"}, {"meter": "lamp_hours"}):
        with pytest.raises(ConfigError):
            set_meter_profile(metered, "printer", "admin", **bad)
    with pytest.raises(ConfigError):
        set_meter_profile(metered, "desktop", "admin", capacity=10)


def test_low_use_of_a_metered_device_is_told_against_its_capacity_not_hours(metered):
    flag = _flags(metered)[("LOW_UTILISATION", "P-LOW")]
    assert flag["evidence"].startswith("Printer P-LOW used ") and "of its capacity over" in flag["evidence"]
    assert "available hours" not in flag["evidence"]
    assert "仅使用了产能的" in flag["evidence_zh"]


def test_readings_that_end_before_the_idle_horizon_say_nothing_about_it():
    from tracker.engine.meters import _idleness

    calendar = AvailableDays(date(2024, 7, 1), date(2025, 7, 1), "CN")
    readings = [Reading(datetime(2024, 7, 1), 10), Reading(datetime(2024, 12, 1), 10)]
    use = derive(
        "X", "pages_total", readings, period_start=date(2024, 7, 1), period_end=date(2025, 7, 1),
        calendar=calendar, days_rule="workdays", profile=PRINTER, in_service=date(2020, 1, 1),
    )  # fmt: skip
    assert use.days_flat == 153
    assert _idleness(use, date(2020, 1, 1), WINDOW.idle_start) == (None, None)


def test_the_latest_reading_day_is_the_day_of_the_last_reading_and_unknown_without_one(metered, tmp_path):
    import ibis

    from tracker.engine.meters import latest_reading_day
    from tracker.store.db import Database

    assert latest_reading_day(ibis_backend(metered)) == AS_OF
    metered.execute(
        "INSERT INTO meter_readings (asset_id, meter, read_at, value, upload_id) "
        "VALUES ('P-LOW', 'pages_total', TIMESTAMP '2025-07-02 23:59:59', 1001, 0)"
    )
    assert latest_reading_day(ibis_backend(metered)) == date(2025, 7, 2)  # the day, not the time of day
    with Database.open(tmp_path / "empty.duckdb") as empty:
        assert latest_reading_day(ibis_backend(empty)) is None  # the table is there but empty
    assert latest_reading_day(ibis.duckdb.connect()) is None  # a backend without the table (an older lake)


def test_a_period_between_readings_of_the_same_day_spreads_its_use_over_that_one_day():
    from tracker.engine.meters import Period, series

    same_day = Period(date(2025, 3, 3), date(2025, 3, 3), 40)
    assert (same_day.days, same_day.last_day) == (1, date(2025, 3, 4))
    week = Period(date(2025, 3, 3), date(2025, 3, 10), 70)
    assert (week.days, week.last_day) == (7, date(2025, 3, 10))
    # an unchanged counter is a period of no use (idleness), a lower one a reset (neither)
    periods, resets = series(
        [Reading(datetime(2025, 3, 10), 5), Reading(datetime(2025, 3, 1), 5), Reading(datetime(2025, 3, 20), 2)]
    )
    assert periods == [Period(date(2025, 3, 1), date(2025, 3, 10), 0)]
    assert [(r.before.value, r.after.value) for r in resets] == [(5, 2)]


def test_available_days_are_counted_inside_the_window_only():
    calendar = AvailableDays(date(2025, 1, 1), date(2025, 1, 11), "CN")  # Jan 1 is a holiday, Jan 4-5 a weekend
    assert calendar.count(date(2024, 12, 1), date(2025, 2, 1), "all") == 10  # clipped to the window
    assert calendar.count(date(2025, 1, 1), date(2025, 1, 11), "workdays") == 7
    assert calendar.count(date(2025, 1, 2), date(2025, 1, 3), "workdays") == 1  # [a, b): one day
    assert calendar.count(date(2025, 1, 5), date(2025, 1, 5), "all") == 0
    assert calendar.count(date(2025, 1, 11), date(2025, 2, 1), "all") == 0  # wholly after the window


@pytest.mark.parametrize("first_reading, never_used", [(date(2025, 2, 1), True), (date(2025, 2, 2), False)])
def test_a_flat_counter_is_never_used_when_first_read_within_31_days_of_service(first_reading, never_used):
    calendar = AvailableDays(date(2024, 7, 1), date(2025, 7, 1), "CN")
    readings = [Reading(datetime.combine(first_reading, datetime.min.time()), 7), Reading(datetime(2025, 6, 30), 7)]
    use = derive(
        "X", "pages_total", readings, period_start=date(2025, 1, 1), period_end=date(2025, 7, 1),
        calendar=calendar, days_rule="workdays", profile=PRINTER, in_service=date(2025, 1, 1),
    )  # fmt: skip
    assert use.never_moved is never_used and not use.moved and use.use == 0
