"""OCDS input (DESIGN §2.1): Open Contracting release packages, record packages, compiled releases
and JSONL turned into procurement lines.

This module owns decoding (UTF-8 with or without BOM, else Latin-1), recognising the OCDS shapes,
folding repeated releases of one contracting process into one view (the latest release wins), the
OCDS → procurement column mapping, and the CPV/UNSPSC → category table. Every value comes back as a
string or None; typing and validation are the caller's. Anything unreadable raises FileRefused.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from tracker.domain.categories import category_by_keyword
from tracker.text.errors import FileRefused
from tracker.text.i18n import reason

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
    "currency",
    "order_date",
    "delivery_date",
    "funding_source",
)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")

# IT-equipment codes by scheme; a code matches the longest entry that is a prefix of it once the
# entry's trailing (hierarchy) zeros are dropped, so CPV 38000000 covers the whole 38 division.
_CODE_CATEGORIES: dict[str, dict[str, str]] = {
    "CPV": {
        "30213000": "desktop",
        "30213100": "laptop",
        "30213200": "tablet",
        "30213300": "desktop",
        "30231300": "monitor",
        "30232110": "printer",
        "30232100": "printer",
        "30121100": "copier",
        "30216110": "scanner",
        "38652100": "projector",
        "32320000": "av_conference",
        "32321200": "av_conference",
        "38651000": "camera",
        "48820000": "server",
        "32420000": "network",
        "30233000": "storage",
        "38000000": "instrument",
    },
    "UNSPSC": {
        "43211503": "laptop",
        "43211507": "desktop",
        "43211509": "tablet",
        "43211902": "monitor",
        "43212105": "printer",
        "43212100": "printer",
        "44101501": "copier",
        "43211711": "scanner",
        "45111609": "projector",
        "43222600": "network",
        "43201800": "storage",
        "43211501": "server",
    },
}
_PREFIXES: dict[str, list[tuple[str, str]]] = {
    scheme: sorted(((code.rstrip("0"), cat) for code, cat in table.items()), key=lambda p: -len(p[0]))
    for scheme, table in _CODE_CATEGORIES.items()
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_ocds(data: bytes, file_name: str) -> list[dict[str, str | None]]:
    """Procurement lines from an OCDS release package, record package, compiled release or JSONL."""
    file_name = str(file_name or "")
    releases: list[tuple[str | None, dict]] = []
    for document in _documents(_decode(bytes(data), file_name), file_name):
        found = _releases_of(document)
        if found is None:
            raise FileRefused("file.not_ocds", file=file_name)
        releases.extend(found)
    processes: dict[str | None, list[tuple[float, int, dict]]] = {}
    for position, (ocid, release) in enumerate(releases):
        processes.setdefault(ocid, []).append((_instant(release.get("date")), position, release))
    lines = [line for ocid, group in processes.items() for line in _process_lines(ocid, sorted(group, key=_rank))]
    if not lines:
        raise FileRefused("file.ocds_no_lines", file=file_name)
    return lines


def _decode(data: bytes, file_name: str) -> str:
    """The file's text: UTF-8 (BOM dropped) when it decodes strictly, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise FileRefused("file.empty", file=file_name)
    return text


def _documents(text: str, file_name: str) -> list[object]:
    """The JSON values of the file: one for .json, one per non-blank line for JSONL."""
    if file_name.lower().endswith(JSONL_SUFFIXES):
        return _json_lines(text, file_name)
    try:
        return [_loads(text)]
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # newline-delimited JSON under a .json name
            return _json_lines(text, file_name)
        raise FileRefused(
            "file.bad_json", file=file_name, reason=reason("json_at", detail=error.msg, line=error.lineno, column=error.colno)
        ) from None
    except (ValueError, RecursionError) as error:
        raise FileRefused("file.bad_json", file=file_name, reason=str(error) or type(error).__name__) from None


def _json_lines(text: str, file_name: str) -> list[object]:
    """Parse newline-delimited JSON, naming the line of the first broken value."""
    documents = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_loads(line))
        except json.JSONDecodeError as error:
            raise FileRefused(
                "file.bad_json",
                file=file_name,
                reason=reason("json_line_column", line=number, column=error.colno, detail=error.msg),
            ) from None
        except (ValueError, RecursionError) as error:
            raise FileRefused(
                "file.bad_json",
                file=file_name,
                reason=reason("json_line", line=number, detail=str(error) or type(error).__name__),
            ) from None
    return documents


def _loads(text: str) -> object:
    """json.loads keeping decimals exact."""
    return json.loads(text, parse_float=Decimal)


def _releases_of(document: object) -> list[tuple[str | None, dict]] | None:
    """(ocid, release) pairs of a package, record package or release; None when it is no OCDS shape."""
    if not isinstance(document, dict):
        return None
    if "releases" in document or "records" in document:
        entries = document.get("releases", document.get("records"))
        if not isinstance(entries, list):
            return None
        if "releases" in document:
            return [(_text(r.get("ocid")), r) for r in entries if isinstance(r, dict)]
        found = []
        for record in (r for r in entries if isinstance(r, dict)):
            compiled = record.get("compiledRelease")
            chosen = [compiled] if isinstance(compiled, dict) else _dicts(record.get("releases"))
            found += [(_text(r.get("ocid")) or _text(record.get("ocid")), r) for r in chosen]
        return found
    if "ocid" in document:
        return [(_text(document.get("ocid")), document)]
    return None


def _rank(entry: tuple[float, int, dict]) -> tuple[float, int]:
    """Sort key of a release: its date, then its position in the file (later wins ties)."""
    return entry[0], entry[1]


def _instant(value: object) -> float:
    """A release date as a POSIX timestamp for ordering; undated releases sort first."""
    if not isinstance(value, str):
        return float("-inf")
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return float("-inf")


def _process_lines(ocid: str | None, releases: list[tuple[float, int, dict]]) -> list[dict[str, str | None]]:
    """The lines of one contracting process, its releases folded oldest to newest."""
    buyer: dict = {}
    parties: list[dict] = []
    awards: dict[str, dict] = {}
    contracts: dict[str, dict] = {}
    for _, _, release in releases:
        buyer = _dict(release.get("buyer")) or buyer
        parties = _dicts(release.get("parties")) or parties
        for name, merged in (("awards", awards), ("contracts", contracts)):
            for index, block in enumerate(_dicts(release.get(name))):
                key = _text(block.get("id")) or f"#{index}"
                merged[key] = {**merged.get(key, {}), **block, "_release_date": release.get("date")}
    agency_code, agency_name = _agency(buyer, parties)
    sources = [(c, True) for c in contracts.values() if _dicts(c.get("items"))]
    if not sources:
        sources = [(a, False) for a in awards.values() if _dicts(a.get("items"))]
    lines = []
    for block, is_contract in sources:
        matched = awards.get(_text(block.get("awardID")) or "", {}) if is_contract else block
        award = matched or next(iter(awards.values()), {})
        dates = (block.get("dateSigned"), matched.get("date")) if is_contract else (block.get("date"),)
        context = {
            "ocid": ocid,
            "po_number": _text(block.get("id")),
            "agency_code": agency_code,
            "agency_name": agency_name,
            "supplier": _text(_dict(_first(award.get("suppliers"))).get("name")),
            "order_date": _date(*dates, block["_release_date"]),
        }
        items = [(n, item) for n, item in enumerate(block["items"], start=1) if isinstance(item, dict)]
        for line_no, item in items:
            lines.append(_line(context, line_no, item, _dict(block.get("value")), len(items) == 1))
    return lines


def _line(context: dict, line_no: int, item: dict, value: dict, only_item: bool) -> dict[str, str | None]:
    """One procurement line from an item of a contract (or award) whose value is given."""
    classification = _dict(item.get("classification"))
    code, scheme = _text(classification.get("id")), _text(classification.get("scheme"))
    unit_value = _dict(_dict(item.get("unit")).get("value"))
    unit_price = _number(unit_value.get("amount"))
    total = _number(value.get("amount")) if unit_price is None and only_item else None
    quantity = _number(item.get("quantity"))
    description = _text(item.get("description"))
    line = dict.fromkeys(FIELDS)
    line.update(context)
    line.update(
        line_no=str(line_no),
        item_description=description,
        category=_category(code, scheme, description),
        classification_code=code,
        classification_scheme=scheme,
        quantity="1" if quantity is None and total is not None else quantity,
        unit_price=unit_price,
        total_amount=total,
        currency=(_text(unit_value.get("currency")) if unit_price is not None else None) or _text(value.get("currency")),
    )
    return line


def _agency(buyer: dict, parties: list[dict]) -> tuple[str | None, str | None]:
    """Agency code and name: buyer.id, buyer.identifier.id, else the party with role buyer."""
    party = next((p for p in parties if "buyer" in _list(p.get("roles"))), {})
    code = (
        _text(buyer.get("id"))
        or _text(_dict(buyer.get("identifier")).get("id"))
        or _text(party.get("id"))
        or _text(_dict(party.get("identifier")).get("id"))
    )
    return code, _text(buyer.get("name")) or _text(party.get("name"))


def _category(code: str | None, scheme: str | None, description: str | None) -> str:
    """Category from a CPV/UNSPSC code, else from description keywords, else "other"."""
    prefixes = _PREFIXES.get((scheme or "").strip().upper())
    if prefixes and code:
        digits = re.sub(r"\D", "", code.split("-")[0] if scheme.strip().upper() == "CPV" else code)
        for prefix, category in prefixes:
            if prefix and digits.startswith(prefix):
                return category
    return category_by_keyword(description) or "other"


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
    """value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    """value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def _dicts(value: object) -> list[dict]:
    """The JSON objects inside value when it is an array."""
    return [entry for entry in _list(value) if isinstance(entry, dict)]


def _first(value: object) -> object:
    """The first element of a JSON array, else None."""
    return value[0] if isinstance(value, list) and value else None
