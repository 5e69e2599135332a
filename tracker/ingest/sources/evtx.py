"""Windows event logs (`.evtx`) as usage evidence: powered-on time from the System log, signed-in time from the Security log.

What each log can prove (docs/usage-sources.md):
- System log: the machine was **powered on** from a start (Kernel-General 12, EventLog 6005) to the
  next stop (Kernel-General 13, EventLog 6006, or the time an unexpected shutdown, EventLog 6008,
  reports), minus sleep (Kernel-Power 42 until Power-Troubleshooter 1 or Kernel-Power 107).
  Powered on is not in use: a PC left on all week is not used all week.
- Security log: a person was **signed in** from an interactive, remote-interactive or cached logon
  (4624 with logon type 2, 10 or 11) until its logoff (4634, 4647) or the machine's shutdown, minus
  locked time (4800 until 4801). Sign-ins of SYSTEM, LOCAL SERVICE, NETWORK SERVICE, window-manager
  and font-driver accounts, and machine accounts ending in `$` are not use.

An interval still open at the end of a file ends at that machine's last event in the file, never at
"now". One file may hold several machines (forwarded events): the record's `Computer` decides.
A damaged chunk is skipped and reported; the readable records are used and nothing is invented.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

from tracker.ingest.sources.events import (
    BOOT_EVENTS,
    EVTX_MAGIC,
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
    ZIP_MAGIC,
    EventLogReading,
    LogEvent,
    MachineLog,
    is_person_logon,
    parse_time,
)
from tracker.ingest.sources.intervals import powered_on_intervals, signed_in_intervals
from tracker.text.errors import FileRefused

# every event the readers use; the rest of a log is counted and skipped without decoding
_USED_EVENTS = (
    BOOT_EVENTS
    | STOP_EVENTS
    | SLEEP_EVENTS
    | WAKE_EVENTS
    | {UNEXPECTED_SHUTDOWN, UPTIME_REPORT}
    | {(SECURITY_AUDITING, i) for i in (LOGON, *LOGOFFS, LOCK, UNLOCK, SECURITY_START, 4609)}
    | {(SECURITY_EVENTLOG, 1100)}
)
_USED_IDS = frozenset(event_id for _, event_id in _USED_EVENTS)
# the event data the Security log's intervals read, by event (the rest of a Security record is not decoded)
_SECURITY_FIELDS = {
    (SECURITY_AUDITING, LOGON): ("TargetUserName", "LogonType", "TargetLogonId"),
    **{(SECURITY_AUDITING, i): ("TargetLogonId",) for i in (*LOGOFFS, LOCK, UNLOCK)},
    **{(SECURITY_AUDITING, i): () for i in (SECURITY_START, 4609)},
    (SECURITY_EVENTLOG, 1100): (),
}
_TYPED_LOGONS = frozenset({LOGON, 4634})  # a logon, and the logoff that names the same logon type
_JSON = json.JSONDecoder()
_DATA = itemgetter("data")
_BATCH = 20_000  # records held at once: memory stays bounded however large the log
_PROGRESS_EVERY = 50_000
_MAX_DAMAGE = 10_000
_CHUNK_NUMBER = re.compile(r"chunk number (\d+)")
_FILE_HEADER, _CHUNK = 4096, 65536


def is_event_log(prefix: bytes) -> bool:
    return prefix.startswith(EVTX_MAGIC)


def read_event_logs(
    path: Path, *, file_name: str | None = None, progress: Callable[[int], None] | None = None
) -> EventLogReading:
    """Read one `.evtx` file, or a ZIP of them, into powered-on and signed-in intervals per machine."""
    file_name = file_name or path.name
    reading = EventLogReading()
    events: dict[str, list[LogEvent]] = {}
    with open(path, "rb") as handle:
        prefix = handle.read(8)
    if prefix.startswith(ZIP_MAGIC):
        with tempfile.TemporaryDirectory(prefix="tracker-evtx-") as folder:
            for member, extracted in _zip_members(path, Path(folder), file_name):
                _read_file(extracted, member, reading, events, progress)
                extracted.unlink()
    elif is_event_log(prefix):
        _read_file(path, file_name, reading, events, progress)
    else:
        raise FileRefused("evtx.not_event_log", file=file_name)
    if not reading.files:
        raise FileRefused("evtx.zip_without_logs", file=file_name)
    return finish(reading, events)


def finish(reading: EventLogReading, events: dict[str, list[LogEvent]]) -> EventLogReading:
    """Turn the events gathered per machine into powered-on and signed-in intervals."""
    for computer, machine_events in events.items():
        machine_events.sort(key=lambda e: e.at)
        machine = reading.machines[computer]
        if machine.has_system_log:
            reading.intervals.extend(powered_on_intervals(computer, machine_events, machine))
        if machine.has_security_log:
            reading.intervals.extend(signed_in_intervals(computer, machine_events, machine))
    return reading


def _zip_members(path: Path, folder: Path, file_name: str) -> Iterator[tuple[str, Path]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused("evtx.bad_zip", file=file_name, reason=str(exc)) from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".evtx"):
                continue
            target = folder / "member.evtx"
            try:
                with archive.open(info) as source, open(target, "wb") as out:
                    while chunk := source.read(1 << 20):
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise FileRefused("evtx.bad_zip", file=f"{file_name}/{info.filename}", reason=str(exc)) from exc
            yield f"{file_name}/{info.filename}", target


def _read_file(
    path: Path, name: str, reading: EventLogReading, events: dict[str, list[LogEvent]], progress: Callable[[int], None] | None
) -> None:
    from evtx import PyEvtxParser  # the native parser: imported when a log is read, not with the ingest package

    with open(path, "rb") as handle:
        if not is_event_log(handle.read(8)):
            raise FileRefused("evtx.not_event_log", file=name)
    reading.files.append(name)
    try:
        parser = PyEvtxParser(str(path), number_of_threads=1)
    except (RuntimeError, OSError) as exc:
        raise FileRefused("evtx.unreadable", file=name, reason=_short(exc)) from exc
    consume_records(parser.records_json(), name, reading, events, progress, appended=True)


def consume_records(
    records: Iterator[dict],
    name: str,
    reading: EventLogReading,
    events: dict[str, list[LogEvent]],
    progress: Callable[[int], None] | None = None,
    *,
    appended: bool = False,
) -> None:
    """Add the records of one log (the parser's JSON records) to a reading; `finish` turns them into intervals.

    Records are taken in batches (memory stays bounded however large the log); a damaged chunk is
    reported and the parser goes on with the next one.
    """
    if not appended:
        reading.files.append(name)
    logons_before = sum(m.logons for m in reading.machines.values())
    seen = _Seen()
    batch: list[str] = []
    while True:
        try:
            while True:  # list.extend keeps what it took before a damaged chunk stops it
                batch.extend(map(_DATA, islice(records, _BATCH - len(batch))))
                if len(batch) < _BATCH:
                    break
                _consume_batch(batch, reading, events, seen, progress)
                batch.clear()
            break
        except (RuntimeError, OSError, ValueError) as exc:  # a damaged chunk: the parser goes on with the next one
            reading.unreadable.append(_damage(name, exc))
            if len(reading.unreadable) > _MAX_DAMAGE:  # a parser that cannot move past the damage: stop there
                break
    _consume_batch(batch, reading, events, seen, progress)
    if seen.security and sum(m.logons for m in reading.machines.values()) == logons_before:
        reading.security_logs_without_logons.append(name)


class _Seen:
    """What the records of one log showed so far: whether it is a Security log; parsed record heads, reused."""

    def __init__(self) -> None:
        self.security = False
        self.event_ids: dict[str, int | None] = {}  # the text after "EventID": -> the event id
        self.machines: dict[str, tuple[str, str] | None] = {}  # the text from "Channel": -> (computer, channel)


def _consume_batch(
    batch: list[str],
    reading: EventLogReading,
    events: dict[str, list[LogEvent]],
    seen: _Seen,
    progress: Callable[[int], None] | None,
) -> None:
    """One batch of records: each machine's first and last time and channels; the events the readers use decoded."""
    before = reading.records
    reading.records += len(batch)
    heads = _heads(batch, seen)
    for (computer, channel), (first, last, count) in heads.spans.items():
        machine = reading.machines.get(computer)
        if machine is None:
            machine = reading.machines[computer] = MachineLog(computer)
        machine.records += count
        if machine.first_text is None or first < machine.first_text:
            machine.first_text = first
        if machine.last_text is None or last > machine.last_text:
            machine.last_text = last
        reading.channels[channel] = reading.channels.get(channel, 0) + count
        if channel.lower() == "security":
            machine.has_security_log = seen.security = True
        elif channel.lower() == "system":
            machine.has_system_log = True
    used = heads.used
    for raw, event_id in used:
        decoded = _decode(raw, event_id, seen)
        if decoded is None:
            continue
        computer, event = decoded
        if computer not in reading.machines:
            continue
        events.setdefault(computer, []).append(event)
        if event.event_id == LOGON and is_person_logon(event.data):
            reading.machines[computer].logons += 1
    if progress is not None and reading.records // _PROGRESS_EVERY > before // _PROGRESS_EVERY:
        progress(reading.records)


@dataclass
class _Heads:
    """What the System parts of a batch of records say: per (computer, channel) [first time, last time, records];
    the records whose event id the readers use, with that id."""

    spans: dict[tuple[str, str], list] = field(default_factory=dict)
    used: list[tuple[str, int]] = field(default_factory=list)


def _heads(batch: list[str], seen: _Seen) -> _Heads:
    """The System parts of a batch of records, read with str.index (C speed) up to the computer only.

    Records without a time or machine are left out. The texts after "EventID": and from "Channel":
    are parsed once per distinct text (a log repeats a few of them).
    """
    raw_spans: dict[str, list] = {}  # the text from "Channel": to the end of the System part -> span
    id_texts: list[str | None] = []
    for raw in batch:
        try:
            e = raw.index('"EventID":', 60) + 10  # past {"Event":{"System":{"Provider":{"#attributes":{"Name":"
            s = raw.index('"SystemTime":"', e + 30) + 14  # past "TimeCreated":{"#attributes":{ at least
            when = raw[s : s + 27]
            c = raw.index('"Channel":', s + 46)  # past the time and "}},"EventRecordID":
            where = raw[c : raw.index("}", c)]
        except ValueError:  # no time or no machine: not a record the readers can place
            id_texts.append(None)
            continue
        id_texts.append(raw[e : e + 56])
        span = raw_spans.get(where)
        if span is None:
            raw_spans[where] = [when, when, 1]
        else:
            span[2] += 1
            if when < span[0]:
                span[0] = when
            elif when > span[1]:
                span[1] = when
    heads = _Heads()
    for where, span in raw_spans.items():
        place = seen.machines.get(where, ())
        if place == ():
            place = seen.machines[where] = _channel_and_computer(where)
        if place is not None:
            _add_span(heads.spans, *place, span)
    heads.used = _used(batch, id_texts, seen)
    return heads


def _add_span(spans: dict[tuple[str, str], list], computer: str, channel: str, span: list) -> None:
    if not computer:
        return
    known = spans.get((computer, channel))
    if known is None:
        spans[(computer, channel)] = list(span)
    else:
        known[0], known[1], known[2] = min(known[0], span[0]), max(known[1], span[1]), known[2] + span[2]


def _used(batch: list[str], id_texts: list[str | None], seen: _Seen) -> list[tuple[str, int]]:
    """The records whose event id the readers use; each distinct text after "EventID": is parsed once."""
    ids = seen.event_ids
    for text in set(id_texts).difference(ids):
        ids[text] = _event_id(text) if text is not None else None
    wanted = {text: ids[text] for text in set(id_texts) if ids[text] in _USED_IDS}
    return [(raw, wanted[text]) for raw, text in zip(batch, id_texts) if text in wanted]


def _event_id(text: str) -> int | None:
    """The event id at the start of the text after "EventID": (a number, or an object whose #text is the number)."""
    if text.startswith("{"):
        at = text.find('"#text":')
        if at < 0:
            return None
        text = text[at + 8 :]
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits == 0 or digits == len(text):  # no number, or cut short by the slice: not trusted
        return None
    return int(text[:digits])


def _channel_and_computer(text: str) -> tuple[str, str] | None:
    """(computer, channel) from the text that starts at "Channel": in a record's System part."""
    rest = text[10:]
    if rest.startswith('"'):
        end = rest.find('"', 1)
        channel, rest = rest[1:end], rest[end + 1 :]
    elif rest.startswith("null"):
        channel, rest = "", rest[4:]
    else:
        return None
    if not rest.startswith(',"Computer":"'):
        return None
    computer = rest[13 : rest.find('"', 13)].strip()
    return (computer, channel) if computer else None


def _decode(raw: str, event_id: int, seen: _Seen) -> tuple[str, LogEvent] | None:
    """(computer, event) of a record whose event id the readers use; None for other providers' events of that id.

    The cheap tests come first: the provider, then a logon's type; only the events kept have their
    time and machine read and their event data decoded: a Security event's few fields the intervals
    use, a System event's whole event data (that part alone, not the whole record).
    """
    try:
        p = raw.index('"Name":"') + 8
        provider = raw[p : raw.index('"', p)]
        if (provider, event_id) not in _USED_EVENTS:
            return None
        if event_id in _TYPED_LOGONS and _logon_type(raw) not in INTERACTIVE_LOGON_TYPES:
            return None  # a service, network or batch logon (or its logoff): never a person's session
        e = raw.index('"EventID":', p)
        s = raw.index('"SystemTime":"', e) + 14
        c = raw.index('"Channel":', s)
        where = raw[c : raw.index("}", c)]
    except ValueError:
        return None
    place = seen.machines.get(where) or _channel_and_computer(where)
    at = parse_time(raw[s : s + 27])
    if place is None or at is None:
        return None
    fields = _SECURITY_FIELDS.get((provider, event_id))
    if fields is None:
        data = _event_data(raw)
        if event_id == 6008:
            data = dict(data, _binary=data.get("Binary"))
    else:
        data = {name: value for name in fields if (value := _field(raw, name)) is not None}
    return place[0], LogEvent(at, provider, event_id, data)


def _field(raw: str, name: str):
    """One value of a record's event data, by name: a JSON string or number, read where it stands."""
    at = raw.find(f'"{name}":', raw.find('"EventData":'))
    if at < 0:
        return None
    try:
        return _JSON.raw_decode(raw, at + len(name) + 3)[0]
    except ValueError:
        return None


def _logon_type(raw: str) -> int | None:
    """The LogonType of a logon or logoff record (near the end of its event data: found from the end)."""
    at = raw.rfind('"LogonType":')
    if at < 0:
        return None
    text = raw[at + 12 : at + 18].lstrip('"')
    digits = len(text) - len(text.lstrip("0123456789"))
    return int(text[:digits]) if digits else None


def _event_data(raw: str) -> dict:
    """The record's EventData (or UserData), decoded alone: the System part is already read."""
    for key in ('"EventData":', '"UserData":'):
        at = raw.find(key)
        if at < 0:
            continue
        try:
            data = _JSON.raw_decode(raw, at + len(key))[0]
        except ValueError:
            return {}
        if data:
            return data if isinstance(data, dict) else {"Data": data}
    return {}


def _damage(name: str, exc: BaseException) -> str:
    """What a damaged part of a log is, for the upload report: the file and the bytes skipped.

    The parser names the chunk it could not read; an `.evtx` file is a 4 KiB header followed by
    chunks of 64 KiB, so the chunk's bytes are known. Other damage is named in the parser's words.
    """
    found = _CHUNK_NUMBER.search(str(exc))
    if found is None:
        return f"{name}: {_short(exc)}"
    start = _FILE_HEADER + int(found.group(1)) * _CHUNK
    return f"{name}: {start:,}–{start + _CHUNK - 1:,}"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
