"""Which agency held each device on each day (docs/transfers.md, assignment history).

The table `asset_assignments` keeps one row per holding: (asset_id, agency_code, valid_from,
valid_to), a holding covering [valid_from, valid_to), NULL valid_from meaning since the beginning
and NULL valid_to still held. Every device is held by its register agency from the beginning until
an approved transfer ends that holding on its effective date and begins the receiving agency's.

The metrics read the register through `held_assets`: one row per device and holding that overlaps
the window, the agency being the holding's. A device transferred inside the window has one row per
agency, each with its own active period, so the hours it was used before the transfer count for the
agency that held it then, and a past window computes what it computed before the transfer. Only the
holding on the as-of date is in service for the rules (idleness is judged for the agency holding the
device). A total over several agencies folds a device's holdings into one row (`one_row_per_device`,
`devices_once`): it counts the device once, while each agency's own figures keep its share. The expressions are portable Ibis, like tracker.engine.metrics.

Holdings are written by tracker.store.assignments (the asset ingest and an approved transfer).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.store.db import run_expr

# the key of a holding that began with the device (valid_from NULL), so that every holding has one
SINCE_THE_BEGINNING = date(1900, 1, 1)
HOLDING_KEYS = ("asset_id", "holding_start")  # one row per device and holding
ASSET_KEYS = ("asset_id",)  # one row per device: no device changed hands in the window


def holding_keys(backend, start: date, as_of: date) -> tuple[str, ...]:
    """The keys of the per-device rows over [start, as_of]: HOLDING_KEYS when a holding begins inside it, else ASSET_KEYS.

    Most windows hold no transfer: every device then has one holding in the window, and the usage
    is summed per device in one pass as before (grouping 12 M usage rows on two keys costs more).
    """
    h = backend.table("asset_assignments")
    changes = run_expr(h.filter(h.valid_from > start, h.valid_from <= as_of).count(), name="holdings beginning in the window")
    return HOLDING_KEYS if changes.as_py() else ASSET_KEYS


def held_assets(backend, start: date, as_of: date) -> ir.Table:
    """The register with one row per device and holding overlapping [start, as_of].

    `agency_code` is the holding's agency; `held_from` and `held_to` bound the holding (NULL: since
    the beginning, still held) and `holding_start` keys it (never NULL). A device without any
    holding row keeps its register agency.
    """
    a = backend.table("assets")
    h = backend.table("asset_assignments")
    h = h.filter(h.valid_from.isnull() | (h.valid_from <= as_of), h.valid_to.isnull() | (h.valid_to > start))
    h = h.select(h_asset_id="asset_id", h_agency_code="agency_code", held_from="valid_from", held_to="valid_to")
    t = a.left_join(h, a.asset_id == h.h_asset_id)
    t = t.mutate(
        agency_code=t.h_agency_code.fill_null(t.agency_code),
        holding_start=t.held_from.fill_null(ibis.literal(SINCE_THE_BEGINNING)),
    )
    return t.drop("h_asset_id", "h_agency_code")


def held_on(held_to: ir.Value, day: date) -> ir.BooleanValue:
    """Whether a holding ending at `held_to` (NULL: still held) covers `day` (it began by then: see held_assets)."""
    return held_to.isnull() | (held_to > day)


def holdings_at(backend) -> ir.Table:
    """Every holding: asset_id, agency_code, held_from, held_to (for rules that look at other dates than the window)."""
    h = backend.table("asset_assignments")
    return h.select("asset_id", "agency_code", held_from="valid_from", held_to="valid_to")


def buying_agencies(backend) -> ir.Table:
    """asset_id and the agency that held it first (`buyer_agency_code`): the one whose purchase line it came from."""
    h = backend.table("asset_assignments")
    return h.filter(h.valid_from.isnull()).select(buyer_asset_id="asset_id", buyer_agency_code="agency_code")


def one_row_per_device(per_asset: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """A per-asset table with a device's holdings in the window folded into one row, for totals over agencies.

    A device that changed hands in the window has one row per holding (each agency's share); a total
    over several agencies counts it once: its hours summed, its cost and book value once, idle when its
    current holding is, its utilisation the holdings' utilisations weighted by their available hours
    (Σ used ÷ Σ available for usage-judged devices). `keys` are the roll-up's keys, constant per device.
    """
    t = per_asset
    by = ("asset_id", *(k for k in keys if k != "asset_id"))
    g = t.group_by(*by).aggregate(
        rows=t.count(),
        only_utilisation=t.utilisation.max(),
        weighted=(t.utilisation * t.available_hours).sum(),
        judged_hours=t.available_hours.sum(where=t.utilisation.notnull()),
        available_hours=t.available_hours.sum(),
        used_hours=t.used_hours.sum(),
        purchase_cost=t.purchase_cost.max(),
        net_book_value=t.net_book_value.max(),
        idle_candidate=t.idle_candidate.any(),
    )
    utilisation = ibis.ifelse(g.rows == 1, g.only_utilisation, g.weighted / g.judged_hours.nullif(0))
    return g.mutate(utilisation=utilisation).drop("rows", "only_utilisation", "weighted", "judged_hours")


def devices_once(table: pa.Table) -> pa.Table:
    """Rows of a per-asset Arrow table, one per device: its first row (for its count, cost and book value, the
    same on each of its rows; not for its hours)."""
    if table.num_rows == 0 or "asset_id" not in table.column_names:
        return table
    indexed = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    first = indexed.group_by("asset_id", use_threads=False).aggregate([("_row", "min")]).column("_row_min")
    return table.take(pa.array(sorted(first.to_pylist()), pa.int64()))
