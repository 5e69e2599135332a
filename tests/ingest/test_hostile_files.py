"""Hostile files: each is refused with a clear message in English and Chinese, and nothing is stored.

The corpus is generated here, small on disk: CSV files that break Python's and DuckDB's CSV readers
(a lone CR, mixed line endings, a PDF or an event log renamed .csv, NUL bytes), files that would be
stored garbled (GBK with one UTF-8 row, UTF-8 with GBK rows), and XLSX bombs whose few kilobytes
unpack into a grid of billions of cells or one string of 400 MB. Every case runs through the command
line (`tracker.cli.main.main`) and the upload flow (`tracker.ingest.uploads`): the XLSX bombs in a
subprocess whose address space is limited to 2 GB, so that a reader that allocates the bomb ends
the subprocess instead of the refusal. Positive controls (Big5, UTF-16 without a byte-order mark, a
CR inside a quoted field) must be read right, for every record kind.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tracker.cli.main import main
from tracker.engine.parameters import set_setting
from tracker.ingest import uploads
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.text.errors import FileRefused

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLES = ("procurement_lines", "assets", "usage_daily", "usage_months", "uploads", "rejected_rows")
USAGE = "asset_id,usage_date,hours_used"
ASSETS = "asset_id,agency_code,category,purchase_cost,purchase_date"
PROCUREMENT = "po_number,agency_code,item_description,category,quantity,unit_price,order_date"


def state(db: Database) -> dict[str, int]:
    return {table: db.scalar(f"SELECT count(*) FROM {table}") for table in TABLES}


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A database with two registered assets (PC-1, 資訊科-1), so usage files can name known assets."""
    path = tmp_path / "seeded.duckdb"
    register = tmp_path / "register.csv"
    register.write_text(f"{ASSETS}\nPC-1,A001,laptop,5000,2024-01-10\n資訊科-1,A001,laptop,5000,2024-01-10\n", encoding="utf-8")
    with Database.open(path) as db:
        assert ingest_file(db, "assets", register, actor="setup").committed
    register.unlink()
    return path


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Temporary files of the readers and the upload flow go here, to be checked for leftovers."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# -- the corpus of text files -------------------------------------------------------------------------------
def _rows(kind: str, n: int, value: str = "业务") -> str:
    if kind == "usage":
        return "".join(f"PC-1,2025-01-{1 + i % 28:02d},{i % 8}\n" for i in range(n))
    if kind == "assets":
        return "".join(f"{value}-{i},A001,笔记本电脑,5000,2024-01-10\n" for i in range(n))
    return "".join(f"PO-{i},A001,{value} 笔记本电脑,laptop,1,5000,2024-01-10\n" for i in range(n))


HEADERS = {"usage": USAGE, "assets": ASSETS, "procurement": PROCUREMENT}


def _gbk_with_one_utf8_row(kind: str) -> bytes:
    """A GBK file whose last row was pasted in UTF-8: line 30 (usage) or 42 (the other kinds)."""
    if kind == "usage":
        rows = [f"PC-1,2025-01-{d:02d},1,业务日志\n" for d in range(1, 29)]
        return (f"{USAGE},source\n" + "".join(rows)).encode("gbk") + "PC-1,2025-02-01,1,业务日志\n".encode()
    return (HEADERS[kind] + "\n" + _rows(kind, 40)).encode("gbk") + _rows(kind, 1, "业务X").encode("utf-8")


@dataclass(frozen=True)
class Hostile:
    """One hostile file and the refusal it must get: its key and what the message names, in each language."""

    file_name: str
    data: Callable[[], bytes]
    key: str
    en: tuple[str, ...]
    zh: tuple[str, ...]
    kind: str = "usage"


HOSTILE_FILES = {
    "lone-cr-in-a-crlf-file": Hostile(
        "usage.csv",
        lambda: f"{USAGE}\r\nPC-1,2025-01-02,3\rPC-1,2025-01-03,4\r\n".encode(),
        "file.mixed_newlines",
        ("line 2", "CR (\\r)", "CR LF (\\r\\n)"),
        ("第 2 行", "CR (\\r)"),
    ),
    "lf-file-with-crlf-beyond-the-first-256-kb": Hostile(
        "usage.csv",
        lambda: (f"{USAGE}\n" + "PC-1,2025-01-02,3\n" * 20_000 + "PC-1,2025-01-03,3\r\n").encode(),
        "file.mixed_newlines",
        ("line 20,002", "LF (\\n)"),
        ("第 20,002 行",),
    ),
    "pdf-renamed-csv": Hostile(
        "usage.csv",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\r<< /Type /Catalog >>\rendobj\n" * 50,
        "file.binary_kind",
        ("PDF", "not text"),
        ("PDF", "不是文本"),
    ),
    "event-log-renamed-csv": Hostile(
        "usage.csv",
        lambda: b"ElfFile\x00" + bytes(range(256)) * 64,
        "file.binary_kind",
        ("event log",),
        ("Windows 事件日志（.evtx）", "不是 CSV"),
    ),
    "header-then-nul-bytes": Hostile(
        "usage.csv", lambda: f"{USAGE}\n".encode() + b"\x00" * 8192, "file.binary", ("binary data",), ("二进制",)
    ),
    "control-characters": Hostile(
        "usage.csv", lambda: f"{USAGE}\n".encode() + bytes(range(1, 9)) * 400, "file.binary", ("binary data",), ("二进制",)
    ),
    "unterminated-quote": Hostile(
        "usage.csv",
        lambda: f'{USAGE}\nPC-1,2025-01-02,3\n"PC-1,2025-01-03,3\n'.encode(),
        "file.csv_stray_quote",
        ("line 3, column asset_id", "quote"),
        ("第 3 行", "引号"),
    ),
    "utf8-file-with-gbk-rows": Hostile(
        "assets.csv",
        lambda: (f"{ASSETS}\n" + _rows("assets", 30)).encode() + _rows("assets", 2, "资讯").encode("gbk"),
        "file.mixed_encodings",
        ("mostly UTF-8", "GB18030", "32, 33"),
        ("UTF-8", "第 32、33 行"),
        kind="assets",
    ),
    "not-in-any-encoding-tried": Hostile(
        "assets.csv",
        lambda: f"{ASSETS}\n".encode() + b"PC-9,A001,\xff\xfe\x80\x81,5000,2024-01-10\n",
        "file.encoding_not_recognised",
        ("UTF-8", "UTF-16", "GB18030", "Big5"),
        ("UTF-8", "Big5", "编码"),
        kind="assets",
    ),
    "parquet-that-is-not-one": Hostile(
        "usage.parquet",
        lambda: b"PAR1" + b"\x00" * 100 + b"PAR1",
        "file.bad_parquet",
        ("cannot be read as Parquet",),
        ("无法作为 Parquet 读取",),
    ),
}
for _kind in ("assets", "procurement", "usage"):
    HOSTILE_FILES[f"gbk-file-with-one-utf8-row-{_kind}"] = Hostile(
        f"{_kind}.csv",
        lambda kind=_kind: _gbk_with_one_utf8_row(kind),
        "file.mixed_encodings",
        ("mostly GB18030", "in UTF-8", "30" if _kind == "usage" else "42"),
        ("GB18030", "UTF-8", "第 30 行" if _kind == "usage" else "第 42 行"),
        kind=_kind,
    )


def _cli(db_path: Path, lang: str, *args: str, capsys) -> tuple[int, str]:
    code = main(["--db", str(db_path), "--lang", lang, *args])
    captured = capsys.readouterr()
    return code, captured.err


def _assert_clear(text: str, fragments: Iterable[str], file_name: str) -> None:
    assert file_name in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    assert "Traceback" not in text and "Error:" not in text and "tracker-upload-" not in text, text
    assert tempfile.gettempdir() not in text and str(REPO_ROOT) not in text, text


@pytest.mark.parametrize("case", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_hostile_file_is_refused_on_the_command_line_and_the_upload_page(case, seeded, tmp_path, private_tmp, capsys):
    path = tmp_path / case.file_name
    path.write_bytes(case.data())
    with Database.open(seeded) as db:
        before = state(db)
    for lang, fragments in (("en", case.en), ("zh", case.zh)):
        code, err = _cli(seeded, lang, "ingest", case.kind, str(path), capsys=capsys)
        assert code == 1, err
        _assert_clear(err, fragments, case.file_name)
    data = path.read_bytes()
    with Database.open(seeded) as db:
        with pytest.raises(FileRefused) as preview:
            uploads.preview_upload(db, io.BytesIO(data), case.file_name, None, size_bytes=len(data))
        with pytest.raises(FileRefused) as commit:
            uploads.commit_upload(db, io.BytesIO(data), case.file_name, case.kind, size_bytes=len(data), actor="tester")
        assert state(db) == before
    for refusal in (preview.value, commit.value):
        assert refusal.key == case.key
        _assert_clear(refusal.text("en"), case.en, case.file_name)
        _assert_clear(refusal.text("zh"), case.zh, case.file_name)
    assert list(private_tmp.iterdir()) == []  # no upload folder or UTF-8 copy left behind


# -- positive controls: read right, never garbled, for every record kind ---------------------------
def _big5(kind: str) -> tuple[bytes, str, str]:
    """A Big5 file of `kind`, the query reading back its Chinese text, and the text it must read."""
    if kind == "assets":
        body = f"{ASSETS}\n" + "".join(f"資訊科-{i},A001,laptop,5000,2024-01-10\n" for i in range(2, 40))
        return body.encode("big5"), "SELECT min(asset_id) FROM assets WHERE asset_id LIKE '%-2'", "資訊科-2"
    if kind == "procurement":
        body = f"{PROCUREMENT}\n" + "".join(f"PO-{i},A001,資訊科 筆記型電腦,laptop,1,5000,2024-01-10\n" for i in range(30))
        return body.encode("big5"), "SELECT min(item_description) FROM procurement_lines", "資訊科 筆記型電腦"
    body = f"{USAGE},source\n" + "".join(f"資訊科-1,2025-01-{d:02d},2,資訊科日誌\n" for d in range(1, 29))
    return body.encode("big5"), "SELECT min(asset_id) || ' ' || min(source) FROM usage_daily", "資訊科-1 資訊科日誌"


@pytest.mark.parametrize("kind", ["assets", "procurement", "usage"])
def test_big5_file_is_stored_as_written_for_every_kind(kind, seeded, tmp_path):
    data, query, expected = _big5(kind)
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    with Database.open(seeded) as db:
        report = ingest_file(db, kind, path)
        assert report.committed and report.rows_rejected == 0, [e.text() for e in report.errors]
        assert db.scalar(query) == expected


@pytest.mark.parametrize("kind", ["assets", "procurement"])
def test_gbk_file_is_stored_as_written(kind, seeded, tmp_path):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes((HEADERS[kind] + "\n" + _rows(kind, 30)).encode("gbk"))
    with Database.open(seeded) as db:
        assert ingest_file(db, kind, path).committed
        column = "asset_id" if kind == "assets" else "item_description"
        table = "assets" if kind == "assets" else "procurement_lines"
        assert db.scalar(f"SELECT min({column}) FROM {table} WHERE {column} LIKE '业务%'").startswith("业务")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(f"{USAGE}\nPC-1,2025-01-02,3\nPC-1,2025-01-03,4\n".encode("utf-16-le"), id="utf16le-without-bom"),
        pytest.param(f"{USAGE}\nPC-1,2025-01-02,3\nPC-1,2025-01-03,4\n".encode("utf-16-be"), id="utf16be-without-bom"),
        pytest.param(f'"Usage\rreport"\n{USAGE}\nPC-1,2025-01-02,3\nPC-1,2025-01-03,4\n'.encode(), id="cr-inside-a-quoted-title"),
    ],
)
def test_unusual_but_valid_csv_is_read_right(data, seeded, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes(data)
    with Database.open(seeded) as db:
        report = ingest_file(db, "usage", path)
        assert (report.committed, report.rows_accepted) == (True, 2), [e.text() for e in report.errors]
        assert db.fetchall("SELECT asset_id, hours_used FROM usage_daily ORDER BY usage_date") == [("PC-1", 3), ("PC-1", 4)]


# -- the XLSX bombs, in a subprocess limited to 2 GB of address space -------------------------------
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_RELATIONSHIPS}"><sheets><sheet name="Usage" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
).encode()
_HEADER_ROW = b"".join(
    b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (col, name)
    for col, name in ((b"A", b"asset_id"), (b"B", b"usage_date"), (b"C", b"hours_used"))
)
_NO_STRINGS = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>',)


def _workbook(path: Path, dimension: bytes | None, rows: Iterable[bytes], strings: Iterable[bytes] = _NO_STRINGS) -> Path:
    """A minimal XLSX streamed into the zip: one sheet (with or without <dimension>) and its shared strings."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                sheet.write(b'<dimension ref="%s"/>' % dimension)
            sheet.write(b'<sheetData><row r="1">' + _HEADER_ROW + b"</row>")
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            for chunk in strings:
                shared.write(chunk)
    return path


def _one_cell(ref: str) -> list[bytes]:
    row = "".join(ch for ch in ref if ch.isdigit())
    return [f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'.encode()]


def _rows_without_references(count: int) -> Iterator[bytes]:
    for start in range(0, count, 100_000):
        yield b'<row><c t="inlineStr"><is><t>PC-1</t></is></c><c><v>45658</v></c><c><v>1</v></c></row>' * min(
            100_000, count - start
        )


def _one_string(size: int) -> Iterator[bytes]:
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    for start in range(0, size, 4_000_000):
        yield b"A" * min(4_000_000, size - start)
    yield b"</t></si></sst>"


_A_TEXT_CELL = [b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>45658</v></c><c r="C2"><v>1</v></c></row>']


@dataclass(frozen=True)
class Bomb:
    build: Callable[[Path], Path]
    key: str
    en: tuple[str, ...]
    zh: tuple[str, ...]
    settings: dict[str, str] = field(default_factory=dict)


BOMBS = {
    "one-cell-at-XFD1048576": Bomb(
        lambda p: _workbook(p, b"A1:XFD1048576", _one_cell("XFD1048576")),
        "file.xlsx_sheet_too_large",
        ("XFD1048576", "1,048,576 rows × 16,384 columns", "1,024 MB"),
        ("XFD1048576", "工作表 Usage"),
    ),
    "one-cell-at-XFD1048576-under-a-false-dimension": Bomb(
        lambda p: _workbook(p, b"A1:C2", _A_TEXT_CELL + _one_cell("XFD1048576")),
        "file.xlsx_sheet_too_large",
        ("XFD1048576",),
        ("XFD1048576",),
    ),
    "one-cell-at-ZZ200000-no-dimension": Bomb(
        lambda p: _workbook(p, None, _one_cell("ZZ200000")),
        "file.xlsx_sheet_too_large",
        ("ZZ200000", "200,000 rows × 702 columns"),
        ("ZZ200000", "超过上限"),
    ),
    "rows-beyond-excel-stated": Bomb(
        lambda p: _workbook(p, b"A1:C5000000", _A_TEXT_CELL),
        "file.xlsx_beyond_excel",
        ("C5000000", "1,048,576 rows"),
        ("C5000000", "超出 Excel"),
    ),
    "300k-rows-without-references-over-the-row-limit": Bomb(
        lambda p: _workbook(p, None, _rows_without_references(300_000)),
        "file.xlsx_sheet_too_many_rows",
        ("row 300,001", "100,000"),
        ("第 300,001 行", "100,000"),
        settings={"max_upload_rows": "100000"},
    ),
    "one-400-mb-string": Bomb(
        lambda p: _workbook(p, b"A1:C2", _A_TEXT_CELL, _one_string(400_000_000)),
        "file.xlsx_beyond_excel",
        ("32,767 characters",),
        ("32,767 个字符",),
    ),
    "40-mb-unpacked-over-a-10-mb-limit": Bomb(
        lambda p: _workbook(p, b"A1:C2", _A_TEXT_CELL, _one_string(40_000_000)),
        "file.xlsx_unpacked_too_large",
        ("MB once unpacked", "10 MB"),
        ("解压后", "10 MB"),
        settings={"max_upload_mb": "10"},
    ),
}

_CHILD = """
import io, json, resource, sys, tempfile
from pathlib import Path
limit = 2 * 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from tracker.cli.main import main
from tracker.ingest import uploads
from tracker.store.db import Database
from tracker.text.errors import FileRefused

base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # the libraries, before any file is read
db_path, path = sys.argv[1], Path(sys.argv[2])
codes = [main(["--db", db_path, "--lang", lang, "ingest", "usage", str(path)]) for lang in ("en", "zh")]
data = path.read_bytes()
refusals = []
with Database.open(db_path) as db:
    for step in ("preview", "commit"):
        try:
            if step == "preview":
                uploads.preview_upload(db, io.BytesIO(data), path.name, None, size_bytes=len(data))
            else:
                uploads.commit_upload(db, io.BytesIO(data), path.name, "usage", size_bytes=len(data), actor="tester")
        except FileRefused as exc:
            refusals.append([exc.key, exc.text("en"), exc.text("zh")])
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"codes": codes, "refusals": refusals, "peak_mb": peak_mb, "base_mb": base_mb}))
"""


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_xlsx_bomb_is_refused_before_it_is_unpacked(bomb, seeded, tmp_path):
    path = bomb.build(tmp_path / "usage.xlsx")
    assert path.stat().st_size < 2_000_000  # a small file on disk
    with Database.open(seeded) as db:
        for name, value in bomb.settings.items():
            set_setting(db, name, value, "test")
        before = state(db)
    child_tmp = tmp_path / "child-tmp"
    child_tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(child_tmp), "TRACKER_DB": str(seeded)}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(seeded), str(path)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]  # not killed, not aborted by an allocation
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["codes"] == [1, 1], result.stderr
    en_err, zh_err = result.stderr.strip().split("\n")[-2:]
    _assert_clear(en_err, bomb.en, "usage.xlsx")
    _assert_clear(zh_err, bomb.zh, "usage.xlsx")
    assert [key for key, _, _ in outcome["refusals"]] == [bomb.key, bomb.key]
    for _, en, zh in outcome["refusals"]:
        _assert_clear(en, bomb.en, "usage.xlsx")
        _assert_clear(zh, bomb.zh, "usage.xlsx")
    # reading the file added little to what the libraries take (unbounded, it would be hundreds of GB)
    assert outcome["peak_mb"] - outcome["base_mb"] < 1024
    with Database.open(seeded) as db:
        assert state(db) == before
    assert list(child_tmp.iterdir()) == []


def test_xlsx_starting_below_row_one_numbers_rows_as_excel_shows_them(seeded, tmp_path):
    rows = [
        b'<row r="3"><c r="B3" t="inlineStr"><is><t>asset_id</t></is></c><c r="C3" t="inlineStr"><is><t>usage_date</t></is></c>'
        b'<c r="D3" t="inlineStr"><is><t>hours_used</t></is></c></row>',
        b'<row r="4"><c r="B4" t="inlineStr"><is><t>PC-1</t></is></c><c r="C4"><v>45658</v></c><c r="D4"><v>30</v></c></row>',
    ]
    path = tmp_path / "usage.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="B3:D4"/><sheetData>'
            + b"".join(rows)
            + b"</sheetData></worksheet>",
        )
        archive.writestr("xl/sharedStrings.xml", _NO_STRINGS[0])
    with Database.open(seeded) as db:
        report = ingest_file(db, "usage", path, dry_run=True)
    assert report.headers == ("asset_id", "usage_date", "hours_used")
    assert [(e.row_number, e.column) for e in report.errors] == [(4, "hours_used")]


# -- the command line's output paths --------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "en", "zh"),
    [
        (lambda tmp: tmp / "missing" / "rejects.csv", "does not exist", "不存在"),
        (lambda tmp: tmp / "usage.csv", "is the input file itself", "输入文件本身"),
        (lambda tmp: tmp, "is a folder", "是文件夹"),
    ],
    ids=["missing-folder", "the-input-itself", "a-folder"],
)
def test_rejects_path_that_cannot_be_written_is_refused_before_ingesting(target, en, zh, seeded, tmp_path, capsys):
    path = tmp_path / "usage.csv"
    original = f"{USAGE}\nPC-1,2025-01-02,30\n".encode()
    path.write_bytes(original)
    out = target(tmp_path)
    with Database.open(seeded) as db:
        before = state(db)
    for lang, fragment in (("en", en), ("zh", zh)):
        code, err = _cli(seeded, lang, "ingest", "usage", str(path), "--rejects", str(out), capsys=capsys)
        assert code == 2 and fragment in err and str(out) in err, err
    assert path.read_bytes() == original and not (tmp_path / "missing").exists()
    with Database.open(seeded) as db:
        assert state(db) == before


@pytest.mark.parametrize("command", [["flags"], ["utilisation"]])
def test_output_into_a_missing_folder_or_onto_the_database_is_refused(command, seeded, tmp_path, capsys):
    database = seeded.read_bytes()
    code, err = _cli(seeded, "en", *command, "-o", str(tmp_path / "missing" / "out.csv"), capsys=capsys)
    assert code == 2 and "does not exist" in err, err
    code, err = _cli(seeded, "zh", *command, "-o", str(seeded), capsys=capsys)
    assert code == 2 and "输入文件本身" in err, err
    assert seeded.read_bytes() == database


# -- the upload page records the refusal ----------------------------------------------------------
_PAGE = """
from tracker.ui import common, upload_page

common.language_switch()
upload_page.render()
"""


@pytest.mark.parametrize("case", ["lone-cr-in-a-crlf-file", "gbk-file-with-one-utf8-row-assets"])
def test_the_upload_page_shows_the_refusal_and_audits_it(case, seeded, monkeypatch):
    from conftest import sign_in_as
    from streamlit.testing.v1 import AppTest

    hostile = HOSTILE_FILES[case]
    monkeypatch.setenv("TRACKER_DB", str(seeded))
    at = AppTest.from_string(_PAGE, default_timeout=60)
    at.query_params["lang"] = "zh"
    sign_in_as(at, "admin", username="dashboard")
    at.run()
    at.file_uploader[0].set_value((hostile.file_name, hostile.data(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    # the page shows user text as inert Markdown (tracker.text.markup): read it back as a reader sees it
    shown = at.error[0].value.replace("\\", "\x00").replace("\x00\x00", "\\").replace("\x00", "")
    _assert_clear(shown, hostile.zh, hostile.file_name)
    cursor = at.session_state["db_cursor"]
    audited = cursor.fetchall(
        "SELECT details->>'status', details->>'reason' FROM audit_log WHERE action = 'upload' AND target = ?",
        [hostile.file_name],
    )
    assert audited == [("refused", hostile.key)]
    assert cursor.scalar("SELECT count(*) FROM uploads") == 1  # the register of the fixture only
