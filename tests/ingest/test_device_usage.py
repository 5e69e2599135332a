"""Usage rows naming a device by serial number or host name, and the evidence each row keeps."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import write_file as _file

from tracker.ingest.pipeline import ingest_file

ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,Serial Number,Computer Name\n"
    "PC-1,A001,desktop,6500,2016-01-01,SN-AAA,DESKTOP-2KGM189\n"
    "PC-2,A001,desktop,6500,2016-01-01,SN-BBB,WIN-03DLIIOFRRA.corp.local\n"
    "PC-3,A002,laptop,6500,2016-01-01,640HP72,\n"
    "PC-4,A001,laptop,6500,2016-01-01,SN-DUP,\n"
    "PC-5,A001,laptop,6500,2016-01-01,sn-dup,\n"
)


@pytest.fixture
def register_csv():
    """The asset register of `registered` (tests/conftest.py)."""
    return ASSETS_CSV


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
    codes = {(e.row_number, e.code, e.column, e.value) for e in report.errors}
    assert (3, "row.unknown_device", "hostname", "NOPE-1") in codes
    assert (4, "row.ambiguous_device", "serial_number", "SN-DUP") in codes  # the column the row named it by
    assert registered.scalar("SELECT count(*) FROM usage_daily") == 0


def test_a_scoped_upload_refuses_a_device_of_another_agency(registered, tmp_path):
    text = "serial_number,usage_date,hours_used\n640HP72,2024-03-01,3\nSN-AAA,2024-03-01,1\n"
    report = ingest_file(registered, "usage", _file(tmp_path, "u.csv", text), agency="A001")
    assert report.status == "rejected"
    # told like a device registered nowhere: neither the other agency's asset id nor that it exists
    assert [(e.row_number, e.code, e.column, e.value) for e in report.errors] == [
        (2, "row.device_not_your_agency", "serial_number", "640HP72")
    ]
    assert not [e for e in report.errors if "PC-3" in e.text("en") + e.text("zh")]


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


# -- the real files machines write ----------------------------------------------------------------

FIXTURE_ASSETS = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,hostname,serial_number\n"
    "PC-1,A001,desktop,6500,2015-01-01,DESKTOP-2KGM189,\n"
    "PC-2,A001,desktop,6500,2015-01-01,WIN-03DLIIOFRRA,\n"
    "PC-3,A001,laptop,6500,2015-01-01,,640HP72\n"
)


@pytest.fixture
def fixture_assets(db, tmp_path):
    assert ingest_file(db, "assets", _file(tmp_path, "assets.csv", FIXTURE_ASSETS)).status == "committed"
    return db


def test_a_system_log_gives_powered_on_days_and_names_the_machine_it_cannot_match(fixture_assets, shared_fixtures):
    db = fixture_assets
    report = ingest_file(db, "usage", shared_fixtures / "windows-eventlog" / "system.evtx", partial=True)
    assert report.status == "partial"
    assert report.intervals == report.rows_read > 0
    assert report.unmatched_devices == [("WIN-P4SIAA0SQCO", None)]
    assert {e.code for e in report.errors} == {"row.unknown_device"}
    rows = db.fetchall("SELECT DISTINCT asset_id, source, evidence FROM usage_daily")
    assert rows == [("PC-1", "windows-system-log", "powered_on")]
    assert 0 < db.scalar("SELECT max(hours_used) FROM usage_daily") <= 24


def test_a_security_log_gives_signed_in_days(fixture_assets, shared_fixtures):
    db = fixture_assets
    report = ingest_file(db, "usage", shared_fixtures / "windows-eventlog" / "security.evtx", partial=True)
    assert report.rows_inserted > 0
    assert db.fetchall("SELECT DISTINCT asset_id, source, evidence FROM usage_daily") == [
        ("PC-2", "windows-security-log", "signed_in")
    ]


def test_uploading_an_overlapping_log_again_counts_nothing_twice(fixture_assets, shared_fixtures, tmp_path):
    db = fixture_assets
    log = shared_fixtures / "windows-eventlog" / "system.evtx"
    ingest_file(db, "usage", log, partial=True)
    before = db.fetchall("SELECT usage_date, hours_used FROM usage_daily ORDER BY 1")
    again = ingest_file(db, "usage", log, file_name="system-copy.evtx", partial=True)
    assert again.rows_inserted == 0 and again.rows_replaced == 0 and again.rows_unchanged == len(before)
    assert db.fetchall("SELECT usage_date, hours_used FROM usage_daily ORDER BY 1") == before


def test_a_glpi_inventory_gives_days_seen_without_hours(fixture_assets, shared_fixtures):
    db = fixture_assets
    report = ingest_file(db, "usage", shared_fixtures / "glpi" / "computer_1.json")
    assert report.status == "committed", report.errors
    assert report.devices == [("glpixps", "640HP72", "PC-3", 1, 2)]
    rows = db.fetchall("SELECT asset_id, usage_date::VARCHAR, hours_used, evidence, source FROM usage_daily ORDER BY 2")
    assert rows == [("PC-3", "2020-06-09", None, "seen", "glpi-agent"), ("PC-3", "2020-06-12", None, "seen", "glpi-agent")]


def test_a_damaged_log_of_another_channel_is_refused_naming_the_log_and_the_damage(fixture_assets, shared_fixtures):
    from tracker.text.errors import FileRefused

    with pytest.raises(FileRefused) as refused:
        ingest_file(fixture_assets, "usage", shared_fixtures / "windows-eventlog" / "sample_with_a_bad_chunk_magic.evtx")
    assert refused.value.message.key == "evtx.not_usage_log"
    for lang in ("en", "zh"):
        text = refused.value.text(lang)
        assert "Microsoft-Windows-AppXDeployment/Operational" in text and "System" in text and "Security" in text
        # every unreadable part named: the zeroed ends of chunks 0, 7 and 9 and the twelve chunks of zeros between
        assert "12,696–462,847" in text and "471,136–528,383" in text and "651,320–1,052,671" in text
        assert "270" in text and "197" in text  # the records read, and those the damaged chunks list but lost
    assert "no start, stop or sign-in" in refused.value.text("en")
    assert "没有任何开机、关机或登录记录" in refused.value.text("zh")
    assert fixture_assets.scalar("SELECT count(*) FROM usage_daily") == 0


def test_a_system_log_with_a_damaged_chunk_is_loaded_with_the_damage_named(fixture_assets, shared_fixtures, tmp_path):
    data = bytearray((shared_fixtures / "windows-eventlog" / "system.evtx").read_bytes())
    data[4096 + 3 * 65536 : 4096 + 3 * 65536 + 8] = bytes(8)  # chunk 3's header overwritten by zeros
    path = tmp_path / "System.evtx"
    path.write_bytes(bytes(data))
    report = ingest_file(fixture_assets, "usage", path, partial=True)
    assert report.committed and report.rows_inserted > 0
    assert report.unreadable == ["System.evtx: 200,704–266,239"]
    assert any("200,704–266,239" in note and "skipped" in note for note in report.feed_notes("en"))
    assert any("200,704–266,239" in note and "损坏" in note for note in report.feed_notes("zh"))


def test_a_printer_inventory_is_not_usage_it_holds_meter_readings(fixture_assets, shared_fixtures):
    from tracker.text.errors import FileRefused

    with pytest.raises(FileRefused) as refused:
        ingest_file(fixture_assets, "usage", shared_fixtures / "glpi" / "printer_1.json")
    assert refused.value.message.key == "file.wrong_kind"
    assert refused.value.message.params["detected"].key == "kind.meters"  # named in the reader's language
    assert "meter readings" in refused.value.text("en") and "计数器读数" in refused.value.text("zh")


def test_unmatched_devices_download_as_a_register_template_and_the_report_lists_them(fixture_assets, shared_fixtures):
    import csv
    import io

    from tracker.ingest import uploads
    from tracker.ingest.contracts import ASSETS

    path = shared_fixtures / "windows-eventlog" / "system.evtx"
    data = path.read_bytes()
    report = uploads.preview_upload(fixture_assets, io.BytesIO(data), "system.evtx", "usage", size_bytes=len(data)).report
    assert report.status == "dry_run"
    notes = report.feed_notes("en")
    assert any("matched to the asset register: 1; not matched: 1. WIN-P4SIAA0SQCO" in n for n in notes)
    assert any("intervals read" in n for n in notes)
    rows = list(csv.reader(io.StringIO(uploads.unmatched_devices_template(report).decode("utf-8-sig"))))
    assert rows[0] == list(ASSETS.names)
    assert rows[1][rows[0].index("hostname")] == "WIN-P4SIAA0SQCO"
    assert fixture_assets.scalar("SELECT count(*) FROM usage_daily") == 0


def test_logs_are_told_from_their_content_and_a_zip_of_logs_is_read_whole(fixture_assets, shared_fixtures, tmp_path):
    import zipfile

    logs = shared_fixtures / "windows-eventlog"
    unnamed = tmp_path / "collected"
    unnamed.write_bytes((logs / "system.evtx").read_bytes())
    assert ingest_file(fixture_assets, "usage", unnamed, dry_run=True, partial=True).rows_inserted > 0
    bundle = tmp_path / "logs.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(logs / "system.evtx", "pc1/System.evtx")
        archive.write(logs / "security.evtx", "pc2/Security.evtx")
    report = ingest_file(fixture_assets, "usage", bundle, partial=True)
    assert {d[2] for d in report.devices} >= {"PC-1", "PC-2"}
    evidence = fixture_assets.fetchall("SELECT DISTINCT evidence FROM usage_daily ORDER BY 1")
    assert evidence == [("powered_on",), ("signed_in",)]


# -- what each kind of evidence proves, in the findings -------------------------------------------

EVIDENCE_ASSETS = (
    "asset_id,agency_code,category,purchase_cost,purchase_date\n"
    "U-1,A001,desktop,6000,2024-01-01\n"
    "S-1,A001,desktop,6000,2024-01-01\n"
    "P-1,A001,desktop,6000,2024-01-01\n"
    "V-1,A001,desktop,6000,2024-01-01\n"
    "N-1,A001,desktop,6000,2024-01-01\n"
)
EVIDENCE_ROWS = (
    "asset_id,usage_date,hours_used,evidence,source\n"
    "U-1,2025-06-02,6,usage,agent\n"
    "U-1,2025-06-03,9,powered_on,windows-system-log\n"
    "S-1,2025-06-02,2,signed_in,windows-security-log\n"
    "P-1,2025-06-02,3,powered_on,windows-system-log\n"
    "V-1,2025-06-02,,seen,glpi-agent\n"
)


def test_each_asset_is_judged_by_what_its_evidence_proves(db, tmp_path):
    from tracker.engine.metrics import Window, asset_utilisation, ibis_backend

    assert ingest_file(db, "assets", _file(tmp_path, "a.csv", EVIDENCE_ASSETS)).status == "committed"
    assert ingest_file(db, "usage", _file(tmp_path, "u.csv", EVIDENCE_ROWS)).status == "committed"
    table = asset_utilisation(ibis_backend(db), Window(as_of=date(2025, 6, 30))).to_pyarrow().to_pylist()
    rows = {r["asset_id"]: r for r in table}
    assert rows["U-1"]["evidence"] == "usage" and rows["U-1"]["used_hours"] == 6.0
    assert rows["U-1"]["powered_on_hours"] == 9.0 and rows["U-1"]["utilisation_upper_bound"] is False
    assert rows["S-1"]["evidence"] == "signed_in" and rows["S-1"]["used_hours"] == 2.0
    p = rows["P-1"]
    assert p["evidence"] == "powered_on" and p["used_hours"] is None and p["powered_on_hours"] == 3.0
    assert p["utilisation_upper_bound"] is True and p["utilisation"] == pytest.approx(3.0 / p["available_hours"])
    v = rows["V-1"]
    assert v["evidence"] == "seen" and v["used_hours"] is None and v["utilisation"] is None
    assert v["last_used"] == date(2025, 6, 2)  # seen on: not never used
    n = rows["N-1"]
    assert n["evidence"] is None and n["last_used"] is None and n["used_hours"] == 0.0


def test_a_finding_on_powered_on_time_says_it_is_an_upper_bound(db, tmp_path):
    from tracker.engine.rules.sentences import evidence_note

    en, zh = evidence_note("powered_on", "3.0")
    assert "powered on 3.0 h" in en and "upper bound" in en and "上限" in zh
    assert evidence_note("usage", None) == ("", "")
