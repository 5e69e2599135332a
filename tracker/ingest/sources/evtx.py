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
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.text.errors import FileRefused

EVTX_MAGIC = b"ElfFile\x00"
ZIP_MAGIC = b"PK\x03\x04"

POWERED_ON = "powered_on"
SIGNED_IN = "signed_in"

KERNEL_GENERAL = "Microsoft-Windows-Kernel-General"
KERNEL_POWER = "Microsoft-Windows-Kernel-Power"
POWER_TROUBLESHOOTER = "Microsoft-Windows-Power-Troubleshooter"
EVENTLOG = "EventLog"
SECURITY_AUDITING = "Microsoft-Windows-Security-Auditing"
SECURITY_EVENTLOG = "Microsoft-Windows-Eventlog"

BOOT_EVENTS = {(KERNEL_GENERAL, 12), (EVENTLOG, 6005)}
STOP_EVENTS = {(KERNEL_GENERAL, 13), (EVENTLOG, 6006)}
UNEXPECTED_SHUTDOWN = (EVENTLOG, 6008)
UPTIME_REPORT = (EVENTLOG, 6013)  # daily: seconds since the machine started (sleep included)
SLEEP_EVENTS = {(KERNEL_POWER, 42)}
WAKE_EVENTS = {(KERNEL_POWER, 107), (POWER_TROUBLESHOOTER, 1)}
LOGON, LOGOFFS, LOCK, UNLOCK = 4624, {4634, 4647}, 4800, 4801
SECURITY_START, SECURITY_STOPS = 4608, {4609, 1100}
INTERACTIVE_LOGON_TYPES = {2, 10, 11}  # interactive, remote interactive, cached interactive
SYSTEM_ACCOUNTS = {"system", "local service", "network service", "anonymous logon"}
SYSTEM_ACCOUNT_PREFIXES = ("dwm-", "umfd-", "font driver host", "window manager")

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
_LOGON_TYPE = re.compile(r'"LogonType":"?(\d+)')


@dataclass(frozen=True)
class Interval:
    """A span of one machine's time that its log proves: powered on, or a person signed in."""

    computer: str
    start: datetime
    end: datetime
    evidence: str  # POWERED_ON | SIGNED_IN

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0


@dataclass
class MachineLog:
    """What one machine's records in the uploaded logs hold."""

    computer: str
    first_text: str | None = None  # ISO times as the log writes them: they sort as text
    last_text: str | None = None
    records: int = 0
    boots: int = 0
    sleeps: int = 0
    logons: int = 0  # interactive logons of people
    has_system_log: bool = False
    has_security_log: bool = False

    @property
    def first_event(self) -> datetime | None:
        return _time(self.first_text)

    @property
    def last_event(self) -> datetime | None:
        return _time(self.last_text)

    def saw(self, at: datetime) -> None:
        self.records += 1
        text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.first_text is None or text < self.first_text:
            self.first_text = text
        if self.last_text is None or text > self.last_text:
            self.last_text = text


@dataclass
class EventLogReading:
    """Intervals per machine from one upload of event logs, with what could not be read."""

    intervals: list[Interval] = field(default_factory=list)
    machines: dict[str, MachineLog] = field(default_factory=dict)
    records: int = 0
    unreadable: list[str] = field(default_factory=list)  # "security.evtx: chunk 6" ...
    files: list[str] = field(default_factory=list)
    security_logs_without_logons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LogEvent:
    at: datetime
    provider: str
    event_id: int
    data: dict


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
    """Add the records of one log (the parser's JSON records) to a reading; `finish` turns them into intervals."""
    if not appended:
        reading.files.append(name)
    logons_before = sum(m.logons for m in reading.machines.values())
    security_seen = False
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except (RuntimeError, OSError, ValueError) as exc:  # a damaged chunk: the parser goes on with the next one
            reading.unreadable.append(f"{name}: {_short(exc)}")
            continue
        reading.records += 1
        if progress is not None and reading.records % 50_000 == 0:
            progress(reading.records)
        event = _decode(record, reading.machines)
        if event is None:
            continue
        computer, parsed, channel = event
        machine = reading.machines[computer]
        if channel == "security":
            machine.has_security_log = security_seen = True
        elif channel == "system":
            machine.has_system_log = True
        if parsed is not None:
            events.setdefault(computer, []).append(parsed)
            if parsed.event_id == LOGON and _is_person_logon(parsed.data):
                machine.logons += 1
    if security_seen and sum(m.logons for m in reading.machines.values()) == logons_before:
        reading.security_logs_without_logons.append(name)


def _decode(record: dict, machines: dict[str, MachineLog]) -> tuple[str, LogEvent | None, str] | None:
    """(computer, the event if the readers use it, channel) of one record; None when it has no machine or time.

    The machine, time, channel and event id are read from the record's System part with one
    pattern; only the few events the readers use are decoded as JSON (most of a log is neither).
    """
    raw = record["data"]
    head = _system_part(raw)
    if head is None:
        return None
    provider, event_id, when, channel, computer = head
    if not computer:
        return None
    machine = machines.get(computer)
    if machine is None:
        machine = machines[computer] = MachineLog(computer)
    machine.records += 1
    if machine.first_text is None or when < machine.first_text:
        machine.first_text = when
    if machine.last_text is None or when > machine.last_text:
        machine.last_text = when
    if (provider, event_id) not in _USED_EVENTS:
        return computer, None, channel
    if event_id == LOGON:
        logon_type = _LOGON_TYPE.search(raw)
        if logon_type is None or int(logon_type.group(1)) not in INTERACTIVE_LOGON_TYPES:
            return computer, None, channel
    at = _time(when)
    try:
        event = json.loads(raw)["Event"]
    except (ValueError, KeyError, TypeError):
        return computer, None, channel
    if at is None:
        return computer, None, channel
    data = event.get("EventData") or event.get("UserData") or {}
    if not isinstance(data, dict):
        data = {"Data": data}
    if event_id == 6008:
        data = dict(data, _binary=data.get("Binary"))
    return computer, LogEvent(at, provider, event_id, data), channel


def _system_part(raw: str) -> tuple[str, int, str, str, str] | None:
    """(provider, event id, time, channel, computer) from a record's JSON, read with str.find (C speed).

    The parser writes the System part in the XML's order: Provider, EventID, ..., TimeCreated, ...,
    Channel, Computer; a record that does not follow it is skipped.
    """
    try:
        p = raw.index('"Name":"', raw.index('"Provider"')) + 8
        provider = raw[p : raw.index('"', p)]
        e = raw.index('"EventID":', p) + 10
        if raw[e] == "{":
            e = raw.index('"#text":', e) + 8
        end = e
        while raw[end].isdigit():
            end += 1
        event_id = int(raw[e:end])
        s = raw.index('"SystemTime":"', end) + 14
        when = raw[s : raw.index('"', s)]
        c = raw.index('"Channel":', s) + 10
        channel = raw[c + 1 : raw.index('"', c + 1)].lower() if raw[c] == '"' else ""
        m = raw.index('"Computer":"', c) + 12
        computer = raw[m : raw.index('"', m)].strip()
    except (ValueError, IndexError):
        return None
    return provider, event_id, when, channel, computer


def _computer_name(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix(" UTC").rstrip("Z")
    if "." in text:
        head, _, frac = text.partition(".")
        text = f"{head}.{frac[:6]}"
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# -- System log: powered on ---------------------------------------------------------------------


def powered_on_intervals(computer: str, events: list[LogEvent], machine: MachineLog) -> list[Interval]:
    """Powered-on intervals of one machine from its System log events (sorted by time), sleep subtracted."""
    system = [
        e
        for e in events
        if (e.provider, e.event_id) in BOOT_EVENTS | STOP_EVENTS | SLEEP_EVENTS | WAKE_EVENTS
        or (e.provider, e.event_id) == UNEXPECTED_SHUTDOWN
    ]
    if not system:
        return []
    stops = sorted(_stop_time(e) for e in system if (e.provider, e.event_id) in STOP_EVENTS)
    stops += [t for e in system if (e.provider, e.event_id) == UNEXPECTED_SHUTDOWN if (t := _unexpected_time(e))]
    stops.sort()
    boots = _boots(system, stops)
    machine.boots = len(boots)
    spans: list[tuple[datetime, datetime]] = []
    starts = list(boots)
    # a log that begins while the machine runs: on from its first event until the first stop
    if machine.first_event is not None and stops and (not boots or stops[0] < boots[0]):
        starts.insert(0, machine.first_event)
    for i, start in enumerate(starts):
        following = starts[i + 1] if i + 1 < len(starts) else None
        end = next((s for s in stops if s > start and (following is None or s <= following)), None)
        if end is None:  # no stop before the next boot or the end of the file: on until its last event then
            end = _last_event_before(events, following) if following else machine.last_event
        if end is not None and end > start:
            spans.append((start, end))
    uptimes = [(e.at, up) for e in events if (e.provider, e.event_id) == UPTIME_REPORT if (up := _uptime(e)) is not None]
    spans = [piece for span in _merge(spans) for piece in _running_within(span, uptimes, set(boots))]
    sleeps = _sleep_spans(system)
    machine.sleeps = len(sleeps)
    return [Interval(computer, s, e, POWERED_ON) for s, e in _subtract(_merge(spans), sleeps)]


def _uptime(event: LogEvent) -> float | None:
    """The uptime in seconds that an EventLog 6013 reports (its fifth data string)."""
    values = (event.data.get("Data") or {}).get("#text") if isinstance(event.data.get("Data"), dict) else None
    try:
        return float(values[4])
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def _running_within(
    span: tuple[datetime, datetime], uptimes: list[tuple[datetime, float]], boots: set[datetime]
) -> list[tuple[datetime, datetime]]:
    """The parts of a span the machine really ran, by its daily uptime reports.

    Between two reports the machine ran for the growth of its uptime, not the time on the wall: a
    machine switched off at the wall or a virtual machine suspended writes no stop event, and its
    uptime stands still. Each stretch is placed just before the report that proves it.
    """
    start, end = span
    pieces = []
    previous_at, previous_up = start, (0.0 if start in boots else None)
    for at, up in uptimes:
        if not start < at <= end:
            continue
        wall = (at - previous_at).total_seconds()
        grown = None if previous_up is None else up - previous_up
        if grown is not None and 0 <= grown < wall:
            pieces.append((at - timedelta(seconds=grown), at))
        else:
            pieces.append((previous_at, at))
        previous_at, previous_up = at, up
    pieces.append((previous_at, end))
    return [(s, e) for s, e in pieces if e > s]


def _boots(system: list[LogEvent], stops: list[datetime]) -> list[datetime]:
    """Start times of the machine: Kernel-General 12 (its StartTime), or EventLog 6005 where no 12 was logged.

    Both are written at every start, seconds apart; a 6005 is a start of its own only when no 12
    started the machine since the last stop before it (an older Windows, or a filtered log).
    """
    kernel = sorted(_boot_time(e) for e in system if (e.provider, e.event_id) == (KERNEL_GENERAL, 12))
    boots = list(kernel)
    for event in system:
        if (event.provider, event.event_id) != (EVENTLOG, 6005):
            continue
        last_stop = max((s for s in stops if s < event.at), default=None)
        if not any(k <= event.at and (last_stop is None or k > last_stop) for k in kernel):
            boots.append(event.at)
    return sorted(set(boots))


def _boot_time(event: LogEvent) -> datetime:
    return _time(event.data.get("StartTime")) or event.at


def _stop_time(event: LogEvent) -> datetime:
    return _time(event.data.get("StopTime")) or event.at


def _unexpected_time(event: LogEvent) -> datetime | None:
    """When the unexpected shutdown that 6008 reports happened: the UTC SYSTEMTIME in its binary data."""
    binary = event.data.get("_binary")
    if isinstance(binary, str) and len(binary) >= 64:
        try:
            raw = bytes.fromhex(binary)
            year, month, _, day, hour, minute, second, ms = struct.unpack("<8H", raw[16:32])
            return datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=UTC)
        except (ValueError, struct.error):
            return None
    return None


def _sleep_spans(system: list[LogEvent]) -> list[tuple[datetime, datetime]]:
    spans = []
    pending: datetime | None = None
    for event in system:
        key = (event.provider, event.event_id)
        if key == (POWER_TROUBLESHOOTER, 1):
            sleep, wake = _time(event.data.get("SleepTime")), _time(event.data.get("WakeTime"))
            if sleep and wake and wake > sleep:
                spans.append((sleep, wake))
                pending = None
                continue
        if key in SLEEP_EVENTS:
            pending = event.at
        elif key in WAKE_EVENTS and pending is not None:
            if event.at > pending:
                spans.append((pending, event.at))
            pending = None
    return _merge(spans)


# -- Security log: signed in --------------------------------------------------------------------


def _is_person_logon(data: dict) -> bool:
    try:
        logon_type = int(data.get("LogonType"))
    except (TypeError, ValueError):
        return False
    user = str(data.get("TargetUserName") or "").strip().lower()
    if logon_type not in INTERACTIVE_LOGON_TYPES or not user or user.endswith("$"):
        return False
    return user not in SYSTEM_ACCOUNTS and not user.startswith(SYSTEM_ACCOUNT_PREFIXES)


def signed_in_intervals(computer: str, events: list[LogEvent], machine: MachineLog) -> list[Interval]:
    """Signed-in intervals of people on one machine from its Security log events (sorted by time), locks subtracted."""
    open_sessions: dict[str, datetime] = {}
    spans: list[tuple[datetime, datetime]] = []
    locked: dict[str, datetime] = {}
    locks: list[tuple[datetime, datetime]] = []
    last_seen = None

    def close_all(at: datetime) -> None:
        for start in open_sessions.values():
            if at > start:
                spans.append((start, at))
        open_sessions.clear()
        for start in locked.values():
            if at > start:
                locks.append((start, at))
        locked.clear()

    for event in events:
        if event.provider not in (SECURITY_AUDITING, SECURITY_EVENTLOG):
            last_seen = event.at
            continue
        logon_id = str(event.data.get("TargetLogonId") or "")
        if event.event_id == LOGON and _is_person_logon(event.data):
            open_sessions.setdefault(logon_id, event.at)
        elif event.event_id in LOGOFFS and logon_id in open_sessions:
            start = open_sessions.pop(logon_id)
            if event.at > start:
                spans.append((start, event.at))
        elif event.event_id == LOCK:
            locked.setdefault(logon_id, event.at)
        elif event.event_id == UNLOCK and logon_id in locked:
            start = locked.pop(logon_id)
            if event.at > start:
                locks.append((start, event.at))
        elif event.event_id in SECURITY_STOPS:
            close_all(event.at)
        elif event.event_id == SECURITY_START and open_sessions:
            # a new boot while sessions were open: they ended at the last event before it, no later
            close_all(last_seen or event.at)
        last_seen = event.at
    if machine.last_event is not None:
        close_all(machine.last_event)
    return [Interval(computer, s, e, SIGNED_IN) for s, e in _subtract(_merge(spans), _merge(locks))]


# -- interval arithmetic ------------------------------------------------------------------------


def _last_event_before(events: list[LogEvent], moment: datetime) -> datetime | None:
    before = [e.at for e in events if e.at < moment and (e.provider, e.event_id) not in BOOT_EVENTS]
    return max(before) if before else None


def _merge(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(spans: list[tuple[datetime, datetime]], holes: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    result = []
    for start, end in spans:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            cut = []
            for s, e in pieces:
                if hole_end <= s or hole_start >= e:
                    cut.append((s, e))
                    continue
                if hole_start > s:
                    cut.append((s, hole_start))
                if hole_end < e:
                    cut.append((hole_end, e))
            pieces = cut
        result.extend(p for p in pieces if p[1] > p[0])
    return result
