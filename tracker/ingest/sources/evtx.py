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

import logging
import re
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from itertools import islice
from operator import itemgetter
from pathlib import Path

from tracker.ingest.sources.damage import CHUNK, FILE_HEADER, damaged_ranges
from tracker.ingest.sources.events import (
    EVTX_MAGIC,
    LOGON,
    ZIP_MAGIC,
    EventLogReading,
    LogEvent,
    MachineLog,
)
from tracker.ingest.sources.intervals import powered_on_intervals, signed_in_intervals
from tracker.ingest.sources.records import Seen, decode, read_heads
from tracker.text.errors import FileRefused
from tracker.text.i18n import reason

log = logging.getLogger(__name__)
_DATA = itemgetter("data")
_RECORD_ID = itemgetter("event_record_id")
_BATCH = 64  # records held at once: memory stays bounded however large the log, and they stay in the cache
_PROGRESS_EVERY = 50_000
_MAX_DAMAGE = 10_000
_CHUNK_NUMBER = re.compile(r"chunk number (\d+)")


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
        raise _bad_zip(file_name, exc) from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".evtx"):
                continue
            target = folder / "member.evtx"
            try:
                with archive.open(info) as source, open(target, "wb") as out:
                    while chunk := source.read(1 << 20):
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:  # a damaged member: its data or check sum
                raise _bad_zip(f"{file_name}/{info.filename}", exc) from exc
            yield f"{file_name}/{info.filename}", target


def _bad_zip(name: str, exc: BaseException) -> FileRefused:
    """A ZIP that cannot be opened or unpacked, said in the reader's words (the library's own go to the log)."""
    log.warning("%s cannot be unpacked: %s", name, exc)
    return FileRefused("evtx.bad_zip", file=name, reason=reason("file_damaged"))


def _read_file(
    path: Path, name: str, reading: EventLogReading, events: dict[str, list[LogEvent]], progress: Callable[[int], None] | None
) -> None:
    from evtx import PyEvtxParser  # the native parser: imported when a log is read, not with the ingest package

    with open(path, "rb") as handle:
        if not is_event_log(handle.read(8)):
            raise FileRefused("evtx.not_event_log", file=name)
    reading.files.append(name)
    try:
        parser = PyEvtxParser(str(path), number_of_threads=1, indent=False)
    except (RuntimeError, OSError) as exc:
        raise FileRefused("evtx.unreadable", file=name, reason=_short(exc)) from exc
    record_ids = array("q")
    errors = consume_records(parser.records(), name, reading, events, progress, appended=True, record_ids=record_ids)
    ranges, lost = damaged_ranges(path, record_ids)
    reading.records_lost += lost
    reading.unreadable.extend(f"{name}: {start:,}–{end:,}" for start, end in ranges)
    if errors and not ranges:  # the parser stumbled where the file's structure shows no damage: say what it said
        reading.unreadable.extend(_damage(name, exc) for exc in errors[:10])


def consume_records(
    records: Iterator[dict],
    name: str,
    reading: EventLogReading,
    events: dict[str, list[LogEvent]],
    progress: Callable[[int], None] | None = None,
    *,
    appended: bool = False,
    record_ids: array | None = None,
) -> list[BaseException]:
    """Add the records of one log (the parser's XML records, without indentation) to a reading; `finish` turns
    them into intervals. Returns the parser's errors (damaged chunks; the parser goes on with the next one).

    Records are taken in batches (memory stays bounded however large the log).
    """
    if not appended:
        reading.files.append(name)
    logons_before = sum(m.logons for m in reading.machines.values())
    seen = Seen()
    errors: list[BaseException] = []
    batch: list[dict] = []
    while True:
        try:
            while True:  # list.extend keeps what it took before a damaged chunk stops it
                batch.extend(islice(records, _BATCH - len(batch)))
                if len(batch) < _BATCH:
                    break
                _consume_batch(batch, reading, events, seen, progress, record_ids)
                batch.clear()
            break
        except (RuntimeError, OSError, ValueError) as exc:  # a damaged chunk: the parser goes on with the next one
            errors.append(exc)
            if len(errors) > _MAX_DAMAGE:  # a parser that cannot move past the damage: stop there
                break
    _consume_batch(batch, reading, events, seen, progress, record_ids)
    if seen.security and sum(m.logons for m in reading.machines.values()) == logons_before:
        reading.security_logs_without_logons.append(name)
    return errors


def _consume_batch(
    batch: list[dict],
    reading: EventLogReading,
    events: dict[str, list[LogEvent]],
    seen: Seen,
    progress: Callable[[int], None] | None,
    record_ids: array | None,
) -> None:
    """One batch of records: each machine's first and last time and channels; the events the readers use decoded."""
    before = reading.records
    reading.records += len(batch)
    if record_ids is not None:
        record_ids.extend(map(_RECORD_ID, batch))
    heads = read_heads(list(map(_DATA, batch)), seen)
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
    for text, provider, event_id, (computer, _), when, read_to in heads.used:
        event = decode(text, provider, event_id, when, read_to)
        if event is None:
            continue
        machine = reading.machines.get(computer)
        if machine is None:
            continue
        events.setdefault(computer, []).append(event)
        if event.event_id == LOGON:  # decode keeps the logons of people only
            machine.logons += 1
    if progress is not None and reading.records // _PROGRESS_EVERY > before // _PROGRESS_EVERY:
        progress(reading.records)


def _damage(name: str, exc: BaseException) -> str:
    """A parser error where the file's structure shows no damage: the chunk it names, or its words."""
    found = _CHUNK_NUMBER.search(str(exc))
    if found is None:
        return f"{name}: {_short(exc)}"
    start = FILE_HEADER + int(found.group(1)) * CHUNK
    return f"{name}: {start:,}–{start + CHUNK - 1:,}"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
