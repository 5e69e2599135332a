"""Files machines and their management tools write, staged as usage rows naming devices.

A Windows event log (`.evtx`, or a ZIP of them) becomes a sessions-shaped table: one row per
powered-on or signed-in interval, keyed by host name. A GLPI agent's computer inventory becomes
daily rows of the days the device was seen on. Both then go through the same validation, rejects
and re-upload behaviour as any usage file (docs/usage-sources.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from tracker.ingest.readers.staged import StagedFile
from tracker.ingest.sources.events import POWERED_ON
from tracker.ingest.sources.evtx import read_event_logs
from tracker.ingest.sources.glpi import read_glpi
from tracker.store.db import Database
from tracker.text.errors import FileRefused
from tracker.text.i18n import Message

EVENT_LOG_SOURCES = {POWERED_ON: "windows-system-log"}  # signed-in intervals come from the Security log
SECURITY_LOG_SOURCE = "windows-security-log"
GLPI_SOURCE = "glpi-agent"
SESSION_HEADERS = ("hostname", "start_time", "end_time", "source", "evidence")
SEEN_HEADERS = ("hostname", "serial_number", "usage_date", "evidence", "source")
READING_HEADERS = ("hostname", "serial_number", "read_at", "meter", "value", "source")


@dataclass(frozen=True)
class DeviceSourceSummary:
    """What a log or inventory held besides its rows, for the upload report."""

    kind: str  # event_log | glpi
    intervals: int = 0
    machines: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    notes: tuple[Message, ...] = field(default_factory=tuple)
    interval_rows: tuple[tuple[str, str, datetime, datetime], ...] = ()  # event logs: (computer, evidence, start, end)


def _create(db: Database, table: str, headers: tuple[str, ...], columns: list[list[str | None]]) -> None:
    arrays = {f"c{i}": pa.array(values, pa.string()) for i, values in enumerate(columns)}
    rows = len(columns[0]) if columns else 0
    arrays["_row"] = pa.array(range(1, rows + 1), pa.int64())
    view = f"{table}_arrow"
    db.register(view, pa.table(arrays))
    try:
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}", name="stage device rows")
    finally:
        db.unregister(view)


def stage_event_log(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    """Powered-on and signed-in intervals, one row each, in the order of machine and start."""
    reading = read_event_logs(path, file_name=file_name)
    intervals = sorted(reading.intervals, key=lambda i: (i.computer, i.evidence, i.start))
    if not intervals:
        damaged = "; ".join(reading.unreadable) or "—"
        lost = f"{reading.records_lost:,}" if reading.unreadable else "—"
        if reading.channels and not {c.lower() for c in reading.channels} & {"system", "security"}:
            channels = ", ".join(sorted(c or "—" for c in reading.channels))
            raise FileRefused(
                "evtx.not_usage_log",
                file=file_name,
                channels=channels,
                records=f"{reading.records:,}",
                unreadable=damaged,
                lost=lost,
            )
        raise FileRefused("evtx.no_intervals", file=file_name, records=f"{reading.records:,}", unreadable=damaged, lost=lost)
    columns: list[list[str | None]] = [[], [], [], [], []]
    for interval in intervals:
        source = EVENT_LOG_SOURCES.get(interval.evidence, SECURITY_LOG_SOURCE)
        values = (interval.computer, interval.start.isoformat(), interval.end.isoformat(), source, interval.evidence)
        for column, value in zip(columns, values):
            column.append(value)
    _create(db, table, SESSION_HEADERS, columns)
    notes = tuple(Message("evtx.security_without_logons", {"file": name}) for name in reading.security_logs_without_logons)
    summary = DeviceSourceSummary(
        "event_log",
        intervals=len(intervals),
        machines=tuple(sorted(reading.machines)),
        unreadable=tuple(reading.unreadable),
        notes=notes,
        interval_rows=tuple((i.computer, i.evidence, i.start, i.end) for i in intervals),
    )
    return StagedFile(
        table, file_name, "evtx", SESSION_HEADERS, temp_tables=(table,), source_table_hint=table, device_summary=summary
    )


def stage_glpi(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    """The days a GLPI agent's computer inventory shows the device on (boot, inventory, last sign-in),
    or a printer inventory's page counters as meter readings (docs/meters.md)."""
    inventory = read_glpi(path, file_name=file_name)
    if inventory.counters or inventory.item_type.lower() == "printer":
        return _stage_counters(db, inventory, table, file_name)
    if not inventory.sightings:  # no date says the computer was on: say which were there and why none counts
        raise FileRefused("glpi.no_day_seen", file=file_name, notes=list(inventory.notes) or "—")
    days = sorted({(s.hostname, s.serial_number, s.seen_date) for s in inventory.sightings}, key=lambda d: d[2])
    columns: list[list[str | None]] = [[], [], [], [], []]
    for hostname, serial, day in days:
        for column, value in zip(columns, (hostname, serial, day.isoformat(), "seen", GLPI_SOURCE)):
            column.append(value)
    _create(db, table, SEEN_HEADERS, columns)
    machines = tuple(sorted({s.hostname or s.serial_number or "" for s in inventory.sightings}))
    summary = DeviceSourceSummary("glpi", machines=machines, notes=tuple(inventory.notes))
    return StagedFile(
        table, file_name, "glpi", SEEN_HEADERS, temp_tables=(table,), source_table_hint=table, device_summary=summary
    )


def _stage_counters(db: Database, inventory, table: str, file_name: str) -> StagedFile:
    """One meter-reading row per page counter of a printer's inventory, read when the inventory was taken."""
    if not inventory.counters:
        raise FileRefused("glpi.no_counters", file=file_name)
    if any(c.read_at is None for c in inventory.counters):
        raise FileRefused("glpi.no_reading_time", file=file_name)
    columns: list[list[str | None]] = [[] for _ in READING_HEADERS]
    for c in inventory.counters:
        values = (c.hostname, c.serial_number, c.read_at.isoformat(sep=" "), c.meter, str(c.value), GLPI_SOURCE)
        for column, value in zip(columns, values):
            column.append(value)
    _create(db, table, READING_HEADERS, columns)
    machines = tuple(sorted({c.hostname or c.serial_number or "" for c in inventory.counters}))
    summary = DeviceSourceSummary("glpi", machines=machines, notes=tuple(inventory.notes))
    return StagedFile(
        table, file_name, "glpi", READING_HEADERS, temp_tables=(table,), source_table_hint=table, device_summary=summary
    )
