"""A batch of the parser's XML records read for what the intervals need, with as little work per record as possible.

Most records of a log are events the intervals do not use. Each record gets one string search in
Python (the text from its provider's name to its event id); the rest is per batch: the distinct
provider-and-event texts are parsed once each, the machines are found by their text in the batch
joined into one string, their first and last times come from the times the records were written
(the parser gives them apart, checked against the events' own times), and only the records the
readers use (a few per cent of a System log, the interactive logons of a Security log) are decoded.

The records are the parser's XML without indentation (`PyEvtxParser(..., indent=False).records()`):
its System part reads `<Provider Name="…"…><EventID…>N</EventID>…<TimeCreated
SystemTime="…"/>…<Channel>…</Channel><Computer>…</Computer>`, with times to the microsecond.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from itertools import accumulate, compress, repeat

from tracker.ingest.sources.events import (
    BOOT_EVENTS,
    INTERACTIVE_LOGON_TYPES,
    LOCK,
    LOGOFFS,
    LOGON,
    SECURITY_AUDITING,
    SECURITY_EVENTLOG,
    SECURITY_START,
    SLEEP_EVENTS,
    STOP_EVENTS,
    UNEXPECTED_SHUTDOWN,
    UNLOCK,
    UPTIME_REPORT,
    WAKE_EVENTS,
    LogEvent,
    is_person_logon,
    parse_time,
)

# every event the readers use; the rest of a log is counted and skipped without decoding
USED_EVENTS = (
    BOOT_EVENTS
    | STOP_EVENTS
    | SLEEP_EVENTS
    | WAKE_EVENTS
    | {UNEXPECTED_SHUTDOWN, UPTIME_REPORT}
    | {(SECURITY_AUDITING, i) for i in (LOGON, *LOGOFFS, LOCK, UNLOCK, SECURITY_START, 4609)}
    | {(SECURITY_EVENTLOG, 1100)}
)
# the event data the Security log's intervals read, by event (the rest of a Security record is not decoded)
_SECURITY_FIELDS = {
    (SECURITY_AUDITING, LOGON): ("TargetUserName", "LogonType", "TargetLogonId"),
    **{(SECURITY_AUDITING, i): ("TargetLogonId",) for i in (*LOGOFFS, LOCK, UNLOCK)},
    **{(SECURITY_AUDITING, i): () for i in (SECURITY_START, 4609)},
    (SECURITY_EVENTLOG, 1100): (),
}
_TYPED_LOGONS = frozenset({LOGON, 4634})  # a logon, and the logoff that names the same logon type
# the text that follows <Data Name="LogonType"> in an interactive, remote-interactive or cached logon
_INTERACTIVE_TYPE_TEXTS = frozenset(f"{t}</"[:3] for t in INTERACTIVE_LOGON_TYPES)
_PREFIX = '<?xml version="1.0" encoding="utf-8"?>\n<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="'
_SYSTEM_START = 100  # the XML declaration and <Event xmlns=…><System> come first: searches start past them
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_DATA = re.compile(r'<Data(?: Name="([^"]*)")?(?:>([^<]*)</Data>|/>)')
_BINARY = re.compile(r"<Binary>([^<]*)</Binary>")
_MAX_MACHINES_PER_BATCH = 8  # more machines than this in one batch (forwarded events): read record by record
_PROBES = 64  # records looked at to find the machines of a batch
_MAX_CACHED = 50_000  # distinct texts remembered per log; a log with more starts again (memory stays bounded)


class Seen:
    """What the records of one log showed so far: distinct event-id and machine texts, parsed once each."""

    def __init__(self) -> None:
        self.security = False
        self.event_ids: dict[str, tuple[str, int] | None] = {}  # a provider's name to its event id -> (provider, id)
        self.machines: dict[str, tuple[str, str] | None] = {}  # "<Channel>…</Computer>" -> (computer, channel)

    def place(self, where: str) -> tuple[str, str] | None:
        place = self.machines.get(where, ())
        if place == ():
            if len(self.machines) > _MAX_CACHED:
                self.machines.clear()
            place = self.machines[where] = channel_and_computer(where)
        return place


@dataclass
class BatchHeads:
    """What the System parts of a batch of records say: per (computer, channel) [first time, last time, records];
    the records whose event the readers use, as (record, provider, event id)."""

    spans: dict[tuple[str, str], list] = field(default_factory=dict)
    used: list[tuple[str, str, int, tuple[str, str]]] = field(default_factory=list)


def read_heads(texts: list[str], stamps: list[str], seen: Seen) -> BatchHeads:
    """The machines, their first and last times and the used records of a batch of records and their times
    of writing (the parser's `timestamp`). Records without a machine are left out."""
    heads = BatchHeads()
    places = _machine_spans(texts, stamps, seen, heads.spans)
    heads.used = [
        (text, provider, event_id, place)
        for i, text, provider, event_id in _used(texts)
        if (place := places.get(i, places.default)) is not None
    ]
    return heads


class _Places(dict):
    """The machine of each record of a batch: its index -> (computer, channel); `default` for those not listed."""

    default: tuple[str, str] | None = None


def _keys(texts: list[str]) -> list[str]:
    """Each record's text from its provider's name to its event id: `Name" Guid="{…}"></Provider><EventID>4624`."""
    start = len(_PREFIX)
    find = str.find
    keys = [t[start : find(t, "</EventID>", start, start + 400)] for t in texts]
    regular = list(map(str.startswith, texts, repeat(_PREFIX)))
    if not all(regular):
        for i in (i for i, ok in enumerate(regular) if not ok):
            p = texts[i].find('<Provider Name="', 0, 400)
            keys[i] = texts[i][p + 16 : texts[i].find("</EventID>", p, p + 400)] if p >= 0 else ""
    return keys


def _used(texts: list[str]) -> list[tuple[int, str, str, int]]:
    """The records whose (provider, event id) the readers use, as (index, record, provider, event id).

    Each distinct key text is parsed once. Logons and logoffs of a type that is never a person's
    session (service, network, batch) are left out here, their logon type read in one pass.
    """
    keys = _keys(texts)
    events = {key: provider_and_event(key) for key in set(keys)}
    wanted = {key for key, event in events.items() if event in USED_EVENTS}
    if not wanted:
        return []
    mine = list(map(wanted.__contains__, keys))
    used = [(i, t, *events[k]) for i, t, k in zip(compress(range(len(texts)), mine), compress(texts, mine), compress(keys, mine))]
    typed = [u for u in used if u[3] in _TYPED_LOGONS and u[2] == SECURITY_AUDITING]
    if not typed:
        return used
    find = str.find
    types = [u[1][(i := find(u[1], '<Data Name="LogonType">', _SYSTEM_START)) + 23 : i + 26] for u in typed]
    dropped = {id(u) for u, kind in zip(typed, types) if kind not in _INTERACTIVE_TYPE_TEXTS}
    return [u for u in used if id(u) not in dropped]


def provider_and_event(key: str) -> tuple[str, int] | None:
    """(provider, event id) from the text from a provider's name to its event id."""
    quote, tag = key.find('"'), key.rfind("<EventID")
    if quote < 0 or tag < quote or not key[quote:].startswith('"'):
        return None
    digits = key[key.rfind(">") + 1 :]
    if not (digits.isdigit() and digits.isascii()) or key.rfind(">") < tag:
        return None
    return unescape(key[:quote]), int(digits)


# -- machines and their first and last times ----------------------------------------------------


def _machine_spans(texts: list[str], stamps: list[str], seen: Seen, spans: dict) -> _Places:
    """Per machine of the batch its records, first and last time, with a few C-level passes over the batch.

    A record names its machine in one `<Channel>…</Channel><Computer>…</Computer>` text. The batch
    is joined into one text; the machines are found by looking at a few records spread over it
    until the counts of their texts in the joined text add up to the batch (a log holds one machine,
    or a few in long runs); the records of every machine but the largest are then found by their
    positions. A batch whose machines are not all found so (forwarded events of many machines, a
    record without a machine) is read record by record.
    """
    places = _Places()
    groups = _groups(texts)
    if groups is None:
        for i, text in enumerate(texts):
            where = _where(text)
            place = seen.place(where) if where is not None else None
            if place is not None:
                places[i] = place
                _add_span(spans, place, _span([_system_time(text)]))
        return places
    rest = bytearray(b"\x01") * len(texts)  # 1 for the records of the largest machine
    for _, mine in groups:
        for i in mine or ():
            rest[i] = 0
    for where, mine in groups:
        place = seen.place(where)
        if mine is None:
            places.default = place
        else:
            places.update(dict.fromkeys(mine, place))
        if place is None:
            continue
        if mine is None:
            group_texts, group_stamps = list(compress(texts, rest)), list(compress(stamps, rest))
        else:
            group_texts, group_stamps = [texts[i] for i in mine], [stamps[i] for i in mine]
        _add_span(spans, place, _stamped_span(group_texts, group_stamps))
    return places


def _groups(texts: list[str]) -> list[tuple[str, list[int] | None]] | None:
    """The machines of a batch: (their text, the indexes of their records; None for the largest: all the others)."""
    n = len(texts)
    if n == 0:
        return []
    joined = "".join(texts)
    counts: dict[str, int] = {}
    remaining = n
    for i in sorted({0, n - 1, *(n * k // _PROBES for k in range(1, _PROBES))}):
        where = _where(texts[i])
        if where is None or not where.startswith("<Channel"):
            return None
        if where not in counts:
            counts[where] = joined.count(where)
            remaining -= counts[where]
            if remaining <= 0 or len(counts) > _MAX_MACHINES_PER_BATCH:
                break
    if remaining != 0 or len(counts) > _MAX_MACHINES_PER_BATCH:
        return None
    largest = max(counts, key=counts.__getitem__)
    groups: list[tuple[str, list[int] | None]] = [(largest, None)]
    if len(counts) > 1:
        ends = list(accumulate(map(len, texts)))
        for where in counts:
            if where != largest:
                mine, at = [], joined.find(where)
                while at >= 0:
                    mine.append(bisect_right(ends, at))
                    at = joined.find(where, at + len(where))
                groups.append((where, mine))
    return groups


def _stamped_span(texts: list[str], stamps: list[str]) -> list | None:
    """[first, last, records] of a machine's records in a batch, from the times they were written.

    A record is written after its event happened, so the latest time written is the latest event
    when the record written last says its event happened then; that record, and the one written
    first, are checked. Where they disagree (events forwarded from another machine), each record's
    own event time is read.
    """
    if not stamps:
        return None
    ends = []
    for largest in (False, True):
        edge = _extreme(stamps, largest)
        at = parse_time(edge)
        if at is None or parse_time(_system_time(texts[stamps.index(edge)])) != at:
            return _span(list(map(_system_time, texts)))
        ends.append(at.strftime(_TIME_FORMAT))
    return [ends[0], ends[1], len(stamps)]


def _extreme(stamps: list[str], largest: bool) -> str:
    """The earliest or latest of the times written ("2017-12-26T13:10:28.79928Z UTC": fractions of varying length)."""
    edge = max(stamps) if largest else min(stamps)
    second = edge[:19]  # the date and time to the second have a fixed width: the extreme second is right
    same = list(filter(second.__le__ if largest else (second + "\x7f").__gt__, stamps))
    if len(same) == 1:
        return edge
    return (max if largest else min)(same, key=lambda s: parse_time(s) or datetime.min.replace(tzinfo=UTC))


def _span(times: list[str]) -> list | None:
    times = [t for t in times if _TIME.fullmatch(t)]
    return [min(times), max(times), len(times)] if times else None


def _add_span(spans: dict, place: tuple[str, str], span: list | None) -> None:
    if span is None:
        return
    known = spans.get(place)
    if known is None:
        spans[place] = span
    else:
        known[0], known[1], known[2] = min(known[0], span[0]), max(known[1], span[1]), known[2] + span[2]


def _system_time(text: str) -> str:
    """The record's event time as written in its System part: 2017-07-12T17:16:28.214161Z ("" where it has none)."""
    at = text.find('SystemTime="', _SYSTEM_START)
    return text[at + 12 : at + 39] if at >= 0 else ""


def _where(text: str) -> str | None:
    """The record's `<Channel>…</Channel><Computer>…</Computer>` text (or from `<Computer>` where it has no channel)."""
    end = text.find("</Computer>", _SYSTEM_START)
    if end < 0:
        return None
    at = text.rfind("<Channel", _SYSTEM_START, end)
    if at < 0:
        at = text.rfind("<Computer>", _SYSTEM_START, end)
    return text[at : end + 11] if at >= 0 else None


def channel_and_computer(where: str) -> tuple[str, str] | None:
    """(computer, channel) from a record's `<Channel>…</Channel><Computer>…</Computer>` text; None without either."""
    c = where.find("<Computer>")
    if c < 0 or not where.startswith("<Channel>"):
        return None
    computer = unescape(where[c + 10 : -11]).strip()
    channel = unescape(where[9 : where.find("</Channel>")])
    return (computer, channel) if computer and channel else None


# -- the records the readers use ----------------------------------------------------------------


def decode(text: str, provider: str, event_id: int) -> LogEvent | None:
    """The event of a record the readers use; None for a logon that is not a person's, or a record without a time.

    The cheap tests come first (a logon's type, then its account); only the events kept have their
    time parsed and their event data read (a Security event's few fields, a System event's data).
    """
    fields = _SECURITY_FIELDS.get((provider, event_id))
    if fields is None:
        data = event_data(text)
        if event_id == 6008:
            data = dict(data, _binary=data.get("Binary"))
    else:
        if event_id in _TYPED_LOGONS and _logon_type(text) not in INTERACTIVE_LOGON_TYPES:
            return None  # a service, network or batch logon (or its logoff): never a person's session
        data = {name: value for name in fields if (value := field_value(text, name)) is not None}
        if event_id == LOGON and not is_person_logon(data):
            return None  # the window manager's, a font driver's or a machine account's sign-in: not use
    when = _system_time(text)
    if not _TIME.fullmatch(when):
        return None
    return LogEvent(datetime.fromisoformat(when[:26]).replace(tzinfo=UTC), provider, event_id, data)


def field_value(text: str, name: str) -> str | None:
    """One named value of a record's event data, read where it stands."""
    key = f'<Data Name="{name}">'
    at = text.find(key)
    if at < 0:
        return None
    at += len(key)
    end = text.find("</Data>", at)
    if end < 0:
        return None
    value = text[at:end]
    return unescape(value) if "&" in value else value


def _logon_type(text: str) -> int | None:
    value = field_value(text, "LogonType")
    return int(value) if value is not None and value.isdigit() and value.isascii() else None


def event_data(text: str) -> dict:
    """The record's event data: named values by name, unnamed ones as {"Data": {"#text": [...]}}, the binary part."""
    at = text.find("<EventData>")
    if at < 0:
        return {}
    end = text.find("</EventData>", at)
    part = text[at : end if end > 0 else len(text)]
    data: dict = {}
    unnamed: list[str] = []
    for name, value in _DATA.findall(part):
        value = unescape(value) if "&" in value else value
        if name:
            data[name] = value
        else:
            unnamed.append(value)
    if unnamed:
        data["Data"] = {"#text": unnamed}
    binary = _BINARY.search(part)
    if binary is not None and binary.group(1):
        data["Binary"] = binary.group(1)
    return data
