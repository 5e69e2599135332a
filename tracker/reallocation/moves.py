"""Transfers as the reallocation reads them: the devices they commit to a request, and what approved ones realised.

A device in an open transfer (proposed or accepted) made for a request stays proposed to that request
and is offered to no other; a device in an approved transfer made for a request has met it (its unit
is realised, not proposed). The realised savings count the devices moved by transfers approved with
an effective date inside the window: their book value on the effective date and original cost (as
kept with the transfer), and, for a request, the units moved × the request's unit budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.store.db import Database

MOVE_COLUMNS = (
    "transfer_id",
    "state",
    "from_agency",
    "to_agency",
    "request_id",
    "effective_date",
    "asset_id",
    "category",
    "model",
    "purchase_cost",
    "book_value",
)


@dataclass(frozen=True)
class Commitments:
    """Devices transfers hold for requests: open (still proposed there) and approved (moved)."""

    open: dict[str, tuple[str, str]]  # asset_id -> (to_agency, request_id)
    moved: dict[tuple[str, str], list[dict[str, Any]]]  # (to_agency, request_id) -> approved devices

    @classmethod
    def none(cls) -> Commitments:
        return cls({}, {})

    def committed(self) -> set[str]:
        """Devices no other request may be offered."""
        return set(self.open) | {d["asset_id"] for devices in self.moved.values() for d in devices}


def device_moves(db: Database) -> list[dict[str, Any]]:
    """Every device of every transfer that is not refused, with its transfer's state, agencies, request and date."""
    rows = db.fetchall(
        "SELECT t.transfer_id, t.state, t.from_agency, t.to_agency, t.request_id, t.effective_date,"
        "       a.asset_id, a.category, a.model, a.purchase_cost, a.book_value"
        " FROM transfers t JOIN transfer_assets a USING (transfer_id)"
        " WHERE t.state <> 'refused' ORDER BY t.transfer_id, a.asset_id",
        name="devices of transfers",
    )
    moves = []
    for row in rows:
        move = dict(zip(MOVE_COLUMNS, row, strict=True))
        for money in ("purchase_cost", "book_value"):
            move[money] = None if move[money] is None else float(move[money])
        moves.append(move)
    return moves


def commitments(moves: Iterable[dict[str, Any]]) -> Commitments:
    """What the matching must respect: the devices transfers made for requests hold (a transfer without a request
    commits nothing to the matching, but its devices are not offered while it is open)."""
    open_: dict[str, tuple[str, str]] = {}
    moved: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for move in moves:
        key = (move["to_agency"], move["request_id"] or "")
        if move["state"] == "approved":
            if move["request_id"]:
                moved.setdefault(key, []).append(move)
        else:
            open_[move["asset_id"]] = key
    return Commitments(open_, moved)


def approved_in(moves: Iterable[dict[str, Any]], start: date | None, as_of: date | None) -> list[dict[str, Any]]:
    """Devices moved by approved transfers effective inside [start, as_of] (every approved one when both are None)."""
    return [
        m
        for m in moves
        if m["state"] == "approved"
        and (start is None or m["effective_date"] >= start)
        and (as_of is None or m["effective_date"] <= as_of)
    ]
