"""Utilisation per asset, its roll-ups and telemetry coverage (docs/rules.md, utilisation), as portable Ibis expressions.

Everything here builds Ibis table expressions and executes nothing: the same expressions run on
DuckDB (the default) and on PySpark for national-scale Parquet (docs/architecture.md, the lake). So no SQL strings and
no pandas copy of the logic; the only data made in Python is the small country calendar, brought
in as a memtable.

How it stays fast on ~12 M usage rows: usage is read in one pass per asset (only assets with
several sources are summed per day first, to cap a day at 24 h); available days come from a
calendar that carries, for every day, the number of workdays and of days before it, joined twice
on dates (two equi-joins) instead of a range join of assets × days. To roll one computation up
several ways, cache it: `utilisation_by(..., per_asset=cache_expr(asset_utilisation(...), name=...))`.
Every expression is executed through tracker.store.db (`run_expr`, `cache_expr`), which names the
query and turns the engine's errors into DatabaseError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import (
    DAYS_RULES,
    DEFAULT_COUNTRY,
    DEFAULT_WINDOW_DAYS,
    available_days,
    check_window_days,
    rollover_month,
)
from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.engine.assignments import HOLDING_KEYS, buying_agencies, held_assets, held_on, holding_keys
from tracker.engine.meters import latest_reading_day, with_meter_coverage, with_meters
from tracker.store.db import Database, run_expr
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

MAX_HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25
FALLBACK_CATEGORY = "other"  # profile used for a category the profiles do not know

ASSET_COLUMNS = (
    "asset_id",
    "agency_code",
    "category",
    "ocid",
    "po_number",
    "line_no",
    "purchase_cost",
    "in_service_date",
    "disposal_date",
    "status",
    "standby",
    "active_start",
    "active_end",
    "available_days",
    "hours_per_day",
    "available_hours",
    "used_hours",
    "utilisation",
    "evidence",
    "powered_on_hours",
    "utilisation_upper_bound",
    "active_days",
    "active_day_rate",
    "last_used",
    "days_idle",
    "age_years",
    "net_book_value",
    "low_threshold",
    "in_service_on_as_of",
    "idle_candidate",
    "held_from",
    "held_to",
)

# Group keys of each roll-up. "supplier" and "po_line" keys come from the matched procurement line.
ROLLUP_KEYS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_code",),
    "category": ("category",),
    "supplier": ("supplier",),
    "po_line": ("agency_code", "ocid", "po_number", "line_no"),
    "fiscal_year": ("fiscal_year",),
}
ROLLUP_COLUMNS = (
    "assets",
    "assets_with_usage",
    "available_hours",
    "used_hours",
    "utilisation",
    "median_utilisation",
    "purchase_cost",
    "net_book_value",
    "idle_nbv",
)


@dataclass(frozen=True)
class Window:
    """Evaluation window W = [start, as_of] and idle horizon [idle_start, as_of], both inclusive.

    never_used_min_days: a never-used asset counts as idle capital once in service that long.
    """

    as_of: date
    window_days: int = DEFAULT_WINDOW_DAYS
    idle_days: int = 90
    never_used_min_days: int = 60

    def __post_init__(self) -> None:
        for name in ("window_days", "idle_days", "never_used_min_days"):  # each a span of days ending at as_of
            check_window_days(getattr(self, name), name)
        if not isinstance(self.as_of, date):
            raise ConfigError("config.bad_value", name="as_of", value=self.as_of, reason=reason("date"))

    @property
    def start(self) -> date:
        return self.as_of - timedelta(days=self.window_days - 1)

    @property
    def end_exclusive(self) -> date:
        """The day after as_of: periods are half-open [start, end_exclusive)."""
        return self.as_of + timedelta(days=1)

    @property
    def idle_start(self) -> date:
        return self.as_of - timedelta(days=self.idle_days - 1)


def ibis_backend(db: Database):
    """An Ibis DuckDB backend over a cursor of the tracker's connection.

    A cursor shares the database but has its own session, so the settings Ibis sets on connect
    (TimeZone UTC, python_enable_replacements off) and its memtable views stay out of `db.con`.
    Each table is looked up once per backend: a lookup asks the engine for the table's schema, and
    one flag run names the same few tables some twenty times.
    """
    backend = ibis.duckdb.from_connection(db.con.cursor())
    lookup = backend.table
    tables: dict[str, ir.Table] = {}

    def table(name: str, /, *, database=None) -> ir.Table:
        if database is not None or name.startswith("ibis_"):  # Ibis's own (cached results): released when unused
            return lookup(name, database=database)
        if name not in tables:
            tables[name] = lookup(name)
        return tables[name]

    backend.table = table
    return backend


def default_as_of(db: Database) -> date | None:
    """The latest usage date in the data (not today's clock), or None when there is no usage."""
    backend = ibis_backend(db)
    usage = backend.table("usage_daily")
    return run_expr(usage.usage_date.max(), name="latest usage date").as_py() or latest_reading_day(backend)


def asset_utilisation(
    backend, window: Window, *, country: str = DEFAULT_COUNTRY, profiles: Mapping[str, CategoryProfile] | None = None
) -> ir.Table:
    """One row per registered asset: active period, available and used hours, utilisation, idleness, NBV.

    Beyond the columns docs/rules.md describes: ocid and hours_per_day (for joins and bounds), in_service_on_as_of, and
    idle_candidate = held (in service, not standby) and unused for idle_days, or never used and in
    service for never_used_min_days; before any telemetry-coverage check (that is the rules' job).
    A category without a profile takes the "other" profile.
    """
    assets = _assets_with_periods(backend, window, _profiles_table(profiles))
    assets = _with_available_days(assets, window, _calendar_table(window, country))
    keys = holding_keys(backend, window.start, window.as_of)
    periods = _active_periods(backend, window, keys)
    usage = _usage_per_asset(backend, window, periods, keys)
    t = assets.left_join(usage, list(keys)).drop(*(f"{k}_right" for k in keys))
    other = _other_evidence_per_asset(backend, window, periods, keys)
    t = t.left_join(other, list(keys)).drop(*(f"{k}_right" for k in keys))
    as_of = ibis.literal(window.as_of)
    # what the asset's evidence proves (docs/usage-sources.md): hours of use from usage files and sign-ins only;
    # powered-on time bounds use from above; a day seen on proves the device was on, not for how long
    has_use = t.last_used.notnull()
    evidence = ibis.cases(
        (has_use & (t.usage_evidence == 1), "usage"),
        (has_use | t.signed_in_on.notnull(), "signed_in"),
        (t.powered_on_last.notnull(), "powered_on"),
        (t.seen_last.notnull(), "seen"),
        else_=ibis.null("string"),
    )
    other_only = ~has_use & (t.powered_on_last.notnull() | t.seen_last.notnull())
    last_on = ibis.greatest(
        t.last_used.fill_null(t.powered_on_last).fill_null(t.seen_last),
        t.powered_on_last.fill_null(t.last_used).fill_null(t.seen_last),
        t.seen_last.fill_null(t.last_used).fill_null(t.powered_on_last),
    )
    t = t.mutate(
        used_hours=ibis.ifelse(other_only, ibis.null("float64"), t.used_hours.fill_null(0.0)),
        bound_hours=ibis.ifelse(
            other_only & t.powered_on_last.notnull(), t.powered_on_hours.fill_null(0.0), ibis.null("float64")
        ),
        evidence=evidence,
        utilisation_upper_bound=other_only & t.powered_on_last.notnull(),
        other_only=other_only,
        last_used=last_on,
    )
    used_hours = t.used_hours
    available_hours = t.available_days * t.hours_per_day
    days_in_service = as_of.delta(t.in_service_date, unit="day")
    days_idle = ibis.ifelse(
        t.in_service_date > as_of, ibis.null("int64"), as_of.delta(t.last_used.fill_null(t.in_service_date), unit="day")
    )
    # a double division: Spark reads 365.25 as a DECIMAL literal and would divide to 6 decimals only
    age_years = days_in_service.cast("float64") / DAYS_PER_YEAR
    # not yet in service: worth its cost, not more
    book_fraction = ibis.greatest(0.0, ibis.least(1.0, 1.0 - age_years / t.life_years))
    t = t.mutate(
        available_hours=available_hours,
        utilisation=ibis.ifelse(t.other_only, t.bound_hours, used_hours) / available_hours.nullif(0),
        active_days=t.active_days.fill_null(0),
        active_day_rate=t.active_days.fill_null(0) / t.available_days.nullif(0),
        days_idle=days_idle,
        age_years=age_years,
        net_book_value=round_to_cent(t.purchase_cost.cast("float64") * book_fraction),
    )
    held = t.in_service_on_as_of & ~t.standby
    never_used_long = t.last_used.isnull() & (t.days_idle >= window.never_used_min_days)
    unused_long = t.last_used.notnull() & (t.days_idle >= window.idle_days)
    t = t.mutate(idle_candidate=(held & (never_used_long | unused_long)).fill_null(False))
    # printers, copiers and projectors with counter readings are judged by them (docs/meters.md)
    return with_meters(backend, window, t.select(*ASSET_COLUMNS), country=country, profiles=profiles)


def utilisation_by(
    backend,
    window: Window,
    by: str,
    *,
    country: str = DEFAULT_COUNTRY,
    profiles: Mapping[str, CategoryProfile] | None = None,
    fiscal_year_start_month: int = 1,
    per_asset: ir.Table | None = None,
) -> ir.Table:
    """Roll-up of asset utilisation by agency, category, supplier, po_line or fiscal_year (of in service).

    utilisation is Σ used / Σ available; median_utilisation is the exact median of the per-asset values
    (DuckDB quantile_cont, Spark percentile: both interpolate). idle_nbv is the NBV of idle candidates.
    Pass `per_asset` (e.g. `cache_expr(asset_utilisation(...), ...)`) to roll up one computed table several ways.
    """
    if by not in ROLLUP_KEYS:
        raise ConfigError("config.bad_value", name="by", value=by, reason=reason("one_of", choices=list(ROLLUP_KEYS)))
    t = per_asset if per_asset is not None else asset_utilisation(backend, window, country=country, profiles=profiles)
    if by in ("supplier", "po_line"):
        t = with_procurement_line(backend, t)
    elif by == "fiscal_year":
        t = t.mutate(fiscal_year=fiscal_year_expr(t.in_service_date, fiscal_year_start_month))
    return rollup(t, ROLLUP_KEYS[by])


def rollup(per_asset: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """ROLLUP_COLUMNS of a per-asset table (asset_utilisation's columns) grouped by any of its columns."""
    t = per_asset
    grouped = t.group_by(*keys).aggregate(
        assets=t.asset_id.count(),
        assets_with_usage=t.asset_id.count(where=t.used_hours > 0),
        available_hours=t.available_hours.sum(),
        used_hours=t.used_hours.sum(),
        median_utilisation=t.utilisation.median(),
        purchase_cost=t.purchase_cost.sum(),
        net_book_value=t.net_book_value.sum(),
        idle_nbv=t.net_book_value.sum(where=t.idle_candidate),
    )
    grouped = grouped.mutate(
        utilisation=grouped.used_hours / grouped.available_hours.nullif(0),
        idle_nbv=grouped.idle_nbv.fill_null(0.0),
    )
    return grouped.select(*keys, *ROLLUP_COLUMNS).order_by(*keys)


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def utilisation_quantiles(per_asset: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """The spread of per-asset utilisation per group: p10, p25, median, p75, p90 and the number of assets judged.

    Assets with no available hours in the window (not yet in service, disposed before it) have no
    utilisation and are left out, as they are from the median.
    """
    t = per_asset.filter(per_asset.utilisation.notnull())
    return (
        t.group_by(*keys)
        .aggregate(
            assets=t.asset_id.count(),
            **{f"p{round(q * 100)}": t.utilisation.quantile(q) for q in QUANTILES},
        )
        .order_by(*keys)
    )


def telemetry_coverage(backend, window: Window) -> ir.Table:
    """Per agency and category: assets in service on as_of, assets with usage in the idle horizon, reports_usage.

    An agency reports usage for a category when any of its assets of that category (in service or
    not) has a usage row with hours > 0 in [idle_start, as_of].
    """
    assets = held_assets(backend, window.start, window.as_of)
    in_service_date = _period_columns(assets, window)["in_service_date"]
    in_service_on_as_of = _in_service_on(in_service_date, assets.disposal_date, assets.status, window.as_of, assets.held_to)
    assets = assets.select(
        "asset_id", "agency_code", "category", "holding_start", "held_to", in_service_on_as_of=in_service_on_as_of
    )
    usage = backend.table("usage_daily")
    on = (usage.hours_used > 0) | (usage.evidence == "seen")  # any evidence of being on counts as telemetry
    recent = usage.filter(usage.usage_date >= window.idle_start, usage.usage_date <= window.as_of, on)
    keys = holding_keys(backend, window.start, window.as_of)
    if keys == HOLDING_KEYS:  # the usage counts for the agency that held the device that day
        recent = assets.select("asset_id", "holding_start", "held_to").join(recent.select("asset_id", "usage_date"), "asset_id")
        recent = recent.filter(recent.usage_date >= recent.holding_start, held_on(recent.held_to, recent.usage_date))
    recent = recent.select(*keys).distinct().mutate(used_in_horizon=ibis.literal(True))
    t = assets.left_join(recent, list(keys))
    coverage = t.group_by("agency_code", "category").aggregate(
        assets_in_service=t.asset_id.count(where=t.in_service_on_as_of),
        assets_with_usage_in_horizon=t.asset_id.count(where=t.used_in_horizon.notnull()),
    )
    coverage = coverage.mutate(reports_usage=coverage.assets_with_usage_in_horizon > 0)
    return with_meter_coverage(backend, window, coverage).order_by("agency_code", "category")


# -- building blocks -----------------------------------------------------------------------------


def _profiles_table(profiles: Mapping[str, CategoryProfile] | None) -> tuple[ir.Table, list[str]]:
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


def _calendar_table(window: Window, country: str) -> ir.Table:
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


def _in_service_on(
    in_service_date: ir.Value, disposal_date: ir.Value, status: ir.Value, as_of: date, held_to: ir.Value
) -> ir.Value:
    """In service on as_of: started by then (or no date known), not disposed by then, and held on as_of by the row's agency."""
    started = in_service_date.isnull() | (in_service_date <= as_of)
    disposed = (disposal_date <= as_of).fill_null(False) | (status == "disposed")
    return started & ~disposed & held_on(held_to, as_of)


def _period_columns(assets: ir.Table, window: Window) -> dict[str, ir.Value]:
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


def _active_periods(backend, window: Window, keys: tuple[str, ...]) -> ir.Table:
    """asset_id, holding_start, held_to, active_start, active_end, straight from the register and its holdings.

    Kept apart from the wider asset table on purpose: joined to the usage rows, the engine sees a
    small table (DuckDB mis-estimated the wider one after its calendar joins and built the hash
    table on 12 M usage rows instead: 1.8 s instead of 0.2 s).
    """
    a = held_assets(backend, window.start, window.as_of)
    columns = _period_columns(a, window)
    held = ("held_to",) if keys == HOLDING_KEYS else ()
    return a.select(*keys, *held, active_start=columns["active_start"], active_end=columns["active_end"])


def _assets_with_periods(backend, window: Window, profiles: tuple[ir.Table, list[str]]) -> ir.Table:
    """The register, one row per holding in the window, with its category profile and active period."""
    profile_table, profile_names = profiles
    a = held_assets(backend, window.start, window.as_of)
    columns = _period_columns(a, window)
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
        in_service_on_as_of=_in_service_on(columns["in_service_date"], a.disposal_date, a.status, window.as_of, a.held_to),
        profile_key=a.category,
    )
    if FALLBACK_CATEGORY in profile_names:
        a = a.mutate(profile_key=ibis.ifelse(a.category.isin(profile_names), a.category, FALLBACK_CATEGORY))
    joined = a.left_join(profile_table, a.profile_key == profile_table.profile_category)
    return joined.drop("profile_key", "profile_category")


def _with_available_days(assets: ir.Table, window: Window, calendar: ir.Table) -> ir.Table:
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


def _usage_per_asset(backend, window: Window, periods: ir.Table, keys: tuple[str, ...]) -> ir.Table:
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
    sources = _distinct_sources(usage)
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


def _other_evidence_per_asset(backend, window: Window, periods: ir.Table, keys: tuple[str, ...]) -> ir.Table:
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


def _distinct_sources(usage: ir.Table) -> list[str]:
    """The usage sources in the data (a handful: '' when none was given, 'snipe-it', 'mdm', …)."""
    return sorted(run_expr(usage.select("source").distinct(), name="usage sources").column("source").to_pylist())


def with_procurement_line(backend, per_asset: ir.Table) -> ir.Table:
    """Replace the asset's PO reference by its matched procurement line (agency_code, ocid, po_number, line_no, supplier).

    Matched on agency, PO number and line (1 when blank), and the asset's ocid when it has one.
    An asset without a line, or matching lines of several processes, gets NULL keys: no guess.
    """
    lines = backend.table("procurement_lines").select(
        line_agency_code="agency_code",
        line_ocid="ocid",
        line_po_number="po_number",
        line_line_no="line_no",
        line_supplier="supplier",
    )
    refs = per_asset.select("asset_id", "agency_code", "ocid", "po_number", ref_line_no=per_asset.line_no.fill_null(1))
    buyers = buying_agencies(backend)  # a transferred device's line is its first holder's
    refs = refs.left_join(buyers, refs.asset_id == buyers.buyer_asset_id)
    refs = refs.mutate(agency_code=refs.buyer_agency_code.fill_null(refs.agency_code)).drop("buyer_asset_id", "buyer_agency_code")
    refs = refs.distinct()  # a device transferred in the window has a row per holding, all with one line
    matched = refs.join(
        lines,
        [
            refs.agency_code == lines.line_agency_code,
            refs.po_number == lines.line_po_number,
            refs.ref_line_no == lines.line_line_no,
            refs.ocid.isnull() | (refs.ocid == lines.line_ocid),
        ],
    )
    matched = matched.mutate(matches=matched.asset_id.count().over(group_by="asset_id"))
    matched = matched.filter(matched.matches == 1).select(
        "asset_id", "line_agency_code", "line_ocid", "line_po_number", "line_line_no", "line_supplier"
    )
    base = per_asset.drop("agency_code", "ocid", "po_number", "line_no")
    t = base.left_join(matched, base.asset_id == matched.asset_id).drop("asset_id_right")
    return t.rename(
        agency_code="line_agency_code",
        ocid="line_ocid",
        po_number="line_po_number",
        line_no="line_line_no",
        supplier="line_supplier",
    )


def round_to_cent(value: ir.NumericValue) -> ir.FloatingValue:
    """`value` rounded to the cent alike on every engine: value × 100 rounded half away from zero.

    `round(value, 2)` on a double is not portable: DuckDB rounds the binary value (5,721.165 is
    5,721.16499… → 5,721.16), Spark its shortest decimal form (→ 5,721.17). Both round a double to
    a whole number the same way (a tie there is exactly n.5), so round value × 100 instead.
    """
    return (value * 100).round(0) / 100


def fiscal_year_expr(day: ir.DateValue, start_month: int) -> ir.IntegerValue:
    """Fiscal-year label of `day`, the rule of tracker.domain.calendar.fiscal_year as an expression (any engine)."""
    return day.year() + ibis.ifelse(day.month() >= rollover_month(start_month), 1, 0)
