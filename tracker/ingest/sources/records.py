"""A batch of the parser's XML records read for what the intervals need, with as little work per record as possible.

Most records of a log are events the intervals do not use. Each record gets one search in Python,
for the first "Z" past its provider's name: the end of its event time. It gives the record's head
(the text from its provider's name to its event time: provider, event id, version, level, task,
opcode, keywords), looked up among the heads seen before (each distinct head is parsed once), and
its event time, cut as text. The rest is per batch of a few dozen records, which stay in the
processor's cache while they are read: the machine (`<Channel>…</Computer>`) of the first record is
counted in the batch joined into one text, which proves that all the records are that machine's
(else each record's machine is read); its first and last times are the smallest and largest event
times (they sort as text); the logons and logoffs of services are dropped on their logon type, read
in one pass; only the records the readers use are decoded (a few per cent of a System log, the
interactive logons of a Security log).

The records are the parser's XML without indentation (`PyEvtxParser(..., indent=False).records()`):
its System part reads `<Provider Name="…"…><EventID…>N</EventID>…<TimeCreated
SystemTime="…"/>…<Channel>…</Channel><Computer>…</Computer>`, with times to the microsecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from itertools import compress, repeat

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
_HEAD_START = len(_PREFIX)  # where a record's provider name starts (its head is read from 16 characters before)
_HEAD_LIMIT = 700  # a head is at most this long (longer texts are irregular records)
_TIME_TAG = '<TimeCreated SystemTime="'
_SYSTEM_START = 100  # the XML declaration and <Event xmlns=…><System> come first: searches start past them
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_DATA = re.compile(r'<Data(?: Name="([^"]*)")?(?:>([^<]*)</Data>|/>)')
_BINARY = re.compile(r"<Binary>([^<]*)</Binary>")
_MAX_CACHED = 50_000  # distinct texts remembered per log; a log with more starts again (memory stays bounded)


class Seen:
    """What the records of one log showed so far: each distinct head and machine text, parsed once.

    A head is a record's text from `<Provider Name="` to `<TimeCreated SystemTime="`: the provider,
    the event id and the fields that come between (version, level, task, opcode, keywords), which
    an event keeps from one record to the next. It maps to (provider, event id) for the events the
    readers use, None for the rest, False for a text that is not such a head (an irregular record).
    """

    def __init__(self) -> None:
        self.security = False
        self.heads = _Heads()
        self.machines: dict[str, tuple[str, str] | None] = {}  # "<Channel>…</Computer>" -> (computer, channel)

    def place(self, where: str) -> tuple[str, str] | None:
        place = self.machines.get(where, ())
        if place == ():
            if len(self.machines) > _MAX_CACHED:
                self.machines.clear()
            place = self.machines[where] = channel_and_computer(where)
        return place


class _Heads(dict):
    """head text -> (provider, event id) | None | False; a text not seen before is parsed when first met."""

    def __missing__(self, head: str) -> tuple[str, int] | None | bool:
        if len(self) > _MAX_CACHED:
            self.clear()
        value = _parse_head(head)
        if len(head) <= _HEAD_LIMIT:  # an irregular record's long text is not remembered
            self[head] = value
        return value


def _parse_head(head: str) -> tuple[str, int] | None | bool:
    if not (head.startswith('<Provider Name="') and head.endswith(_TIME_TAG)):
        return False
    event = provider_and_event(head[16 : head.find("</EventID>")])
    if event is None:
        return False
    return event if event in USED_EVENTS else None


@dataclass
class BatchHeads:
    """What the System parts of a batch of records say: per (computer, channel) [first time, last time, records];
    the records whose event the readers use, as (record, provider, event id, (computer, channel), event time,
    where its System part has been read to)."""

    spans: dict[tuple[str, str], list] = field(default_factory=dict)
    used: list[tuple[str, str, int, tuple[str, str], str, int]] = field(default_factory=list)


def read_heads(texts: list[str], seen: Seen) -> BatchHeads:
    """The machines, their first and last event times and the used records of a batch of records.
    Records without a machine are left out.

    A record's event time ends at the first "Z" past its provider's name (the version, level, task,
    opcode and keywords between hold none): one search per record finds the end of its head and
    its time. A head that does not end where the time begins (a provider named with a "Z", a
    record without a time) is an irregular record, read field by field.
    """
    heads = BatchHeads()
    if not texts:
        return heads
    start = _HEAD_START
    zs = list(map(str.find, texts, repeat("Z"), repeat(start)))
    kinds = list(map(seen.heads.__getitem__, [t[start - 16 : z - 26] for t, z in zip(texts, zs)]))
    times = [t[z - 26 : z + 1] for t, z in zip(texts, zs)]
    if False in kinds:  # irregular records: read one by one
        for i in [i for i, kind in enumerate(kinds) if kind is False]:
            kinds[i] = _irregular_kind(texts[i])
            times[i] = _system_time(texts[i])
            zs[i] = _SYSTEM_START
    first = _where(texts[0])
    wheres = _machines(texts, first)
    if wheres is None:  # one machine: all the records of the batch are its own
        place = seen.place(first)
        if place is None:
            return heads
        _add_span(heads.spans, place, _time_span(texts, times, zs))
        heads.used = _people_only([(texts[i], *kinds[i], place, times[i], zs[i]) for i in compress(range(len(texts)), kinds)])
        return heads
    groups: dict[str, list[int]] = {}
    for i, where in enumerate(wheres):
        groups.setdefault(where, []).append(i)
    for where, mine in groups.items():
        place = seen.place(where)
        if place is not None:
            _add_span(heads.spans, place, _time_span([texts[i] for i in mine], [times[i] for i in mine], [zs[i] for i in mine]))
    heads.used = _people_only(
        [
            (texts[i], *kinds[i], place, times[i], zs[i])
            for i in compress(range(len(texts)), kinds)
            if (place := seen.place(wheres[i])) is not None
        ]
    )
    return heads


def _people_only(used: list[tuple]) -> list[tuple]:
    """The used records without the logons (and their logoffs) of a type that is never a person's session
    (service, network, batch): their logon type is read in one pass, the others are left to `decode`."""
    typed = [u for u in used if u[2] in _TYPED_LOGONS and u[1] == SECURITY_AUDITING]
    if not typed:
        return used
    find = str.find
    types = [u[0][(i := find(u[0], '<Data Name="LogonType">', u[5])) + 23 : i + 26] for u in typed]
    dropped = {id(u) for u, kind in zip(typed, types) if kind not in _INTERACTIVE_TYPE_TEXTS}
    return [u for u in used if id(u) not in dropped] if dropped else used


def _irregular_kind(text: str) -> tuple[str, int] | None:
    """The provider and event id of a record whose System part does not begin as usual, if the readers use it."""
    p = text.find('<Provider Name="', 0, 400)
    event = provider_and_event(text[p + 16 : text.find("</EventID>", p, p + 400)]) if p >= 0 else None
    return event if event in USED_EVENTS else None


def _machines(texts: list[str], first: str | None) -> list[str] | None:
    """None when every record of the batch names the machine of its first; else each record's machine text.

    A machine's text (`<Channel>…</Channel><Computer>…</Computer>`) stands once in the System part of
    each of its records: counted in the batch joined into one text, it is found as often as the
    batch has records exactly when they are all that machine's (a log holds one machine, or a few
    in long runs). Otherwise each record's machine text is read.
    """
    if first and first.startswith("<Channel>") and "".join(texts).count(first) == len(texts):
        return None
    return [_where(text) or "" for text in texts]


def _time_span(texts: list[str], times: list[str], zs: list[int]) -> list | None:
    """[first, last, records] of a machine's records: the earliest and latest event time (they sort as text).

    The times were cut where they end; the two extremes are checked to stand where a record's event
    time stands. If either does not (a record without an event time), each record's time is read.
    """
    first, last = min(times), max(times)
    for edge in (first, last):
        i = times.index(edge)
        if not (_TIME.fullmatch(edge) and texts[i].startswith(_TIME_TAG, zs[i] - 51)):
            return _span(list(map(_system_time, texts)), len(texts))
    return [first, last, len(times)]


def _span(times: list[str], records: int) -> list | None:
    times = [t for t in times if _TIME.fullmatch(t)]
    return [min(times), max(times), records] if times else None


def _add_span(spans: dict, place: tuple[str, str], span: list | None) -> None:
    if span is None:
        return
    known = spans.get(place)
    if known is None:
        spans[place] = span
    else:
        known[0], known[1], known[2] = min(known[0], span[0]), max(known[1], span[1]), known[2] + span[2]


def provider_and_event(key: str) -> tuple[str, int] | None:
    """(provider, event id) from the text from a provider's name to its event id."""
    quote, tag = key.find('"'), key.rfind("<EventID")
    if quote < 0 or tag < quote or not key[quote:].startswith('"'):
        return None
    digits = key[key.rfind(">") + 1 :]
    if not (digits.isdigit() and digits.isascii()) or key.rfind(">") < tag:
        return None
    return unescape(key[:quote]), int(digits)


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
    if c < 0 or not where.startswith("<Channel>") or not where.endswith("</Computer>"):
        return None
    computer = unescape(where[c + 10 : -11]).strip()
    channel = unescape(where[9 : where.find("</Channel>")])
    return (computer, channel) if computer and channel else None


# -- the records the readers use ----------------------------------------------------------------


def decode(text: str, provider: str, event_id: int, when: str | None = None, read_to: int = 0) -> LogEvent | None:
    """The event of a record the readers use; None for a logon that is not a person's, or a record without a time.

    The cheap tests come first (a logon's type, then its account); only the events kept have their
    time parsed and their event data read (a Security event's few fields, a System event's data).
    `when` is the record's event time where already read; its event data is looked for past `read_to`.
    """
    fields = _SECURITY_FIELDS.get((provider, event_id))
    if fields is None:
        data = event_data(text)
        if event_id == 6008:
            data = dict(data, _binary=data.get("Binary"))
    else:
        if event_id in _TYPED_LOGONS and _logon_type(text, read_to) not in INTERACTIVE_LOGON_TYPES:
            return None  # a service, network or batch logon (or its logoff): never a person's session
        data = {name: value for name in fields if (value := field_value(text, name, read_to)) is not None}
        if event_id == LOGON and not is_person_logon(data):
            return None  # the window manager's, a font driver's or a machine account's sign-in: not use
    if when is None:
        when = _system_time(text)
    if not _TIME.fullmatch(when):
        return None
    return LogEvent(datetime.fromisoformat(f"{when[:26]}+00:00"), provider, event_id, data)


def field_value(text: str, name: str, start: int = 0) -> str | None:
    """One named value of a record's event data, read where it stands (past `start`)."""
    key = f'<Data Name="{name}">'
    at = text.find(key, start)
    if at < 0:
        return None
    at += len(key)
    end = text.find("</Data>", at)
    if end < 0:
        return None
    value = text[at:end]
    return unescape(value) if "&" in value else value


def _logon_type(text: str, start: int = 0) -> int | None:
    value = field_value(text, "LogonType", start)
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
