"""What the Reallocation page and the Overview's savings show: the pool, requests with proposals, savings.

The matching runs over every agency (a device proposed to one request is not offered to another),
then the reader's scope cuts what is shown (tracker.reallocation), then the shared filters narrow
it: agency and category (a device moved by an approved transfer passes an agency filter naming its
giving or its receiving agency). An agency user sees the pool of every agency (without other agencies'
usage and findings) and the requests of its own agency only. Supplier and fiscal-year filters
concern purchase lines and do not apply here.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from tracker.engine.snapshots import Snapshot
from tracker.reallocation.savings import Reallocation, moved_passing, reallocation, savings_of
from tracker.views.filters import Filters, filter_table
from tracker.views.source import Source


def reallocation_view(source: Source, snap: Snapshot | None, filters: Filters, lang: str = "en") -> Reallocation:
    whole = reallocation(source.db, snap, filters.scope_agency, lang)
    unscoped = replace(filters, scope_agency=None, suppliers=(), fiscal_years=())
    pool = filter_table(whole.pool, unscoped)
    cover = filter_table(whole.cover, replace(filters, suppliers=(), fiscal_years=()))
    proposals = whole.proposals
    if proposals.num_rows:
        kept = pc.is_in(proposals.column("request_id"), value_set=cover.column("request_id").combine_chunks())
        to = pc.is_in(proposals.column("to_agency"), value_set=cover.column("agency_code").combine_chunks())
        proposals = proposals.filter(pc.and_(kept, to))
    moved = moved_passing(whole.moved, filters.agencies, filters.categories)
    return Reallocation(pool, proposals, cover, savings_of(pool, cover, moved), tuple(moved))


def proposals_of(result: Reallocation, request_id: str, agency_code: str) -> pa.Table:
    """The devices proposed to one request."""
    p = result.proposals
    if p.num_rows == 0:
        return p
    mask = pc.and_(pc.equal(p.column("request_id"), request_id), pc.equal(p.column("to_agency"), agency_code))
    return p.filter(mask)


def no_requests_note(filters: Filters, may_request: bool) -> str:
    """The message key for an empty requests table: with an agency or category filter set, none matches them;
    without, none is stored yet (a reader who may enter one is told how; one who may not, who does)."""
    if filters.agencies or filters.categories:
        return "realloc.note.no_requests_match"
    return "realloc.note.no_requests" if may_request else "realloc.note.no_requests_read_only"
