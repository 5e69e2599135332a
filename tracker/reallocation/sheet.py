"""The evidence pack's Reallocation sheet: proposals, devices moved by approved transfers, and the savings.

One row per proposal (`line` proposed), one per device moved by a transfer approved in the window
(`line` transferred, with its transfer, effective date, book value on that date and original cost),
then the totals: `total_proposed` and `total_realised` (purchases avoided, value reallocated at book
value and original cost, units, requests wholly met). An unknown amount is left empty, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.reallocation.savings import Reallocation, moved_passing, realised_of

SHEET_COLUMNS = (
    "line",
    "request_id",
    "to_agency",
    "asset_id",
    "from_agency",
    "category",
    "model",
    "age_years",
    "book_value",
    "purchase_cost",
    "idle_days",
    "reason",
    "quantity",
    "covered",
    "unit_budget",
    "transfer_id",
    "effective_date",
    "purchases_avoided",
    "units",
    "requests_met",
)


def sheet_rows(result: Reallocation, agencies: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The sheet's rows for the pack's agencies (a request's agency, or a device's giving or receiving agency)."""
    wanted = set(agencies)
    cover = {(c["agency_code"], c["request_id"]): c for c in result.cover.to_pylist()}
    requests = [c for c in cover.values() if not wanted or c["agency_code"] in wanted]
    rows: list[dict[str, Any]] = []
    for p in result.proposals.to_pylist():
        if wanted and p["to_agency"] not in wanted and p["from_agency"] not in wanted:
            continue
        request = cover[(p["to_agency"], p["request_id"])]
        rows.append(
            _row(
                "proposed",
                **p,
                purchase_cost=None,
                quantity=request["quantity"],
                covered=request["covered"],
                unit_budget=request["unit_budget"],
            )
        )
    moved = moved_passing(result.moved, wanted, ())
    for m in moved:
        request = cover.get((m["to_agency"], m["request_id"] or ""), {})
        rows.append(
            _row(
                "transferred",
                **{k: m[k] for k in ("request_id", "to_agency", "asset_id", "from_agency", "category", "model")},
                book_value=m["book_value"],
                purchase_cost=m["purchase_cost"],
                quantity=request.get("quantity"),
                unit_budget=request.get("unit_budget"),
                transfer_id=m["transfer_id"],
                effective_date=m["effective_date"],
            )
        )
    proposed = [c for c in requests if c["covered"]]
    rows.append(
        _row(
            "total_proposed",
            book_value=round(sum(c["book_value"] or 0.0 for c in proposed), 2),
            purchase_cost=round(sum(c["purchase_cost"] or 0.0 for c in proposed), 2),
            purchases_avoided=_known(
                sum(c["avoidable_amount"] or 0.0 for c in proposed), any(c["avoidable_amount"] is None for c in proposed)
            ),
            units=sum(c["covered"] for c in requests),
            quantity=sum(c["quantity"] for c in requests),
            requests_met=sum(1 for c in requests if c["covered"] >= c["quantity"] > 0),
        )
    )
    done = realised_of(requests, moved)
    rows.append(
        _row(
            "total_realised",
            book_value=done.book_value if not done.book_value_unknown or done.book_value else None,
            purchase_cost=done.cost,
            purchases_avoided=_known(done.purchases_avoided, bool(done.purchases_avoided_unknown)),
            units=done.units_for_requests,
            requests_met=done.requests_met,
        )
    )
    return rows


def _row(line: str, **values: Any) -> dict[str, Any]:
    return {c: (line if c == "line" else values.get(c)) for c in SHEET_COLUMNS}


def _known(amount: float, some_unknown: bool) -> float | None:
    return None if some_unknown and not amount else round(amount, 2)
