"""A proposal becomes a transfer, and what approved transfers realised (docs/reallocation.md, docs/transfers.md).

The hand-made data of test_reallocation: as_of 2025-12-31, a window of 365 days. The pool holds four laptops:
L-IDLE-A (A1), L-IDLE-B and L-DISMISSED (B1, alike: the lower id first), L-REGISTER-IDLE (C1). Requests: R-C
(C1, 2 laptops, no budget, needed first) is proposed L-REGISTER-IDLE and L-DISMISSED; R-A (A1, 3 laptops, unit
budget 6,500) L-IDLE-A and L-IDLE-B: 2 of 3.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.reallocation.test_reallocation import ADMIN, AGENCY_A, AGENCY_C, AS_OF, AUDITOR, FINANCE, db  # noqa: F401
from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.casework.transfers_proposals import (
    may_start_from_proposal,
    request_transfers,
    start_from_proposal,
    status_text,
)
from tracker.engine.snapshots import SnapshotCache
from tracker.reallocation.requests import enter_request
from tracker.reallocation.savings import reallocation
from tracker.reallocation.sheet import sheet_rows
from tracker.text.errors import ScopeError
from tracker.views.filters import Filters
from tracker.views.reallocation import reallocation_view
from tracker.views.source import Source

AGENCY_B = User("bob", "agency", "B1", None)
MOVE_DAY = date(2025, 7, 1)


@pytest.fixture
def requested(db):  # noqa: F811
    enter_request(
        db, ADMIN, request_id="R-A", agency_code="A1", category="laptop", quantity=3, unit_budget=6500, needed_by=date(2026, 3, 1)
    )
    enter_request(db, ADMIN, request_id="R-C", agency_code="C1", category="laptop", quantity=2, needed_by=date(2026, 1, 15))
    assert {p["asset_id"]: p["request_id"] for p in reallocation(db, _snap(db)).proposals.to_pylist()} == {
        "L-REGISTER-IDLE": "R-C",
        "L-DISMISSED": "R-C",
        "L-IDLE-A": "R-A",
        "L-IDLE-B": "R-A",
    }
    return db


def _snap(store):
    return SnapshotCache().snapshot(store, AS_OF, 365)


def _start(store, user, asset_id, request_id="R-A", to_agency="A1", day=MOVE_DAY):
    return start_from_proposal(
        store, user, _snap(store), request_id=request_id, to_agency=to_agency, asset_id=asset_id, effective_date=day
    )


def test_who_may_start_a_transfer_from_a_proposal(requested):
    store = requested
    other = "L-IDLE-B"
    assert may_start_from_proposal(FINANCE, "A1") and may_start_from_proposal(ADMIN, "C1")
    assert may_start_from_proposal(AGENCY_A, "A1") and not may_start_from_proposal(AGENCY_A, "C1")
    assert not may_start_from_proposal(AUDITOR, "A1")
    for refused, request, to in ((AUDITOR, "R-A", "A1"), (AGENCY_A, "R-C", "C1"), (AGENCY_B, "R-A", "A1")):
        with pytest.raises(ScopeError):
            _start(store, refused, "L-DISMISSED" if to == "C1" else other, request, to)
    denied = store.fetchall(
        "SELECT actor FROM audit_log WHERE action = 'transfer' AND details->>'outcome' = 'denied' ORDER BY entry_id"
    )
    assert [a for (a,) in denied] == ["aud", "amy", "bob"]
    assert store.scalar("SELECT count(*) FROM transfers") == 0
    # the requesting agency's user, a finance officer and an administrator may
    first = _start(store, AGENCY_A, other)
    header = tr.get_transfer(store, FINANCE, first).header
    assert (header["from_agency"], header["to_agency"], header["request_id"]) == ("B1", "A1", "R-A")
    assert header["proposal_ref"] == f"A1/R-A/{other}" and header["state"] == "proposed"
    assert _start(store, ADMIN, "L-DISMISSED", "R-C", "C1") > first
    with pytest.raises(tr.TransferRefused):  # the requesting agency's own device: giving and receiving agency are one
        _start(store, ADMIN, "L-IDLE-A")


def test_a_device_not_proposed_to_the_request_is_refused(requested):
    store = requested
    with pytest.raises(tr.TransferRefused) as refused:
        _start(store, FINANCE, "L-USED-B")  # in use, not in the pool
    assert "L-USED-B" in refused.value.text("en") and "R-A" in refused.value.text("zh")
    with pytest.raises(tr.TransferRefused):  # proposed to R-C, not to R-A
        _start(store, FINANCE, "L-DISMISSED")
    assert store.scalar("SELECT count(*) FROM transfers") == 0


def test_each_transfer_made_for_a_request_shows_what_it_waits_for_and_how_it_ended(requested):
    store = requested
    keys = [("A1", "R-A"), ("C1", "R-C")]
    tid = _start(store, FINANCE, "L-IDLE-B")
    refused_id = _start(store, FINANCE, "L-DISMISSED", "R-C", "C1")

    def states():
        return {r["transfer_id"]: status_text(r) for r in request_transfers(store, FINANCE, keys)}

    assert states()[tid] == "waiting for B1 (giving) and A1 (receiving)"
    tr.accept(store, AGENCY_B, tid)
    assert states()[tid] == "waiting for the receiving agency A1"
    tr.accept(store, AGENCY_A, tid)
    assert states()[tid] == "accepted by both; waiting for approval"
    tr.approve(store, FINANCE, tid)
    tr.refuse(store, AGENCY_B, refused_id, "kept for the new team")
    assert states() == {tid: "approved, effective 2025-07-01", refused_id: "refused: kept for the new team"}
    zh = {r["transfer_id"]: status_text(r, "zh") for r in request_transfers(store, FINANCE, keys)}
    assert zh[tid] == "已批准，2025-07-01 生效" and "kept for the new team" in zh[refused_id]
    # an agency user sees the transfers its agency gives or receives, and no other
    assert {r["transfer_id"] for r in request_transfers(store, AGENCY_B, keys)} == {tid, refused_id}
    assert {r["transfer_id"] for r in request_transfers(store, AGENCY_C, keys)} == {refused_id}
    assert {r["transfer_id"] for r in request_transfers(store, AGENCY_A, keys)} == {tid}
    assert request_transfers(store, FINANCE, [("B1", "R-A")]) == []


def test_a_device_in_an_open_transfer_stays_proposed_to_its_request_and_is_offered_to_no_other(requested):
    store = requested
    before = {p["asset_id"]: p["request_id"] for p in reallocation(store, _snap(store)).proposals.to_pylist()}
    tid = _start(store, FINANCE, "L-DISMISSED", "R-C", "C1")
    enter_request(store, ADMIN, request_id="R-0", agency_code="B1", category="laptop", quantity=4, needed_by=date(2025, 1, 1))
    after = {p["asset_id"]: p["request_id"] for p in reallocation(store, _snap(store)).proposals.to_pylist()}
    # R-0 is needed first and would take every laptop, B1's own L-DISMISSED first, but transfer tid holds it for R-C
    assert before["L-DISMISSED"] == "R-C" and after["L-DISMISSED"] == "R-C"
    assert sorted(a for a, r in after.items() if r == "R-0") == ["L-IDLE-A", "L-IDLE-B", "L-REGISTER-IDLE"]
    tr.refuse(store, FINANCE, tid, "not needed")  # a refused transfer frees it
    freed = {p["asset_id"]: p["request_id"] for p in reallocation(store, _snap(store)).proposals.to_pylist()}
    assert freed["L-DISMISSED"] == "R-0"


def _approve(store, tid):
    tr.accept(store, ADMIN, tid, "giving")
    tr.accept(store, ADMIN, tid, "receiving")
    tr.approve(store, FINANCE, tid)


def test_savings_realised_by_approved_transfers_beside_the_proposed_ones(requested):
    store = requested
    nothing = reallocation(store, _snap(store)).savings
    assert nothing.realised.devices == 0 and nothing.realised.purchases_avoided == 0.0
    moved = _start(store, FINANCE, "L-IDLE-B")
    pending = _start(store, FINANCE, "L-DISMISSED", "R-C", "C1")
    assert reallocation(store, _snap(store)).savings.realised.devices == 0  # proposed, not realised
    _approve(store, moved)
    _approve(store, pending)
    result = reallocation(store, _snap(store))
    books = [float(tr.get_transfer(store, FINANCE, t).assets[0]["book_value"]) for t in (moved, pending)]
    done = result.savings.realised
    assert (done.transfers, done.devices) == (2, 2)
    assert done.cost == 12000.0 and done.book_value == pytest.approx(sum(books)) and done.book_value_unknown == 0
    # R-A: 1 of 3 units moved × 6,500; R-C: 1 of 2, without a budget: unknown, not zero
    assert done.purchases_avoided == 6500.0 and done.purchases_avoided_unknown == 1
    assert (done.requests_met, done.requests_partly_met, done.units_for_requests) == (0, 2, 2)
    # the proposed figures still count the moved unit as covered by the pool
    cover = {c["request_id"]: c for c in result.cover.to_pylist()}
    assert (cover["R-A"]["covered"], cover["R-A"]["transferred"], cover["R-A"]["quantity"]) == (2, 1, 3)
    assert "L-IDLE-B" not in {p["asset_id"] for p in result.proposals.to_pylist()}  # it met R-A: no longer proposed
    assert result.savings.purchases_avoided == 2 * 6500.0  # proposed: 2 units covered for R-A
    # a window that ends before the effective date realised nothing
    early = reallocation(store, SnapshotCache().snapshot(store, date(2025, 6, 30), 180)).savings.realised
    assert early.devices == 0


def test_realised_savings_follow_the_filters_and_the_readers_agency(requested):
    store = requested
    moved = _start(store, FINANCE, "L-IDLE-B")
    _approve(store, moved)
    src = Source(store)

    def realised(**kw):
        filters = Filters(as_of=AS_OF, window_days=365, **kw)
        return reallocation_view(src, src.snapshot(filters), filters).savings.realised

    assert realised().devices == 1 and realised().purchases_avoided == 6500.0
    assert realised(agencies=("B1",)).devices == 1 and realised(agencies=("B1",)).purchases_avoided == 0.0  # B1 gave it
    assert realised(agencies=("C1",)).devices == 0
    assert realised(categories=("desktop",)).devices == 0
    assert realised(scope_agency="A1").purchases_avoided == 6500.0
    assert realised(scope_agency="C1").devices == 0 and realised(scope_agency="C1").cost == 0.0


def test_the_evidence_packs_sheet_has_the_moved_devices_and_both_totals(requested):
    store = requested
    moved = _start(store, FINANCE, "L-IDLE-B")
    _approve(store, moved)
    rows = sheet_rows(reallocation(store, _snap(store)))
    lines = [r["line"] for r in rows]
    assert lines.count("transferred") == 1 and lines[-2:] == ["total_proposed", "total_realised"]
    transferred = next(r for r in rows if r["line"] == "transferred")
    assert transferred["transfer_id"] == moved and transferred["effective_date"] == date(2025, 7, 1)
    realised = rows[-1]
    assert realised["purchases_avoided"] == 6500.0 and realised["purchase_cost"] == 6000.0 and realised["units"] == 1
    only_c = sheet_rows(reallocation(store, _snap(store)), ["C1"])
    # C1's request has no budget: its avoidable purchase is unknown (empty), never 0
    assert only_c[-2]["purchases_avoided"] is None and only_c[-2]["units"] == 2 and only_c[-1]["units"] == 0
