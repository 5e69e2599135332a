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
_LOGON_TYPE = re.compile(r'"LogonType":"?(\d+)')


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
            if parsed.event_id == LOGON and is_person_logon(parsed.data):
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
    at = parse_time(when)
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


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
