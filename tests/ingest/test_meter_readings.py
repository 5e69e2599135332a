"""Meter readings: devices named as for usage, English and Chinese headers, bad input, re-upload, GLPI printers."""

from __future__ import annotations

import pytest
from conftest import write_file as _file

from tracker.ingest.pipeline import ingest_file
from tracker.text.errors import FileRefused

ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,serial_number,hostname\n"
    "PR-1,A001,printer,2600,2024-01-01,PHCVN191TG,NPIF2BE10\n"
    "PR-2,A001,printer,2600,2024-01-01,SN-PR2,\n"
    "PJ-1,A001,projector,4000,2024-01-01,SN-PJ1,\n"
    "PC-1,A001,desktop,6500,2024-01-01,SN-PC1,\n"
)


@pytest.fixture
def register_csv():
    """The asset register of `registered` (tests/conftest.py)."""
    return ASSETS_CSV


def _readings(db):
    return db.fetchall("SELECT asset_id, meter, strftime(read_at, '%Y-%m-%d %H:%M'), value FROM meter_readings ORDER BY ALL")


def test_readings_are_stored_by_device_in_any_order(registered, tmp_path):
    text = (
        "asset_id,serial_number,read_at,meter,value\n"
        'PR-1,,2025-04-01,pages_total,"2,300"\n'  # later reading first: sorted, not an error
        ",sn-pr2,2025-03-01 09:30,Total pages,100\n"  # serial, another case; a meter alias
        "PR-1,,2025-03-01,pages_total,1802\n"
        ",SN-PJ1,2025-03-01,lamp_hours,812.5\n"
    )
    report = ingest_file(registered, "meters", _file(tmp_path, "m.csv", text))
    assert report.status == "committed", [e.text() for e in report.errors]
    assert _readings(registered) == [
        ("PJ-1", "lamp_hours", "2025-03-01 00:00", 812.5),
        ("PR-1", "pages_total", "2025-03-01 00:00", 1802.0),
        ("PR-1", "pages_total", "2025-04-01 00:00", 2300.0),
        ("PR-2", "pages_total", "2025-03-01 09:30", 100.0),
    ]
    again = ingest_file(registered, "meters", _file(tmp_path, "m.csv", text))
    assert again.status == "unchanged" and again.rows_unchanged == 4
    fixed = _file(tmp_path, "m2.csv", "asset_id,read_at,meter,value\nPR-1,2025-04-01,pages_total,2310\n")
    replaced = ingest_file(registered, "meters", fixed)
    assert replaced.rows_replaced == 1
    assert registered.scalar("SELECT value FROM meter_readings WHERE read_at = '2025-04-01'") == 2310.0
    assert registered.scalar("SELECT count(*) FROM meter_readings") == 4


def test_chinese_headers_and_meter_names_are_read_and_the_kind_is_told_from_them(registered, tmp_path):
    text = "资产编号,读数时间,计数器,读数\nPR-1,2025年03月01日 08:00,总页数,1802\nPJ-1,2025-03-01,灯泡使用小时,10\n"
    report = ingest_file(registered, None, _file(tmp_path, "读数.csv", text))
    assert report.kind == "meters" and report.status == "committed", [e.text("zh") for e in report.errors]
    assert [r[1] for r in _readings(registered)] == ["lamp_hours", "pages_total"]


@pytest.mark.parametrize(
    ("row", "code", "value"),
    [
        ("PR-1,2099-01-01,pages_total,5", "row.future_date", "2099-01-01"),
        ("PR-1,2025-03-01,pages_total,-5", "row.negative", "-5"),
        ("PR-1,2025-03-01,pages_total,lots", "row.bad_number", "lots"),
        ("PR-1,2025-03-01,pages_total,", "row.required", None),
        ("PR-1,2025-03-01,lamp_hours,5", "row.unknown_meter", "lamp_hours"),
        ("PJ-1,2025-03-01,pages_total,5", "row.unknown_meter", "pages_total"),
        ("PC-1,2025-03-01,pages_total,5", "row.unknown_meter", "pages_total"),
        ("NOPE,2025-03-01,pages_total,5", "row.unknown_asset", "NOPE"),
    ],
)
def test_bad_readings_are_rejected_with_their_reason_and_nothing_is_stored(registered, tmp_path, row, code, value):
    text = f"asset_id,read_at,meter,value\nPR-2,2025-03-01,pages_total,1\n{row}\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "bad.csv", text))
    assert report.status == "rejected"
    assert [(e.row_number, e.code, e.value) for e in report.errors] == [(3, code, value)]
    assert registered.scalar("SELECT count(*) FROM meter_readings") == 0
    assert report.errors[0].text("en") and report.errors[0].text("zh") != report.errors[0].text("en")


def test_an_unknown_meter_names_the_ones_the_category_knows(registered, tmp_path):
    text = "asset_id,read_at,meter,value\nPJ-1,2025-03-01,pages_total,5\nPC-1,2025-03-01,copies,5\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "bad.csv", text))
    projector, desktop = (e.text("en") for e in report.errors)
    assert "projector: lamp_hours" in projector
    assert "desktop: —" in desktop
    assert "计数器“pages_total”不适用" in report.errors[0].text("zh")


def test_two_values_for_one_device_meter_and_time_are_a_conflict_identical_repeats_are_kept_once(registered, tmp_path):
    conflict = "asset_id,read_at,meter,value\nPR-1,2025-03-01,pages_total,5\nPR-1,2025-03-01,pages_total,6\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "dup.csv", conflict))
    assert report.status == "rejected" and {e.code for e in report.errors} == {"row.duplicate_key"}
    repeat = "asset_id,read_at,meter,value\nPR-1,2025-03-01,pages_total,5\nPR-1,2025-03-01,pages_total,5\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "rep.csv", repeat))
    assert report.status == "committed" and registered.scalar("SELECT count(*) FROM meter_readings") == 1


def test_partial_keeps_the_good_readings_and_the_rejects(registered, tmp_path):
    text = "asset_id,read_at,meter,value\nPR-1,2025-03-01,pages_total,5\nPR-1,2025-04-01,pages_total,x\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "p.csv", text), partial=True)
    assert report.status == "partial"
    assert registered.scalar("SELECT count(*) FROM meter_readings") == 1
    assert registered.scalar("SELECT count(*) FROM rejected_rows") == 1


def test_a_glpi_printer_inventory_loads_as_one_page_reading(registered, shared_fixtures):
    report = ingest_file(registered, "meters", shared_fixtures / "glpi" / "printer_1.json")
    assert report.status == "committed", [e.text() for e in report.errors]
    assert _readings(registered) == [("PR-1", "pages_total", "2020-12-31 11:28", 1802.0)]
    rows = registered.fetchall("SELECT source FROM meter_readings")
    assert rows == [("glpi-agent",)]


def test_a_glpi_computer_inventory_is_not_meter_readings(registered, shared_fixtures):
    with pytest.raises(FileRefused) as refused:
        ingest_file(registered, "meters", shared_fixtures / "glpi" / "computer_1.json")
    assert refused.value.message.key == "file.wrong_kind"


def test_a_counter_that_goes_down_is_reported_not_refused(registered, tmp_path):
    first = "asset_id,read_at,meter,value\nPR-1,2025-01-01,pages_total,9000\n"
    assert ingest_file(registered, "meters", _file(tmp_path, "a.csv", first)).status == "committed"
    text = "asset_id,read_at,meter,value\nPR-1,2025-03-01,pages_total,120\nPR-1,2025-02-01,pages_total,9500\n"
    report = ingest_file(registered, "meters", _file(tmp_path, "b.csv", text))
    assert report.status == "committed" and not report.errors
    notes = report.feed_notes("en")
    assert any("goes down from 9,500 on 2025-02-01 to 120 on 2025-03-01" in n for n in notes), notes
    assert any("自此开始新的读数序列" in n for n in report.feed_notes("zh"))
