"""Snapshots: per-asset utilisation with its purchase line, and the flags, for one data version and window.

The expensive part of every dashboard figure (per-asset utilisation over ~12 M usage rows, and the
flag catalogue) is computed once per *data version* (the last upload, setting and profile change)
and window, kept in memory as Arrow tables by a `SnapshotCache`, and stored in the database
(tracker.store.snapshots) so that a restarted process reads it back instead of computing it again.
A filter change never goes back to the usage table. After uploads of usage only, on the same window,
a snapshot is built from the one before it (tracker.engine.incremental).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, fiscal_years
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.engine.incremental import parse_version, usage_change
from tracker.engine.metrics import Window, asset_utilisation, fiscal_year_expr, ibis_backend, telemetry_coverage
from tracker.engine.rules.catalogue import resolve_parameters
from tracker.engine.rules.expressions import asset_lines
from tracker.engine.rules.model import FLAGS_SCHEMA
from tracker.engine.rules.run import Earlier, check_rule_codes, compute_flags, flags_as_of
from tracker.engine.rules.stored import load_rule_parameters
from tracker.store import snapshots as store
from tracker.store.db import Database, run_expr
from tracker.store.profiles import load_profiles
from tracker.store.settings import load_settings

SNAPSHOTS_KEPT = 6  # snapshots a process holds in memory (windows and data versions)


@dataclass(frozen=True)
class Snapshot:
    """Per-asset utilisation (with its purchase line) and the flags, for one data version and window."""

    version: tuple
    window: Window
    assets: pa.Table  # asset_utilisation columns + telemetry, line keys, supplier, order_date, unit_price, fiscal_year
    lines: pa.Table  # procurement lines + fiscal_year, month, amount
    flags: pa.Table  # tracker.engine.rules.FLAG_COLUMNS
    currency: str
    fiscal_year_start_month: int
    country: str
    agencies_with_usage: int  # agencies with usage hours in the window
    usage_start: date | None = None  # the first day of usage in the data, which the rules' look-backs start from
    reusable: bool = True  # False: stored before the first day of usage was kept, so never built upon


def data_version(db: Database) -> tuple:
    """Changes whenever anything a figure depends on changes: an upload, a setting, a profile, an approved transfer,
    a pool declaration or withdrawal, a stored standard (the last two are read by AVOIDABLE_PURCHASE and EARLY_REPLACEMENT)."""
    return db.fetchone(
        "SELECT (SELECT coalesce(max(upload_id), 0) FROM uploads), (SELECT count(*) FROM uploads), "
        "(SELECT coalesce(max(change_id), 0) FROM setting_changes), "
        "(SELECT coalesce(max(change_id), 0) FROM category_profile_changes), "
        "(SELECT count(*) FROM asset_assignments WHERE transfer_id IS NOT NULL), "
        "(SELECT coalesce(max(action_id), 0) FROM pool_actions), (SELECT count(*) FROM equipment_standards)",
        name="data version",
    )


def usage_span(db: Database) -> tuple[date | None, date | None]:
    """First and last usage dates in the data ((None, None) without usage); the last counter reading counts too."""
    return db.fetchone(
        "SELECT min(usage_date), greatest(max(usage_date), (SELECT max(CAST(read_at AS DATE)) FROM meter_readings)) "
        "FROM usage_daily",
        name="usage period",
    )


class SnapshotCache:
    """The snapshots one process holds in memory (the `kept` most recently used), and the usage span.

    One cache serves every session of a dashboard process (threads share it); the command line
    makes its own. A snapshot that is not in memory is read from the database's snapshot store,
    else built and stored. Entries are keyed by database file and data version, so a change to the
    data is never answered from memory.
    """

    def __init__(self, kept: int = SNAPSHOTS_KEPT) -> None:
        self._kept = kept
        self._snapshots: OrderedDict[tuple, Snapshot] = OrderedDict()
        self._lock = threading.Lock()  # held while building: a second session waits for the first's result
        self._spans: dict[tuple, tuple[date | None, date | None]] = {}
        self._spans_lock = threading.Lock()
        self.last_build = ""  # how the last snapshot asked for was had: memory, stored, incremental or full

    def snapshot(self, db: Database, as_of: date | None, window_days: int) -> Snapshot | None:
        """The snapshot of the window of `window_days` ending at `as_of` (None without an as-of date)."""
        if as_of is None:
            return None
        version = data_version(db)
        key = (str(db.path), version, as_of, window_days)
        with self._lock:
            if key in self._snapshots:
                self._snapshots.move_to_end(key)
                self.last_build = "memory"
                return self._snapshots[key]
            window = settings_window(db, as_of, window_days)
            built = _stored(db, version, window)
            self.last_build = "stored"
            if built is None:
                built = self._built_on_earlier(db, version, window)
                self.last_build = "incremental"
                if built is None:
                    built = build_snapshot(db, version, window)
                    self.last_build = "full"
                _store(db, built)
            self._snapshots[key] = built
            while len(self._snapshots) > self._kept:
                self._snapshots.popitem(last=False)
            return built

    def _built_on_earlier(self, db: Database, version: tuple, window: Window) -> Snapshot | None:
        """The snapshot built from the latest earlier one of the same window, when only usage was uploaded since."""
        earlier = next(
            (
                snap
                for (path, _, as_of, days), snap in reversed(self._snapshots.items())
                if path == str(db.path) and as_of == window.as_of and days == window.window_days
            ),
            None,
        ) or _stored_earlier(db, window)
        if earlier is None or not earlier.reusable or earlier.window != window:
            return None
        change = usage_change(db, earlier.version, version)
        if change is None or usage_span(db)[0] != earlier.usage_start:
            return None
        return build_snapshot(db, version, window, earlier=earlier, touched=change.agencies)

    def usage_span(self, db: Database) -> tuple[date | None, date | None]:
        """First and last usage dates, read once per data version."""
        key = (str(db.path), data_version(db))
        with self._spans_lock:
            span = self._spans.get(key)
        if span is None:
            span = usage_span(db)
            with self._spans_lock:
                self._spans.clear()
                self._spans[key] = span
        return span

    def forget(self) -> None:
        """Drop everything held in memory (as a restarted process would; the stored snapshots remain)."""
        with self._lock:
            self._snapshots.clear()
        with self._spans_lock:
            self._spans.clear()


PROCESS_SNAPSHOTS = SnapshotCache()  # the command line's and the service's (the dashboard holds its own)


def findings(
    db: Database,
    *,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rules: list[str] | None = None,
    agency: str | None = None,
    cache: SnapshotCache = PROCESS_SNAPSHOTS,
) -> pa.Table:
    """The findings `compute_flags` gives, read from the snapshot of the data version and window.

    The snapshot is read from memory or from the store when the data has not changed since it was
    computed (by this process, the dashboard or an earlier command), built on the earlier one after
    uploads of usage only, and computed and stored otherwise. The whole catalogue is kept; the rules
    and the agency asked for are filtered from it, which keeps its ranking. Without any usage there
    is no per-asset table to keep, and the catalogue runs as `compute_flags` runs it.
    """
    codes = None if rules is None else check_rule_codes(rules)
    as_of = as_of or flags_as_of(db)
    if as_of is None or cache.usage_span(db)[0] is None:
        return compute_flags(db, as_of=as_of, window_days=window_days, rules=codes, agency=agency)
    flags = cache.snapshot(db, as_of, window_days).flags
    if codes is not None:
        flags = flags.filter(pc.is_in(flags.column("rule"), pa.array(codes, pa.string())))
    if agency is not None:
        flags = flags.filter(pc.equal(flags.column("agency_code"), agency))
    return flags.cast(FLAGS_SCHEMA)


# -- stored snapshots ------------------------------------------------------------------------------


def _version_text(version: tuple) -> str:
    return "-".join(str(part) for part in version)


def _stored(db: Database, version: tuple, window: Window) -> Snapshot | None:
    found = store.load(db, _version_text(version), window.as_of, window.window_days)
    return None if found is None else _from_store(found, version, window)


def _stored_earlier(db: Database, window: Window) -> Snapshot | None:
    """The stored snapshot of this window under an earlier data version (the store keeps one version)."""
    found = store.load_any_version(db, window.as_of, window.window_days)
    if found is None:
        return None
    version = parse_version(found[0])
    return None if version is None else _from_store(found[1], version, window)


def _from_store(found: store.Stored, version: tuple, window: Window) -> Snapshot:
    tables, settings = found.tables, found.document
    start = settings.get("usage_start")  # an ISO date, or None without usage; absent when stored before it was kept
    return Snapshot(
        version,
        window,
        tables["assets"],
        tables["lines"],
        tables["flags"],
        settings["currency"],
        settings["fiscal_year_start_month"],
        settings["country"],
        settings["agencies_with_usage"],
        usage_start=None if start is None else date.fromisoformat(start),
        reusable="usage_start" in settings,
    )


def _store(db: Database, snap: Snapshot) -> None:
    """Keep the snapshot for a restarted process; older data versions are dropped (derived data only)."""
    store.save(
        db,
        _version_text(snap.version),
        snap.window.as_of,
        snap.window.window_days,
        {"assets": snap.assets, "lines": snap.lines, "flags": snap.flags},
        {
            "currency": snap.currency,
            "fiscal_year_start_month": snap.fiscal_year_start_month,
            "country": snap.country,
            "agencies_with_usage": snap.agencies_with_usage,
            "usage_start": None if snap.usage_start is None else snap.usage_start.isoformat(),
        },
    )


# -- building a snapshot ---------------------------------------------------------------------------


def settings_window(db: Database, as_of: date, window_days: int) -> Window:
    """The window with the idle horizons the rule settings ask for: idle capital and the rules judge idleness alike."""
    params = resolve_parameters(load_rule_parameters(db))
    return Window(
        as_of, window_days, idle_days=params["IDLE"]["idle_days"], never_used_min_days=max(1, params["NEVER_USED"]["grace_days"])
    )


def build_snapshot(
    db: Database, version: tuple, window: Window, *, earlier: Snapshot | None = None, touched: frozenset[str] = frozenset()
) -> Snapshot:
    """Compute the snapshot of `window` on the database as it is (`version` is what the caller read).

    `earlier`: the snapshot of the same window before uploads of usage only, whose devices were held
    by the agencies `touched` (tracker.engine.incremental); its lines and the findings those uploads
    cannot change are kept.
    """
    settings = load_settings(db)
    start_month = settings.fiscal_year_start_month
    profiles = load_profiles(db) or {p.category: p for p in DEFAULT_PROFILES}
    backend = ibis_backend(db)
    per_asset = run_expr(
        asset_utilisation(backend, window, country=settings.country, profiles=profiles), name="asset utilisation"
    )
    procurement = backend.table("procurement_lines")
    lines_expr = procurement.mutate(
        fiscal_year=fiscal_year_expr(procurement.order_date, start_month).cast("int32"),
        month=procurement.order_date.truncate("M"),
        amount=procurement.total_amount.cast("float64"),
    ).drop("extra")
    matched = run_expr(asset_lines(backend), name="asset purchase lines")
    links = ibis.memtable(matched).select(
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
    link_table = run_expr(
        joined.select(
            "asset_id", "line_ocid", "line_po_number", "line_line_no", "supplier", "order_date", "unit_price", "line_description"
        ),
        name="asset purchase lines",
    )
    coverage = run_expr(telemetry_coverage(backend, window), name="telemetry coverage")
    assets = _join_arrow(_without_silent_telemetry(per_asset, coverage), link_table, "asset_id")
    fy_source = pc.coalesce(assets.column("order_date"), assets.column("in_service_date"))
    assets = assets.append_column("fiscal_year", fiscal_years(fy_source, start_month))
    flags = compute_flags(
        db,
        as_of=window.as_of,
        window_days=window.window_days,
        per_asset=per_asset,
        coverage=coverage,
        links=matched,
        earlier=None if earlier is None else Earlier(earlier.flags, touched),
    )
    with_usage = db.scalar(
        "SELECT count(DISTINCT a.agency_code) FROM assets a SEMI JOIN ("
        "SELECT asset_id FROM usage_daily WHERE usage_date BETWEEN ? AND ? AND hours_used > 0 "
        "UNION ALL SELECT asset_id FROM meter_readings WHERE CAST(read_at AS DATE) BETWEEN ? AND ?"  # counters count too
        ") u ON u.asset_id = a.asset_id",
        [window.start, window.as_of, window.start, window.as_of],
        name="agencies reporting usage",
    )
    return Snapshot(
        version,
        window,
        assets,
        run_expr(lines_expr, name="procurement lines") if earlier is None else earlier.lines,
        flags,
        settings.currency,
        start_month,
        settings.country,
        with_usage,
        usage_start=usage_span(db)[0],
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
