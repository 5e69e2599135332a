"""The building blocks of utilisation (docs/rules.md, utilisation): profiles and calendar as memtables, the periods
each device was held and in service, available days, and usage per device, as portable Ibis expressions.

tracker.engine.metrics assembles them into utilisation per asset, its roll-ups and telemetry coverage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import (
    DAYS_RULES,
    available_days,
)
from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.engine.assignments import HOLDING_KEYS, held_assets, held_on
from tracker.engine.window import Window
from tracker.store.db import run_expr
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

MAX_HOURS_PER_DAY = 24.0
FALLBACK_CATEGORY = "other"  # profile used for a category the profiles do not know


def profiles_table(profiles: Mapping[str, CategoryProfile] | None) -> tuple[ir.Table, list[str]]:
    """The category profiles as a memtable keyed by `profile_category`, and the category names."""
    chosen = list(profiles.values()) if profiles is not None else list(DEFAULT_PROFILES)
    if not chosen:
        raise ConfigError("config.bad_value", name="profiles", value="", reason=reason("at_least_one_profile"))
    for profile in chosen:
        if profile.days not in DAYS_RULES:
            raise ConfigError("config.bad_value", name=f"{profile.category}.days", value=profile.days, reason=reason("days_rule"))
        if not profile.hours_per_day > 0 or not profile.life_years > 0:
            raise ConfigError(
                "config.bad_value",
                name=profile.category,
                value=profile.hours_per_day,
                reason=reason("hours_and_life_positive"),
            )
    names = [p.category for p in chosen]
    return ibis.memtable(
        pa.table(
            {
                "profile_category": pa.array(names, pa.string()),
                "hours_per_day": pa.array([float(p.hours_per_day) for p in chosen], pa.float64()),
                "days_rule": pa.array([p.days for p in chosen], pa.string()),
                "low_threshold": pa.array([float(p.low_threshold) for p in chosen], pa.float64()),
                "life_years": pa.array([float(p.life_years) for p in chosen], pa.float64()),
            }
        )
    ), names


def calendar_table(window: Window, country: str) -> ir.Table:
    """Days start..as_of+1 with the count of workdays and of days strictly before each day.

    Available days of a period [a, b) are then `before(b) - before(a)`, two equi-joins per asset.
    """
    days = available_days(window.start, window.end_exclusive, country)
    workday = pc.cast(days["is_workday"], pa.int32())
    workdays_through = pc.cumulative_sum(workday)
    return ibis.memtable(
        pa.table(
            {
                "day": days["day"],
                "workdays_before": pc.subtract(workdays_through, workday),
                "days_before": pa.array(range(days.num_rows), pa.int32()),
            }
        )
    )


def in_service_on(
    in_service_date: ir.Value, disposal_date: ir.Value, status: ir.Value, as_of: date, held_to: ir.Value
) -> ir.Value:
    """In service on as_of: started by then (or no date known), not disposed by then, and held on as_of by the row's agency."""
    started = in_service_date.isnull() | (in_service_date <= as_of)
    disposed = (disposal_date <= as_of).fill_null(False) | (status == "disposed")
    return started & ~disposed & held_on(held_to, as_of)


def period_columns(assets: ir.Table, window: Window) -> dict[str, ir.Value]:
    """in_service_date (else purchase_date) and the active period [active_start, active_end) of W.

    An asset with neither date is taken as in service before the window (it is in the register);
    its age and book value stay unknown. The period is also bounded by the row's holding (held_assets).
    """
    in_service_date = assets.in_service_date.fill_null(assets.purchase_date)
    window_start, end_exclusive = ibis.literal(window.start), ibis.literal(window.end_exclusive)
    return {
        "in_service_date": in_service_date,
        "active_start": ibis.greatest(window_start, in_service_date.fill_null(window_start), assets.holding_start),
        "active_end": ibis.least(
            end_exclusive, assets.disposal_date.fill_null(end_exclusive), assets.held_to.fill_null(end_exclusive)
        ),
    }


def active_periods(backend, window: Window, keys: tuple[str, ...]) -> ir.Table:
    """asset_id, holding_start, held_to, active_start, active_end, straight from the register and its holdings.

    Kept apart from the wider asset table on purpose: joined to the usage rows, the engine sees a
    small table (DuckDB mis-estimated the wider one after its calendar joins and built the hash
    table on 12 M usage rows instead: 1.8 s instead of 0.2 s).
    """
    a = held_assets(backend, window.start, window.as_of)
    columns = period_columns(a, window)
    held = ("held_to",) if keys == HOLDING_KEYS else ()
    return a.select(*keys, *held, active_start=columns["active_start"], active_end=columns["active_end"])


def assets_with_periods(backend, window: Window, profiles: tuple[ir.Table, list[str]]) -> ir.Table:
    """The register, one row per holding in the window, with its category profile and active period."""
    profile_table, profile_names = profiles
    a = held_assets(backend, window.start, window.as_of)
    columns = period_columns(a, window)
    a = a.select(
        "asset_id",
        "agency_code",
        "category",
        "ocid",
        "po_number",
        "line_no",
        "purchase_cost",
        "disposal_date",
        "status",
        "standby",
        "holding_start",
        "held_from",
        "held_to",
        **columns,
        in_service_on_as_of=in_service_on(columns["in_service_date"], a.disposal_date, a.status, window.as_of, a.held_to),
        profile_key=a.category,
    )
    if FALLBACK_CATEGORY in profile_names:
        a = a.mutate(profile_key=ibis.ifelse(a.category.isin(profile_names), a.category, FALLBACK_CATEGORY))
    joined = a.left_join(profile_table, a.profile_key == profile_table.profile_category)
    return joined.drop("profile_key", "profile_category")


def with_available_days(assets: ir.Table, window: Window, calendar: ir.Table) -> ir.Table:
    """Add available_days: workdays (or all days) in [active_start, active_end), 0 when empty."""
    # active_start >= start and active_end <= as_of + 1 already: clamp the other sides into the
    # calendar's days so that every asset finds its two rows (an empty period then counts 0)
    start_key = ibis.least(assets.active_start, ibis.literal(window.end_exclusive))
    end_key = ibis.greatest(assets.active_end, ibis.literal(window.start))
    keyed = assets.mutate(start_key=start_key, end_key=end_key)
    at_start = calendar.select(start_day="day", workdays_before_start="workdays_before", days_before_start="days_before")
    at_end = calendar.select(end_day="day", workdays_before_end="workdays_before", days_before_end="days_before")
    t = keyed.left_join(at_start, keyed.start_key == at_start.start_day)
    t = t.left_join(at_end, t.end_key == at_end.end_day)
    counted = ibis.ifelse(
        t.days_rule == "all", t.days_before_end - t.days_before_start, t.workdays_before_end - t.workdays_before_start
    )
    t = t.mutate(available_days=ibis.greatest(counted, 0).cast("int64"))
    return t.drop(
        "start_key",
        "end_key",
        "start_day",
        "end_day",
        "workdays_before_start",
        "days_before_start",
        "workdays_before_end",
        "days_before_end",
        "days_rule",
    )


def usage_per_asset(backend, window: Window, periods: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """Per asset: used_hours and active_days in its active period, last_used up to as_of over all data.

    A day's hours are the sum of its sources, capped at 24 h. Usage is unique per (asset_id,
    usage_date, source) (the ingest upserts on that key), so an asset with one source has one row
    per day and is summed in a single pass per asset; only assets with several sources are summed
    per (asset, day) first. Grouping every row per (asset, day) would cost ~3 s on 12 M rows in
    DuckDB, the single pass ~0.2 s. Which assets have several sources is told by the min and max
    of a small integer code per source (string min/max would cost more than the sums); with one
    source in the whole table there is nothing to tell.
    """
    usage = backend.table("usage_daily")
    usage = usage.filter(usage.evidence.isin(USE_EVIDENCE))
    sources = distinct_sources(usage)
    up_to_as_of = usage.filter(usage.usage_date <= window.as_of, usage.hours_used > 0)
    rows = up_to_as_of.join(periods, "asset_id")
    if keys == HOLDING_KEYS:  # a past holding's last use is before it ended
        rows = rows.filter(held_on(rows.held_to, rows.usage_date))
    in_period = (rows.usage_date >= rows.active_start) & (rows.usage_date < rows.active_end)
    aggregates = dict(
        row_hours=ibis.ifelse(in_period, ibis.least(rows.hours_used, MAX_HOURS_PER_DAY), 0.0).sum(),
        row_days=in_period.cast("int64").sum(),
        last_used=rows.usage_date.max(),
        usage_evidence=(rows.evidence == "usage").cast("int8").max(),
    )
    if len(sources) <= 1:
        per_asset = rows.group_by(*keys).aggregate(**aggregates)
        return per_asset.select(
            *keys, used_hours="row_hours", active_days="row_days", last_used="last_used", usage_evidence="usage_evidence"
        )
    if len(sources) <= MAX_CODED_SOURCES:
        code = ibis.cases(*((rows.source == name, i) for i, name in enumerate(sources)), else_=len(sources))
    else:
        code = rows.source
    per_asset = rows.group_by(*keys).aggregate(**aggregates, first_source=code.min(), last_source=code.max())
    several_sources = per_asset.filter(per_asset.first_source != per_asset.last_source).select("asset_id")
    # Built apart from `rows` (its own filter): a shared 12 M-row join would be materialised by
    # DuckDB as a common table expression, which doubles the time; this branch reads few rows.
    in_window = usage.filter(usage.usage_date >= window.start, usage.usage_date <= window.as_of, usage.hours_used > 0)
    day_rows = in_window.semi_join(several_sources, "asset_id").join(periods, "asset_id")
    day_rows = day_rows.filter(day_rows.usage_date >= day_rows.active_start, day_rows.usage_date < day_rows.active_end)
    days = day_rows.group_by(*keys, "usage_date").aggregate(day_hours=day_rows.hours_used.sum())
    days = days.group_by(*keys).aggregate(
        day_hours=ibis.least(days.day_hours, MAX_HOURS_PER_DAY).sum(),
        day_count=days.usage_date.count(),
    )
    t = per_asset.left_join(days, list(keys))
    return t.select(
        *(per_asset[k] for k in keys),
        used_hours=t.day_hours.fill_null(t.row_hours),
        active_days=t.day_count.fill_null(t.row_days),
        last_used=t.last_used,
        usage_evidence=t.usage_evidence,
    )


USE_EVIDENCE = ("usage", "signed_in")  # rows whose hours are hours of use


def other_evidence_per_asset(backend, window: Window, periods: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """Per asset, up to as_of: powered-on hours in its active period (a day capped at 24 h) and the last
    powered-on, seen and signed-in days. Plain usage files have none of these rows."""
    usage = backend.table("usage_daily")
    rows = usage.filter(usage.evidence != "usage", usage.usage_date <= window.as_of)
    rows = rows.join(periods, "asset_id")
    if keys == HOLDING_KEYS:
        rows = rows.filter(held_on(rows.held_to, rows.usage_date))
    in_period = (rows.usage_date >= rows.active_start) & (rows.usage_date < rows.active_end)
    powered = (rows.evidence == "powered_on") & (rows.hours_used > 0)
    return rows.group_by(*keys).aggregate(
        powered_on_hours=ibis.ifelse(powered & in_period, ibis.least(rows.hours_used, MAX_HOURS_PER_DAY), 0.0).sum(
            where=rows.evidence == "powered_on"
        ),
        powered_on_last=rows.usage_date.max(where=powered),
        seen_last=rows.usage_date.max(where=rows.evidence == "seen"),
        signed_in_on=rows.usage_date.max(where=(rows.evidence == "signed_in") & (rows.hours_used > 0)),
    )


MAX_CODED_SOURCES = 64


def distinct_sources(usage: ir.Table) -> list[str]:
    """The usage sources in the data (a handful: '' when none was given, 'snipe-it', 'mdm', …)."""
    return sorted(run_expr(usage.select("source").distinct(), name="usage sources").column("source").to_pylist())
