"""Which purchase lines are equipment: item classification codes (CPV, UNSPSC, GB/T 14885) to categories.

The mapping is data, `classification_codes.csv` beside this module (sources in docs/ocds.md): each
row maps the longest matching code prefix of a scheme to an equipment category, to `equipment`
(equipment of some kind: the item's description says which, else `other`), or to the reason a line
is set aside (services, works, supplies, software, other goods). A code decides whether a line is
equipment; within a family of look-alikes (desktop, laptop, tablet; printer, copier, scanner) the
description may name the exact kind, since publishers file notebooks under "tablet computers" and
all-in-one PCs under "computer equipment". A line without a usable code is classified by its
description, else kept as `other`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from tracker.domain.categories import category_by_keyword

SCHEMES = ("CPV", "UNSPSC", "GBT14885")
REASONS = ("services", "works", "supplies", "software", "goods")
GENERIC = "equipment"
_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"desktop", "laptop", "tablet"}),
    frozenset({"printer", "copier", "scanner"}),
    frozenset({"monitor", "av_conference", "projector"}),
)


@dataclass(frozen=True)
class Verdict:
    """What one line is: an equipment category, or the reason it is set aside."""

    category: str | None  # the equipment category of a kept line
    reason: str | None  # services | works | supplies | software | goods, for a line set aside
    scheme: str | None  # the scheme the code was read in (CPV, UNSPSC, GBT14885), if any
    basis: str  # code | description | other
    label: str | None = None  # the table entry that decided

    @property
    def kept(self) -> bool:
        return self.reason is None


@cache
def _table() -> dict[str, list[tuple[str, str, str]]]:
    """scheme -> [(prefix, verdict, label)], longest prefix first."""
    text = resources.files(__package__).joinpath("classification_codes.csv").read_text(encoding="utf-8")
    table: dict[str, list[tuple[str, str, str]]] = {scheme: [] for scheme in SCHEMES}
    for row in csv.DictReader(io.StringIO(text)):
        table[row["scheme"]].append((row["prefix"], row["verdict"], row["label"]))
    for entries in table.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return table


def read_code(code: str | None, scheme: str | None) -> tuple[str | None, str | None]:
    """(scheme, lookup key) of a classification code: the scheme as named, else recognised by the code's shape.

    CPV codes are 8 digits and a check digit (30213100-6); UNSPSC codes 8 digits, sometimes with a
    publisher's suffix (43211508-001) or separators (43-22-26-10); China's asset classification a
    letter and digits (A02010104).
    """
    if not code:
        return None, None
    text = re.sub(r"\s+", "", code).upper()
    named = (scheme or "").upper()
    if "CPV" in named:
        chosen = "CPV"
    elif "UNSPSC" in named:
        chosen = "UNSPSC"
    elif "14885" in named or "GB/T" in named or "品目" in named or "资产" in named:
        chosen = "GBT14885"
    elif re.fullmatch(r"[ABC]\d{0,12}", text):
        chosen = "GBT14885"
    elif re.fullmatch(r"\d{8}-\d", text):
        chosen = "CPV"
    elif re.fullmatch(r"\d{8}(-\d+)?|\d{2}([-.]?\d{2}){1,3}", text):
        chosen = "UNSPSC"
    else:
        return None, None
    if chosen == "GBT14885":
        return (chosen, text) if re.fullmatch(r"[ABC]\d*", text) else (None, None)
    eight = re.match(r"(\d{8})-", text)
    digits = eight.group(1) if eight else re.sub(r"\D", "", text)
    return (chosen, digits) if digits else (None, None)


def _lookup(scheme: str, key: str) -> tuple[str, str] | None:
    for prefix, verdict, label in _table()[scheme]:
        if key.startswith(prefix):
            return verdict, label
    return None


@lru_cache(maxsize=65536)
def classify(code: str | None, scheme: str | None, description: str | None) -> Verdict:
    """The verdict on one line from its classification code, else its description."""
    named, key = read_code(code, scheme)
    found = _lookup(named, key) if named and key else None
    keyword = category_by_keyword(description)
    if found is None:
        if keyword:
            return Verdict(keyword, None, named, "description")
        return Verdict("other", None, named, "other")
    verdict, label = found
    if verdict in REASONS:
        return Verdict(None, verdict, named, "code", label)
    if verdict == GENERIC:
        if keyword:
            return Verdict(keyword, None, named, "description", label)
        return Verdict("other", None, named, "other", label)
    if keyword and keyword != verdict and any(verdict in family and keyword in family for family in _FAMILIES):
        return Verdict(keyword, None, named, "description", label)
    return Verdict(verdict, None, named, "code", label)
