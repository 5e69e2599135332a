"""The demo's transfers (调拨, docs/transfers.md): one approved in the past, one waiting for approval, one refused.

Made through the workflow (tracker.casework.transfers_proposals and tracker.casework.transfers) from
the proposals of the demo's planned purchases on the demo's as-of date, so they are what a finance
officer would start on the Reallocation page:
- the first device another agency offers to the laptop request moves to the requesting agency by a
  transfer approved with an effective date 90 days before as_of: the assignment history shows the move,
  and the savings realised count it;
- the first device another agency offers to the desktop request is accepted by both agencies and
  waits for a finance officer's approval (effective 15 days after as_of);
- the second one is refused by its agency, with a reason.
The devices are chosen by the matching, which is deterministic, so every load of a tier makes the same
transfers. A tier without such proposals gets fewer transfers, never an error.
"""

from __future__ import annotations

from datetime import date, timedelta

from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.casework.transfers_proposals import start_from_proposal
from tracker.demo.world import AS_OF
from tracker.engine.snapshots import SnapshotCache
from tracker.reallocation.savings import reallocation
from tracker.store.db import Database

FINANCE = User("finance", "finance", None, None)
REFUSAL = "Still needed by the agency / 本单位仍需使用"
NOTE = "Demo transfer from the reallocation proposals / 演示：由调剂建议发起的调拨"


def _agency_user(code: str) -> User:
    return User(f"agency-{code.lower()}", "agency", code, None)


def load_demo_transfers(db: Database, as_of: date = AS_OF, window_days: int = 365) -> list[int]:
    """Make the demo's transfers; returns their ids (approved, waiting for approval, refused)."""
    snap = SnapshotCache().snapshot(db, as_of, window_days)
    proposals = [p for p in reallocation(db, snap).proposals.to_pylist() if p["from_agency"] != p["to_agency"]]
    by_category: dict[str, list[dict]] = {}
    for p in proposals:
        by_category.setdefault(p["category"], []).append(p)

    def start(proposal: dict, effective: date) -> int:
        return start_from_proposal(
            db,
            FINANCE,
            snap,
            request_id=proposal["request_id"],
            to_agency=proposal["to_agency"],
            asset_id=proposal["asset_id"],
            effective_date=effective,
            note=NOTE,
        )

    made: list[int] = []
    laptops, desktops = by_category.get("laptop", []), by_category.get("desktop", [])
    plans = []
    if laptops:
        plans.append(("approved", laptops[0], as_of - timedelta(days=90)))
    if desktops:
        plans.append(("accepted", desktops[0], as_of + timedelta(days=15)))
    if len(desktops) > 1:
        plans.append(("refused", desktops[1], as_of + timedelta(days=15)))
    for outcome, proposal, effective in plans:  # all started from the same as-of pool, before any moves
        tid = start(proposal, effective)
        giving, receiving = _agency_user(proposal["from_agency"]), _agency_user(proposal["to_agency"])
        if outcome == "refused":
            tr.refuse(db, giving, tid, REFUSAL)
        else:
            tr.accept(db, giving, tid)
            tr.accept(db, receiving, tid)
            if outcome == "approved":
                tr.approve(db, FINANCE, tid)
        made.append(tid)
    return made
