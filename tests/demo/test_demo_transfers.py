"""The demo's transfers (tracker.demo.transfers): approved in the past, waiting for approval, refused; the same on every load."""

from __future__ import annotations

from datetime import date

from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.engine.snapshots import SnapshotCache
from tracker.reallocation.savings import reallocation
from tracker.store.assignments import holdings
from tracker.store.db import Database

ADMIN = User("admin", "admin", None, None)


def test_the_demo_has_an_approved_a_waiting_and_a_refused_transfer_from_its_proposals(demo_db):
    with Database.open(demo_db) as db:
        rows = {r["state"]: r for r in tr.list_transfers(db, ADMIN)}
        assert set(rows) == {"approved", "accepted", "refused"}
        approved, waiting, refused = rows["approved"], rows["accepted"], rows["refused"]
        # chosen by the matching of the small tier (seed 7): the same devices on every load
        assert approved["proposal_ref"] == "A003/SQ2026-A003-002/A001-00278"
        assert waiting["proposal_ref"] == "A003/SQ2026-A003-001/A001-00169"
        assert refused["proposal_ref"] == "A003/SQ2026-A003-001/A002-00197"
        assert approved["effective_date"] == date(2025, 10, 2) and waiting["effective_date"] == date(2026, 1, 15)
        # the approved move is in the assignment history; the others moved nothing
        assert [(h["agency_code"], h["valid_to"], h["valid_from"]) for h in holdings(db, "A001-00278")] == [
            ("A001", date(2025, 10, 2), None),
            ("A003", None, date(2025, 10, 2)),
        ]
        assert [h["agency_code"] for h in holdings(db, "A001-00169")] == ["A001"]
        steps = tr.get_transfer(db, ADMIN, refused["transfer_id"]).steps
        assert steps[-1]["step"] == "refused" and steps[-1]["agency_code"] == "A002" and "仍需使用" in steps[-1]["reason"]
        result = reallocation(db, SnapshotCache().snapshot(db, date(2025, 12, 31), 365))
        done = result.savings.realised
        assert (done.transfers, done.devices, done.purchases_avoided, done.cost) == (1, 1, 7000.0, 4620.0)
        # the proposed cover is unchanged by the transfers: 18 of the 20 units requested
        assert (result.savings.units_covered, result.savings.units_requested) == (18, 20)
