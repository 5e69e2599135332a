"""Use of metered devices from their counter readings (docs/meters.md).

A printer's page count, a copier's copies or a projector's lamp hours, read now and then, tell how
much the device was used between two readings: the difference, spread evenly over the days between
them. A counter that goes down (lamp replaced, counter reset, board swapped) starts a new series:
the pair across the drop is reported and counts neither as use nor as idleness. Days no pair of
readings covers are unknown, never zero; a device with a single reading has unknown use.

Utilisation of a metered device = use over the days its readings cover ÷ the category's capacity
over the available days (same calendar rules as hours) of those days, within the window. The
counter's flat stretches decide idleness: the proven span of a counter that has not moved.

Readings are few (one a device per month or so), so they are read once and derived in Python; the
result joins the per-asset table as a small memtable, so the rules run unchanged on any engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.domain.calendar import DEFAULT_COUNTRY, available_days
from tracker.domain.categories import CategoryProfile
from tracker.domain.meters import DEFAULT_METER_PROFILES, MeterProfile
from tracker.store.db import run_expr


class Window(Protocol):
    """What is used here of tracker.engine.metrics.Window (which imports this module)."""

    as_of: date
    idle_days: int
    never_used_min_days: int
    start: date
    end_exclusive: date
    idle_start: date


TABLE = "meter_readings"
NEVER_USED_FIRST_READING_DAYS = 31  # a counter read within a month of entering service shows use since then


@dataclass(frozen=True)
class Reading:
    read_at: datetime
    value: float

    @property
    def day(self) -> date:
        return self.read_at.date()


@dataclass(frozen=True)
class Period:
    """Two consecutive readings of one series: `use` spread over the days [start, end) (one day when equal)."""

    start: date
    end: date
    use: float

    @property
    def days(self) -> int:
        return max(1, (self.end - self.start).days)

    @property
    def last_day(self) -> date:  # exclusive end of the days the use is spread over
        return self.end if self.end > self.start else self.start + timedelta(days=1)


@dataclass(frozen=True)
class Reset:
    """A counter that went down: a new series starts at `after`."""

    before: Reading
    after: Reading


@dataclass
class MeterUse:
    """What one device's readings of its category's meter show (up to as_of)."""

    asset_id: str
    meter: str
    readings: list[Reading]
    periods: list[Period] = field(default_factory=list)
    resets: list[Reset] = field(default_factory=list)
    use: float | None = None  # within the evaluation period, over the days readings cover
    covered_days: int = 0  # available days covered by readings within the evaluation period
    capacity: float | None = None  # over those days
    utilisation: float | None = None
    flat_since: Reading | None = None  # first reading of the counter's final flat stretch
    moved: bool = False  # the counter rose between some two readings
    never_moved: bool = False  # flat across every reading since it entered service

    @property
    def last(self) -> Reading:
        return self.readings[-1]

    @property
    def days_flat(self) -> int | None:
        return None if self.flat_since is None else (self.last.day - self.flat_since.day).days


def series(readings: Iterable[Reading]) -> tuple[list[Period], list[Reset]]:
    """Periods of use between consecutive readings (sorted by time) and the drops that start new series."""
    ordered = sorted(readings, key=lambda r: r.read_at)
    periods: list[Period] = []
    resets: list[Reset] = []
    for before, after in zip(ordered, ordered[1:]):
        if after.value < before.value:
            resets.append(Reset(before, after))
        else:
            periods.append(Period(before.day, after.day, after.value - before.value))
    return periods, resets


class AvailableDays:
    """Available days of a calendar span, by prefix counts over the days of the window (workdays or all)."""

    def __init__(self, start: date, end_exclusive: date, country: str = DEFAULT_COUNTRY):
        self.start = start
        self.end = end_exclusive
        days = available_days(start, end_exclusive - timedelta(days=1), country) if end_exclusive > start else None
        flags = days.column("is_workday").to_pylist() if days is not None else []
        self._workdays_before = [0]
        for flag in flags:
            self._workdays_before.append(self._workdays_before[-1] + int(flag))

    def count(self, a: date, b: date, days_rule: str) -> int:
        """Available days in [a, b) ∩ the window."""
        a, b = max(a, self.start), min(b, self.end)
        if b <= a:
            return 0
        if days_rule == "all":
            return (b - a).days
        return self._workdays_before[(b - self.start).days] - self._workdays_before[(a - self.start).days]


def derive(
    asset_id: str,
    meter: str,
    readings: list[Reading],
    *,
    period_start: date,
    period_end: date,
    calendar: AvailableDays,
    days_rule: str,
    profile: MeterProfile,
    in_service: date | None,
) -> MeterUse:
    """Use, utilisation and flatness of one device's readings, for the evaluation period [period_start, period_end)."""
    ordered = sorted(readings, key=lambda r: r.read_at)
    result = MeterUse(asset_id, meter, ordered)
    periods, resets = series(ordered)
    result.periods, result.resets = periods, resets
    if len(ordered) < 2:
        return result
    use = 0.0
    covered = 0
    for p in periods:
        overlap = (min(p.last_day, period_end) - max(p.start, period_start)).days
        if overlap <= 0:
            continue
        use += p.use * overlap / p.days
        covered += calendar.count(max(p.start, period_start), min(p.last_day, period_end), days_rule)
    if any(max(p.start, period_start) < min(p.last_day, period_end) for p in periods):
        result.use = use
        result.covered_days = covered
        result.capacity = profile.per_available_day * covered
        result.utilisation = use / result.capacity if result.capacity > 0 else None
    # the final flat stretch: from the reading after the last rise (or after the last drop)
    flat_since = ordered[0]
    for before, after in zip(ordered, ordered[1:]):
        if after.value != before.value:
            flat_since = after
            result.moved = result.moved or after.value > before.value
    result.flat_since = flat_since
    result.never_moved = (
        not result.moved
        and not resets
        and in_service is not None
        and (ordered[0].day - in_service).days <= NEVER_USED_FIRST_READING_DAYS
    )
    return result


# -- profiles ----------------------------------------------------------------------------------------


def meter_profiles(backend) -> dict[str, MeterProfile]:
    """Each metered category's profile: the defaults, with an administrator's stored meter and capacity."""
    profiles = dict(DEFAULT_METER_PROFILES)
    table = backend.table("category_profiles")
    if "meter" not in table.columns or "meter_capacity" not in table.columns:
        return profiles
    stored = run_expr(
        table.filter(table.meter.notnull() | table.meter_capacity.notnull()).select("category", "meter", "meter_capacity"),
        name="meter profiles",
    ).to_pylist()
    for row in stored:
        default = profiles.get(row["category"])
        if default is None:
            continue
        profiles[row["category"]] = replace(
            default,
            meter=row["meter"] or default.meter,
            capacity=float(row["meter_capacity"]) if row["meter_capacity"] else default.capacity,
        )
    return profiles


def _has_readings(backend) -> bool:
    try:
        backend.table(TABLE)
    except Exception:  # noqa: BLE001 - a backend without the table (a lake of older exports) has no readings
        return False
    return True


# -- per asset ---------------------------------------------------------------------------------------


def meter_use(
    backend,
    window: Window,
    *,
    country: str = DEFAULT_COUNTRY,
    profiles: Mapping[str, CategoryProfile] | None = None,
    asset_ids: list[str] | None = None,
) -> list[tuple[dict, MeterUse]]:
    """(asset facts, MeterUse) of every asset of a metered category with readings of its meter up to as_of."""
    if not _has_readings(backend):
        return []
    meter_by_category = meter_profiles(backend)
    readings = backend.table(TABLE)
    assets = backend.table("assets")
    assets = assets.select(
        "asset_id",
        "agency_code",
        "category",
        in_service=assets.in_service_date.fill_null(assets.purchase_date),
        disposal=assets.disposal_date,
    )
    end = datetime.combine(window.end_exclusive, datetime.min.time())
    r = readings.filter(readings.read_at < end).join(assets, "asset_id")
    r = r.filter(r.category.isin(list(meter_by_category)))
    if asset_ids is not None:
        r = r.filter(r.asset_id.isin(asset_ids))
    rows = run_expr(
        r.select("asset_id", "agency_code", "category", "in_service", "disposal", "meter", "read_at", "value"),
        name="meter readings",
    ).to_pylist()
    if not rows:
        return []
    by_asset: dict[str, tuple[dict, list[Reading]]] = {}
    for row in rows:
        if row["meter"] != meter_by_category[row["category"]].meter:
            continue
        facts, found = by_asset.setdefault(row["asset_id"], (row, []))
        found.append(Reading(row["read_at"], float(row["value"])))
    calendar = AvailableDays(window.start, window.end_exclusive, country)
    results = []
    for asset_id, (facts, found) in sorted(by_asset.items()):
        profile = meter_by_category[facts["category"]]
        category_profile = (profiles or {}).get(facts["category"])
        days_rule = category_profile.days if category_profile is not None else "workdays"
        start = max(window.start, facts["in_service"] or window.start)
        end_day = min(window.end_exclusive, facts["disposal"] or window.end_exclusive)
        use = derive(
            asset_id,
            profile.meter,
            found,
            period_start=start,
            period_end=end_day,
            calendar=calendar,
            days_rule=days_rule,
            profile=profile,
            in_service=facts["in_service"],
        )
        results.append((facts, use))
    return results


METER_SCHEMA = pa.schema(
    [
        ("m_asset_id", pa.string()),
        ("m_utilisation", pa.float64()),
        ("m_available_days", pa.int64()),
        ("m_last_used", pa.date32()),
        ("m_days_idle", pa.int64()),
    ]
)


def with_meters(
    backend,
    window: Window,
    per_asset: ir.Table,
    *,
    country: str = DEFAULT_COUNTRY,
    profiles: Mapping[str, CategoryProfile] | None = None,
) -> ir.Table:
    """The per-asset table with metered devices judged by their readings (same columns, same order).

    For a device with readings of its category's meter: evidence "meter"; utilisation, available
    days, last use and days idle from the readings (unknown with one reading); hours, active days
    and their rate unknown unless usage rows give them. Other assets are left as they are.
    """
    found = meter_use(backend, window, country=country, profiles=profiles)
    if not found:
        return per_asset
    rows = []
    for facts, use in found:
        last_used, days_idle = _idleness(use, facts["in_service"], window.idle_start)
        rows.append(
            {
                "m_asset_id": use.asset_id,
                "m_utilisation": use.utilisation,
                "m_available_days": use.covered_days,
                "m_last_used": last_used,
                "m_days_idle": days_idle,
            }
        )
    m = ibis.memtable(pa.Table.from_pylist(rows, schema=METER_SCHEMA))
    columns = per_asset.columns
    t = per_asset.left_join(m, per_asset.asset_id == m.m_asset_id)
    metered = t.m_asset_id.notnull()
    hours_unknown = metered & t.evidence.isnull()
    held = t.in_service_on_as_of & ~t.standby
    never_used_long = t.m_last_used.isnull() & (t.m_days_idle >= window.never_used_min_days)
    unused_long = t.m_last_used.notnull() & (t.m_days_idle >= window.idle_days)
    t = t.mutate(
        evidence=ibis.ifelse(metered, ibis.literal("meter"), t.evidence),
        utilisation=ibis.ifelse(metered, t.m_utilisation, t.utilisation),
        available_days=ibis.ifelse(metered, t.m_available_days, t.available_days),
        last_used=ibis.ifelse(metered, t.m_last_used, t.last_used),
        days_idle=ibis.ifelse(metered, t.m_days_idle, t.days_idle),
        used_hours=ibis.ifelse(hours_unknown, ibis.null("float64"), t.used_hours),
        available_hours=ibis.ifelse(hours_unknown, ibis.null("float64"), t.available_hours),
        active_days=ibis.ifelse(hours_unknown, ibis.null("int64"), t.active_days),
        active_day_rate=ibis.ifelse(hours_unknown, ibis.null("float64"), t.active_day_rate),
        idle_candidate=ibis.ifelse(metered, (held & (never_used_long | unused_long)).fill_null(False), t.idle_candidate),
    )
    return t.select(*columns)


def _idleness(use: MeterUse, in_service: date | None, idle_start: date) -> tuple[date | None, int | None]:
    """(last use, days idle) as the readings prove them; days idle unknown when they cannot tell.

    A counter flat since the device entered service has no last use and is idle from its service
    date to its last reading; otherwise the last use is the first reading of the final flat stretch
    and the days idle run to the last reading (days after it are unknown). Readings that all end
    before the idle horizon say nothing about it.
    """
    if len(use.readings) < 2 or use.flat_since is None:
        return None, None
    if use.last.day < idle_start:
        return (use.flat_since.day if use.moved else None), None
    if use.never_moved and in_service is not None:
        return None, max(0, (use.last.day - in_service).days)
    return use.flat_since.day, use.days_flat


# -- coverage ----------------------------------------------------------------------------------------


def with_meter_coverage(backend, window: Window, coverage: ir.Table) -> ir.Table:
    """Telemetry coverage where a reading of a device in the idle horizon also counts (same columns)."""
    if not _has_readings(backend):
        return coverage
    readings = backend.table(TABLE)
    start = datetime.combine(window.idle_start, datetime.min.time())
    end = datetime.combine(window.end_exclusive, datetime.min.time())
    recent = readings.filter(readings.read_at >= start, readings.read_at < end).select("asset_id").distinct()
    assets = backend.table("assets").select("asset_id", "agency_code", "category")
    read = assets.semi_join(recent, "asset_id")
    per_group = read.group_by("agency_code", "category").aggregate(assets_read=read.asset_id.count())
    per_group = per_group.rename(m_agency="agency_code", m_category="category")
    columns = coverage.columns
    t = coverage.left_join(per_group, [coverage.agency_code == per_group.m_agency, coverage.category == per_group.m_category])
    t = t.mutate(
        assets_with_usage_in_horizon=t.assets_with_usage_in_horizon + t.assets_read.fill_null(0),
        reports_usage=t.reports_usage | t.assets_read.notnull(),
    )
    return t.select(*columns)


def metered_assets(backend) -> ir.Table | None:
    """asset_id of every device with a counter reading (None when the backend has no readings table)."""
    if not _has_readings(backend):
        return None
    return backend.table(TABLE).select("asset_id").distinct()


def latest_reading_day(backend) -> date | None:
    """The day of the latest counter reading (None without readings)."""
    if not _has_readings(backend):
        return None
    value = run_expr(backend.table(TABLE).read_at.max(), name="latest reading").as_py()
    return None if value is None else value.date()
