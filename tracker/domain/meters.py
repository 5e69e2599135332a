"""Counters that measure printers, copiers and projectors (docs/meters.md): meter names and category meter profiles.

A meter reading is a counter's value at a time: a printer's lifetime page count, a copier's copy
count, a projector's lamp hours. Each metered category names the meters it knows, the meter that
measures its use and the capacity that use is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.categories import normalise_text

# Canonical meter names and the names files give them (English and Chinese), compared after normalise_text.
METER_NAMES: dict[str, tuple[str, ...]] = {
    "pages_total": (
        "pages",
        "total pages",
        "page count",
        "pagecount",
        "total",
        "prtmarkerlifecount",
        "总页数",
        "总打印页数",
        "打印总数",
    ),
    "pages_colour": ("pages_color", "colour pages", "color pages", "color", "colour", "彩色页数", "彩色打印页数"),
    "pages_mono": ("black pages", "mono pages", "black", "黑白页数", "黑白打印页数"),
    "pages_duplex": ("duplex", "duplex pages", "rectoverso", "双面页数"),
    "copies": ("copy count", "copies total", "copytotal", "copy total", "复印张数", "复印数", "复印总数"),
    "scans": ("scan count", "scanned", "扫描张数", "扫描数"),
    "lamp_hours": ("lamp", "lamp hours", "lamp hour", "lamp time", "灯泡使用小时", "灯泡小时", "灯泡使用时间", "光源使用小时"),
}

# Meters each metered category knows; a reading of any other meter for it is refused, naming these.
CATEGORY_METERS: dict[str, tuple[str, ...]] = {
    "printer": ("pages_total", "pages_colour", "pages_mono", "pages_duplex", "copies", "scans"),
    "copier": ("copies", "pages_total", "pages_colour", "pages_mono", "pages_duplex", "scans"),
    "projector": ("lamp_hours",),
}

WORKDAYS_PER_MONTH = 250 / 12  # about 250 working days a year in China (docs/meters.md)
PERIODS = ("month", "day")


@dataclass(frozen=True)
class MeterProfile:
    """Which meter measures a category's use and how much use the category is built for.

    `capacity` is counted per `period` ("month": per calendar month of working days; "day": per
    available day). `life_count`: the counter value of the category's minimum service life, if any.
    """

    category: str
    meter: str
    capacity: float
    period: str
    unit_en: str
    unit_zh: str
    life_count: int | None = None

    @property
    def per_available_day(self) -> float:
        return self.capacity / WORKDAYS_PER_MONTH if self.period == "month" else self.capacity


DEFAULT_METER_PROFILES: dict[str, MeterProfile] = {
    # an A4 office laser printer: manufacturers' recommended monthly page volume (docs/meters.md)
    "printer": MeterProfile("printer", "pages_total", 2000, "month", "pages", "页"),
    # an office A3 copier; the 2016 central standard's minimum service life is 6 years or 300,000 copies
    "copier": MeterProfile("copier", "copies", 10000, "month", "copies", "张", life_count=300_000),
    # a meeting-room projector: lamp hours per working day, the category's standard hours
    "projector": MeterProfile("projector", "lamp_hours", 8, "day", "lamp hours", "灯泡小时"),
}


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in METER_NAMES.items():
        for alias in (name, name.replace("_", " "), *aliases):
            index[normalise_text(alias)] = name
    return index


_INDEX = _index()


def normalise_meter(raw: str | None) -> str | None:
    """The canonical name of a meter, or the text itself (folded) when it names no known meter; None when empty."""
    if raw is None:
        return None
    text = normalise_text(raw)
    if not text:
        return None
    return _INDEX.get(text, text.replace(" ", "_"))


def known_meters(category: str | None) -> tuple[str, ...]:
    return CATEGORY_METERS.get(category or "", ())
