"""An agency's usage files naming devices by serial or host name never reveal, nor touch, another agency's devices.

A serial or host name registered to another agency is told exactly like one registered nowhere: in the
preview, the rejected rows, the unmatched-devices template and the audit entry, and no usage is stored
against the other agency's asset.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tracker.ingest import uploads
from tracker.ingest.pipeline import ingest_file

ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,serial_number,hostname\n"
    "OWN-1,A001,desktop,6500,2016-01-01,SN-OWN-1,A001-PC-01\n"
    "SECRET-A002-77,A002,laptop,6500,2016-01-01,SN-HQ-77,HQ-LT-77\n"
    "SECRET-A002-88,A002,laptop,6500,2016-01-01,640HP72,glpixps\n"
)
# the same file naming an A002 device, and one registered nowhere, in the same positions
INTUNE_OTHER = (
    "Device name,Serial number,Last check-in\nA001-PC-01,SN-OWN-1,2024-03-05 10:12:33\nHQ-LT-77,SN-HQ-77,2024-03-05 10:12:33\n"
)
INTUNE_NOWHERE = "Device name,Serial number,Last check-in\nA001-PC-01,SN-OWN-1,2024-03-05 10:12:33\nZZZZ-LT-77,SN-ZZZZ-77,2024-03-05 10:12:33\n"
SECRETS = ("SECRET-A002", "A002")


@pytest.fixture
def registered(db, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text(ASSETS_CSV, encoding="utf-8")
    assert ingest_file(db, "assets", path).status == "committed"
    return db


def _preview(db, text: str, name: str = "intune.csv") -> uploads.UploadPreview:
    data = text.encode("utf-8")
    return uploads.preview_upload(db, io.BytesIO(data), name, "usage", size_bytes=len(data), agency="A001")


def _everything_told(report) -> str:
    """Every word and cell the agency user is shown about the upload, in both languages."""
    parts = []
    for lang in ("en", "zh"):
        parts += [e.text(lang) for e in report.errors] + report.feed_notes(lang) + [report.summary(lang)]
        parts.append(repr(report.rejects_table(lang).to_pylist()))
        parts.append(repr(uploads.row_errors_table(report, lang).to_pylist()))
        parts.append(repr(uploads.table_bytes(report.rejects_table(lang), "csv")))
    parts.append(uploads.unmatched_devices_template(report).decode("utf-8-sig"))
    parts.append(repr(report.devices))
    parts.append(json.dumps(report.audit_details(), default=str))
    return "\n".join(parts)


def _without_device_names(told: str) -> str:
    for name in ("HQ-LT-77", "SN-HQ-77", "ZZZZ-LT-77", "SN-ZZZZ-77"):
        told = told.replace(name, "<device>")
    return told


def test_an_intune_device_of_another_agency_is_told_like_one_registered_nowhere(registered):
    other, nowhere = _preview(registered, INTUNE_OTHER).report, _preview(registered, INTUNE_NOWHERE).report
    assert [(e.row_number, e.code) for e in other.errors] == [(3, "row.device_not_your_agency")]
    assert "your agency" in other.errors[0].text("en") and "本单位" in other.errors[0].text("zh")
    told = _everything_told(other)
    assert not [s for s in SECRETS if s in told], told
    # word for word the same as for a device registered nowhere (the device's own name aside)
    assert _without_device_names(told).replace(other.sha256, "") == _without_device_names(_everything_told(nowhere)).replace(
        nowhere.sha256, ""
    )
    assert other.unmatched_devices == [("HQ-LT-77", "SN-HQ-77")]
    rows = list(csv.reader(io.StringIO(uploads.unmatched_devices_template(other).decode("utf-8-sig"))))
    assert rows[1][rows[0].index("serial_number")] == "SN-HQ-77" and not rows[1][rows[0].index("agency_code")]


def test_usage_of_another_agencys_device_is_never_stored_against_it(registered, tmp_path):
    path = tmp_path / "intune.csv"
    path.write_text(INTUNE_OTHER, encoding="utf-8")
    report = ingest_file(registered, "usage", path, agency="A001", partial=True, actor="agency-a001")
    assert report.status == "partial" and report.rows_inserted == 1
    assert registered.fetchall("SELECT DISTINCT asset_id FROM usage_daily") == [("OWN-1",)]
    kept = registered.fetchall("SELECT * FROM rejected_rows")
    assert kept and not [s for s in SECRETS if s in repr(kept)]
    details = registered.fetchall("SELECT details FROM audit_log WHERE action = 'upload'")
    assert details and not [s for s in SECRETS if s in repr(details)]
    # an administrator's upload of the same file matches it to the registered device
    everyone = ingest_file(registered, "usage", path, file_name="intune-admin.csv")
    assert everyone.status == "committed", everyone.errors
    assert ("SECRET-A002-77",) in registered.fetchall("SELECT DISTINCT asset_id FROM usage_daily")


def test_a_glpi_inventory_of_another_agencys_computer_is_unmatched(registered, shared_fixtures: Path):
    data = (shared_fixtures / "glpi" / "computer_1.json").read_bytes()  # host glpixps, serial 640HP72: A002's
    report = uploads.preview_upload(
        registered, io.BytesIO(data), "computer_1.json", "usage", size_bytes=len(data), agency="A001"
    ).report
    assert report.devices == [("glpixps", "640HP72", None, 0, 2)]
    assert {e.code for e in report.errors} == {"row.device_not_your_agency"}
    assert report.unmatched_devices == [("glpixps", "640HP72")]
    assert not [s for s in SECRETS if s in _everything_told(report)]
    committed = ingest_file(
        registered, "usage", shared_fixtures / "glpi" / "computer_1.json", agency="A001", partial=True, actor="agency-a001"
    )
    assert committed.rows_inserted == 0
    assert registered.scalar("SELECT count(*) FROM usage_daily") == 0
