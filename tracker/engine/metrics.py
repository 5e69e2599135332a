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
from datetime import date

import ibis
import ibis.expr.types as ir

from tracker.domain.calendar import (
    DEFAULT_COUNTRY,
    rollover_month,
)
from tracker.domain.categories import CategoryProfile
from tracker.engine.assignments import HOLDING_KEYS, buying_agencies, held_assets, holding_keys, one_row_per_device
from tracker.engine.compiled_sql import compile_once, load_for
from tracker.engine.meters import latest_reading_day, with_meter_coverage, with_meters
from tracker.engine.utilisation_parts import (
    active_periods,
    assets_with_periods,
    calendar_table,
    in_service_on,
    other_evidence_per_asset,
    period_columns,
    profiles_table,
    usage_per_asset,
    with_available_days,
)
from tracker.engine.window import Window
from tracker.store.db import Database, run_expr
from tracker.store.usage_months import TABLE as USAGE_MONTHS
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

DAYS_PER_YEAR = 365.25

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


def ibis_backend(db: Database):
    """An Ibis DuckDB backend over a cursor of the tracker's connection.

    A cursor shares the database but has its own session, so the settings Ibis sets on connect
    (TimeZone UTC, python_enable_replacements off) and its memtable views stay out of `db.con`.
    Each table is looked up once per backend: a lookup asks the engine for the table's schema, and
    one flag run names the same few tables some twenty times. Expressions are compiled through the
    process's cache of SQL per expression shape (tracker.engine.compiled_sql): a second run of the
    same queries with other dates or thresholds compiles nothing.
    """
    backend = ibis.duckdb.from_connection(db.con.cursor())
    compile_once(backend)
    load_for(db.path)  # the shapes an earlier process compiled for this database
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
    assets = assets_with_periods(backend, window, profiles_table(profiles))
    assets = with_available_days(assets, window, calendar_table(window, country))
    keys = holding_keys(backend, window.start, window.as_of)
    periods = active_periods(backend, window, keys)
    usage = usage_per_asset(backend, window, periods, keys)
    t = assets.left_join(usage, list(keys)).drop(*(f"{k}_right" for k in keys))
    other = other_evidence_per_asset(backend, window, periods, keys)
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
    """ROLLUP_COLUMNS of a per-asset table (asset_utilisation's columns) grouped by any of its columns.

    Grouped by agency, a device that changed hands in the window counts for each agency that held it
    (its share); grouped otherwise (a total over agencies) it counts once (one_row_per_device)."""
    t = per_asset if "agency_code" in keys else one_row_per_device(per_asset, keys)
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
    t = per_asset if "agency_code" in keys else one_row_per_device(per_asset, keys)
    t = t.filter(t.utilisation.notnull())
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
    in_service_date = period_columns(assets, window)["in_service_date"]
    in_service_on_as_of = in_service_on(in_service_date, assets.disposal_date, assets.status, window.as_of, assets.held_to)
    assets = assets.select(
        "asset_id", "agency_code", "category", "holding_start", "held_to", in_service_on_as_of=in_service_on_as_of
    )
    keys = holding_keys(backend, window.start, window.as_of)
    recent = reported_in_horizon(backend, window, assets, keys).mutate(used_in_horizon=ibis.literal(True))
    t = assets.left_join(recent, list(keys))
    coverage = t.group_by("agency_code", "category").aggregate(
        assets_in_service=t.asset_id.count(where=t.in_service_on_as_of),
        assets_with_usage_in_horizon=t.asset_id.count(where=t.used_in_horizon.notnull()),
    )
    coverage = coverage.mutate(reports_usage=coverage.assets_with_usage_in_horizon > 0)
    return with_meter_coverage(backend, window, coverage).order_by("agency_code", "category")


def reported_in_horizon(backend, window: Window, assets: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """The keys of the devices with hours or a sighting in [idle_start, as_of] (and, per holding, while held).

    Read from the monthly roll-ups: a month whose first or last such day lies in the range answers
    yes; only a month with such days on both sides of the range and none known inside is read day by
    day (a device seen before and after a short range inside one month).
    """
    lo, hi = ibis.literal(window.idle_start), ibis.literal(window.end_exclusive)
    if keys == HOLDING_KEYS:  # the usage counts for the agency that held the device that day
        lo, hi = ibis.greatest(lo, assets.holding_start), ibis.least(hi, assets.held_to.fill_null(hi))
    ranges = assets.select(*keys, lo=lo, hi=hi)
    m = backend.table(USAGE_MONTHS)
    m = m.filter(m.on_first.notnull()).select("asset_id", "month", "next_month", "on_first", "on_last")
    j = ranges.join(m, "asset_id")
    j = j.filter(j.month < j.hi, j.next_month > j.lo)
    known = ((j.on_first >= j.lo) & (j.on_first < j.hi)) | ((j.on_last >= j.lo) & (j.on_last < j.hi))
    yes = j.filter(known).select(*keys)
    unsure = j.filter(~known & (j.on_first < j.lo) & (j.on_last >= j.hi))
    unsure = unsure.select(
        *keys, from_day=ibis.greatest(unsure.lo, unsure.month), to_day=ibis.least(unsure.hi, unsure.next_month)
    )
    usage = backend.table("usage_daily")
    on = usage.filter((usage.hours_used > 0) | (usage.evidence == "seen"))  # any evidence of being on counts
    on = on.select(u_asset_id="asset_id", day="usage_date")
    days = on.join(unsure, [on.u_asset_id == unsure.asset_id, on.day >= unsure.from_day, on.day < unsure.to_day])
    return ibis.union(yes, days.select(*(unsure[k] for k in keys)), distinct=True)


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
