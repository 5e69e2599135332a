"""Transfers started from reallocation proposals (docs/reallocation.md, docs/transfers.md).

A proposal (a pool device proposed to a planned purchase) becomes a transfer of that device from
the agency holding it to the requesting agency, made for the request. Who may start one is checked
by tracker.access.transfers (a finance officer or an administrator for any request, an agency user
for its own agency's request: it is the receiver); the device must be proposed to that request in
what the user may see on the as-of date. Then the transfer follows the workflow of
tracker.casework.transfers (both agencies accept, a finance officer approves).

`request_transfers` lists, for the requests a page shows, the transfers made for them with what
each waits for: the giving agency, the receiving agency (or both), the approval; or approved with
its effective date; or refused with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tracker.access.auth import User
from tracker.access.transfers import check_from_proposal
from tracker.casework import transfers as tr
from tracker.engine.snapshots import Snapshot
from tracker.reallocation.savings import reallocation
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ScopeError
from tracker.text.i18n import text


def proposal_ref(to_agency: str, request_id: str, asset_id: str) -> str:
    """How a transfer names the proposal it came from."""
    return f"{to_agency}/{request_id}/{asset_id}"


def may_start_from_proposal(user: User, to_agency: str) -> bool:
    """Whether the user may start a transfer from a proposal to `to_agency`'s request (what a page offers)."""
    try:
        check_from_proposal(user, {"to_agency": to_agency})
    except ScopeError:
        return False
    return True


def start_from_proposal(
    db: Database,
    user: User,
    snap: Snapshot | None,
    *,
    request_id: str,
    to_agency: str,
    asset_id: str,
    effective_date: date,
    note: str | None = None,
) -> int:
    """Propose the transfer of a device proposed to a request; returns the transfer's id.

    ScopeError (audited) when the user may not start it; TransferRefused when the device is not
    proposed to the request on the snapshot's as-of date, or when the transfer itself is refused.
    """
    wanted = {"request_id": request_id, "to_agency": to_agency, "asset_id": asset_id}
    try:
        check_from_proposal(user, wanted)
    except ScopeError as exc:
        audit.record(
            db,
            user.username,
            "transfer",
            None,
            {"step": "create", "outcome": "denied", "reason": exc.key, "role": user.role, "agency": user.agency_code, **wanted},
        )
        raise
    seen = reallocation(db, snap, user).proposals.to_pylist()
    proposal = next(
        (p for p in seen if p["request_id"] == request_id and p["to_agency"] == to_agency and p["asset_id"] == asset_id),
        None,
    )
    if proposal is None:
        raise tr.TransferRefused("transfer.not_proposed", asset_id=asset_id, request_id=request_id)
    return tr.create_transfer(
        db,
        user,
        [asset_id],
        proposal["from_agency"],
        to_agency,
        effective_date,
        request_id=request_id,
        proposal_ref=proposal_ref(to_agency, request_id, asset_id),
        note=note,
    )


def request_transfers(db: Database, user: User, requests: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The transfers this user may see made for the (agency_code, request_id) pairs, newest first.

    Each row: transfer_id, request_id, from_agency, to_agency, asset_ids, effective_date, state,
    waiting_for ("giving", "receiving", "both", "approval" or None) and reason (a refusal's).
    """
    wanted = set(requests)
    rows = [r for r in tr.list_transfers(db, user) if (r["to_agency"], r["request_id"]) in wanted]
    out = []
    for row in rows:
        transfer = tr.get_transfer(db, user, row["transfer_id"])
        accepted = transfer.accepted_by()
        waiting = None
        if transfer.state == "proposed":
            missing = [side for side in ("giving", "receiving") if side not in accepted]
            waiting = "both" if len(missing) == 2 else missing[0]
        elif transfer.state == "accepted":
            waiting = "approval"
        refusal = next((s["reason"] for s in reversed(transfer.steps) if s["step"] == "refused"), None)
        out.append(
            {
                "transfer_id": row["transfer_id"],
                "request_id": row["request_id"],
                "from_agency": row["from_agency"],
                "to_agency": row["to_agency"],
                "asset_ids": [a["asset_id"] for a in transfer.assets],
                "effective_date": row["effective_date"],
                "state": row["state"],
                "waiting_for": waiting,
                "reason": refusal,
            }
        )
    return out


def status_text(row: dict[str, Any], lang: str = "en") -> str:
    """What a transfer made for a request waits for, or how it ended, in the reader's language."""
    if row["state"] == "approved":
        return text("realloc.transfer.approved", lang, date=row["effective_date"].isoformat())
    if row["state"] == "refused":
        return text("realloc.transfer.refused", lang, reason=row["reason"] or "—")
    return text(
        f"realloc.transfer.waiting_{row['waiting_for']}",
        lang,
        from_agency=row["from_agency"],
        to_agency=row["to_agency"],
    )
