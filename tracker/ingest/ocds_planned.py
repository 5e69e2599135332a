"""A tender not yet awarded is a planned purchase (配置申请): its equipment items, as `purchase_requests` rows.

The reader (`tracker.ingest.ocds`) hands each equipment item of a tender without award or contract
here; it is staged beside the feed's lines (table `T_planned`) and stored with the upload, in its
transaction (`store_planned`). Each item is one request:

- request_id: the ocid and the item's id ("ocds-ngfbwp-19750186/20026986"; the item's position when
  it has no id), so a later release of the same process replaces its requests, never adds to them;
- agency: the buyer's agency code, found as for purchase lines (id, mapping, upload's agency, name);
- category: the item's classification, by the same table as purchase lines;
- quantity: the item's quantity (a whole number of at least one, else the item is set aside);
- needed_by: the tender's contract period start, else its tender period end (unknown stays empty);
- unit_budget: the item's unit value, else the tender's value ÷ quantity when the tender has one
  item; empty when unknown or in a currency other than the database's (the amount and its currency
  are kept in `extra`), never zero;
- justification: the tender's title, else its description.

A release of the same ocid that carries an award or contract makes its lines purchase lines, and
its planned purchases are removed (`store_planned`): it is bought, so it is no longer proposed
against the idle pool.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

from tracker.ingest.contracts import ID_MAX, TEXT_MAX
from tracker.store.db import Database
from tracker.store.settings import load_settings

PLANNED_FIELDS: tuple[str, ...] = (
    "request_id",
    "ocid",
    "item_id",
    "agency_code",
    "agency_name",
    "category",
    "category_raw",
    "quantity",
    "unit_budget",
    "budget_currency",
    "needed_by",
    "justification",
)
SOURCE = "ocds"
MAX_QUANTITY = 1_000_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def planned_table(table: str) -> str:
    """The temp table beside the staged feed `table` that holds its planned purchases."""
    return f"{table}_planned"


def request_id(ocid: str, item_id: str | None, position: int) -> str:
    """The ocid and the item's id (or position); a too-long one keeps its start and a digest of the whole."""
    rid = f"{ocid}/{item_id or position}"
    if len(rid) <= ID_MAX:
        return rid
    return rid[: ID_MAX - 11] + "~" + hashlib.sha256(rid.encode("utf-8")).hexdigest()[:10]


def whole_quantity(text: str | None) -> int | None:
    """The item's quantity as a whole number from 1 to a million, else None (the item cannot be a request)."""
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= MAX_QUANTITY:
        return None
    return int(number)


def unit_budget(unit_price: str | None, total: str | None, quantity: int) -> str | None:
    """The unit value, else total ÷ quantity (to the cent); None when unknown or not a number of at least zero."""
    for text, divisor in ((unit_price, 1), (total, quantity)):
        if text is None:
            continue
        try:
            number = Decimal(text) / divisor
        except (InvalidOperation, ZeroDivisionError):
            return None
        if not number.is_finite() or number < 0 or number >= Decimal(10) ** 15:
            return None
        return str(number.quantize(Decimal("0.01")))
    return None


def iso_date(*values: str | None) -> str | None:
    """The first value that starts with an ISO date, as YYYY-MM-DD; None (unknown) otherwise."""
    for value in values:
        if value and _ISO_DATE.match(value):
            return value[:10]
    return None


def short_text(value: str | None) -> str | None:
    return None if not value else value[:TEXT_MAX]


def store_planned(db: Database, staged_table: str, upload_id: int, *, agency: str | None) -> tuple[int, int, int]:
    """Store the feed's planned purchases and remove those of processes the feed shows awarded; inside the upload's transaction.

    Returns (stored, new, removed): requests stored (a request of the same agency and id replaced),
    of which new, and planned purchases removed because a release of their process is awarded.
    An upload limited to one agency stores that agency's requests only.
    """
    currency = load_settings(db).currency
    planned = planned_table(staged_table)
    awarded = [
        r[0]
        for r in db.fetchall(
            f"SELECT DISTINCT c0 FROM {staged_table} WHERE c0 IS NOT NULL UNION "
            f"SELECT DISTINCT ocid FROM {staged_table}_aside WHERE ocid IS NOT NULL AND po_number IS NOT NULL",
            name="awarded processes",
        )
    ]
    removed = 0
    if awarded:
        removed = db.scalar(
            "SELECT count(*) FROM purchase_requests WHERE json_extract_string(extra, '$.source') = ? "
            "AND list_contains(?, json_extract_string(extra, '$.ocid'))",
            [SOURCE, awarded],
            name="awarded planned purchases",
        )
        db.execute(
            "DELETE FROM purchase_requests WHERE json_extract_string(extra, '$.source') = ? "
            "AND list_contains(?, json_extract_string(extra, '$.ocid'))",
            [SOURCE, awarded],
            name="remove awarded planned purchases",
        )
    rows = db.fetchall(f"SELECT {', '.join(PLANNED_FIELDS)}, _row FROM {planned} ORDER BY _row", name="planned purchases")
    records = [dict(zip((*PLANNED_FIELDS, "_row"), row)) for row in rows]
    if agency is not None:
        records = [r for r in records if r["agency_code"] == agency]
    stored = new = 0
    for r in records:
        budget, extra = r["unit_budget"], {"source": SOURCE, "ocid": r["ocid"], "item_id": r["item_id"]}
        if budget is not None and r["budget_currency"] and r["budget_currency"].upper() != currency.upper():
            extra.update(budget_amount=budget, budget_currency=r["budget_currency"])
            budget = None  # not in the database's currency: unknown here, never converted at a guessed rate
        exists = db.scalar(
            "SELECT count(*) FROM purchase_requests WHERE agency_code = ? AND request_id = ?",
            [r["agency_code"], r["request_id"]],
            name="planned purchase exists",
        )
        db.execute(
            "DELETE FROM purchase_requests WHERE agency_code = ? AND request_id = ?",
            [r["agency_code"], r["request_id"]],
            name="replace planned purchase",
        )
        db.execute(
            "INSERT INTO purchase_requests (agency_code, request_id, category, category_raw, quantity, needed_by, unit_budget,"
            " justification, extra, upload_id, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                r["agency_code"],
                r["request_id"],
                r["category"],
                r["category_raw"],
                int(r["quantity"]),
                r["needed_by"],
                budget,
                r["justification"],
                json.dumps(extra, ensure_ascii=False),
                upload_id,
                r["_row"],
            ],
            name="store planned purchase",
        )
        stored += 1
        new += not exists
    return stored, new, removed
