"""Windows event logs as usage evidence: powered-on and signed-in intervals (tracker.ingest.sources.evtx)."""

from __future__ import annotations

import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.ingest.sources.events import (
    EVENTLOG,
    KERNEL_GENERAL,
    KERNEL_POWER,
    POWER_TROUBLESHOOTER,
    SECURITY_AUDITING,
    LogEvent,
    MachineLog,
)
from tracker.ingest.sources.evtx import read_event_logs
from tracker.ingest.sources.intervals import powered_on_intervals, signed_in_intervals
from tracker.text.errors import FileRefused

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "windows-eventlog"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"real event logs not found at {FIXTURES}")

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def machine(events: list[LogEvent]) -> MachineLog:
    log = MachineLog("PC-1")
    for e in events:
        log.saw(e.at)
    return log


def boot(h):
    return LogEvent(at(h), KERNEL_GENERAL, 12, {"StartTime": at(h).isoformat()})


def stop(h):
    return LogEvent(at(h), KERNEL_GENERAL, 13, {"StopTime": at(h).isoformat()})


def other(h):
    return LogEvent(at(h), "Service Control Manager", 7036, {})


def total(intervals) -> float:
    return round(sum(i.hours for i in intervals), 6)


def test_a_boot_until_its_stop_is_powered_on():
    events = [boot(0), other(1), stop(9)]
    assert total(powered_on_intervals("PC-1", events, machine(events))) == 9.0


def test_eventlog_6005_after_a_kernel_boot_is_the_same_start():
    events = [boot(0), LogEvent(at(0.01), EVENTLOG, 6005, {}), stop(2), LogEvent(at(2.001), EVENTLOG, 6006, {})]
    intervals = powered_on_intervals("PC-1", events, machine(events))
    assert len(intervals) == 1 and total(intervals) == 2.0


def test_sleep_is_subtracted():
    events = [boot(0), LogEvent(at(2), KERNEL_POWER, 42, {}), LogEvent(at(5), KERNEL_POWER, 107, {}), stop(8)]
    assert total(powered_on_intervals("PC-1", events, machine(events))) == 5.0


def test_power_troubleshooter_gives_the_sleep_and_wake_times():
    wake = LogEvent(at(6), POWER_TROUBLESHOOTER, 1, {"SleepTime": at(1).isoformat(), "WakeTime": at(4).isoformat()})
    events = [boot(0), wake, stop(8)]
    assert total(powered_on_intervals("PC-1", events, machine(events))) == 5.0


def test_an_interval_open_at_the_end_of_the_file_ends_at_the_machines_last_event():
    events = [boot(0), other(3)]
    intervals = powered_on_intervals("PC-1", events, machine(events))
    assert total(intervals) == 3.0 and intervals[-1].end == at(3)


def test_a_boot_without_a_stop_ends_at_the_last_event_before_the_next_boot():
    events = [boot(0), other(2), boot(10), stop(11)]
    assert total(powered_on_intervals("PC-1", events, machine(events))) == 3.0


def test_uptime_reports_cut_time_a_machine_did_not_run():
    # on at hour 0; the daily uptime report says 2 h ran by hour 24, and 2 h more by hour 48
    report = lambda h, seconds: LogEvent(at(h), EVENTLOG, 6013, {"Data": {"#text": ["", "", "", "", str(seconds)]}})  # noqa: E731
    events = [boot(0), report(24, 7200), report(48, 14400), stop(48.5)]
    assert total(powered_on_intervals("PC-1", events, machine(events))) == 4.5


def logon(h, logon_id, user="alice", logon_type=2):
    return LogEvent(at(h), SECURITY_AUDITING, 4624, {"TargetUserName": user, "LogonType": logon_type, "TargetLogonId": logon_id})


def security(h, event_id, logon_id="0x1"):
    return LogEvent(at(h), SECURITY_AUDITING, event_id, {"TargetLogonId": logon_id})


@pytest.mark.parametrize("logon_type, counted", [(2, True), (10, True), (11, True), (3, False), (5, False), (7, False)])
def test_only_interactive_logons_are_use(logon_type, counted):
    events = [logon(0, "0x1", logon_type=logon_type), security(2, 4634)]
    assert total(signed_in_intervals("PC-1", events, machine(events))) == (2.0 if counted else 0.0)


@pytest.mark.parametrize("user", ["SYSTEM", "LOCAL SERVICE", "NETWORK SERVICE", "DWM-1", "UMFD-0", "PC-1$"])
def test_system_sign_ins_are_not_use(user):
    events = [logon(0, "0x1", user=user), security(2, 4634)]
    assert total(signed_in_intervals("PC-1", events, machine(events))) == 0.0


def test_locked_time_is_subtracted_and_shutdown_ends_the_session():
    events = [logon(0, "0x1"), security(1, 4800), security(3, 4801), LogEvent(at(5), SECURITY_AUDITING, 4609, {})]
    assert total(signed_in_intervals("PC-1", events, machine(events))) == 3.0


def test_overlapping_logons_are_counted_once():
    events = [logon(0, "0x1"), logon(0, "0x2"), security(2, 4647, "0x1"), security(3, 4634, "0x2")]
    assert total(signed_in_intervals("PC-1", events, machine(events))) == 3.0


def test_a_file_that_is_not_an_event_log_is_refused(tmp_path):
    path = tmp_path / "system.evtx"
    path.write_bytes(b"%PDF-1.4 not a log")
    with pytest.raises(FileRefused) as refused:
        read_event_logs(path)
    assert "system.evtx" in refused.value.text("en")


@needs_fixtures
def test_real_system_log_gives_powered_on_intervals_per_machine():
    reading = read_event_logs(FIXTURES / "system.evtx")
    assert set(reading.machines) == {"DESKTOP-2KGM189", "WIN-P4SIAA0SQCO"}
    hours = {c: sum(i.hours for i in reading.intervals if i.computer == c) for c in reading.machines}
    assert 0 < hours["WIN-P4SIAA0SQCO"] < 0.1  # one boot, shut down 100 s later
    assert reading.machines["DESKTOP-2KGM189"].sleeps == 2
    # months between the log's first and last event, but the machine ran days, not months
    assert 24 < hours["DESKTOP-2KGM189"] < 24 * 10
    assert {i.evidence for i in reading.intervals} == {"powered_on"}


@needs_fixtures
def test_real_security_log_counts_people_not_services():
    reading = read_event_logs(FIXTURES / "security.evtx")
    signed_in = {i.computer for i in reading.intervals}
    assert signed_in == {"WIN-03DLIIOFRRA"}  # 37L4247F27-25 holds only service and network logons
    assert reading.machines["WIN-03DLIIOFRRA"].logons == 84
    assert {i.evidence for i in reading.intervals} == {"signed_in"}


@needs_fixtures
def test_a_damaged_chunk_is_reported_and_the_readable_records_kept():
    """The damaged sample: 14 readable records of DESKTOP-1N4R894, then a chunk whose header is zeros (the
    fixtures' README); after the damage the file holds three more readable chunks, kept as well."""
    reading = read_event_logs(FIXTURES / "sample_with_a_bad_chunk_magic.evtx")
    # 14 records in chunk 0 (the rest of it zeros), 13 in chunk 7, 129 in chunk 8 and 114 in chunk 9
    assert reading.records == 270 and "DESKTOP-1N4R894" in reading.machines
    # chunk 0's records stop at byte 12,696 and chunks 1-6 are zeros: one range; chunk 7 is zeros from its
    # 14th record; chunk 9 from its 115th record, and chunks 10-15 are zeros
    assert reading.unreadable == [
        "sample_with_a_bad_chunk_magic.evtx: 12,696–462,847",
        "sample_with_a_bad_chunk_magic.evtx: 471,136–528,383",
        "sample_with_a_bad_chunk_magic.evtx: 651,320–1,052,671",
    ]
    assert reading.records_lost == (130 - 14) + (78 - 13) + (130 - 114)  # what the readable chunk headers list
    # one record has neither provider, channel nor time: it is counted but placed nowhere
    assert reading.channels == {"Microsoft-Windows-AppXDeployment/Operational": 269}
    assert reading.intervals == []  # neither a System nor a Security log: nothing invented


@needs_fixtures
def test_the_unreadable_end_of_a_chunk_is_named_from_its_first_lost_record(tmp_path):
    whole = read_event_logs(FIXTURES / "system.evtx")
    data = bytearray((FIXTURES / "system.evtx").read_bytes())
    start = 4096 + 2 * 65536
    data[start + 30_000 : start + 65536] = bytes(65536 - 30_000)  # chunk 2 zeroed from its 30,000th byte
    path = tmp_path / "System.evtx"
    path.write_bytes(bytes(data))
    damaged = read_event_logs(path)
    [part] = damaged.unreadable
    first, last = (int(x.replace(",", "")) for x in part.removeprefix("System.evtx: ").split("–"))
    # from the first record the parser could not give (the one cut at byte 30,000 may still parse) to the chunk's end
    assert start + 20_000 < first <= start + 32_000 and last == start + 65535
    assert damaged.records_lost > 0 and damaged.records + damaged.records_lost == whole.records


def damaged_copy(tmp_path: Path, chunk: int) -> Path:
    """The real System log with one chunk's header overwritten by zeros."""
    data = bytearray((FIXTURES / "system.evtx").read_bytes())
    start = 4096 + chunk * 65536
    data[start : start + 8] = bytes(8)
    path = tmp_path / "System.evtx"
    path.write_bytes(bytes(data))
    return path


@needs_fixtures
def test_a_system_log_with_a_damaged_chunk_keeps_the_intervals_of_the_readable_ones(tmp_path):
    whole = read_event_logs(FIXTURES / "system.evtx")
    damaged = read_event_logs(damaged_copy(tmp_path, 3))
    assert damaged.unreadable == ["System.evtx: 200,704–266,239"]
    assert 0 < damaged.records < whole.records
    assert damaged.intervals and {i.computer for i in damaged.intervals} <= {"DESKTOP-2KGM189", "WIN-P4SIAA0SQCO"}
    # nothing invented: the damaged log proves no more powered-on time than the whole one
    hours = sum(i.hours for i in damaged.intervals)
    assert 0 < hours <= sum(i.hours for i in whole.intervals) + 1e-9


@needs_fixtures
def test_a_zip_of_many_machines_logs(tmp_path):
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "system.evtx", "pc1/System.evtx")
        z.write(FIXTURES / "security.evtx", "pc2/Security.evtx")
        z.writestr("readme.txt", "not a log")
    reading = read_event_logs(archive)
    assert len(reading.files) == 2
    assert {i.evidence for i in reading.intervals} == {"powered_on", "signed_in"}


@pytest.mark.parametrize("offset", [2, 3000], ids=["deflate-stream-broken", "check-sum-wrong"])
def test_a_zip_of_logs_damaged_in_transit_is_refused_in_the_readers_words(tmp_path, offset):
    """One byte of a member's compressed data changed: unpacking fails on its data or on its check sum. Either way
    the upload is refused with what to do, never with the unpacker's error."""
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("pc1/System.evtx", b"ElfFile\x00" + random.Random(7).randbytes(20_000))  # stays 20 kB deflated
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("pc1/System.evtx")
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + min(offset, info.compress_size - 1)] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(FileRefused) as refused:
        read_event_logs(archive)
    assert refused.value.key == "evtx.bad_zip"
    assert "logs.zip/pc1/System.evtx" in refused.value.text("en") and "damaged or incomplete" in refused.value.text("en")
    assert "已损坏或不完整" in refused.value.text("zh")
    assert "CRC" not in refused.value.text("zh") and "Error" not in refused.value.text("en")


GLPI = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "glpi"
needs_glpi = pytest.mark.skipif(not GLPI.is_dir(), reason=f"real GLPI inventories not found at {GLPI}")


@needs_glpi
def test_glpi_computer_gives_seen_days_with_the_yearless_sign_in_resolved():
    from datetime import date

    from tracker.ingest.sources.glpi import read_glpi

    inventory = read_glpi(GLPI / "computer_1.json")
    assert {(s.hostname, s.serial_number) for s in inventory.sightings} == {("glpixps", "640HP72")}
    days = {s.reason: s.seen_date for s in inventory.sightings}
    assert days == {"boot": date(2020, 6, 9), "inventory": date(2020, 6, 12), "last_sign_in": date(2020, 6, 12)}
    assert inventory.notes == []


@needs_glpi
def test_glpi_printer_gives_its_page_counter():
    from tracker.ingest.sources.glpi import read_glpi

    inventory = read_glpi(GLPI / "printer_1.json")
    readings = {(c.serial_number, c.meter): c.value for c in inventory.counters}
    assert readings[("PHCVN191TG", "pages_total")] == 1802
    assert inventory.sightings == []


@pytest.mark.parametrize(
    "text, references, expected",
    [
        ("Fri Jun 12 14:15", ["2020-06-09"], "2020-06-12"),  # 2020-06-12 was a Friday
        ("Fri Jun 12 14:15", ["2021-01-05"], "2020-06-12"),  # the year before the reference fits
        ("Mon Jun 12 14:15", ["2020-06-09"], None),  # neither 2020 nor 2019 puts 12 June on a Monday
        ("Fri Jun 12 14:15", [], None),  # no reference year: never guessed
        ("yesterday", ["2020-06-09"], None),
    ],
)
def test_a_yearless_date_is_resolved_only_when_one_year_fits(text, references, expected):
    from datetime import date

    from tracker.ingest.sources.glpi import resolve_yearless
    from tracker.text.i18n import Message, render

    result = resolve_yearless(text, [date.fromisoformat(r) for r in references])
    if expected is None:
        assert isinstance(result, Message) and text in render(result, "en") and text in render(result, "zh")
    else:
        assert result == date.fromisoformat(expected)
