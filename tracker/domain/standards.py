"""Equipment standards as versioned data: price caps and minimum service lives per jurisdiction.

A standard is one (jurisdiction, version, effective_from, category) row; the version in force on a
date is the one with the latest `effective_from` on or before it. The built-in defaults are the
central administrative units' standard of 2016 (财资〔2016〕27号, 中央行政单位通用办公设备家具配置
标准): desktop 5,000 yuan / 6 years, laptop 7,000 / 6, A4 mono printer 1,200 / 6, copier 35,000 /
6 years or 300,000 copies, multifunction device 3,000 / 6. Projector and scanner caps differ by
province: the defaults leave their cap and minimum life empty (None: unknown, never zero), to be
filled from the province's own version.
Other versions (a province's, a later central one) are rows of `equipment_standards`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CENTRAL = "CN-central"
CENTRAL_2016 = "财资〔2016〕27号"
CENTRAL_2016_FROM = date(2016, 1, 1)  # the defaults apply to purchases from 2016 on


@dataclass(frozen=True)
class Standard:
    jurisdiction: str
    version: str
    effective_from: date
    category: str
    price_cap: Decimal | None  # None: no cap in this version (projectors, scanners by default)
    min_service_years: int | None  # None: no minimum service life
    min_copies: int | None = None  # copiers: or this many copies, whichever comes first


def _central(category: str, cap: int | None, years: int | None, copies: int | None = None) -> Standard:
    return Standard(CENTRAL, CENTRAL_2016, CENTRAL_2016_FROM, category, None if cap is None else Decimal(cap), years, copies)


# the tracker's categories: a multifunction device is a copier (tracker.domain.categories names 多功能一体机
# a copier); the standard's 3,000-yuan multifunction cap is for the small A4 devices and is not applied here
DEFAULT_STANDARDS: tuple[Standard, ...] = (
    _central("desktop", 5000, 6),
    _central("laptop", 7000, 6),
    _central("printer", 1200, 6),
    _central("copier", 35000, 6, 300_000),
    _central("projector", None, None),
    _central("scanner", None, None),
)


def in_force(standards: Iterable[Standard], jurisdiction: str, category: str, on: date) -> Standard | None:
    """The standard of `category` in force on `on` in `jurisdiction` (latest effective_from on or before it)."""
    found = [s for s in standards if s.jurisdiction == jurisdiction and s.category == category and s.effective_from <= on]
    return max(found, key=lambda s: (s.effective_from, s.version)) if found else None


def versions(standards: Iterable[Standard], jurisdiction: str = CENTRAL) -> list[Standard]:
    """Every row of `jurisdiction`, oldest version first."""
    return sorted(
        (s for s in standards if s.jurisdiction == jurisdiction), key=lambda s: (s.effective_from, s.version, s.category)
    )
