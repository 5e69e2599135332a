"""Matching planned purchases to the idle pool: what the pool could cover before anything is bought.

For each request (earliest needed first, then by agency and id), the pool's devices of the same
category: the requesting agency's own first, then the other agencies', each group ranked by
remaining service life (longest first) and by how long the device has been idle (longest first).
A device is proposed to one request only, so a later request sees what is left ("3 of 5 laptops
can come from the pool"). Transfers made for a request come first (tracker.reallocation.moves): a
device moved by an approved one has met the request (`transferred`), a pool device in an open one
stays proposed to it, and neither is offered to another request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pyarrow as pa

from tracker.access.auth import User
from tracker.reallocation.moves import Commitments
from tracker.reallocation.pool import viewer_scope
from tracker.store.db import Database
from tracker.text.i18n import category_name, text

PROPOSAL_SCHEMA = pa.schema(
    [
        ("request_id", pa.string()),
        ("to_agency", pa.string()),
        ("asset_id", pa.string()),
        ("from_agency", pa.string()),
        ("category", pa.string()),
        ("model", pa.string()),
        ("age_years", pa.float64()),
        ("book_value", pa.float64()),
        ("idle_days", pa.int64()),
        ("reason", pa.string()),
    ]
)
COVER_SCHEMA = pa.schema(
    [
        ("request_id", pa.string()),
        ("agency_code", pa.string()),
        ("category", pa.string()),
        ("quantity", pa.int64()),
        ("covered", pa.int64()),  # units proposed from the pool or already moved by an approved transfer
        ("transferred", pa.int64()),  # of them, units moved by approved transfers made for the request
        ("needed_by", pa.date32()),
        ("unit_budget", pa.float64()),
        ("avoidable_amount", pa.float64()),  # covered units × unit budget; unknown without a budget
        ("book_value", pa.float64()),  # of the proposed devices
        ("purchase_cost", pa.float64()),
        ("justification", pa.string()),
        ("source", pa.string()),  # upload | page
    ]
)


def load_requests(db: Database, agency: str | None = None) -> list[dict[str, Any]]:
    """Stored planned purchases (one agency's when given), earliest needed first."""
    rows = db.fetchall(
        "SELECT request_id, agency_code, category, quantity, needed_by, unit_budget, justification,"
        "       CASE WHEN upload_id IS NULL THEN 'page' ELSE 'upload' END AS source"
        " FROM purchase_requests WHERE ? IS NULL OR agency_code = ?"
        " ORDER BY needed_by NULLS LAST, agency_code, request_id",
        [agency, agency],
        name="planned purchases",
    )
    names = ("request_id", "agency_code", "category", "quantity", "needed_by", "unit_budget", "justification", "source")
    return [dict(zip(names, row, strict=True)) for row in rows]


def match(
    requests: Iterable[Mapping[str, Any]], pool: pa.Table, lang: str = "en", commitments: Commitments | None = None
) -> tuple[pa.Table, pa.Table]:
    """(proposals, cover): the devices proposed to each request, and how much of each request they cover."""
    held = commitments or Commitments.none()
    free = pool.to_pylist()
    taken: set[str] = held.committed()
    proposals: list[dict] = []
    cover: list[dict] = []
    ordered = sorted(
        requests, key=lambda r: (r["needed_by"] is None, r["needed_by"] or date.max, r["agency_code"], r["request_id"])
    )
    for request in ordered:
        key = (request["agency_code"], request["request_id"])
        moved = held.moved.get(key, [])
        reserved = [d for d in free if held.open.get(d["asset_id"]) == key]
        reserved.sort(key=lambda d: _rank(d, request["agency_code"]))
        left = max(0, int(request["quantity"]) - len(moved))
        candidates = [d for d in free if d["category"] == request["category"] and d["asset_id"] not in taken]
        candidates.sort(key=lambda d: _rank(d, request["agency_code"]))
        chosen = (reserved + candidates)[:left]
        taken.update(d["asset_id"] for d in chosen)
        moved = moved[: int(request["quantity"])]
        for device in chosen:
            proposals.append(
                {
                    "request_id": request["request_id"],
                    "to_agency": request["agency_code"],
                    "asset_id": device["asset_id"],
                    "from_agency": device["agency_code"],
                    "category": device["category"],
                    "model": device["model"],
                    "age_years": device["age_years"],
                    "book_value": device["book_value"],
                    "idle_days": device["idle_days"],
                    "reason": _reason(device, request["agency_code"], lang),
                }
            )
        budget = None if request["unit_budget"] is None else float(request["unit_budget"])
        cover.append(
            {
                "request_id": request["request_id"],
                "agency_code": request["agency_code"],
                "category": request["category"],
                "quantity": int(request["quantity"]),
                "covered": len(chosen) + len(moved),
                "transferred": len(moved),
                "needed_by": request["needed_by"],
                "unit_budget": budget,
                "avoidable_amount": None if budget is None else round(budget * (len(chosen) + len(moved)), 2),
                "book_value": _sum(d["book_value"] for d in [*chosen, *moved]) if chosen or moved else 0.0,
                "purchase_cost": _sum(d["purchase_cost"] for d in [*chosen, *moved]) if chosen or moved else 0.0,
                "justification": request.get("justification"),
                "source": request.get("source"),
            }
        )
    return pa.Table.from_pylist(proposals, schema=PROPOSAL_SCHEMA), pa.Table.from_pylist(cover, schema=COVER_SCHEMA)


def proposals_for(viewer: User | str | None, proposals: pa.Table, cover: pa.Table, lang: str = "en") -> tuple[pa.Table, pa.Table]:
    """What `user` may see: an agency user sees its own agency's requests and their proposals, and of a device
    from another agency what a transfer needs (not its idle days or why it is idle)."""
    scope = viewer_scope(viewer)
    if scope is None:
        return proposals, cover
    mine = [p for p in proposals.to_pylist() if p["to_agency"] == scope]
    for row in mine:
        if row["from_agency"] != scope:
            row["idle_days"] = None
            row["reason"] = text("realloc.reason.other_agency_device", lang)
    own_cover = [c for c in cover.to_pylist() if c["agency_code"] == scope]
    return pa.Table.from_pylist(mine, schema=PROPOSAL_SCHEMA), pa.Table.from_pylist(own_cover, schema=COVER_SCHEMA)


def cover_text(row: Mapping[str, Any], lang: str = "en") -> str:
    """ "3 of 5 laptops can come from the pool", in the reader's language."""
    return text(
        "realloc.cover.sentence",
        lang,
        covered=row["covered"],
        quantity=row["quantity"],
        category=category_name(row["category"], lang),
    )


def _rank(device: Mapping[str, Any], agency: str) -> tuple:
    life = device["remaining_life_years"]
    idle = device["idle_days"]
    return (
        device["agency_code"] != agency,
        -(life if life is not None else -1.0),
        -(idle if idle is not None else -1),
        device["asset_id"],
    )


def _reason(device: Mapping[str, Any], agency: str, lang: str) -> str:
    why = text(f"realloc.pool_reason.{device['reason']}", lang)
    where = "realloc.reason.own_agency" if device["agency_code"] == agency else "realloc.reason.other_agency"
    return text(where, lang, why=why)


def _sum(values: Iterable[float | None]) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else round(sum(values), 2)
