"""The drill-down of the Explore page: an agency's purchase lines, a line's assets, one asset's days.

Each function takes the snapshot the page looked up once for its run (None without usage data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import available_days
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.engine.meter_evidence import DeviceMeters, device_meters
from tracker.engine.metrics import Window, ibis_backend, rollup
from tracker.engine.snapshots import Snapshot
from tracker.store.db import run_expr
from tracker.store.profiles import load_profiles
from tracker.text import formatting
from tracker.text.i18n import text
from tracker.views.filters import Filters, filter_table
from tracker.views.findings import open_findings
from tracker.views.source import Source


def agency_lines(source: Source, snap: Snapshot | None, filters: Filters, agency: str) -> pa.Table:
    """The agency's purchase lines with the utilisation of the assets registered against them.

    Assets not linked to any line are gathered in one row with po_number NULL.
    """
    if snap is None:
        return pa.table({})
    scoped = replace(filters, agencies=(agency,))
    assets = filter_table(snap.assets, scoped)

    def build(t: ir.Table) -> ir.Table:
        keyed = t.mutate(po_number=t.line_po_number, line_no=t.line_line_no, ocid=t.line_ocid)
        g = rollup(keyed, ("ocid", "po_number", "line_no"))
        idle = keyed.group_by("ocid", "po_number", "line_no").aggregate(idle_units=keyed.idle_candidate.sum())
        return g.join(idle, ["ocid", "po_number", "line_no"], how="left").select(g, "idle_units")

    per_line = source.run("agency_lines", build, assets)
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
    flags = open_findings(source, snap, scoped)
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
    snap: Snapshot | None, filters: Filters, agency: str, po_number: str | None, line_no: int | None, ocid: str | None = None
) -> pa.Table:
    """The assets of one purchase line (po_number None: the agency's assets linked to no line)."""
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
    meters: DeviceMeters | None = None  # counter readings and the use derived from them (docs/meters.md)


def asset_detail(
    source: Source, snap: Snapshot | None, filters: Filters, asset_id: str, *, agencies: tuple[str, ...] = ()
) -> AssetDetail | None:
    """One asset: its utilisation facts, its daily usage over the window against its available hours, its flags.

    `agencies` restricts which agencies' assets may be read (empty: any).
    """
    if snap is None:
        return None
    assets = snap.assets.filter(pc.equal(snap.assets.column("asset_id"), asset_id))
    assets = filter_table(assets, Filters(agencies=agencies, window_days=filters.window_days, scope_agency=filters.scope_agency))
    if not assets.num_rows:
        return None
    holdings = assets.to_pylist()  # a device that changed hands in the window: one row per agency (docs/transfers.md)
    facts = next((row for row in holdings if row.get("held_to") is None), holdings[-1])
    window = snap.window
    db = source.db
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
    if facts.get("held_from") is not None:  # only the days this agency held it: another holder's usage is not its own
        rows = rows.filter(rows.usage_date >= facts["held_from"])
    if facts.get("held_to") is not None:
        rows = rows.filter(rows.usage_date < facts["held_to"])
    used = run_expr(rows.group_by(day=rows.usage_date).aggregate(hours_used=rows.hours_used.sum()), name="asset daily usage")
    daily = available.join(used, "day", join_type="left outer").sort_by("day")
    capped = pc.min_element_wise(pc.fill_null(daily.column("hours_used"), 0.0), 24.0)
    daily = daily.set_column(daily.column_names.index("hours_used"), "hours_used", capped)
    flags = snap.flags.filter(pc.equal(pc.fill_null(snap.flags.column("asset_id"), ""), asset_id))
    meters = device_meters(ibis_backend(db), window, asset_id, country=snap.country, profiles=profiles)
    return AssetDetail(facts, daily, flags, window, snap.currency, meters)


def line_summary(snap: Snapshot | None, devices: pa.Table, po_number: str, line_no: int | None, lang: str) -> str | None:
    """One purchase line in a sentence above its devices: when it was ordered, from whom, how many units
    were bought, registered and idle, and its amount (the columns Explore's line table leaves out)."""
    if snap is None:
        return None
    lines = snap.lines.filter(
        pc.and_(pc.equal(snap.lines.column("po_number"), po_number), pc.equal(snap.lines.column("line_no"), line_no))
    )
    if not lines.num_rows:
        return None
    line = lines.to_pylist()[0]
    idle = sum(1 for v in devices.column("idle_candidate").to_pylist() if v) if "idle_candidate" in devices.column_names else None
    return text(
        "trustui.explore.line_summary",
        lang,
        ordered=formatting.day(line.get("order_date"), lang),
        supplier=line.get("supplier") or formatting.MISSING,
        quantity=formatting.number(line.get("quantity"), 0),
        registered=formatting.count(devices.num_rows),
        idle=formatting.count(idle),
        amount=formatting.money(line.get("amount"), snap.currency, lang, short=False),
    )
