"""What reallocation saves: value reallocated, purchases avoided, requests met from the pool.

Two sets of figures, never mixed:
- **proposed** (what the pool can cover now): the proposals of the matching, plus the units approved
  transfers already moved for a request (tracker.reallocation.matching);
- **realised** (what approved transfers moved): devices moved by transfers approved with an effective
  date inside the window, their book value on the effective date and original cost; purchases
  avoided = the units moved for a request × its unit budget (a request without a budget is counted
  apart: its saving is unknown, not zero); requests wholly and partly met by approved transfers.
Both are computed over every agency and cut to the reader's scope (docs/reallocation.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tracker.access.auth import User
from tracker.engine.snapshots import Snapshot
from tracker.reallocation.matching import load_requests, match, proposals_for
from tracker.reallocation.moves import approved_in, commitments, device_moves
from tracker.reallocation.pool import idle_pool, pool_for, viewer_scope
from tracker.store.db import Database


class _AvoidedPurchases:
    purchases_avoided: float
    purchases_avoided_unknown: int

    @property
    def purchases_avoided_known(self) -> float | None:
        """Purchases avoided, or None (shown "—") when the saving is made only of requests without a unit budget."""
        return None if self.purchases_avoided_unknown and not self.purchases_avoided else self.purchases_avoided


@dataclass(frozen=True)
class Realised(_AvoidedPurchases):
    """What approved transfers moved inside the window."""

    transfers: int = 0
    devices: int = 0
    book_value: float = 0.0  # on each transfer's effective date, of the devices whose value is known
    book_value_unknown: int = 0  # devices moved without a known book value (unknown, not zero)
    cost: float = 0.0  # original cost of the devices moved
    units_for_requests: int = 0  # devices moved for a planned purchase (at most its quantity)
    purchases_avoided: float = 0.0  # those units × the request's unit budget
    purchases_avoided_unknown: int = 0  # requests met by a transfer without a unit budget
    requests_met: int = 0  # wholly met by approved transfers
    requests_partly_met: int = 0


@dataclass(frozen=True)
class Savings(_AvoidedPurchases):
    pool_devices: int
    pool_book_value: float
    requests: int
    requests_met: int  # wholly covered by the pool (proposals and units already moved)
    requests_partly_met: int
    units_requested: int
    units_covered: int
    value_reallocated_book: float  # book value of the devices proposed (and already moved) for requests
    value_reallocated_cost: float  # their original cost
    purchases_avoided: float  # covered units × the request's unit budget
    purchases_avoided_unknown: int  # covered requests without a unit budget (their saving is unknown, not zero)
    realised: Realised = field(default_factory=Realised)


@dataclass(frozen=True)
class Reallocation:
    """The pool, the requests with their proposals, the devices approved transfers moved, and the savings,
    as one user may see them."""

    pool: pa.Table  # tracker.reallocation.pool.POOL_SCHEMA
    proposals: pa.Table  # tracker.reallocation.matching.PROPOSAL_SCHEMA
    cover: pa.Table  # tracker.reallocation.matching.COVER_SCHEMA
    savings: Savings
    moved: tuple[dict[str, Any], ...] = ()  # devices of approved transfers effective in the window (moves.MOVE_COLUMNS)


def reallocation(db: Database, snap: Snapshot | None, user: User | str | None = None, lang: str = "en") -> Reallocation:
    """Pool, matching and savings for the snapshot's as-of date; the whole picture is matched, then scoped to `user`.

    Matching runs over every agency's requests (a device proposed to another agency's request is not
    offered twice), and what `user` sees of it is cut afterwards (tracker.access scope).
    """
    pool = idle_pool(db, snap)
    moves = device_moves(db)
    proposals, cover = match(load_requests(db), pool, lang, commitments(moves))
    proposals, cover = proposals_for(user, proposals, cover, lang)
    seen_pool = pool_for(user, pool)
    window = None if snap is None else snap.window
    moved = approved_in(moves, None if window is None else window.start, None if window is None else window.as_of)
    scope = viewer_scope(user)
    if scope is not None:
        moved = [m for m in moved if scope in (m["from_agency"], m["to_agency"])]
    return Reallocation(seen_pool, proposals, cover, savings_of(seen_pool, cover, moved), tuple(moved))


def savings_of(pool: pa.Table, cover: pa.Table, moved: Iterable[Mapping[str, Any]] = ()) -> Savings:
    rows = cover.to_pylist()
    book = [v for v in pool.column("book_value").to_pylist() if v is not None]
    covered = [r for r in rows if r["covered"] > 0]
    return Savings(
        pool_devices=pool.num_rows,
        pool_book_value=round(sum(book), 2),
        requests=len(rows),
        requests_met=sum(1 for r in rows if r["quantity"] > 0 and r["covered"] >= r["quantity"]),
        requests_partly_met=sum(1 for r in rows if 0 < r["covered"] < r["quantity"]),
        units_requested=sum(r["quantity"] for r in rows),
        units_covered=sum(r["covered"] for r in rows),
        value_reallocated_book=round(sum(r["book_value"] or 0.0 for r in covered), 2),
        value_reallocated_cost=round(sum(r["purchase_cost"] or 0.0 for r in covered), 2),
        purchases_avoided=round(sum(r["avoidable_amount"] or 0.0 for r in covered), 2),
        purchases_avoided_unknown=sum(1 for r in covered if r["avoidable_amount"] is None),
        realised=realised_of(rows, moved),
    )


def realised_of(requests: Iterable[Mapping[str, Any]], moved: Iterable[Mapping[str, Any]]) -> Realised:
    """The realised figures of `moved` (devices of approved transfers), against the requests they were made for."""
    moved = list(moved)
    units: dict[tuple[str, str], int] = {}
    for m in moved:
        if m["request_id"]:
            key = (m["to_agency"], m["request_id"])
            units[key] = units.get(key, 0) + 1
    avoided, unknown, met, partly, for_requests = 0.0, 0, 0, 0, 0
    for r in requests:
        n = min(units.get((r["agency_code"], r["request_id"]), 0), int(r["quantity"]))
        if not n:
            continue
        for_requests += n
        if r["unit_budget"] is None:
            unknown += 1
        else:
            avoided += n * float(r["unit_budget"])
        met += n >= r["quantity"]
        partly += n < r["quantity"]
    values = [m["book_value"] for m in moved]
    return Realised(
        transfers=len({m["transfer_id"] for m in moved}),
        devices=len(moved),
        book_value=round(sum(v for v in values if v is not None), 2),
        book_value_unknown=sum(1 for v in values if v is None),
        cost=round(sum(m["purchase_cost"] or 0.0 for m in moved), 2),
        units_for_requests=for_requests,
        purchases_avoided=round(avoided, 2),
        purchases_avoided_unknown=unknown,
        requests_met=met,
        requests_partly_met=partly,
    )


def moved_passing(moved: Iterable[Mapping[str, Any]], agencies: Iterable[str], categories: Iterable[str]) -> list[dict]:
    """Moves whose giving or receiving agency is among `agencies` and whose category among `categories` (empty: all)."""
    agencies, categories = set(agencies), set(categories)
    return [
        dict(m)
        for m in moved
        if (not agencies or agencies & {m["from_agency"], m["to_agency"]}) and (not categories or m["category"] in categories)
    ]
