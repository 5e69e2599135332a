"""Usage rows naming a device by serial number or host name, and the evidence each row keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.ingest.pipeline import ingest_file

ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,Serial Number,Computer Name\n"
    "PC-1,A001,desktop,6500,2016-01-01,SN-AAA,DESKTOP-2KGM189\n"
    "PC-2,A001,desktop,6500,2016-01-01,SN-BBB,WIN-03DLIIOFRRA.corp.local\n"
    "PC-3,A002,laptop,6500,2016-01-01,640HP72,\n"
    "PC-4,A001,laptop,6500,2016-01-01,SN-DUP,\n"
    "PC-5,A001,laptop,6500,2016-01-01,sn-dup,\n"
)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def registered(db, tmp_path):
    report = ingest_file(db, "assets", _file(tmp_path, "assets.csv", ASSETS_CSV))
    assert report.status == "committed", report.errors
    return db


def test_the_register_keeps_host_names_and_serials(registered):
    rows = registered.fetchall("SELECT asset_id, serial_number, hostname FROM assets ORDER BY asset_id")
    assert rows[0] == ("PC-1", "SN-AAA", "DESKTOP-2KGM189")
    assert rows[1][2] == "WIN-03DLIIOFRRA.corp.local"


def test_usage_rows_are_matched_by_serial_then_host_name(registered, tmp_path):
    text = (
        "hostname,serial_number,usage_date,hours_used\n"
        "desktop-2kgm189,,2024-03-01,5\n"  # host name, another case
        "win-03dliiofrra,,2024-03-01,4\n"  # the register's domain suffix ignored
        "anything,640hp72,2024-03-01,3\n"  # the serial decides before the host name
        "DESKTOP-2KGM189.corp.local,,2024-03-02,2\n"
    )
    report = ingest_file(registered, "usage", _file(tmp_path, "u.csv", text))
    assert report.status == "committed", report.errors
    rows = registered.fetchall("SELECT asset_id, usage_date::VARCHAR, hours_used, evidence FROM usage_daily ORDER BY ALL")
    assert rows == [
        ("PC-1", "2024-03-01", 5.0, "usage"),
        ("PC-1", "2024-03-02", 2.0, "usage"),
        ("PC-2", "2024-03-01", 4.0, "usage"),
        ("PC-3", "2024-03-01", 3.0, "usage"),
    ]


def test_unknown_and_ambiguous_devices_are_rejected_rows_naming_them(registered, tmp_path):
    text = "hostname,serial_number,usage_date,hours_used\nDESKTOP-2KGM189,,2024-03-01,5\nNOPE-1,,2024-03-01,4\n,SN-DUP,2024-03-01,1\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "u.csv", text))
    assert report.status == "rejected"
    codes = {(e.row_number, e.code, e.value) for e in report.errors}
    assert (3, "row.unknown_device", "NOPE-1") in codes
    assert (4, "row.ambiguous_device", "SN-DUP") in codes
    assert registered.scalar("SELECT count(*) FROM usage_daily") == 0


def test_a_scoped_upload_refuses_a_device_of_another_agency(registered, tmp_path):
    text = "serial_number,usage_date,hours_used\n640HP72,2024-03-01,3\nSN-AAA,2024-03-01,1\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "u.csv", text), agency="A001")
    assert report.status == "rejected"
    assert [(e.row_number, e.code) for e in report.errors] == [(2, "row.asset_other_agency")]


def test_an_intune_export_is_seen_evidence_without_hours(registered, tmp_path):
    text = "Device name,Serial number,Last check-in\nDESKTOP-2KGM189,SN-AAA,2024-03-05 10:12:33\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "intune.csv", text))
    assert report.status == "committed", report.errors
    assert registered.fetchall("SELECT asset_id, source, hours_used, evidence FROM usage_daily") == [
        ("PC-1", "intune", None, "seen")
    ]


def test_a_lansweeper_export_is_seen_evidence(registered, tmp_path):
    text = "AssetName,Serialnumber,Last seen\nWIN-03DLIIOFRRA,,2024-03-05 08:00:00\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "lansweeper.csv", text))
    assert report.status == "committed", report.errors
    assert registered.fetchall("SELECT asset_id, source, evidence FROM usage_daily") == [("PC-2", "lansweeper", "seen")]


def test_an_asset_tagged_file_without_hours_is_still_refused(registered, tmp_path):
    from tracker.text.errors import FileRefused

    with pytest.raises(FileRefused):
        ingest_file(registered, "usage", _file(tmp_path, "u.csv", "asset_id,usage_date\nPC-1,2024-03-01\n"))


def test_an_unknown_evidence_kind_is_a_rejected_row(registered, tmp_path):
    text = "asset_id,usage_date,hours_used,evidence\nPC-1,2024-03-01,2,powered_on\nPC-1,2024-03-02,2,guessed\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "u.csv", text))
    assert [(e.row_number, e.code) for e in report.errors] == [(3, "row.bad_evidence")]
