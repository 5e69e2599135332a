"""GLPI agent inventories (JSON) as evidence: the days a computer was seen on, and printers' page counters.

A GLPI agent sends one JSON document per device: `{"deviceid": ..., "content": {...}}`. For a
computer, `content.hardware.name` and `content.bios.ssn` name it, and three dates prove it was on:
`operatingsystem.boot_time` (it started that day), `accesslog.logdate` (the inventory itself was
taken that day) and `hardware.datelastloggeduser` (someone signed in that day). The last one is
written without a year ("Fri Jun 12 14:15"): the year is the one, among the years of the
document's other dates and the year before each, in which that day falls on that weekday; when
none or several fit, the date is left out and reported, never guessed.

These are seen-on days: they prove the device was on, not for how long or that it was used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from tracker.text.errors import FileRefused
from tracker.text.i18n import Message

SOURCE = "glpi-agent"
SEEN = "seen"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Sighting:
    """A day a device was seen on, and what says so."""

    hostname: str | None
    serial_number: str | None
    seen_date: date
    reason: str  # boot | inventory | last_sign_in


@dataclass(frozen=True)
class CounterReading:
    """One reading of a device's counter (a printer's page count)."""

    hostname: str | None
    serial_number: str | None
    read_at: datetime | None
    meter: str
    value: int


@dataclass
class GlpiInventory:
    sightings: list[Sighting] = field(default_factory=list)
    counters: list[CounterReading] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)  # dates left out, with why
    item_type: str = "Computer"


def looks_like_glpi(document: object) -> bool:
    return isinstance(document, dict) and "deviceid" in document and isinstance(document.get("content"), dict)


def read_glpi(path: Path, *, file_name: str | None = None) -> GlpiInventory:
    """Seen-on days (computers) or counter readings (printers) from one GLPI inventory file."""
    file_name = file_name or path.name
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileRefused("glpi.not_inventory", file=file_name) from exc
    if not looks_like_glpi(document):
        raise FileRefused("glpi.not_inventory", file=file_name)
    content = document["content"]
    inventory = GlpiInventory(item_type=str(document.get("itemtype") or "Computer"))
    if _section(content, "network_device") or inventory.item_type.lower() in ("printer", "networkequipment"):
        _printer(content, inventory, _deviceid_time(document.get("deviceid")))
    else:
        _computer(content, inventory)
    return inventory


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _section(content: dict, key: str) -> dict:
    """A section of the inventory as an object: the first object of a list written for it (some agents write one
    object as a list of one), an empty one for anything else."""
    value = content.get(key)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _computer(content: dict, inventory: GlpiInventory) -> None:
    hardware = _section(content, "hardware")
    bios = _section(content, "bios")
    system = _section(content, "operatingsystem")
    name = _text(hardware.get("name")) or _text(system.get("fqdn"))
    serial = _text(bios.get("ssn")) or _text(bios.get("msn"))
    dated: list[tuple[date, str]] = []
    for where, value, reason in (
        ("operatingsystem.boot_time", system.get("boot_time"), "boot"),
        ("accesslog.logdate", _section(content, "accesslog").get("logdate"), "inventory"),
    ):
        when = _timestamp(value)
        if when:
            dated.append((when.date(), reason))
        elif _text(value):
            inventory.notes.append(Message("glpi.date_unreadable", {"field": where, "value": _text(value)}))
    last_user = _text(hardware.get("datelastloggeduser"))
    if last_user:
        resolved = resolve_yearless(last_user, [d for d, _ in dated])
        if isinstance(resolved, date):
            dated.append((resolved, "last_sign_in"))
        else:
            inventory.notes.append(resolved)
    for day, reason in sorted(set(dated)):
        inventory.sightings.append(Sighting(name, serial, day, reason))


# GLPI `pagecounters` keys (inventory_format schema) -> meters; `rectoverso` (duplex) is part of the total, not use of its own
_PAGE_COUNTERS = {
    "total": "pages_total",
    "color": "pages_colour",
    "black": "pages_mono",
    "copytotal": "copies",
    "scanned": "scans",
}
_DEVICEID_TIME = re.compile(r"-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")


def _deviceid_time(deviceid) -> datetime | None:
    """The time an agent wrote the inventory, from its deviceid (`NAME-YYYY-MM-DD-hh-mm-ss`)."""
    found = _DEVICEID_TIME.search(str(deviceid or ""))
    if not found:
        return None
    try:
        return datetime(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _printer(content: dict, inventory: GlpiInventory, deviceid_time: datetime | None) -> None:
    """The printer's page counters, read when the inventory was taken (its access log, else its deviceid's time)."""
    device = _section(content, "network_device")
    name = _text(device.get("name"))
    serial = _text(device.get("serial"))
    read_at = _timestamp(_section(content, "accesslog").get("logdate")) or deviceid_time
    counters = _section(content, "pagecounters")
    for key, meter in _PAGE_COUNTERS.items():
        value = counters.get(key)
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        inventory.counters.append(CounterReading(name, serial, read_at, meter, number))


def _timestamp(value) -> datetime | None:
    if isinstance(value, (int, float, bool)):  # a number is not a date the agent writes
        return None
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def resolve_yearless(text: str, reference_days: list[date]) -> date | Message:
    """The date a year-less "Fri Jun 12 14:15" stands for, or a note saying why it is left out."""
    parts = text.replace(",", " ").split()
    try:
        weekday = _WEEKDAYS.index(parts[0][:3].lower())
        month = _MONTHS.index(parts[1][:3].lower()) + 1
        day = int(parts[2])
    except (IndexError, ValueError):
        return Message("glpi.yearless_unreadable", {"value": text})
    years = sorted({y for d in reference_days for y in (d.year, d.year - 1)})
    if not years:
        return Message("glpi.yearless_no_reference", {"value": text})
    fits = []
    for year in years:
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate.weekday() == weekday:
            fits.append(candidate)
    if len(fits) != 1:
        return Message("glpi.yearless_ambiguous", {"value": text, "fits": len(fits), "years": ", ".join(map(str, years))})
    return fits[0]
