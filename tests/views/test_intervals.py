"""The Upload page's table and timeline of the intervals an event log gave (tracker.views.intervals)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from tracker.ingest import uploads
from tracker.ingest.pipeline import ingest_file
from tracker.ingest.report import IngestReport
from tracker.views.intervals import each_interval, interval_table, interval_timeline

ASSETS = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,hostname,serial_number\n"
    "PC-1,A001,desktop,6500,2015-01-01,desktop-2kgm189.corp.local,\n"
    "PC-2,A001,desktop,6500,2015-01-01,WIN-03DLIIOFRRA,\n"
)


def at(hour: int) -> datetime:
    return datetime(2025, 3, 3, hour, tzinfo=UTC)


def report_of(rows, devices=()) -> IngestReport:
    report = IngestReport(
        kind="usage",
        file_name="System.evtx",
        file_format="evtx",
        shape="sessions",
        sha256="0" * 64,
        status="dry_run",
        rows_read=0,
        rows_accepted=0,
        rows_rejected=0,
    )
    report.interval_rows = list(rows)
    report.devices = list(devices)
    return report


def test_a_machine_with_one_kind_of_evidence_has_the_other_unknown_not_zero():
    report = report_of(
        [("PC-A", "powered_on", at(8), at(12)), ("PC-A", "powered_on", at(13), at(14)), ("pc-b", "signed_in", at(9), at(10))],
        devices=[("PC-A", None, "A-1", 1, 2), ("pc-b", None, None, 0, 1)],
    )
    table = interval_table(report, "en")
    assert table.columns == ("Machine", "Asset", "Powered on (h)", "Signed in (h)", "Intervals", "From", "To")
    assert table.rows == [
        ("PC-A", "A-1", "5.0", "—", "2", "2025-03-03 08:00 UTC", "2025-03-03 14:00 UTC"),
        ("pc-b", "—", "—", "1.0", "1", "2025-03-03 09:00 UTC", "2025-03-03 10:00 UTC"),  # unmatched: no asset
    ]
    assert interval_table(report, "zh").columns[2:4] == ("开机（小时）", "登录（小时）")


def test_the_chinese_table_writes_its_times_the_chinese_way():
    report = report_of([("PC-A", "powered_on", at(8), at(12))])
    assert interval_table(report, "zh").rows[0][-2:] == ("2025年3月3日 08:00 UTC", "2025年3月3日 12:00 UTC")


def test_each_interval_is_a_row_of_device_evidence_start_end_and_hours():
    report = report_of(
        [("pc-b", "signed_in", at(9), at(10)), ("PC-A", "powered_on", at(13), at(14)), ("PC-A", "powered_on", at(8), at(12))]
    )
    table = each_interval(report, "en")
    assert table.columns == ("Device", "Evidence", "Start", "End", "Hours")
    assert table.rows == [
        ("PC-A", "Powered on", "2025-03-03 08:00 UTC", "2025-03-03 12:00 UTC", "4.0"),
        ("PC-A", "Powered on", "2025-03-03 13:00 UTC", "2025-03-03 14:00 UTC", "1.0"),
        ("pc-b", "Signed in", "2025-03-03 09:00 UTC", "2025-03-03 10:00 UTC", "1.0"),
    ]
    zh = each_interval(report, "zh")
    assert zh.columns == ("设备", "证据", "开始", "结束", "小时")
    assert zh.rows[2][1:3] == ("登录", "2025年3月3日 09:00 UTC")


def test_an_interval_without_a_machine_or_a_known_evidence_reads_as_a_dash():
    table = each_interval(report_of([("", "meter", at(8), at(9))]), "en")
    assert table.rows == [("—", "—", "2025-03-03 08:00 UTC", "2025-03-03 09:00 UTC", "1.0")]


def test_files_without_intervals_have_no_table():
    assert interval_table(report_of([]), "en") is None
    assert each_interval(report_of([]), "en") is None
    assert interval_timeline(report_of([]), "en") == []


def test_the_timeline_has_one_bar_per_interval_with_its_evidence_in_words():
    report = report_of([("b", "signed_in", at(9), at(10)), ("A", "powered_on", at(8), at(12))])
    bars = interval_timeline(report, "zh")
    assert [(b.machine, b.evidence, b.start, b.end) for b in bars] == [
        ("A", "开机", at(8), at(12)),
        ("b", "登录", at(9), at(10)),
    ]


@pytest.fixture
def registered(db, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text(ASSETS, encoding="utf-8")
    assert ingest_file(db, "assets", path).status == "committed"
    return db


def test_a_real_upload_preview_of_two_logs_fills_the_table(registered, shared_fixtures):
    logs = shared_fixtures / "windows-eventlog"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(logs / "system.evtx", "pc1/System.evtx")
        archive.write(logs / "security.evtx", "pc2/Security.evtx")
    data = buffer.getvalue()
    report = uploads.preview_upload(registered, io.BytesIO(data), "logs.zip", "usage", size_bytes=len(data)).report
    table = interval_table(report, "en")
    rows = {r[0]: r for r in table.rows}
    assert set(rows) == {"DESKTOP-2KGM189", "WIN-P4SIAA0SQCO", "WIN-03DLIIOFRRA"}
    assert rows["DESKTOP-2KGM189"][1:2] == ("PC-1",)  # matched despite case and domain suffix
    assert rows["WIN-P4SIAA0SQCO"][1:3] == ("—", "0.03")  # not registered; on for 100 s: never shown as 0
    assert rows["DESKTOP-2KGM189"][3] == "—" and rows["WIN-03DLIIOFRRA"][2] == "—"  # each log proves one kind
    assert float(rows["DESKTOP-2KGM189"][2].replace(",", "")) > 24
    assert sum(int(r[4]) for r in table.rows) == report.intervals == len(interval_timeline(report, "en"))
