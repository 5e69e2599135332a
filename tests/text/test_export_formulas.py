"""Formula injection at every exit: CSV headers and values, the rejected rows in CSV and XLSX, the tables' own export."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from tracker.ingest import uploads
from tracker.text.tables import number_from_text, table_to_csv_bytes, table_to_xlsx_bytes, write_table

ROOT = Path(__file__).resolve().parents[2]
EVIL_HEADER = "=cmd|' /C calc'!A0"
EVIL_VALUE = '=HYPERLINK("http://evil/x","click")'


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_header_row_is_neutralised():
    rows = _csv_rows(table_to_csv_bytes(pa.table({EVIL_HEADER: ["x"], "@SUM(1)": ["y"], "plain": ["z"]})))
    assert rows[0] == ["'" + EVIL_HEADER, "'@SUM(1)", "plain"]


@pytest.mark.parametrize(
    "text, number",
    [("-2", -2), ("0", 0), ("12.5", 12.5), ("-0.25", -0.25), ("007", None), ("1.50", None), ("1e3", None)]
    + [("-0", None), ("12345678901234567", None), ("=1+1", None), ("", None), ("1,5", None)],
)
def test_only_text_that_spells_a_plain_number_becomes_one(text, number):
    assert number_from_text(text) == number


def _rejecting_upload(db) -> uploads.UploadPreview:
    """A usage file whose extra column is named like a formula and holds formulas; both rows are rejected
    (negative hours; an unknown asset)."""
    known = db.scalar("SELECT min(asset_id) FROM assets")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [
            ["asset_id", "usage_date", "hours_used", EVIL_HEADER, "note"],
            [known, "2025-06-02", "-2", EVIL_VALUE, "007"],
            ["NOPE-2", "2025-06-02", "12.5", "+1+1", "-3"],
        ]
    )
    text = buffer.getvalue()
    data = text.encode("utf-8")
    return uploads.preview_upload(db, io.BytesIO(data), "usage.csv", "usage", size_bytes=len(data))


@pytest.fixture
def rejects(demo_copy) -> pa.Table:
    preview = _rejecting_upload(demo_copy)
    assert preview.report.rows_rejected == 2, [e.text("en") for e in preview.report.errors]
    return preview.report.rejects_table("en")


def test_rejected_rows_csv_neutralises_headers_and_extra_values(rejects):
    rows = _csv_rows(uploads.table_bytes(rejects, "csv"))
    header = rows[0]
    assert "'" + EVIL_HEADER in header and EVIL_HEADER not in header
    evil = header.index("'" + EVIL_HEADER)
    assert [r[evil] for r in rows[1:]] == ["'" + EVIL_VALUE, "'+1+1"]
    assert [r[header.index("hours_used")] for r in rows[1:]] == ["'-2", "12.5"]  # CSV: the apostrophe stays
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]


def test_rejected_rows_xlsx_has_typed_text_and_numbers(rejects):
    data = uploads.table_bytes(rejects, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert EVIL_HEADER in header  # a string cell: shown as typed, never run
    evil, hours, note = header.index(EVIL_HEADER) + 1, header.index("hours_used") + 1, header.index("note") + 1
    assert sheet.cell(2, evil).value == EVIL_VALUE and sheet.cell(2, evil).data_type == "s"
    assert sheet.cell(3, evil).value == "+1+1" and sheet.cell(3, evil).data_type == "s"
    assert (sheet.cell(2, hours).value, sheet.cell(3, hours).value) == (-2, 12.5)
    assert sheet.cell(2, hours).data_type == "n"
    assert (sheet.cell(2, note).value, sheet.cell(3, note).value) == ("007", -3)  # leading zeros stay text
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert calamine[1][hours - 1] == -2 and calamine[1][evil - 1] == EVIL_VALUE
    assert not [v for row in calamine for v in row if isinstance(v, str) and v.startswith("'")]


def test_the_command_lines_rejects_file_follows_the_same_rules(rejects, tmp_path):
    write_table(rejects, tmp_path / "r.csv")
    write_table(rejects, tmp_path / "r.xlsx")
    assert _csv_rows((tmp_path / "r.csv").read_bytes())[0].count("'" + EVIL_HEADER) == 1
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet.cell(2, [c.value for c in sheet[1]].index("hours_used") + 1).value == -2


def test_typed_exports_keep_ids_as_text():
    data = table_to_xlsx_bytes(pa.table({"asset_id": ["20240001"], "n": [3]}))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["B2"].value) == ("20240001", "s", 3)


def test_tables_offer_no_export_of_their_own():
    """Tables show user text (file names, raw cells): their CSV download and copy are off; the app's exports are safe."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
