"""What the dashboard pages show, computed in the core: KPIs, chart tables and the drill-down.

How it stays interactive on a large database:
- The expensive part (per-asset utilisation over ~12 M usage rows, and the flag catalogue) is
  computed once per *data version* (the last upload, setting and profile change) and window, and
  kept in memory as Arrow tables (`snapshot`). A filter change never goes back to the usage table.
- Every aggregation the pages show is an Ibis expression (tracker.engine.metrics' `rollup` and friends)
  compiled once per process against a named placeholder table; each page run registers the
  filtered snapshot under that name on the session's cursor and runs the compiled SQL (a few ms).
  So the definitions stay in one place, and DuckDB does the arithmetic.

Filters are applied here, in the core, so that the exports and the charts agree with what is on
screen (and so that agency scoping, when the caller passes it, cannot be bypassed by a page).
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tracker.casework.review import with_reviews
from tracker.domain.calendar import available_days
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.engine.metrics import (
    Window,
    asset_utilisation,
    fiscal_year_expr,
    ibis_backend,
    rollup,
    telemetry_coverage,
    utilisation_quantiles,
)
from tracker.engine.rules.expressions import asset_lines
from tracker.engine.rules.model import FLAGS_SCHEMA
from tracker.engine.rules.run import compute_flags
from tracker.store.db import Database
from tracker.store.profiles import load_profiles
from tracker.store.settings import load_settings
from tracker.text.errors import ConfigError

MIN_WINDOW_DAYS = 30  # a shorter window says little about utilisation
DEFAULT_WINDOW_DAYS = 365
SNAPSHOTS_KEPT = 6
HEATMAP_AGENCIES = 25


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. Empty tuples mean "all"."""

    agencies: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] = ()
    as_of: date | None = None
    window_days: int = DEFAULT_WINDOW_DAYS
    scope_agency: str | None = None  # the only agency the reader may see (an agency user); None: all

    def __post_init__(self) -> None:
        if isinstance(self.window_days, bool) or not isinstance(self.window_days, int) or self.window_days < MIN_WINDOW_DAYS:
            raise ConfigError(
                "config.bad_value",
                name="window_days",
                value=self.window_days,
                reason=f"a whole number of days, at least {MIN_WINDOW_DAYS}",
            )

    @property
    def active(self) -> dict[str, tuple]:
        """The narrowing filters that are set (for the "active filters" line and exports)."""
        return {
            name: value
            for name, value in (
                ("agencies", self.agencies),
                ("categories", self.categories),
                ("suppliers", self.suppliers),
                ("fiscal_years", self.fiscal_years),
            )
            if value
        }


@dataclass(frozen=True)
class Snapshot:
    """Per-asset utilisation (with its purchase line) and the flags, for one data version and window."""

    version: tuple
    window: Window
    assets: pa.Table  # asset_utilisation columns + supplier, order_date, unit_price, line_description, fiscal_year
    lines: pa.Table  # procurement lines + fiscal_year, month
    flags: pa.Table  # tracker.engine.rules.FLAG_COLUMNS
    currency: str
    fiscal_year_start_month: int
    country: str
    agencies_with_usage: int  # agencies with usage hours in the window


# -- the snapshot --------------------------------------------------------------------------------

_snapshots: OrderedDict[tuple, Snapshot] = OrderedDict()
_snapshot_lock = threading.Lock()


def data_version(db: Database) -> tuple:
    """Changes whenever anything a figure depends on changes: an upload, a setting, a profile."""
    return db.fetchone(
        "SELECT (SELECT coalesce(max(upload_id), 0) FROM uploads), (SELECT count(*) FROM uploads), "
        "(SELECT coalesce(max(change_id), 0) FROM setting_changes), "
        "(SELECT coalesce(max(change_id), 0) FROM category_profile_changes)",
        name="data version",
    )


_usage_spans: dict[tuple, tuple] = {}


def usage_span(db: Database) -> tuple[date | None, date | None]:
    """First and last usage dates, read once per data version."""
    key = (str(db.path), data_version(db))
    span = _usage_spans.get(key)
    if span is None:
        span = db.fetchone("SELECT min(usage_date), max(usage_date) FROM usage_daily", name="usage period")
        _usage_spans.clear()
        _usage_spans[key] = span
    return span


def resolve_as_of(db: Database, filters: Filters) -> date | None:
    return filters.as_of or usage_span(db)[1]


def snapshot(db: Database, filters: Filters) -> Snapshot | None:
    """The snapshot for the filters' window (None when there is no usage data to date it)."""
    return snapshot_for(db, resolve_as_of(db, filters), filters.window_days)


def snapshot_for(db: Database, as_of: date | None, window_days: int) -> Snapshot | None:
    """The snapshot of the window of `window_days` ending at `as_of` (None without an as-of date)."""
    if as_of is None:
        return None
    version = data_version(db)
    key = (str(db.path), version, as_of, window_days)
    with _snapshot_lock:
        if key in _snapshots:
            _snapshots.move_to_end(key)
            return _snapshots[key]
        window = Window(as_of, window_days)
        built = _stored_snapshot(db, version, window)
        if built is None:
            built = _build_snapshot(db, version, window)
            _store_snapshot(db, built)
        _snapshots[key] = built
        while len(_snapshots) > SNAPSHOTS_KEPT:
            _snapshots.popitem(last=False)
        return built


def forget_snapshots() -> None:
    """Drop every snapshot held in memory (a restarted process; the stored ones remain)."""
    with _snapshot_lock:
        _snapshots.clear()


def _version_text(version: tuple) -> str:
    return "-".join(str(part) for part in version)


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _stored_snapshot(db: Database, version: tuple, window: Window) -> Snapshot | None:
    row = db.fetchone(
        "SELECT assets, lines, flags, settings FROM snapshots WHERE data_version = ? AND as_of = ? AND window_days = ?",
        [_version_text(version), window.as_of, window.window_days],
        name="read snapshot",
    )
    if row is None:
        return None
    assets, lines, flags = (pq.read_table(io.BytesIO(blob)) for blob in row[:3])
    settings = json.loads(row[3])
    return Snapshot(
        version,
        window,
        assets,
        lines,
        flags,
        settings["currency"],
        settings["fiscal_year_start_month"],
        settings["country"],
        settings["agencies_with_usage"],
    )


def _store_snapshot(db: Database, snap: Snapshot) -> None:
    """Keep the snapshot for a restarted dashboard; older data versions are dropped (derived data only)."""
    settings = {
        "currency": snap.currency,
        "fiscal_year_start_month": snap.fiscal_year_start_month,
        "country": snap.country,
        "agencies_with_usage": snap.agencies_with_usage,
    }
    text = _version_text(snap.version)
    with db.transaction():
        db.execute("DELETE FROM snapshots WHERE data_version <> ?", [text], name="drop old snapshots")
        db.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, now(), ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                text,
                snap.window.as_of,
                snap.window.window_days,
                _parquet(snap.assets),
                _parquet(snap.lines),
                _parquet(snap.flags),
                json.dumps(settings),
            ],
            name="store snapshot",
        )


def _build_snapshot(db: Database, version: tuple, window: Window) -> Snapshot:
    settings = load_settings(db)
    start_month = int(settings["fiscal_year_start_month"])
    profiles = load_profiles(db) or {p.category: p for p in DEFAULT_PROFILES}
    backend = ibis_backend(db)
    per_asset = asset_utilisation(backend, window, country=settings["country"], profiles=profiles).to_pyarrow()
    procurement = backend.table("procurement_lines")
    lines = procurement.mutate(
        fiscal_year=fiscal_year_expr(procurement.order_date, start_month).cast("int32"),
        month=procurement.order_date.truncate("M"),
        amount=procurement.total_amount.cast("float64"),
    ).drop("extra")
    links = asset_lines(backend).select(
        "asset_id", line_agency_code="agency_code", line_ocid="ocid", line_po_number="po_number", line_line_no="line_no"
    )
    line_facts = procurement.select(
        f_agency="agency_code",
        f_ocid="ocid",
        f_po="po_number",
        f_line="line_no",
        supplier="supplier",
        order_date="order_date",
        unit_price=procurement.unit_price.cast("float64"),
        line_description="item_description",
    )
    joined = links.left_join(
        line_facts,
        [
            links.line_agency_code == line_facts.f_agency,
            links.line_ocid == line_facts.f_ocid,
            links.line_po_number == line_facts.f_po,
            links.line_line_no == line_facts.f_line,
        ],
    )
    link_table = joined.select(
        "asset_id", "line_ocid", "line_po_number", "line_line_no", "supplier", "order_date", "unit_price", "line_description"
    ).to_pyarrow()
    assets = _join_arrow(
        _without_silent_telemetry(per_asset, telemetry_coverage(backend, window).to_pyarrow()), link_table, "asset_id"
    )
    fy_source = pc.coalesce(assets.column("order_date"), assets.column("in_service_date"))
    assets = assets.append_column("fiscal_year", _fiscal_years(fy_source, start_month))
    flags = compute_flags(db, as_of=window.as_of, window_days=window.window_days, per_asset=per_asset)
    with_usage = db.scalar(
        "SELECT count(DISTINCT a.agency_code) FROM assets a SEMI JOIN usage_daily u "
        "ON u.asset_id = a.asset_id AND u.usage_date BETWEEN ? AND ? AND u.hours_used > 0",
        [window.start, window.as_of],
        name="agencies reporting usage",
    )
    return Snapshot(
        version, window, assets, lines.to_pyarrow(), flags, settings["currency"], start_month, settings["country"], with_usage
    )


def _without_silent_telemetry(per_asset: pa.Table, coverage: pa.Table) -> pa.Table:
    """Add `telemetry` (the agency reports usage for the asset's category) and blank what silence cannot tell.

    An agency that sends no usage for a category is a data gap, not proof of idleness (NO_TELEMETRY):
    its assets' available hours, utilisation and idleness are unknown, so the dashboard's roll-ups
    leave them out instead of counting them as 0 % used and 100 % idle.
    """
    reported = {(r["agency_code"], r["category"]) for r in coverage.to_pylist() if r["reports_usage"]}
    telemetry = pa.array(
        [
            (a, c) in reported
            for a, c in zip(per_asset.column("agency_code").to_pylist(), per_asset.column("category").to_pylist())
        ],
        pa.bool_(),
    )
    table = per_asset.append_column("telemetry", telemetry)
    for name in ("available_hours", "utilisation", "active_day_rate", "days_idle"):
        column = table.column(name)
        table = table.set_column(
            table.column_names.index(name), name, pc.if_else(telemetry, column, pa.scalar(None, column.type))
        )
    idle = pc.and_(pc.fill_null(table.column("idle_candidate"), False), telemetry)
    return table.set_column(table.column_names.index("idle_candidate"), "idle_candidate", idle)


def _join_arrow(left: pa.Table, right: pa.Table, key: str) -> pa.Table:
    joined = left.join(right, key, join_type="left outer")
    order = pc.sort_indices(joined, [(key, "ascending")])
    return joined.take(order)


def _fiscal_years(days: pa.ChunkedArray, start_month: int) -> pa.Array:
    years = pc.year(days)
    if start_month == 1:
        return pc.cast(years, pa.int32())
    later = pc.greater_equal(pc.month(days), start_month)
    return pc.cast(pc.add(years, pc.cast(later, pa.int64())), pa.int32())


# -- filters -------------------------------------------------------------------------------------


def _mask(table: pa.Table, column: str, values: tuple) -> pa.ChunkedArray | None:
    if not values or column not in table.column_names:
        return None
    return pc.is_in(table.column(column), value_set=pa.array(list(values), table.schema.field(column).type))


def filter_table(table: pa.Table, filters: Filters, *, columns: dict[str, str] | None = None) -> pa.Table:
    """Rows of `table` that pass the filters; a filter on a column the table lacks does not apply."""
    names = {"agencies": "agency_code", "categories": "category", "suppliers": "supplier", "fiscal_years": "fiscal_year"} | (
        columns or {}
    )
    mask = None
    if filters.scope_agency is not None:  # the reader's scope holds whatever else is asked for
        if "agency_code" not in table.column_names:
            return table.slice(0, 0)
        mask = pc.equal(table.column("agency_code"), filters.scope_agency)
    for attribute, column in names.items():
        m = _mask(table, column, getattr(filters, attribute))
        if m is not None:
            mask = m if mask is None else pc.and_(mask, m)
    return table if mask is None else table.filter(pc.fill_null(mask, False))


def filtered_flags(snap: Snapshot, filters: Filters) -> pa.Table:
    """Flags whose subject lies inside the filters: a filter applies to the flags that carry its column.

    A supplier or fiscal-year filter keeps the purchase-line flags of those lines (matched through
    the procurement lines) and drops the asset and agency flags that cannot be placed.
    """
    flags = snap.flags
    if filters.suppliers or filters.fiscal_years:
        lines = filter_table(snap.lines, filters)
        keys = lines.select(["agency_code", "po_number", "line_no"])
        line_flags = flags.filter(pc.equal(flags.column("subject"), "po_line"))
        line_flags = line_flags.join(
            keys.append_column("keep", pa.array([True] * keys.num_rows)),
            ["agency_code", "po_number", "line_no"],
            join_type="inner",
        ).drop_columns(["keep"])
        asset_ids = filter_table(snap.assets, filters).column("asset_id")
        asset_flags = flags.filter(pc.is_in(flags.column("asset_id"), value_set=asset_ids.combine_chunks()))
        flags = pa.concat_tables([line_flags.select(flags.column_names), asset_flags])
    return filter_table(flags, replace(filters, suppliers=(), fiscal_years=()))


# -- compiled aggregations -----------------------------------------------------------------------

_compiled: dict[tuple, str] = {}
_compile_lock = threading.Lock()


def _run(db: Database, name: str, build: Callable[[ir.Table], ir.Table], table: pa.Table) -> pa.Table:
    """Run the Ibis expression `build(placeholder)` over `table`: compiled once, executed per call."""
    placeholder = f"dash_{name}"
    key = (name, table.schema)
    with _compile_lock:
        sql = _compiled.get(key)
        if sql is None:
            expr = build(ibis.table(ibis.schema(table.schema), name=placeholder))
            sql = str(ibis.to_sql(expr, dialect="duckdb"))
            _compiled[key] = sql
    cursor = db.con.cursor()
    try:
        cursor.register(placeholder, table)
        return cursor.sql(sql).to_arrow_table()
    finally:
        cursor.close()


# -- overview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    spend: float
    spend_previous: float | None
    lines: int
    assets: int
    assets_judged: int
    median_utilisation: float | None
    idle_capital: float
    net_book_value: float
    idle_share: float | None
    value_at_stake_open: float
    open_findings: int


@dataclass(frozen=True)
class DataStatus:
    """What the figures rest on: the as-of date, the window, and who sends usage."""

    as_of: date | None
    window_start: date | None
    window_days: int
    agencies: int
    agencies_with_usage: int
    usage_first: date | None
    usage_last: date | None
    days_since_last_usage: int | None


def data_status(db: Database, filters: Filters, *, today: date | None = None) -> DataStatus:
    first, last = usage_span(db)
    as_of = filters.as_of or last
    snap = snapshot(db, filters)
    if filters.scope_agency is None:
        agencies = db.scalar("SELECT count(DISTINCT agency_code) FROM assets", name="agencies with assets")
        with_usage = 0 if snap is None else snap.agencies_with_usage
    else:  # an agency reader learns about their own agency only
        assets = filter_table(snap.assets, filters) if snap is not None else None
        agencies = 1
        with_usage = int(
            bool(
                assets is not None
                and assets.num_rows
                and pc.any(pc.greater(pc.fill_null(assets.column("used_hours"), 0), 0)).as_py()
            )
        )
    today = today or date.today()
    return DataStatus(
        as_of,
        None if as_of is None else Window(as_of, filters.window_days).start,
        filters.window_days,
        agencies,
        with_usage,
        first,
        last,
        None if last is None else (today - last).days,
    )


def kpis(db: Database, filters: Filters) -> Kpis | None:
    snap = snapshot(db, filters)
    if snap is None:
        return None
    window = snap.window
    lines = filter_table(snap.lines, filters)
    order_dates = lines.column("order_date")
    in_window = pc.and_(pc.greater_equal(order_dates, window.start), pc.less_equal(order_dates, window.as_of))
    previous_start = window.start - timedelta(days=window.window_days)
    in_previous = pc.and_(pc.greater_equal(order_dates, previous_start), pc.less(order_dates, window.start))
    spend = pc.sum(lines.filter(in_window).column("amount")).as_py() or 0.0
    spend_before = lines.filter(in_previous)
    has_previous = snap.lines.num_rows and pc.min(snap.lines.column("order_date")).as_py() <= previous_start
    assets = filter_table(snap.assets, filters)
    totals = _run(db, "kpi_totals", lambda t: rollup(t.mutate(all=ibis.literal(1)), ("all",)), assets).to_pylist()
    total = totals[0] if totals else {}
    flags = filtered_flags(snap, filters)
    stake = pc.sum(flags.column("value_at_stake")).as_py() or 0.0
    nbv = total.get("net_book_value") or 0.0
    idle = total.get("idle_nbv") or 0.0
    judged = pc.sum(pc.is_valid(assets.column("utilisation"))).as_py() if assets.num_rows else 0
    return Kpis(
        spend=float(spend),
        spend_previous=float(pc.sum(spend_before.column("amount")).as_py() or 0.0) if has_previous else None,
        lines=lines.filter(in_window).num_rows,
        assets=assets.num_rows,
        assets_judged=int(judged or 0),
        median_utilisation=total.get("median_utilisation"),
        idle_capital=float(idle),
        net_book_value=float(nbv),
        idle_share=(idle / nbv) if nbv else None,
        value_at_stake_open=float(stake),
        open_findings=flags.num_rows,
    )


def monthly_spend(db: Database, filters: Filters) -> pa.Table:
    """Spend per month (by order date) with `fiscal_year_end` marking the last month of each fiscal year."""
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table(
            {
                "month": pa.array([], pa.date32()),
                "spend": pa.array([], pa.float64()),
                "lines": pa.array([], pa.int64()),
                "fiscal_year_end": pa.array([], pa.bool_()),
            }
        )
    last_month = 12 if snap.fiscal_year_start_month == 1 else snap.fiscal_year_start_month - 1

    def build(t: ir.Table) -> ir.Table:
        g = t.group_by("month").aggregate(spend=t.amount.sum(), lines=t.count())
        return g.mutate(fiscal_year_end=g.month.month() == last_month).order_by("month")

    return _run(db, f"monthly_spend_{last_month}", build, filter_table(snap.lines, filters))


def utilisation_by_category(db: Database, filters: Filters) -> pa.Table:
    """Per category: the spread of asset utilisation (p10…p90), the pooled utilisation and its threshold."""
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table({})
    assets = filter_table(snap.assets, filters)
    spread = _run(db, "category_spread", lambda t: utilisation_quantiles(t, ("category",)), assets)
    pooled = _run(db, "category_rollup", lambda t: rollup(t, ("category",)), assets)
    thresholds = _run(
        db, "category_threshold", lambda t: t.group_by("category").aggregate(low_threshold=t.low_threshold.max()), assets
    )
    table = spread.join(pooled.select(["category", "utilisation", "idle_nbv", "net_book_value"]), "category")
    table = table.join(thresholds, "category")
    return table.sort_by([("p50", "descending")])


def agencies_compared(db: Database, filters: Filters) -> pa.Table:
    """Per agency: spend in the window, idle share of book value, value at stake in open findings, utilisation."""
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table({})
    assets = filter_table(snap.assets, filters)
    per_agency = _run(db, "agency_rollup", lambda t: rollup(t, ("agency_code",)), assets)
    lines = filter_table(snap.lines, filters)
    window = snap.window
    lines = lines.filter(
        pc.and_(
            pc.greater_equal(lines.column("order_date"), window.start), pc.less_equal(lines.column("order_date"), window.as_of)
        )
    )
    spend = (
        lines.group_by("agency_code")
        .aggregate([("amount", "sum"), ("agency_name", "max")])
        .rename_columns(["agency_code", "spend", "agency_name"])
        if lines.num_rows
        else pa.table(
            {
                "agency_code": pa.array([], pa.string()),
                "spend": pa.array([], pa.float64()),
                "agency_name": pa.array([], pa.string()),
            }
        )
    )
    flags = filtered_flags(snap, filters)
    stake = (
        flags.group_by("agency_code")
        .aggregate([("value_at_stake", "sum"), ("flag_id", "count")])
        .rename_columns(["agency_code", "value_at_stake", "findings"])
    )
    table = per_agency.join(spend, "agency_code", join_type="full outer").join(stake, "agency_code", join_type="left outer")
    nbv = table.column("net_book_value")
    idle_share = pc.if_else(pc.greater(pc.fill_null(nbv, 0), 0), pc.divide(table.column("idle_nbv"), nbv), None)
    table = table.append_column("idle_share", idle_share)
    for name in ("spend", "value_at_stake", "idle_nbv"):
        table = table.set_column(table.column_names.index(name), name, pc.fill_null(table.column(name), 0.0))
    table = table.set_column(table.column_names.index("findings"), "findings", pc.fill_null(table.column("findings"), 0))
    return table.sort_by([("spend", "descending"), ("agency_code", "ascending")])


def heatmap(db: Database, filters: Filters, *, top: int = HEATMAP_AGENCIES) -> tuple[pa.Table, int]:
    """Utilisation per agency × category for the `top` agencies by book value; also how many agencies there are."""
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table({}), 0
    assets = filter_table(snap.assets, filters)
    cells = _run(db, "agency_category", lambda t: rollup(t, ("agency_code", "category")), assets)
    if not cells.num_rows:
        return cells, 0
    weight = (
        cells.group_by("agency_code")
        .aggregate([("purchase_cost", "sum")])
        .sort_by([("purchase_cost_sum", "descending"), ("agency_code", "ascending")])
    )
    keep = weight.column("agency_code").slice(0, top).combine_chunks()
    return cells.filter(pc.is_in(cells.column("agency_code"), value_set=keep)), weight.num_rows


def top_findings(db: Database, filters: Filters, limit: int = 10) -> pa.Table:
    snap = snapshot(db, filters)
    if snap is None:
        return FLAGS_SCHEMA.empty_table()
    return filtered_flags(snap, filters).slice(0, limit)


# -- filter options ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    agencies: dict[str, str]  # code -> name (or code)
    categories: list[str]
    suppliers: list[str]
    fiscal_years: list[int]
    usage_first: date | None
    usage_last: date | None


def filter_options(db: Database, scope_agency: str | None = None) -> FilterOptions:
    """What the filters offer; an agency reader is offered their own agency only."""
    names = dict(
        db.fetchall(
            "SELECT agency_code, coalesce(max(agency_name), agency_code) FROM ("
            " SELECT agency_code, agency_name FROM agencies UNION ALL SELECT agency_code, agency_name FROM procurement_lines"
            " UNION ALL SELECT agency_code, NULL FROM assets) GROUP BY agency_code ORDER BY agency_code",
            name="agency names",
        )
    )
    categories = [
        r[0]
        for r in db.fetchall(
            "SELECT DISTINCT category FROM (SELECT category FROM assets UNION SELECT category FROM procurement_lines) "
            "ORDER BY category",
            name="categories",
        )
    ]
    suppliers = [
        r[0]
        for r in db.fetchall(
            "SELECT DISTINCT supplier FROM procurement_lines WHERE supplier IS NOT NULL ORDER BY supplier", name="suppliers"
        )
    ]
    start_month = int(load_settings(db)["fiscal_year_start_month"])
    years = sorted(
        {
            int(y)
            for (y,) in db.fetchall(
                "SELECT DISTINCT CASE WHEN ? > 1 AND month(order_date) >= ? THEN year(order_date) + 1 ELSE year(order_date) END "
                "FROM procurement_lines",
                [start_month, start_month],
                name="fiscal years",
            )
        }
    )
    first, last = usage_span(db)
    if scope_agency is not None:
        names = {code: name for code, name in names.items() if code == scope_agency}
    return FilterOptions(names, categories, suppliers, years, first, last)


# -- drill-down ----------------------------------------------------------------------------------


def agency_lines(db: Database, filters: Filters, agency: str) -> pa.Table:
    """The agency's purchase lines with the utilisation of the assets registered against them.

    Assets not linked to any line are gathered in one row with po_number NULL.
    """
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table({})
    scoped = replace(filters, agencies=(agency,))
    assets = filter_table(snap.assets, scoped)

    def build(t: ir.Table) -> ir.Table:
        keyed = t.mutate(po_number=t.line_po_number, line_no=t.line_line_no, ocid=t.line_ocid)
        g = rollup(keyed, ("ocid", "po_number", "line_no"))
        idle = keyed.group_by("ocid", "po_number", "line_no").aggregate(idle_units=keyed.idle_candidate.sum())
        return g.join(idle, ["ocid", "po_number", "line_no"], how="left").select(g, "idle_units")

    per_line = _run(db, "agency_lines", build, assets)
    lines = filter_table(snap.lines, scoped).select(
        [
            "ocid",
            "po_number",
            "line_no",
            "item_description",
            "supplier",
            "category",
            "order_date",
            "quantity",
            "unit_price",
            "amount",
            "fiscal_year",
        ]
    )
    table = lines.join(per_line, ["ocid", "po_number", "line_no"], join_type="full outer")
    flags = filtered_flags(snap, scoped)
    line_flags = flags.filter(pc.equal(flags.column("subject"), "po_line"))
    counts = (
        line_flags.group_by(["ocid", "po_number", "line_no"])
        .aggregate([("flag_id", "count"), ("value_at_stake", "sum")])
        .rename_columns(["ocid", "po_number", "line_no", "findings", "value_at_stake"])
    )
    table = table.join(counts, ["ocid", "po_number", "line_no"], join_type="left outer")
    for name in ("findings", "assets", "idle_units"):
        table = table.set_column(table.column_names.index(name), name, pc.fill_null(pc.cast(table.column(name), pa.int64()), 0))
    table = table.set_column(
        table.column_names.index("value_at_stake"), "value_at_stake", pc.fill_null(table.column("value_at_stake"), 0.0)
    )
    return table.sort_by([("order_date", "descending"), ("po_number", "ascending"), ("line_no", "ascending")])


def line_assets(
    db: Database, filters: Filters, agency: str, po_number: str | None, line_no: int | None, ocid: str | None = None
) -> pa.Table:
    """The assets of one purchase line (po_number None: the agency's assets linked to no line)."""
    snap = snapshot(db, filters)
    if snap is None:
        return pa.table({})
    assets = filter_table(snap.assets, replace(filters, agencies=(agency,)))
    if po_number is None:
        mask = pc.is_null(assets.column("line_po_number"))
    else:
        mask = pc.and_(pc.equal(assets.column("line_po_number"), po_number), pc.equal(assets.column("line_line_no"), line_no))
        if ocid is not None:
            mask = pc.and_(mask, pc.equal(assets.column("line_ocid"), ocid))
    assets = assets.filter(pc.fill_null(mask, False))
    flags = snap.flags.filter(pc.equal(snap.flags.column("subject"), "asset"))
    rules: dict[str, list[str]] = {}
    for asset_id, rule in zip(flags.column("asset_id").to_pylist(), flags.column("rule").to_pylist()):
        rules.setdefault(asset_id, []).append(rule)
    table = assets.append_column(
        "rules", pa.array([", ".join(rules.get(a, [])) or None for a in assets.column("asset_id").to_pylist()], pa.string())
    )
    return table.sort_by([("utilisation", "ascending"), ("asset_id", "ascending")])


@dataclass(frozen=True)
class AssetDetail:
    facts: dict[str, Any]
    daily: pa.Table  # day, hours_used (capped), available_hours
    flags: pa.Table
    window: Window
    currency: str


def asset_detail(db: Database, filters: Filters, asset_id: str, *, agencies: tuple[str, ...] = ()) -> AssetDetail | None:
    """One asset: its utilisation facts, its daily usage over the window against its available hours, its flags.

    `agencies` restricts which agencies' assets may be read (empty: any).
    """
    snap = snapshot(db, filters)
    if snap is None:
        return None
    assets = snap.assets.filter(pc.equal(snap.assets.column("asset_id"), asset_id))
    assets = filter_table(assets, Filters(agencies=agencies, window_days=filters.window_days, scope_agency=filters.scope_agency))
    if not assets.num_rows:
        return None
    facts = assets.to_pylist()[0]
    window = snap.window
    profiles = load_profiles(db) or {p.category: p for p in DEFAULT_PROFILES}
    profile = profiles.get(facts["category"]) or profiles.get("other")
    calendar = available_days(window.start, window.end_exclusive, snap.country)
    days_rule = profile.days if profile else "workdays"
    active_start, active_end = facts["active_start"], facts["active_end"]
    hours = [
        (profile.hours_per_day if profile else 8.0) if (days_rule == "all" or workday) and active_start <= d < active_end else 0.0
        for d, workday in zip(calendar.column("day").to_pylist(), calendar.column("is_workday").to_pylist())
    ]
    available = pa.table({"day": calendar.column("day"), "available_hours": pa.array(hours, pa.float64())})
    usage = ibis_backend(db).table("usage_daily")
    rows = usage.filter(usage.asset_id == asset_id, usage.usage_date >= window.start, usage.usage_date <= window.as_of)
    used = rows.group_by(day=rows.usage_date).aggregate(hours_used=rows.hours_used.sum()).to_pyarrow()
    daily = available.join(used, "day", join_type="left outer").sort_by("day")
    capped = pc.min_element_wise(pc.fill_null(daily.column("hours_used"), 0.0), 24.0)
    daily = daily.set_column(daily.column_names.index("hours_used"), "hours_used", capped)
    flags = snap.flags.filter(pc.equal(pc.fill_null(snap.flags.column("asset_id"), ""), asset_id))
    return AssetDetail(facts, daily, flags, window, snap.currency)


# -- findings (the Flags page) -------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFilters:
    """The Flags page's own narrowing, on top of the shared Filters."""

    rules: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


def findings(db: Database, filters: Filters, narrowing: FindingFilters = FindingFilters()) -> pa.Table:
    """The ranked findings inside the filters, each with its latest review (tracker.casework.review)."""
    snap = snapshot(db, filters)
    if snap is None:
        return with_reviews(db, FLAGS_SCHEMA.empty_table())
    table = with_reviews(db, filtered_flags(snap, filters))
    for column, values in (("rule", narrowing.rules), ("severity", narrowing.severities), ("review_status", narrowing.statuses)):
        if values:
            table = table.filter(pc.is_in(table.column(column), value_set=pa.array(list(values), pa.string())))
    return table
