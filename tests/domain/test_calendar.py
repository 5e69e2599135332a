"""The country calendar and fiscal years of docs/rules.md (available hours): hand-made days, counts and boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from tracker.domain import calendar
from tracker.domain.calendar import (
    available_days,
    count_available_days,
    fiscal_year,
    fiscal_year_bounds,
    is_workday,
    last_fiscal_month,
)
from tracker.text.errors import ConfigError

SPRING_FESTIVAL_2025_DAYS_OFF = [date(2025, 1, 28) + timedelta(days=offset) for offset in range(8)]  # 01-28..02-04


@pytest.mark.parametrize(
    ("country", "day", "expected"),
    [
        # China: adjusted working days (调休) beat the weekday.
        ("CN", date(2025, 1, 26), True),  # Sunday, make-up workday for Spring Festival
        ("CN", date(2025, 2, 8), True),  # Saturday, make-up workday for Spring Festival
        ("CN", date(2025, 9, 28), True),  # Sunday, make-up workday for National Day
        ("CN", date(2025, 10, 1), False),  # Wednesday, National Day
        ("CN", date(2025, 10, 8), False),  # Wednesday, last day of the National Day break
        ("CN", date(2025, 3, 8), False),  # ordinary Saturday
        ("CN", date(2025, 3, 11), True),  # ordinary Tuesday
        ("CN", date(2011, 12, 31), True),  # Saturday, make-up day declared in the 2012 notice (cross-year)
        ("CN", date(2011, 12, 24), False),  # ordinary Saturday of the same month
        *[("CN", day, False) for day in SPRING_FESTIVAL_2025_DAYS_OFF],
        # United States (federal): Mon-Fri minus public holidays.
        ("US", date(2025, 7, 4), False),  # Friday, Independence Day
        ("US", date(2025, 7, 7), True),  # following Monday
        ("US", date(2025, 7, 5), False),  # Saturday
        # United Kingdom, nation-wide calendar (no subdivision).
        ("GB", date(2025, 4, 18), False),  # Good Friday
        ("GB", date(2025, 12, 26), False),  # Friday, Boxing Day
        ("GB", date(2025, 12, 29), True),  # Monday after
        # Easter Monday is a bank holiday in England, Wales and NI but not Scotland, so the
        # package leaves it out of the nation-wide GB calendar: it counts as a workday.
        ("GB", date(2025, 4, 21), True),
        ("DE", date(2025, 10, 3), False),  # Friday, German Unity Day
        ("DE", date(2025, 10, 6), True),
    ],
)
def test_is_workday_follows_the_country_calendar(country, day, expected):
    assert is_workday(day, country) is expected


@pytest.mark.parametrize(
    ("country", "year", "expected_workdays"),
    [
        # China 2025: 261 weekdays - 18 weekday holidays + 5 make-up weekend days = 248, i.e.
        # 365 - 104 weekend days - 13 statutory holidays. The often-quoted 250 is the count under
        # the 11 statutory holidays in force until 2024; the package agrees with 248.
        ("CN", 2025, 248),
        ("US", 2025, 250),  # 261 weekdays - 11 federal holidays, none on a weekend in 2025
    ],
)
def test_workdays_in_a_year(country, year, expected_workdays):
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    assert count_available_days(first_day, last_day, "workdays", country) == expected_workdays


@pytest.mark.parametrize(
    ("start", "end", "expected_days"),
    [
        (date(2025, 1, 1), date(2025, 12, 31), 365),
        (date(2024, 1, 1), date(2024, 12, 31), 366),  # leap year
        (date(2024, 12, 30), date(2025, 1, 2), 4),  # across the year end
        (date(2025, 10, 1), date(2025, 10, 1), 1),  # a single holiday still counts under "all"
    ],
)
def test_all_days_rule_counts_calendar_days(start, end, expected_days):
    assert count_available_days(start, end, "all") == expected_days
    assert count_available_days(start, end, "workdays") < expected_days  # each window holds a day off


def test_window_spanning_two_years():
    table = available_days(date(2024, 12, 28), date(2025, 1, 5))
    assert table.column("day").to_pylist() == [date(2024, 12, 28) + timedelta(days=n) for n in range(9)]
    #                                                  Sa     Su     Mo    Tu    We(NY)  Th    Fr    Sa     Su
    assert table.column("is_workday").to_pylist() == [False, False, True, True, False, True, True, False, False]
    assert count_available_days(date(2024, 12, 28), date(2025, 1, 5), "workdays") == 4


@pytest.mark.parametrize("days_rule", ["workdays", "all"])
def test_start_after_end_is_refused(days_rule):
    with pytest.raises(ConfigError) as refused:
        count_available_days(date(2025, 1, 2), date(2025, 1, 1), days_rule)
    assert refused.value.key == "config.bad_value"
    assert "ends before it starts" in str(refused.value)
    with pytest.raises(ConfigError):
        available_days(date(2025, 1, 2), date(2025, 1, 1))


@pytest.mark.parametrize("country", ["XX", "China", "", "ZZZ"])
def test_unknown_country_is_refused(country):
    for call in (
        lambda: is_workday(date(2025, 1, 1), country),
        lambda: available_days(date(2025, 1, 1), date(2025, 1, 31), country),
        lambda: count_available_days(date(2025, 1, 1), date(2025, 1, 31), "all", country),
    ):
        with pytest.raises(ConfigError) as refused:
            call()
        assert refused.value.key == "config.bad_value"
        assert "not a country known to the holidays calendar" in str(refused.value)


@pytest.mark.parametrize("country", ["cn", " CN ", "UK", "GB"])
def test_country_codes_are_normalised_like_the_setting(country):
    assert is_workday(date(2025, 12, 25), country) is (country.strip().upper() == "CN")


def test_unknown_days_rule_is_refused():
    with pytest.raises(ConfigError) as refused:
        count_available_days(date(2025, 1, 1), date(2025, 1, 31), "weekdays")
    assert refused.value.key == "config.bad_value"
    assert count_available_days(date(2025, 1, 1), date(2025, 1, 31), "workdays") == 19


@pytest.mark.parametrize(
    ("day", "start_month", "expected_fy"),
    [
        # China and most countries: the fiscal year is the calendar year.
        (date(2025, 1, 1), 1, 2025),
        (date(2025, 12, 31), 1, 2025),
        # US federal: October start, labelled by the year it ends in.
        (date(2024, 9, 30), 10, 2024),
        (date(2024, 10, 1), 10, 2025),
        (date(2025, 9, 30), 10, 2025),
        (date(2025, 10, 1), 10, 2026),
        # UK: April start, labelled by the year it ends in (the UK's "2025-26" is FY2026).
        (date(2025, 3, 31), 4, 2025),
        (date(2025, 4, 1), 4, 2026),
        (date(2026, 3, 31), 4, 2026),
        (date(2026, 4, 1), 4, 2027),
    ],
)
def test_fiscal_year_label(day, start_month, expected_fy):
    assert fiscal_year(day, start_month) == expected_fy


@pytest.mark.parametrize(
    ("fy", "start_month", "expected_bounds", "expected_last_month"),
    [
        (2025, 1, (date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 12, 1), date(2025, 12, 31))),
        (2025, 10, (date(2024, 10, 1), date(2025, 9, 30)), (date(2025, 9, 1), date(2025, 9, 30))),
        (2026, 4, (date(2025, 4, 1), date(2026, 3, 31)), (date(2026, 3, 1), date(2026, 3, 31))),
        (2024, 3, (date(2023, 3, 1), date(2024, 2, 29)), (date(2024, 2, 1), date(2024, 2, 29))),  # leap February
        (2025, 12, (date(2024, 12, 1), date(2025, 11, 30)), (date(2025, 11, 1), date(2025, 11, 30))),
    ],
)
def test_fiscal_year_bounds_and_last_month(fy, start_month, expected_bounds, expected_last_month):
    assert fiscal_year_bounds(fy, start_month) == expected_bounds
    assert last_fiscal_month(fy, start_month) == expected_last_month


@pytest.mark.parametrize("start_month", range(1, 13))
def test_fiscal_year_and_bounds_agree_at_the_edges(start_month):
    for fy in (2024, 2025):
        first_day, last_day = fiscal_year_bounds(fy, start_month)
        assert fiscal_year(first_day, start_month) == fiscal_year(last_day, start_month) == fy
        assert fiscal_year(first_day - timedelta(days=1), start_month) == fy - 1
        assert fiscal_year(last_day + timedelta(days=1), start_month) == fy + 1
        assert 365 <= (last_day - first_day).days + 1 <= 366


@pytest.mark.parametrize("start_month", [0, 13, -1, True])
def test_bad_fiscal_start_month_is_refused(start_month):
    for call in (
        lambda: fiscal_year(date(2025, 1, 1), start_month),
        lambda: fiscal_year_bounds(2025, start_month),
        lambda: last_fiscal_month(2025, start_month),
    ):
        with pytest.raises(ConfigError) as refused:
            call()
        assert refused.value.key == "config.bad_value"


def test_available_days_table_shape_and_types():
    table = available_days(date(2024, 1, 1), date(2025, 12, 31))
    assert table.num_rows == 731
    assert table.schema.names == ["day", "is_workday", "holiday_name"]
    assert table.schema.field("day").type == pa.date32()
    assert table.schema.field("is_workday").type == pa.bool_()
    assert table.schema.field("holiday_name").type == pa.string()
    assert table.column("day").null_count == 0 and table.column("is_workday").null_count == 0
    days = table.column("day").to_pylist()
    assert days == [date(2024, 1, 1) + timedelta(days=n) for n in range(731)]


@pytest.mark.parametrize("country", ["CN", "US"])
def test_table_agrees_with_is_workday_for_every_day_of_2025(country):
    table = available_days(date(2025, 1, 1), date(2025, 12, 31), country)
    from_table = dict(zip(table.column("day").to_pylist(), table.column("is_workday").to_pylist()))
    from_function = {day: is_workday(day, country) for day in from_table}
    assert from_table == from_function
    assert sum(from_table.values()) == count_available_days(date(2025, 1, 1), date(2025, 12, 31), "workdays", country)


def test_holiday_names_mark_days_off_and_only_those():
    table = available_days(date(2025, 9, 27), date(2025, 10, 12)).to_pylist()
    names = {row["day"]: row["holiday_name"] for row in table}
    assert names[date(2025, 10, 1)] == "National Day"
    assert names[date(2025, 9, 28)] is None  # make-up workday: no name
    assert names[date(2025, 10, 12)] is None  # ordinary Sunday
    assert all(row["holiday_name"] is None or not row["is_workday"] for row in table)


def test_holiday_names_do_not_follow_the_process_locale(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "th")  # unpinned, `holidays` would name the days in Thai
    calendar._country_calendar.cache_clear()
    calendar._year_columns.cache_clear()
    try:
        china = available_days(date(2025, 10, 1), date(2025, 10, 1), "CN").column("holiday_name").to_pylist()
        us = available_days(date(2025, 7, 4), date(2025, 7, 4), "US").column("holiday_name").to_pylist()
    finally:
        calendar._country_calendar.cache_clear()
        calendar._year_columns.cache_clear()
    assert (china, us) == (["National Day"], ["Independence Day"])


@pytest.mark.parametrize("start_month", range(1, 13))
def test_fiscal_year_is_one_rule_for_dates_arrow_and_ibis(start_month):
    """The date function, the Arrow array function and the Ibis expression (run by DuckDB) agree on every day."""
    import ibis

    from tracker.engine.metrics import fiscal_year_expr

    days = [date(2023, 12, 1) + timedelta(days=n) for n in range(800)]
    expected = [fiscal_year(d, start_month) for d in days]
    assert calendar.fiscal_years(pa.array(days, pa.date32()), start_month).to_pylist() == expected
    table = ibis.memtable({"day": days})
    expr = table.select(fy=fiscal_year_expr(table.day, start_month))
    computed = ibis.duckdb.connect().to_pyarrow(expr).column("fy").to_pylist()
    assert computed == expected
    assert calendar.last_month_of_fiscal_year(start_month) == fiscal_year_bounds(2025, start_month)[1].month


def test_fiscal_year_labels_the_year_it_ends_in():
    assert fiscal_year(date(2024, 10, 1), 10) == 2025 and fiscal_year(date(2025, 9, 30), 10) == 2025
    assert fiscal_year(date(2025, 4, 1), 4) == 2026 and fiscal_year(date(2025, 3, 31), 4) == 2025
    assert fiscal_year(date(2025, 12, 31), 1) == 2025
    assert calendar.fiscal_years(pa.array([None], pa.date32()), 4).to_pylist() == [None]


@pytest.mark.parametrize("days", [0, -1, 3_654, 1.5, True, "365"])
def test_window_lengths_outside_the_bounds_are_refused(days):
    with pytest.raises(ConfigError) as refused:
        calendar.check_window_days(days)
    assert "1 到 3,653 之间的整数" in refused.value.text("zh")
    assert calendar.check_window_days(calendar.MIN_WINDOW_DAYS) == 1
    assert calendar.check_window_days(calendar.MAX_WINDOW_DAYS) == 3_653
