"""What reallocation saves: value that can be reallocated, purchases avoided, requests met from the pool.

Today these are the figures of the proposals (what the pool can cover now). Transfers approved by
both agencies and a finance officer are counted apart once they are recorded (see docs/reallocation.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from tracker.access.auth import User
from tracker.engine.snapshots import Snapshot
from tracker.reallocation.matching import load_requests, match, proposals_for
from tracker.reallocation.pool import idle_pool, pool_for
from tracker.store.db import Database


@dataclass(frozen=True)
class Reallocation:
    """The pool, the requests with their proposals, and the savings, as one user may see them."""

    pool: pa.Table  # tracker.reallocation.pool.POOL_SCHEMA
    proposals: pa.Table  # tracker.reallocation.matching.PROPOSAL_SCHEMA
    cover: pa.Table  # tracker.reallocation.matching.COVER_SCHEMA
    savings: "Savings"


@dataclass(frozen=True)
class Savings:
    pool_devices: int
    pool_book_value: float
    requests: int
    requests_met: int  # wholly covered by the pool
    requests_partly_met: int
    units_requested: int
    units_covered: int
    value_reallocated_book: float  # book value of the devices proposed
    value_reallocated_cost: float  # their original cost
    purchases_avoided: float  # covered units × the request's unit budget
    purchases_avoided_unknown: int  # covered requests without a unit budget (their saving is unknown, not zero)


def reallocation(db: Database, snap: Snapshot | None, user: User | str | None = None, lang: str = "en") -> Reallocation:
    """Pool, matching and savings for the snapshot's as-of date; the whole picture is matched, then scoped to `user`.

    Matching runs over every agency's requests (a device proposed to another agency's request is not
    offered twice), and what `user` sees of it is cut afterwards (tracker.access scope).
    """
    pool = idle_pool(db, snap)
    proposals, cover = match(load_requests(db), pool, lang)
    proposals, cover = proposals_for(user, proposals, cover, lang)
    seen_pool = pool_for(user, pool)
    return Reallocation(seen_pool, proposals, cover, savings_of(seen_pool, cover))


def savings_of(pool: pa.Table, cover: pa.Table) -> Savings:
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
    )
