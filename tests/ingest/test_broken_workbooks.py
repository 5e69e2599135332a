"""A file named like a workbook that cannot be opened as one: the reader is told what the file is and what to do,
in their language, never in the spreadsheet library's English; nothing is stored."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tracker.ingest.pipeline import ingest_file
from tracker.ingest.readers.workbook_damage import ENCRYPTED_PACKAGE, OLE_MAGIC
from tracker.store.db import Database
from tracker.text.errors import FileRefused


def _workbook(path: Path) -> bytes:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["asset_id", "usage_date", "hours_used"])
    sheet.write_row(1, 0, ["PC-1", "2025-01-02", 3])
    book.close()
    return path.read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bad_crc(real: bytes) -> bytes:
    """The workbook with one byte of a compressed member changed: the archive opens, its check sum does not match."""
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 2
    return real[:start] + bytes([real[start] ^ 0xFF]) + real[start + 1 :]


def _broken_parts(real: bytes) -> bytes:
    """Every part of a workbook, each replaced by text that is not XML."""
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        return _zip({name: b"not xml at all" for name in archive.namelist()})


CASES = {
    "another-file-renamed": (lambda real: b"%PDF-1.7\n" + bytes(range(256)) * 8, "another kind of file", "其他文件"),
    "cut-short": (lambda real: real[: len(real) // 2], "damaged or incomplete", "已损坏或不完整"),
    "check-sum-wrong": (_bad_crc, "damaged or incomplete", "已损坏或不完整"),
    "zip-without-workbook": (lambda real: _zip({"notes.txt": b"hello"}), "ZIP archive that holds no workbook", "其中没有工作簿"),
    "excel-97-named-xlsx": (lambda real: OLE_MAGIC + bytes(1024), "Excel 97–2003 workbook", "Excel 97–2003 工作簿"),
    "password-protected": (
        lambda real: OLE_MAGIC + bytes(512) + ENCRYPTED_PACKAGE + bytes(512),
        "protected by a password",
        "设有密码保护",
    ),
    "parts-not-xml": (_broken_parts, "open it in Excel and save it again", "在 Excel 中打开并重新保存"),
}


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_a_broken_workbook_is_refused_with_what_it_is_and_what_to_do(tmp_path, case):
    build, en, zh = CASES[case]
    path = tmp_path / "usage.xlsx"
    path.write_bytes(build(_workbook(tmp_path / "real.xlsx")))
    with Database.open(tmp_path / "t.duckdb") as db:
        with pytest.raises(FileRefused) as refused:
            ingest_file(db, "usage", path, actor="officer")
        assert db.scalar("SELECT count(*) FROM usage_daily") == 0
    assert refused.value.key == "file.bad_xlsx"
    english, chinese = refused.value.text("en"), refused.value.text("zh")
    assert "usage.xlsx" in english and en in english
    assert "usage.xlsx" in chinese and zh in chinese
    # the library's own words (EOCD, Zip, "File not found", an error class) reach neither reader
    assert not re.search(r"EOCD|Zip|zip archive|not found|Error|rels", english + chinese), (english, chinese)
    leftover = re.sub(r"usage\.xlsx|Excel|ZIP|\.xlsx|\.xls|97–2003", "", chinese)
    assert not re.search(r"[A-Za-z]{3,}", leftover), chinese


def test_a_damaged_excel_97_workbook_under_its_own_name_is_not_told_to_rename_itself(tmp_path):
    path = tmp_path / "usage.xls"
    path.write_bytes(OLE_MAGIC + bytes(1024))
    with Database.open(tmp_path / "t.duckdb") as db, pytest.raises(FileRefused) as refused:
        ingest_file(db, "usage", path, actor="officer")
    assert "save it again" in refused.value.text("en") and "rename" not in refused.value.text("en")
    assert "重新保存" in refused.value.text("zh")


def test_the_workbook_these_cases_break_is_read():
    """The cases above are damaged copies of a workbook the tracker reads: the damage is what is refused."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage.xlsx"
        _workbook(path)
        with Database.open(Path(folder) / "t.duckdb") as db:
            register = Path(folder) / "assets.csv"
            register.write_text("asset_id,agency_code,category,purchase_cost\nPC-1,A001,laptop,5000\n", encoding="utf-8")
            assert ingest_file(db, "assets", register, actor="officer").committed
            report = ingest_file(db, "usage", path, actor="officer")
        assert report.committed and report.rows_accepted == 1
