"""The dashboard's filters in the page address (?f_agency=A001&f_category=laptop&window=180&as_of=2025-06-30).

A reloaded page, a second tab or a shared link shows what the first one showed. Reading the
address never fails: a value the filters do not offer (another agency's supplier, a misspelt
category, a date outside the data) is left out, as if it had not been asked for, so the address
cannot widen what a reader may see nor take a page down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tracker.views.filters import FilterOptions

KEYS = {"agencies": "f_agency", "categories": "f_category", "suppliers": "f_supplier", "fiscal_years": "f_year"}
WINDOW = "window"
AS_OF = "as_of"
ADDRESS_KEYS = (*KEYS.values(), WINDOW, AS_OF)


@dataclass(frozen=True)
class AddressedFilters:
    """The filter values the address asks for that the filters offer (None: the address does not say)."""

    agencies: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    suppliers: tuple[str, ...] | None = None
    fiscal_years: tuple[int, ...] | None = None
    window_days: int | None = None
    as_of: date | None = None


def _year(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and len(text.strip()) <= 4 else None


def read_address(
    get_all: Callable[[str], list[str]], options: FilterOptions, window_choices: tuple[int, ...], lowest_as_of: date | None = None
) -> AddressedFilters:
    """The filters an address asks for, kept to what `options` offer; `get_all(key)` gives a key's values."""
    offered = {
        "agencies": (list(options.agencies), str),
        "categories": (options.categories, str),
        "suppliers": (options.suppliers, str),
        "fiscal_years": (options.fiscal_years, _year),
    }
    chosen: dict[str, object] = {}
    for name, (choices, parse) in offered.items():
        asked = get_all(KEYS[name])
        if asked:
            parsed = [parse(v) for v in asked]
            chosen[name] = tuple(dict.fromkeys(v for v in parsed if v is not None and v in choices))
    window = next(iter(get_all(WINDOW)), None)
    if window is not None and window.strip().isdigit() and int(window) in window_choices:
        chosen["window_days"] = int(window)
    as_of_text = next(iter(get_all(AS_OF)), None)
    if as_of_text and options.usage_last is not None:
        try:
            as_of = date.fromisoformat(as_of_text.strip())
        except ValueError:
            as_of = None
        if as_of is not None and (lowest_as_of or options.usage_first or as_of) <= as_of <= options.usage_last:
            chosen["as_of"] = as_of
    return AddressedFilters(**chosen)


def address_of(
    *,
    agencies: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    suppliers: tuple[str, ...] = (),
    fiscal_years: tuple[int, ...] = (),
    window_days: int,
    default_window_days: int,
    as_of: date | None,
    default_as_of: date | None,
) -> dict[str, list[str]]:
    """The address keys of the filters that are set (a key with an empty list is to be removed)."""
    address = {
        KEYS["agencies"]: list(agencies),
        KEYS["categories"]: list(categories),
        KEYS["suppliers"]: list(suppliers),
        KEYS["fiscal_years"]: [str(y) for y in fiscal_years],
        WINDOW: [] if window_days == default_window_days else [str(window_days)],
        AS_OF: [] if as_of is None or as_of == default_as_of else [as_of.isoformat()],
    }
    return address
