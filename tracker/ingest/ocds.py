"""OCDS input: the equipment lines of Open Contracting publications, and what was set aside (docs/ocds.md).

`ocds_input` reads the file into one compiled release per contracting process; this module turns
a compiled release into purchase lines: items from the contracts, else the awards, else the
tender's items when an award or contract exists for it (a tender not yet awarded is a planned
purchase, not a purchase line), with supplier and value from the award or contract. Each line is
classified (`classification`): equipment lines are kept, the others set aside with their reason.

The buyer's agency code is buyer.id, else buyer.identifier.id, else the buyer party's id or
identifier; a buyer named without any id gets a code made from its name (`derive_code`), which an
agency-code mapping kept in the database may replace (`agency_map`).

Every value comes back as a string or None; typing and validation are the caller's. Anything
unreadable raises FileRefused.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tracker.ingest.classification import REASONS, classify
from tracker.ingest.ocds_input import JSONL_SUFFIXES, ReadNotes, compiled_releases
from tracker.ingest.ocds_planned import iso_date, request_id, short_text, unit_budget, whole_quantity
from tracker.text.errors import FileRefused
from tracker.text.i18n import Message

__all__ = ["FIELDS", "JSONL_SUFFIXES", "OcdsReading", "derive_code", "feed_lines", "read_ocds"]

FIELDS: tuple[str, ...] = (
    "ocid",
    "po_number",
    "line_no",
    "agency_code",
    "agency_name",
    "supplier",
    "item_description",
    "category",
    "classification_code",
    "classification_scheme",
    "quantity",
    "unit_price",
    "total_amount",
    "order_total_amount",
    "currency",
    "order_date",
    "delivery_date",
    "funding_source",
)
ASIDE_FIELDS: tuple[str, ...] = ("reason", "classification_label", *FIELDS)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Buyer:
    """A buyer as the file names it, and the agency code its lines take."""

    name: str | None
    code: str
    source: str  # id | mapped | derived | scope
    lines: int = 0


@dataclass
class OcdsReading:
    """What a feed holds: equipment lines, the lines set aside and why, buyers, planned purchases."""

    lines: list[dict[str, str | None]] = field(default_factory=list)
    set_aside: list[dict[str, str | None]] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    kept_lines: int = 0
    kept_other: int = 0
    planned: list[dict[str, str | None]] = field(default_factory=list)  # read_ocds only: the planned purchases
    planned_items: int = 0  # equipment items of tenders not yet awarded: planned purchases
    planned_processes: int = 0
    buyers: dict[str, Buyer] = field(default_factory=dict)
    notes: ReadNotes = field(default_factory=ReadNotes)


def read_ocds(
    data: bytes, file_name: str, *, agency_map: dict[str, str] | None = None, scope_agency: str | None = None
) -> OcdsReading:
    """The whole reading of an OCDS file held in memory (lines, set-aside lines, buyers); refuses a file without lines."""
    reading = OcdsReading()
    for kept, line in feed_lines(io.BytesIO(bytes(data)), len(data), str(file_name or ""), reading, agency_map, scope_agency):
        (reading.planned if kept is None else reading.lines if kept else reading.set_aside).append(line)
    check_reading(reading, str(file_name or ""))
    return reading


def check_reading(reading: OcdsReading, file_name: str) -> None:
    """Refuse, with a message saying why, a file that gives no equipment line and no planned purchase."""
    if reading.kept_lines or reading.planned_items:
        return
    if reading.reasons:
        raise FileRefused(
            "file.ocds_no_equipment",
            file=file_name,
            set_aside=sum(reading.reasons.values()),
            counts=reason_counts(reading.reasons),
        )
    raise FileRefused("file.ocds_no_lines", file=file_name)


def reason_counts(reasons: Counter | dict[str, int]) -> list[Message]:
    """The set-aside counts as messages, largest first: "201 services", "96 works", ..."""
    ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], REASONS.index(kv[0]) if kv[0] in REASONS else 99))
    return [Message("ocds.reason_count", {"count": n, "reason": Message(f"ocds.reason.{r}")}) for r, n in ordered if n]


def feed_lines(
    stream,
    size: int,
    file_name: str,
    reading: OcdsReading,
    agency_map: dict[str, str] | None = None,
    scope_agency: str | None = None,
) -> Iterator[tuple[bool, dict[str, str | None]]]:
    """(kept, line) of every item line of the feed, in file order; counts go into `reading`.

    kept is True for an equipment line, False for a line set aside, None for a planned purchase (a
    row of `tracker.ingest.ocds_planned.PLANNED_FIELDS`).
    """
    for ocid, release in compiled_releases(stream, size, file_name, reading.notes):
        buyer = _buyer(release, agency_map or {}, scope_agency, reading)
        for kept, line in _process_lines(ocid, release, buyer, reading):
            if kept:
                buyer.lines += 1
                reading.kept_lines += 1
            yield kept, line


def derive_code(name: str) -> str:
    """A stable agency code made from a buyer's name: its letters and digits, upper case, accents dropped.

    "Municipalidad de Asunción" -> "MUNICIPALIDAD-DE-ASUNCION"; a name with no Latin letters or
    digits (a Chinese name) gives "BUYER-" and the first 10 hex digits of the SHA-256 of the name.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).strip().upper())
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch) and ch.isascii())
    slug = re.sub(r"[^A-Z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")
    if slug:
        return slug
    return "BUYER-" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:10].upper()


def name_key(name: str) -> str:
    """The form a buyer's name is matched in against the agency-code mapping (case, width, accents, spaces folded)."""
    from tracker.domain.categories import normalise_text

    return normalise_text(name)


def _buyer(release: dict, agency_map: dict[str, str], scope_agency: str | None, reading: OcdsReading) -> Buyer:
    """The process's buyer and its agency code: an id of the buyer, else the mapping, the upload's agency, or a derived code."""
    buyer = _dict(release.get("buyer"))
    parties = _dicts(release.get("parties"))
    buyer_id = _text(buyer.get("id"))
    party = next((p for p in parties if buyer_id and _text(p.get("id")) == buyer_id), None)
    party = party or next((p for p in parties if "buyer" in _list(p.get("roles"))), {})
    code = (
        buyer_id
        or _text(_dict(buyer.get("identifier")).get("id"))
        or _text(party.get("id"))
        or _text(_dict(party.get("identifier")).get("id"))
    )
    name = _text(buyer.get("name")) or _text(party.get("name"))
    if code:
        key, source = f"id:{code}", "id"
    elif name:
        key = f"name:{name_key(name)}"
        mapped = agency_map.get(name_key(name))
        code, source = (
            (mapped, "mapped") if mapped else (scope_agency, "scope") if scope_agency else (derive_code(name), "derived")
        )
    else:
        key, code, source = "none", scope_agency or "", "scope" if scope_agency else "none"
    found = reading.buyers.get(key)
    if found is None:
        found = reading.buyers[key] = Buyer(name, code, source)
    return found


def _process_lines(ocid: str | None, release: dict, buyer: Buyer, reading: OcdsReading) -> Iterator[tuple[bool, dict]]:
    """The lines of one compiled release, each with whether it is kept (equipment) or set aside."""
    awards = {(_text(a.get("id")) or f"#{n}"): a for n, a in enumerate(_dicts(release.get("awards")))}
    contracts = _dicts(release.get("contracts"))
    sources: list[tuple[dict, dict, bool, list[dict]]] = []  # (order block, its award, block is the award, items)
    with_items = [c for c in contracts if _dicts(c.get("items"))]
    if with_items:
        sources = [(c, _award_of(c, awards), False, _dicts(c.get("items"))) for c in with_items]
    elif any(_dicts(a.get("items")) for a in awards.values()):
        sources = [(a, a, True, _dicts(a.get("items"))) for a in awards.values() if _dicts(a.get("items"))]
    else:
        tender_items = _dicts(_dict(release.get("tender")).get("items"))
        if tender_items and (contracts or awards):
            sources = [_tender_order(contracts, awards, tender_items)]
        elif tender_items:
            reading.planned_processes += 1
            yield from _planned(ocid, release, buyer, tender_items, reading)
            return
    for block, award, is_award, items in sources:
        dates = (block.get("date"),) if is_award else (block.get("dateSigned"), award.get("date"))
        value = _dict(block.get("value")) or _dict(award.get("value"))
        context = {
            "ocid": ocid,
            "po_number": _text(block.get("id")) or _text(award.get("id")),
            "agency_code": buyer.code or None,
            "agency_name": buyer.name,
            "supplier": _supplier(block) or _supplier(award),
            "order_date": _date(*dates, release.get("date")),
            "order_total_amount": _number(value.get("amount")),
        }
        for line_no, item in enumerate(items, start=1):
            yield _line(context, line_no, item, value, len(items) == 1, reading)


def _planned(ocid: str | None, release: dict, buyer: Buyer, items: list[dict], reading: OcdsReading) -> Iterator[tuple]:
    """The items of a tender not yet awarded: equipment ones as planned purchases (None, row), the others set aside."""
    tender = _dict(release.get("tender"))
    value = _dict(tender.get("value"))
    context = {
        "ocid": ocid,
        "agency_code": buyer.code or None,
        "agency_name": buyer.name,
        "order_total_amount": _number(value.get("amount")),
    }
    needed_by = iso_date(
        _text(_dict(tender.get("contractPeriod")).get("startDate")), _text(_dict(tender.get("tenderPeriod")).get("endDate"))
    )
    justification = short_text(_text(tender.get("title")) or _text(tender.get("description")))
    for position, item in enumerate(items, start=1):
        kept, line = _line(context, position, item, value, len(items) == 1, reading)
        if not kept:
            yield False, line
            continue
        quantity = whole_quantity(_number(item.get("quantity")))
        if quantity is None or not ocid or not buyer.code:
            reading.reasons["planned_incomplete"] += 1
            yield False, {"reason": "planned_incomplete", "classification_label": None, **line}
            continue
        reading.planned_items += 1
        yield (
            None,
            {
                "request_id": request_id(ocid, _text(item.get("id")), position),
                "ocid": ocid,
                "item_id": _text(item.get("id")),
                "agency_code": buyer.code,
                "agency_name": buyer.name,
                "category": line["category"],
                "category_raw": short_text(line["item_description"]),
                "quantity": str(quantity),
                "unit_budget": unit_budget(line["unit_price"], line["total_amount"], quantity),
                "budget_currency": line["currency"],
                "needed_by": needed_by,
                "justification": justification,
            },
        )


def _award_of(contract: dict, awards: dict[str, dict]) -> dict:
    """The award a contract follows from: by awardID, else the process's only award."""
    award = awards.get(_text(contract.get("awardID")) or "")
    if award is None and len(awards) == 1:
        award = next(iter(awards.values()))
    return award or {}


def _tender_order(contracts: list[dict], awards: dict[str, dict], items: list[dict]) -> tuple[dict, dict, bool, list[dict]]:
    """The tender's items as the lines of the process's order: its contract, else its award (several: values added up)."""
    blocks = contracts or list(awards.values())
    first = blocks[0]
    is_award = not contracts
    award = first if is_award else _award_of(first, awards)
    if len(blocks) == 1:
        return first, award, is_award, items
    values = [_dict(b.get("value")) for b in blocks]
    currencies = {_text(v.get("currency")) for v in values}
    numbers = [_number(v.get("amount")) for v in values]
    merged = {**first, "value": {}}
    if len(currencies) == 1 and all(n is not None for n in numbers):
        try:
            merged["value"] = {"amount": sum(Decimal(n) for n in numbers), "currency": currencies.pop()}
        except InvalidOperation:
            pass
    return merged, award if not is_award else merged, is_award, items


def _line(context: dict, line_no: int, item: dict, value: dict, only_item: bool, reading: OcdsReading) -> tuple[bool, dict]:
    """One line from an item of a contract (or award); the value of the order is given."""
    classification = _classification(item)
    code, scheme = _text(classification.get("id")), _text(classification.get("scheme"))
    description = _text(item.get("description")) or _text(classification.get("description"))
    verdict = classify(code, scheme, description)
    unit_value = _dict(_dict(item.get("unit")).get("value"))
    unit_price = _number(unit_value.get("amount"))
    total = _number(value.get("amount")) if unit_price is None and only_item else None
    quantity = _number(item.get("quantity"))
    line = dict.fromkeys(FIELDS)
    line.update(context)
    line.update(
        line_no=str(line_no),
        item_description=description,
        category=verdict.category,
        classification_code=code,
        classification_scheme=scheme or verdict.scheme,
        quantity="1" if quantity is None and total is not None else quantity,
        unit_price=unit_price,
        total_amount=total,
        currency=(_text(unit_value.get("currency")) if unit_price is not None else None) or _text(value.get("currency")),
    )
    if not verdict.kept:
        reading.reasons[verdict.reason] += 1
        return False, {"reason": verdict.reason, "classification_label": verdict.label, **line}
    if verdict.basis == "other":
        reading.kept_other += 1
    return True, line


def _classification(item: dict) -> dict:
    """The item's classification, else the first additional classification that has a code."""
    main = _dict(item.get("classification"))
    if _text(main.get("id")):
        return main
    extra = next((c for c in _dicts(item.get("additionalClassifications")) if _text(c.get("id"))), None)
    return extra or main


def _supplier(block: dict) -> str | None:
    """The supplier of an award or contract: the first of `suppliers` (an array, or one object as some publish)."""
    suppliers = block.get("suppliers")
    first = suppliers[0] if isinstance(suppliers, list) and suppliers else suppliers
    first = _dict(first)
    return _text(first.get("name")) or _text(_dict(first.get("identifier")).get("legalName"))


def _date(*values: object) -> str | None:
    """The date part of the first ISO date among values, else the first non-empty text as written."""
    texts = [t for t in map(_text, values) if t]
    for text in texts:
        if _ISO_DATE.match(text):
            return text[:10]
    return texts[0] if texts else None


def _number(value: object) -> str | None:
    """A plain decimal string ("1311264", "2780.5") for a JSON number or numeric text; other text as is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return value.strip() or None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return None
    if abs(number.adjusted()) > 30:
        return str(number)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _text(value: object) -> str | None:
    """Stripped text of a string or number; None for empty values and anything else."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return _number(value)
    return None


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _dicts(value: object) -> list[dict]:
    return [entry for entry in _list(value) if isinstance(entry, dict)]
