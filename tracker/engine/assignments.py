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
device). The expressions are portable Ibis, like tracker.engine.metrics.

Holdings are written by tracker.store.assignments (the asset ingest and an approved transfer).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

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
