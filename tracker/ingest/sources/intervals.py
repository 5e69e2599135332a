"""A machine's events turned into intervals: powered on (System log, sleep and stopped uptime removed), signed in (Security log, locked time removed)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tracker.ingest.sources.events import (
    BOOT_EVENTS,
    EVENTLOG,
    KERNEL_GENERAL,
    LOCK,
    LOGOFFS,
    LOGON,
    POWER_TROUBLESHOOTER,
    POWERED_ON,
    SECURITY_AUDITING,
    SECURITY_EVENTLOG,
    SECURITY_START,
    SECURITY_STOPS,
    SIGNED_IN,
    SLEEP_EVENTS,
    STOP_EVENTS,
    UNEXPECTED_SHUTDOWN,
    UNLOCK,
    UPTIME_REPORT,
    WAKE_EVENTS,
    Interval,
    LogEvent,
    MachineLog,
    is_person_logon,
    parse_time,
)

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
    stops = sorted(_stopparse_time(e) for e in system if (e.provider, e.event_id) in STOP_EVENTS)
    stops += [t for e in system if (e.provider, e.event_id) == UNEXPECTED_SHUTDOWN if (t := _unexpectedparse_time(e))]
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
    kernel = sorted(_bootparse_time(e) for e in system if (e.provider, e.event_id) == (KERNEL_GENERAL, 12))
    boots = list(kernel)
    for event in system:
        if (event.provider, event.event_id) != (EVENTLOG, 6005):
            continue
        last_stop = max((s for s in stops if s < event.at), default=None)
        if not any(k <= event.at and (last_stop is None or k > last_stop) for k in kernel):
            boots.append(event.at)
    return sorted(set(boots))


def _bootparse_time(event: LogEvent) -> datetime:
    return parse_time(event.data.get("StartTime")) or event.at


def _stopparse_time(event: LogEvent) -> datetime:
    return parse_time(event.data.get("StopTime")) or event.at


def _unexpectedparse_time(event: LogEvent) -> datetime | None:
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
            sleep, wake = parse_time(event.data.get("SleepTime")), parse_time(event.data.get("WakeTime"))
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
        if event.event_id == LOGON and is_person_logon(event.data):
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
