"""Which days equipment is available, and fiscal years.

Owns the country calendar (docs/rules.md, available hours): a workday is a day the `holidays` package counts as
working for the country, so China's adjusted working days (调休) are honoured — Sunday
2025-01-26 is a workday, Wednesday 2025-10-01 is not. The utilisation engine joins against the
small table from `available_days` rather than calling back into Python per row.

Fiscal-year labels: a fiscal year is named by the calendar year in which it ENDS. With
start_month=1 that is the calendar year; with start_month=10 (US federal) FY2025 runs
2024-10-01..2025-09-30; with start_month=4 (UK) FY2026 runs 2025-04-01..2026-03-31 (the UK's
own "2025-26").
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracker.text.errors import ConfigError

DEFAULT_COUNTRY = "CN"
DAYS_RULES = ("workdays", "all")

AVAILABLE_DAYS_SCHEMA = pa.schema(
    [
        pa.field("day", pa.date32(), nullable=False),
        pa.field("is_workday", pa.bool_(), nullable=False),
        pa.field("holiday_name", pa.string()),
    ]
)

# Holiday names are pinned to one language: left unset, `holidays` picks it from the process
# locale (LANG, LC_ALL...), so the same data would read differently on two machines.
HOLIDAY_NAMES_LANGUAGE = "en_US"


def available_days(start: date, end: date, country: str = DEFAULT_COUNTRY) -> pa.Table:
    """One row per calendar day in [start, end]: day (date32), is_workday (bool), holiday_name (string or null)."""
    country_code = _checked_country(country)
    _check_window(start, end)
    is_workday_chunks, holiday_name_chunks = [], []
    for year in range(start.year, end.year + 1):
        year_is_workday, year_holiday_name = _year_columns(country_code, year)
        first_index = (max(start, date(year, 1, 1)) - date(year, 1, 1)).days
        last_index = (min(end, date(year, 12, 31)) - date(year, 1, 1)).days
        length_days = last_index - first_index + 1
        is_workday_chunks.append(year_is_workday.slice(first_index, length_days))
        holiday_name_chunks.append(year_holiday_name.slice(first_index, length_days))
    day_column = pa.array(np.arange(start, end + timedelta(days=1), dtype="datetime64[D]"), type=pa.date32())
    return pa.Table.from_arrays(
        [day_column, pa.concat_arrays(is_workday_chunks), pa.concat_arrays(holiday_name_chunks)],
        schema=AVAILABLE_DAYS_SCHEMA,
    )


def is_workday(day: date, country: str = DEFAULT_COUNTRY) -> bool:
    """True when the country calendar counts `day` as a working day (weekend make-up days included)."""
    return _country_calendar(_checked_country(country), day.year).is_working_day(day)


def count_available_days(start: date, end: date, days_rule: str, country: str = DEFAULT_COUNTRY) -> int:
    """Number of available days in [start, end] under a category's days rule ("workdays" or "all")."""
    if days_rule not in DAYS_RULES:
        raise ConfigError("config.bad_value", name="days_rule", value=days_rule, reason='either "workdays" or "all"')
    _checked_country(country)  # a bad country setting is refused whatever the rule
    _check_window(start, end)
    if days_rule == "all":
        return (end - start).days + 1
    return pc.sum(available_days(start, end, country)["is_workday"]).as_py() or 0


def fiscal_year(day: date, start_month: int = 1) -> int:
    """Label of the fiscal year containing `day`: the calendar year in which that fiscal year ends."""
    _check_start_month(start_month)
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def fiscal_year_bounds(fy: int, start_month: int = 1) -> tuple[date, date]:
    """First and last day of fiscal year `fy` (labelled by the calendar year in which it ends)."""
    _check_start_month(start_month)
    first_day = date(fy - 1 if start_month > 1 else fy, start_month, 1)
    last_day = date(fy + 1 if start_month == 1 else fy, start_month, 1) - timedelta(days=1)
    return first_day, last_day


def last_fiscal_month(fy: int, start_month: int = 1) -> tuple[date, date]:
    """First and last day of the last month of fiscal year `fy` (December, September or March...)."""
    last_day = fiscal_year_bounds(fy, start_month)[1]
    return last_day.replace(day=1), last_day


@functools.lru_cache(maxsize=512)
def _country_calendar(country_code: str, year: int) -> holidays.HolidayBase:
    """The holidays object for one country and year, built once per process.

    expand=False so that a lookup outside `year` can never silently grow (mutate) the cached
    object; callers only ask it about days of its own year. Cross-year make-up workdays (e.g.
    Saturday 2011-12-31, declared with New Year 2012) are still known: the package loads those
    for all years when any object is built, and same-year ones when the year is populated.
    """
    localized = holidays.list_localized_countries(include_aliases=True).get(country_code, ())
    language = HOLIDAY_NAMES_LANGUAGE if HOLIDAY_NAMES_LANGUAGE in localized else None
    return holidays.country_holidays(country_code, years=year, expand=False, language=language)


@functools.lru_cache(maxsize=512)
def _year_columns(country_code: str, year: int) -> tuple[pa.BooleanArray, pa.StringArray]:
    """is_workday and holiday_name for every day of one year, built once per country and year.

    The loop calls the package's `is_working_day` per day on purpose: some countries' weekends
    depend on the date (Algeria, Kuwait, UAE, Malaysian states...), so re-deriving weekends
    from weekday numbers would be wrong; cached, it runs once per country-year (~1 ms).
    """
    calendar = _country_calendar(country_code, year)
    first_day = date(year, 1, 1)
    year_length_days = (date(year + 1, 1, 1) - first_day).days
    is_workday_values = [calendar.is_working_day(first_day + timedelta(days=offset)) for offset in range(year_length_days)]
    holiday_names: list[str | None] = [None] * year_length_days
    for holiday_day, name in calendar.items():
        if holiday_day.year == year:
            holiday_names[(holiday_day - first_day).days] = name
    return pa.array(is_workday_values, type=pa.bool_()), pa.array(holiday_names, type=pa.string())


@functools.lru_cache(maxsize=1)
def _known_country_codes() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries(include_aliases=True))


def _checked_country(country: str) -> str:
    """The normalised country code, or ConfigError; the package itself would also accept class names like "China"."""
    country_code = country.strip().upper() if isinstance(country, str) else ""
    if country_code not in _known_country_codes():
        raise ConfigError(
            "config.bad_value", name="country", value=country, reason="not a country known to the holidays calendar"
        )
    return country_code


def _check_window(start: date, end: date) -> None:
    if start > end:
        raise ConfigError(
            "config.bad_value",
            name="end",
            value=end.isoformat(),
            reason=f"the window ends before it starts ({start.isoformat()})",
        )


def _check_start_month(start_month: int) -> None:
    if isinstance(start_month, bool) or not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise ConfigError("config.bad_value", name="fiscal_year_start_month", value=start_month, reason="a month number 1-12")
