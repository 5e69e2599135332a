"""Malformed uploads (docs/contracts.md, docs/data-path.md): every bad file is refused or its rows rejected, clearly, and nothing leaks in.

Each case builds a small file in tmp_path, ingests it into a seeded database and checks three things:
the exact refusal key or the exact row errors (spreadsheet row number, the user's column header,
reason code), that the message reads in English and Chinese and names what is wrong, and that the
database is exactly as before (counts and a checksum of every table). Positive controls sit in the
same table: files that look unusual but are valid must be accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tracker.engine.parameters import set_setting
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.text.errors import FileRefused
from tracker.text.i18n import MESSAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLES = ("procurement_lines", "assets", "usage_daily", "usage_months", "uploads", "rejected_rows", "agencies", "settings")
TODAY = dt.date.today()
FUTURE_DAY = (TODAY + dt.timedelta(days=30)).isoformat()

ASSET_HEADER = ["asset_id", "agency_code", "category", "purchase_cost", "purchase_date"]
ASSET_ROW = ["PC-9", "A001", "laptop", "5000", "2024-01-10"]
ASSET_HEADER_ZH = ["资产编号", "单位代码", "资产类别", "原值", "购置日期"]
USAGE_HEADER = ["asset_id", "usage_date", "hours_used"]
USAGE_HEADER_ZH = ["资产编号", "使用日期", "使用时长(小时)"]
SESSION_HEADER = ["asset_id", "start_time", "end_time"]
PROC_HEADER = ["po_number", "agency_code", "item_description", "category", "quantity", "unit_price", "order_date"]
METER_HEADER = ["asset_id", "read_at", "meter", "value"]
PROC_ROW = ["PO-9", "A001", "Laptop 14 inch", "laptop", "2", "4999.00", "2024-03-01"]


# -- file builders ---------------------------------------------------------------------------------
def csv_file(
    tmp_path: Path,
    header: list[str] | None,
    rows: list[list[str]],
    *,
    name: str = "data.csv",
    encoding: str = "utf-8",
    delimiter: str = ",",
    newline: str = "\n",
    bom: bool = False,
    title: str | None = None,
) -> Path:
    """A small CSV written exactly as asked: encoding, delimiter, line ending, BOM, optional title line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    if title is not None:
        buffer.write(title + newline)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / name
    path.write_bytes(data)
    return path


def raw_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_file(tmp_path: Path, rows: list[list[object]], *, name: str = "data.xlsx") -> Path:
    """An XLSX with one sheet; datetime cells are written as real Excel dates, numbers as numbers."""
    import xlsxwriter

    path = tmp_path / name
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("Sheet1")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                if not isinstance(value, dt.datetime):
                    value = dt.datetime(value.year, value.month, value.day)
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return path


def parquet_file(tmp_path: Path, columns: dict[str, list], *, name: str = "data.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return path


def usage_csv(tmp_path: Path, rows: list[list[str]], **options) -> Path:
    return csv_file(tmp_path, USAGE_HEADER, rows, name=options.pop("name", "usage.csv"), **options)


def assets_csv(tmp_path: Path, rows: list[list[str]], header: list[str] = ASSET_HEADER, **options) -> Path:
    return csv_file(tmp_path, header, rows, name=options.pop("name", "assets.csv"), **options)


def asset_with(header_extra: list[str], values: list[str], **row_overrides: str) -> tuple[list[str], list[list[str]]]:
    """Header and two rows of an asset file: a good one and one with extra columns/overrides (row 3)."""
    header = ASSET_HEADER + header_extra
    good = ["PC-8", "A001", "laptop", "4000", "2024-01-02"] + [""] * len(header_extra)
    bad = dict(zip(header, ASSET_ROW + values))
    bad.update(row_overrides)
    return header, [good, [bad[h] for h in header]]


def proc_csv(tmp_path: Path, header: list[str], rows: list[list[str]], **options) -> Path:
    return csv_file(tmp_path, header, rows, name=options.pop("name", "procurement.csv"), **options)


# -- database state --------------------------------------------------------------------------------
def db_state(db: Database) -> dict[str, object]:
    """Row count and an order-independent checksum of every table, plus the list of tables (temp ones too)."""
    state: dict[str, object] = {}
    for table in TABLES:
        state[table] = db.fetchone(
            f"SELECT count(*), md5(coalesce(string_agg(CAST(x AS VARCHAR), chr(30) ORDER BY CAST(x AS VARCHAR)), '')) "
            f"FROM {table} AS x",
        )
    state["tables"] = sorted(r[0] for r in db.fetchall("SELECT table_name FROM duckdb_tables()"))
    return state


def seed(db: Database, tmp_path: Path) -> None:
    """One procurement line, three assets (two agencies, with serial numbers and host names), one usage day and one partial upload with a reject."""
    folder = tmp_path / "seed"
    folder.mkdir(exist_ok=True)
    files = [
        ("procurement", proc_csv(folder, PROC_HEADER, [["PO-1", "A001", "Laptop", "laptop", "2", "5000", "2024-01-05"]])),
        (
            "assets",
            assets_csv(
                folder,
                [
                    ["PC-1", "A001", "laptop", "5000", "2024-01-10", "SN-1", "pc-1.a001.local"],
                    ["PC-2", "A001", "laptop", "5000", "2024-01-10", "SN-2", "pc-2.a001.local"],
                    ["PR-9", "A002", "printer", "1100", "2024-02-01", "SN-9", "pr-9"],
                ],
                header=ASSET_HEADER + ["serial_number", "hostname"],
            ),
        ),
        ("usage", usage_csv(folder, [["PC-1", "2025-01-06", "6"]])),
    ]
    for kind, path in files:
        report = ingest_file(db, kind, path, actor="seed")
        assert report.status == "committed", report.errors
    partial = usage_csv(folder, [["PC-2", "2025-01-06", "3"], ["PC-2", "2025-01-07", "99"]], name="partial.csv")
    report = ingest_file(db, "usage", partial, actor="seed", partial=True)
    assert report.status == "partial"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    """The seeded database, built once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.duckdb"
    with Database.open(path) as db:
        seed(db, folder)
    return path


@pytest.fixture
def seeded(seeded_template, tmp_path):
    path = tmp_path / "seeded.duckdb"
    shutil.copyfile(seeded_template, path)
    database = Database.open(path)
    yield database
    database.close()


# -- the case table --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One upload and what must come of it: a refusal, row errors, or (positive control) acceptance."""

    build: Callable[[Path], Path]
    kind: str | None
    refused: str | None = None  # a file.* key
    rows: tuple[tuple[int, str, str], ...] = ()  # (row number, column as the user wrote it, row.* code)
    accepted: int | None = None  # positive control: rows accepted
    mentions: tuple[str, ...] = ()  # text every message must contain, in both languages
    check_sql: str | None = None  # positive control: a query over the stored rows ...
    check_value: object = None  # ... and its expected result
    options: dict = field(default_factory=dict)


def case(id: str, build, kind="usage", **expect) -> pytest.param:  # noqa: A002
    """One row of the table."""
    return pytest.param(Case(build, kind, **expect), id=id)


LONG_TEXT = "x" * 5000
BAD_XLSX = random.Random(7).randbytes(3000)
RANDOM_BYTES = random.Random(11).randbytes(3000)
SESSION_ROWS_OK = [["PC-1", "2025-03-01 08:00", "2025-03-01 10:30"]]
LAST_UPLOAD = "upload_id = (SELECT max(upload_id) FROM uploads)"
DAYS_OF_LAST_UPLOAD = f"SELECT list(usage_date ORDER BY usage_date) FROM usage_daily WHERE {LAST_UPLOAD}"

CASES = [
    # --- unreadable or empty files -----------------------------------------------------------
    case("empty-file-0-bytes", lambda p: raw_file(p, "usage.csv", b""), refused="file.empty", mentions=("usage.csv",)),
    case("whitespace-only-file", lambda p: raw_file(p, "usage.csv", b"  \r\n\t\n   \n"), refused="file.empty"),
    case("bom-and-newlines-only", lambda p: raw_file(p, "usage.csv", b"\xef\xbb\xbf\n\n"), refused="file.empty"),
    case("header-only", lambda p: usage_csv(p, []), refused="file.header_only", mentions=("usage.csv",)),
    case("assets-header-only", lambda p: assets_csv(p, []), kind="assets", refused="file.header_only", mentions=("assets.csv",)),
    case("procurement-header-only-xlsx", lambda p: xlsx_file(p, [PROC_HEADER]), kind="procurement", refused="file.header_only"),
    case(
        "header-and-empty-rows-only",
        lambda p: raw_file(p, "u.csv", b"asset_id,usage_date,hours_used\n,,\n,,\n"),
        refused="file.header_only",
    ),
    case(
        "header-and-whitespace-rows-only",
        lambda p: raw_file(p, "u.csv", b"asset_id,usage_date,hours_used\n , ,  \n \n"),
        refused="file.header_only",
    ),
    case(
        "whitespace-only-row-is-skipped",
        lambda p: raw_file(p, "u.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-02-03,2\n  ,  , \nPC-2,2025-02-03,1\n"),
        accepted=2,
    ),
    case(
        "empty-line-keeps-spreadsheet-row-numbers",
        lambda p: raw_file(p, "u.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-01-02,3\n\nPC-1,2025-01-03,30\n"),
        rows=((4, "hours_used", "row.hours_over_24"),),
    ),
    case(
        "empty-lines-crlf-and-consecutive",
        lambda p: raw_file(p, "u.csv", b"asset_id,usage_date,hours_used\r\nPC-1,2025-01-02,3\r\n\r\n\r\nPC-1,2025-01-03,30\r\n"),
        rows=((5, "hours_used", "row.hours_over_24"),),
    ),
    case(
        "binary-garbage-named-xlsx",
        lambda p: raw_file(p, "usage.xlsx", BAD_XLSX),
        refused="file.bad_xlsx",
        mentions=("usage.xlsx",),
    ),
    case(
        "zip-that-is-not-a-workbook", lambda p: raw_file(p, "usage.xlsx", b"PK\x03\x04" + b"\x00" * 200), refused="file.bad_xlsx"
    ),
    case(
        "utf16-without-bom-valid",
        lambda p: raw_file(p, "usage.csv", "asset_id,usage_date,hours_used\nPC-1,2025-02-03,2\n".encode("utf-16-le")),
        accepted=1,
    ),
    case("random-bytes-named-csv", lambda p: raw_file(p, "usage.csv", RANDOM_BYTES), refused="file.binary"),
    case(
        "not-utf8-nor-gb18030",
        lambda p: raw_file(p, "usage.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-01-01,\xff\xfe\x80\n"),
        refused="file.encoding_not_recognised",
        mentions=("UTF-8", "GB18030", "Big5"),
    ),
    case(
        "no-recognisable-header",
        lambda p: csv_file(p, ["foo", "bar", "baz"], [["1", "2", "3"]]),
        refused="file.no_header",
        mentions=("asset_id",),
    ),
    case(
        "unknown-extension-sniffed-as-csv",
        lambda p: csv_file(p, USAGE_HEADER, [["PC-1", "2025-02-03", "2"]], name="usage.dat"),
        accepted=1,
    ),
    case(
        "broken-json",
        lambda p: raw_file(p, "tender.json", b'{"releases": [ {"ocid": "x", '),
        kind="procurement",
        refused="file.bad_json",
        mentions=("tender.json",),
    ),
    case(
        "jsonl-with-broken-line",
        lambda p: raw_file(
            p,
            "tender.jsonl",
            (json.dumps({"ocid": "ocds-1", "buyer": {"id": "A001"}, "contracts": []}) + "\n{not json\n").encode(),
        ),
        kind="procurement",
        refused="file.bad_json",
        mentions=(("line 2", "第 2 行"),),
    ),
    case(
        "json-that-is-not-ocds",
        lambda p: raw_file(p, "x.json", b'{"hello": "world"}'),
        kind="procurement",
        refused="file.not_ocds",
    ),
    case(
        "ocds-record-package-without-items",
        lambda p: raw_file(
            p,
            "records.json",
            json.dumps(
                {
                    "uri": "x",
                    "version": "1.1",
                    "records": [
                        {
                            "ocid": "ocds-r-1",
                            "compiledRelease": {
                                "ocid": "ocds-r-1",
                                "date": "2024-01-01T00:00:00Z",
                                "buyer": {"id": "A001"},
                                "contracts": [{"id": "C-1", "value": {"amount": 100, "currency": "CNY"}}],
                            },
                        }
                    ],
                }
            ).encode(),
        ),
        kind="procurement",
        refused="file.ocds_no_lines",
        mentions=("records.json",),
    ),
    case(
        "ocds-file-as-assets",
        lambda p: raw_file(
            p,
            "tender.json",
            json.dumps(
                {
                    "ocid": "ocds-1",
                    "buyer": {"id": "A001"},
                    "contracts": [
                        {
                            "id": "C",
                            "items": [
                                {
                                    "id": "1",
                                    "description": "Laptop",
                                    "quantity": 1,
                                    "unit": {"value": {"amount": 10, "currency": "CNY"}},
                                }
                            ],
                        }
                    ],
                }
            ).encode(),
        ),
        kind="assets",
        refused="file.ocds_only_procurement",
    ),
    case(  # columns the record kind does not know are kept with the row, under their own headers
        "extra-columns-kept-with-the-row",
        lambda p: assets_csv(
            p, [["PC-9", "A001", "laptop", "100", "2024-01-01", "3F-301", "王工"]], header=[*ASSET_HEADER, "Office", "保管人"]
        ),
        kind="assets",
        accepted=1,
        check_sql="SELECT extra::VARCHAR FROM assets WHERE asset_id = 'PC-9'",
        check_value=('{"Office":"3F-301","保管人":"王工"}',),
    ),
    case(  # an award's value covering its items leaves each line's price unknown: the line is kept, never priced
        "ocds-award-value-covering-items-accepted-without-a-price",
        lambda p: raw_file(
            p,
            "award.json",
            json.dumps(
                {
                    "ocid": "ocds-v-1",
                    "id": "r1",
                    "date": "2024-03-01T00:00:00Z",
                    "tag": ["award"],
                    "buyer": {"id": "A001", "name": "Agency One"},
                    "tender": {
                        "items": [
                            {"id": "t1", "description": "Laptop", "quantity": 5},
                            {"id": "t2", "description": "Desktop computer", "quantity": 2},
                        ]
                    },
                    "awards": [
                        {
                            "id": "AW-1",
                            "date": "2024-01-10",
                            "suppliers": [{"name": "Supplier"}],
                            "value": {"amount": 9000, "currency": "CNY"},
                        }
                    ],
                }
            ).encode(),
        ),
        kind="procurement",
        accepted=2,
        check_sql="SELECT list((unit_price, total_amount, order_total_amount) ORDER BY line_no) FROM procurement_lines "
        "WHERE po_number = 'AW-1'",
        check_value=([(None, None, 9000), (None, None, 9000)],),
    ),
    case(
        "ragged-row-too-many-fields",
        lambda p: raw_file(p, "usage.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-01-02,3\nPC-1,2025-01-03,3,extra,more\n"),
        refused="file.ragged_row",
        mentions=("usage.csv", " 3 "),
    ),  # line 3, in both languages
    # --- encodings, delimiters and line endings that are valid (positive controls) -------------
    case(
        "gbk-chinese-headers-valid",
        lambda p: assets_csv(
            p, [["资产-1", "A001", "笔记本电脑", "¥6,500.00", "2024年3月5日"]], header=ASSET_HEADER_ZH, encoding="gb18030"
        ),
        kind="assets",
        accepted=1,
        check_sql="SELECT category, purchase_cost, purchase_date FROM assets WHERE asset_id = '资产-1'",
        check_value=("laptop", Decimal("6500.00"), dt.date(2024, 3, 5)),
    ),
    case("utf8-bom-valid", lambda p: usage_csv(p, [["PC-1", "2025-02-03", "2"]], bom=True), accepted=1),
    case(
        "utf16-with-bom-valid",
        lambda p: raw_file(p, "usage.csv", "asset_id,usage_date,hours_used\nPC-1,2025-02-03,2\n".encode("utf-16")),
        accepted=1,
    ),
    case(
        "semicolon-delimited-valid",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "2.5"]], delimiter=";"),
        accepted=1,
        check_sql="SELECT hours_used FROM usage_daily WHERE usage_date = DATE '2025-02-03'",
        check_value=(2.5,),
    ),
    case(
        "tab-delimited-valid",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "2"], ["PC-2", "2025-02-03", "1"]], delimiter="\t", name="usage.tsv"),
        accepted=2,
    ),
    case(
        "cr-only-line-endings-valid",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "2"], ["PC-2", "2025-02-04", "1"]], newline="\r"),
        accepted=2,
    ),
    case("crlf-line-endings-valid", lambda p: usage_csv(p, [["PC-1", "2025-02-03", "2"]], newline="\r\n"), accepted=1),
    case(
        "quoted-multiline-cell-counts-as-one-row",
        lambda p: assets_csv(
            p,
            [
                ["PC-7", "A001", "laptop", "100", "2024-01-01", "line one\nline two"],
                ["PC-8", "A001", "laptop", "oops", "2024-01-01", ""],
            ],
            header=ASSET_HEADER + ["location"],
        ),
        kind="assets",
        rows=((3, "purchase_cost", "row.bad_number"),),
        mentions=("purchase_cost",),
    ),
    # --- header problems --------------------------------------------------------------------------
    case(
        "gbk-missing-required-column",
        lambda p: assets_csv(
            p,
            [["资产-1", "A001", "笔记本电脑", "2024-03-05"]],
            header=["资产编号", "单位代码", "资产类别", "购置日期"],
            encoding="gb18030",
        ),
        kind="assets",
        refused="file.missing_columns",
        mentions=("purchase_cost", "原值"),
    ),
    case(
        "usage-missing-hours-column",
        lambda p: csv_file(p, ["asset_id", "usage_date", "source"], [["PC-1", "2025-01-01", "x"]]),
        refused="file.missing_columns",
        mentions=("hours_used",),
    ),
    case(
        "two-columns-same-field",
        lambda p: csv_file(p, ["asset_id", "资产编号", "usage_date", "hours_used"], [["PC-1", "PC-1", "2025-01-01", "1"]]),
        refused="file.columns_same_field",
        mentions=("asset_id", "资产编号"),
    ),
    case(
        "duplicated-header",
        lambda p: csv_file(p, USAGE_HEADER + ["Hours_Used"], [["PC-1", "2025-01-01", "1", "2"]]),
        refused="file.duplicate_headers",
        mentions=("hours_used",),
    ),
    case(
        "usage-file-ingested-as-assets",
        lambda p: usage_csv(p, [["PC-1", "2025-01-01", "1"]]),
        kind="assets",
        refused="file.wrong_kind",
    ),
    case("assets-file-ingested-as-usage", lambda p: assets_csv(p, [ASSET_ROW]), kind="usage", refused="file.wrong_kind"),
    # --- dates --------------------------------------------------------------------------------------
    case(
        "bad-date-chinese-header",
        lambda p: csv_file(p, USAGE_HEADER_ZH, [["PC-1", "2025-01-02", "1"], ["PC-1", "yesterday", "2"]]),
        rows=((3, "使用日期", "row.bad_date"),),
        mentions=("使用日期", "yesterday"),
    ),
    case(
        "impossible-date-feb-30",
        lambda p: usage_csv(p, [["PC-1", "2025-02-30", "1"]]),
        rows=((2, "usage_date", "row.bad_date"),),
        mentions=("2025-02-30",),
    ),
    case(
        "ambiguous-day-month-column",
        lambda p: usage_csv(p, [["PC-1", "03/04/2025", "1"], ["PC-1", "05/06/2025", "1"]]),
        refused="file.ambiguous_dates",
        mentions=("usage.csv", "usage_date"),
    ),
    case(
        "ambiguous-accepted-with-dmy",
        lambda p: usage_csv(p, [["PC-1", "03/04/2025", "1"], ["PC-1", "05/06/2025", "1"]]),
        accepted=2,
        options={"date_order": "dmy"},
        check_sql="SELECT list(usage_date ORDER BY usage_date) FROM usage_daily WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
        check_value=([dt.date(2025, 4, 3), dt.date(2025, 6, 5)],),
    ),
    case(  # 25 can only be a day: the column is month first
        "month-first-dates-accepted",
        lambda p: usage_csv(p, [["PC-1", "01/25/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        accepted=2,
        check_sql="SELECT list(usage_date ORDER BY usage_date) FROM usage_daily WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
        check_value=([dt.date(2025, 1, 25), dt.date(2025, 2, 3)],),
    ),
    # a part above 12 can only be a day: 13 decides the order of the column, 12 does not
    case(
        "day-13-first-makes-the-column-day-first",
        lambda p: usage_csv(p, [["PC-1", "13/01/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        accepted=2,
        check_sql=DAYS_OF_LAST_UPLOAD,
        check_value=([dt.date(2025, 1, 13), dt.date(2025, 3, 2)],),
    ),
    case(  # 25 first, 12 at most second: day first (a second part of 12 is still a month)
        "day-25-first-and-month-12-second-is-day-first",
        lambda p: usage_csv(p, [["PC-1", "25/12/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        accepted=2,
        check_sql=DAYS_OF_LAST_UPLOAD,
        check_value=([dt.date(2025, 3, 2), dt.date(2025, 12, 25)],),
    ),
    case(
        "day-12-first-leaves-the-column-ambiguous",
        lambda p: usage_csv(p, [["PC-1", "12/01/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        refused="file.ambiguous_dates",
        mentions=("usage_date", "12/01/2025"),
    ),
    case(
        "day-13-second-makes-the-column-month-first",
        lambda p: usage_csv(p, [["PC-1", "01/13/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        accepted=2,
        check_sql=DAYS_OF_LAST_UPLOAD,
        check_value=([dt.date(2025, 1, 13), dt.date(2025, 2, 3)],),
    ),
    case(
        "day-12-second-leaves-the-column-ambiguous",
        lambda p: usage_csv(p, [["PC-1", "01/12/2025", "1"], ["PC-1", "02/03/2025", "1"]]),
        refused="file.ambiguous_dates",
    ),
    case(
        "day-13-first-and-second-mixed",
        lambda p: usage_csv(p, [["PC-1", "13/05/2025", "1"], ["PC-1", "05/13/2025", "1"]]),
        refused="file.mixed_date_order",
        mentions=("13/05/2025", "05/13/2025"),
    ),
    case(
        "ambiguous-accepted-with-mdy",
        lambda p: usage_csv(p, [["PC-1", "03/04/2025", "1"], ["PC-1", "05/06/2025", "1"]]),
        accepted=2,
        options={"date_order": "mdy"},
        check_sql=DAYS_OF_LAST_UPLOAD,
        check_value=([dt.date(2025, 3, 4), dt.date(2025, 5, 6)],),
    ),
    case(  # 03/03 and 04/04 read the same either way: no order needed
        "day-and-month-equal-need-no-order",
        lambda p: usage_csv(p, [["PC-1", "03/03/2025", "1"], ["PC-1", "04.04.2025", "1"]]),
        accepted=2,
        check_sql=DAYS_OF_LAST_UPLOAD,
        check_value=([dt.date(2025, 3, 3), dt.date(2025, 4, 4)],),
    ),
    case(  # the first date column needs no order (year first, in two spellings); the next is still read day first
        "day-first-column-after-a-year-first-column",
        lambda p: assets_csv(
            p,
            [
                ["PC-9", "A001", "laptop", "100", "2025/01/02", "15/01/2025"],
                ["PC-8", "A001", "laptop", "100", "2025-01-03", "02/03/2025"],
            ],
            header=[*ASSET_HEADER, "in_service_date"],
        ),
        kind="assets",
        accepted=2,
        check_sql="SELECT list(in_service_date ORDER BY asset_id) FROM assets WHERE asset_id IN ('PC-8', 'PC-9')",
        check_value=([dt.date(2025, 3, 2), dt.date(2025, 1, 15)],),
    ),
    case(  # two-digit years: 00-69 are 2000s, 70-99 1900s (then before 1980: implausible)
        "two-digit-year-69-is-2069",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "12/25/69"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT purchase_date FROM assets WHERE asset_id = 'PC-9'",
        check_value=(dt.date(2069, 12, 25),),
    ),
    case(
        "two-digit-year-70-is-1970",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "12/25/70"]]),
        kind="assets",
        rows=((2, "purchase_date", "row.implausible_date"),),
        mentions=("12/25/70",),
    ),
    case(
        "mixed-day-first-and-month-first",
        lambda p: usage_csv(p, [["PC-1", "25/03/2025", "1"], ["PC-1", "03/25/2025", "1"]]),
        refused="file.mixed_date_order",
        mentions=("usage.csv", "usage_date", "25/03/2025", "03/25/2025"),
    ),
    case(
        "implausible-year",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "1975-05-01"]]),
        kind="assets",
        rows=((2, "purchase_date", "row.implausible_date"),),
        mentions=("purchase_date", "1975-05-01"),
    ),
    # the plausible range is 1980-01-01 up to, not including, 2101-01-01: each edge and its neighbour
    case(
        "date-2101-01-01-implausible",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "2101-01-01"]]),
        kind="assets",
        rows=((2, "purchase_date", "row.implausible_date"),),
        mentions=("purchase_date", "2101-01-01"),
    ),
    case(
        "date-2100-12-31-accepted",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "2100-12-31"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT purchase_date FROM assets WHERE asset_id = 'PC-9'",
        check_value=(dt.date(2100, 12, 31),),
    ),
    case(
        "date-1980-01-01-accepted",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "1980-01-01"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT purchase_date FROM assets WHERE asset_id = 'PC-9'",
        check_value=(dt.date(1980, 1, 1),),
    ),
    case(
        "date-1979-12-31-implausible",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "1979-12-31"]]),
        kind="assets",
        rows=((2, "purchase_date", "row.implausible_date"),),
        mentions=("1979-12-31",),
    ),
    case(
        "date-text-column-2101-01-01-implausible",  # a column the engine does not type itself (a Chinese date beside it)
        lambda p: assets_csv(
            p, [["PC-8", "A001", "laptop", "100", "2024年1月2日"], ["PC-9", "A001", "laptop", "100", "2101-01-01"]]
        ),
        kind="assets",
        rows=((3, "purchase_date", "row.implausible_date"),),
        mentions=("2101-01-01",),
    ),
    case(
        "date-text-column-2100-12-31-accepted",
        lambda p: assets_csv(
            p, [["PC-8", "A001", "laptop", "100", "2024年1月2日"], ["PC-9", "A001", "laptop", "100", "2100-12-31"]]
        ),
        kind="assets",
        accepted=2,
        check_sql="SELECT purchase_date FROM assets WHERE asset_id = 'PC-9'",
        check_value=(dt.date(2100, 12, 31),),
    ),
    case(
        "session-start-1979-12-31-implausible",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-1", "1979-12-31 23:00", "1980-01-01 01:00"]]),
        rows=((2, "start_time", "row.implausible_date"),),
        mentions=("1979-12-31",),
    ),
    case(
        "session-from-1980-01-01-accepted",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-1", "1980-01-01 00:00", "1980-01-01 01:30"]]),
        accepted=1,
        check_sql="SELECT hours_used FROM usage_daily WHERE usage_date = DATE '1980-01-01'",
        check_value=(1.5,),
    ),
    case(
        "session-on-2101-01-01-implausible",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-1", "2101-01-01 00:00", "2101-01-01 01:00"]]),
        rows=((2, "start_time", "row.implausible_date"), (2, "end_time", "row.implausible_date")),
        mentions=("2101-01-01",),
    ),
    case(
        "usage-today-accepted",
        lambda p: usage_csv(p, [["PC-1", TODAY.isoformat(), "1"]]),
        accepted=1,
    ),
    case(
        "usage-tomorrow-is-future",
        lambda p: usage_csv(p, [["PC-1", (TODAY + dt.timedelta(days=1)).isoformat(), "1"]]),
        rows=((2, "usage_date", "row.future_date"),),
    ),
    case(
        "future-usage-date",
        lambda p: usage_csv(p, [["PC-1", FUTURE_DAY, "1"]]),
        rows=((2, "usage_date", "row.future_date"),),
        mentions=(FUTURE_DAY,),
    ),
    # --- amounts and numbers ------------------------------------------------------------------------
    case(
        "negative-amount",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "-100", "2024-01-01"]]),
        kind="assets",
        rows=((2, "purchase_cost", "row.negative"),),
        mentions=("purchase_cost", "-100"),
    ),
    case(
        "non-numeric-amount-chinese-header",
        lambda p: assets_csv(p, [["资产-2", "A001", "笔记本电脑", "五千", "2024-01-01"]], header=ASSET_HEADER_ZH),
        kind="assets",
        rows=((2, "原值", "row.bad_number"),),
        mentions=("原值", "五千"),
    ),
    case(
        "malformed-thousands-1,2,3",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "1,2,3", "2024-01-01"]]),
        kind="assets",
        rows=((2, "purchase_cost", "row.bad_number"),),
        mentions=("1,2,3",),
    ),
    case(
        "yuan-sign-and-thousands-accepted",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "¥12,345.50", "2024-01-01"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT purchase_cost FROM assets WHERE asset_id = 'PC-9'",
        check_value=(Decimal("12345.50"),),
    ),
    case(
        "total-disagrees-over-1pct",
        lambda p: proc_csv(p, PROC_HEADER + ["金额"], [PROC_ROW + ["10200"]]),
        kind="procurement",
        rows=((2, "金额", "row.total_mismatch"),),
        mentions=("10200", "9998"),
    ),
    case(
        "total-agrees-within-1pct",
        lambda p: proc_csv(p, PROC_HEADER + ["total_amount"], [PROC_ROW + ["10050"]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT unit_price, total_amount FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=(Decimal("4999.00"), Decimal("10050.00")),
    ),
    case(
        "quantity-zero",
        lambda p: proc_csv(p, PROC_HEADER, [PROC_ROW[:4] + ["0"] + PROC_ROW[5:]]),
        kind="procurement",
        rows=((2, "quantity", "row.not_positive"),),
        mentions=("quantity",),
    ),
    case(
        "quantity-1-accepted",
        lambda p: proc_csv(p, PROC_HEADER, [PROC_ROW[:4] + ["1"] + PROC_ROW[5:]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT quantity FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=(1,),
    ),
    case(
        "amount-0-accepted",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "0", "2024-01-01"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT purchase_cost FROM assets WHERE asset_id = 'PC-9'",
        check_value=(Decimal("0.00"),),
    ),
    case(
        "amount-minus-0.01",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "-0.01", "2024-01-01"]]),
        kind="assets",
        rows=((2, "purchase_cost", "row.negative"),),
        mentions=("-0.01",),
    ),
    case(  # 2 × 4,999 = 9,998: 10,098 differs by 100, within 1 % of 10,098 (+ half a cent); 10,099 by 101, not
        "total-at-the-1pct-edge-accepted",
        lambda p: proc_csv(p, PROC_HEADER + ["total_amount"], [PROC_ROW + ["10098"]]),
        kind="procurement",
        accepted=1,
    ),
    case(
        "total-just-past-the-1pct-edge",
        lambda p: proc_csv(p, PROC_HEADER + ["total_amount"], [PROC_ROW + ["10099"]]),
        kind="procurement",
        rows=((2, "total_amount", "row.total_mismatch"),),
    ),
    case(
        "delivery-on-the-order-date-accepted",
        lambda p: proc_csv(p, PROC_HEADER + ["delivery_date"], [PROC_ROW + ["2024-03-01"]]),
        kind="procurement",
        accepted=1,
    ),
    case(
        "quantity-2.5",
        lambda p: proc_csv(p, PROC_HEADER, [PROC_ROW[:4] + ["2.5"] + PROC_ROW[5:]]),
        kind="procurement",
        rows=((2, "quantity", "row.bad_int"),),
        mentions=("quantity", "2.5"),
    ),
    case(
        "bad-currency-code",
        lambda p: proc_csv(p, PROC_HEADER + ["币种"], [PROC_ROW + ["DOLLARS"]]),
        kind="procurement",
        rows=((2, "币种", "row.bad_currency"),),
        mentions=("DOLLARS",),
    ),
    case(
        "delivery-before-order",
        lambda p: proc_csv(p, PROC_HEADER + ["验收日期"], [PROC_ROW + ["2024-02-01"]]),
        kind="procurement",
        rows=((2, "验收日期", "row.delivery_before_order"),),
        mentions=("2024-02-01", "2024-03-01"),
    ),
    case(
        "procurement-without-price-or-total-value",
        lambda p: proc_csv(p, PROC_HEADER, [PROC_ROW[:5] + [""] + PROC_ROW[6:]]),
        kind="procurement",
        rows=((2, "unit_price", "row.required"),),
        mentions=("unit_price",),
    ),
    # --- usage hours and sessions ---------------------------------------------------------------
    case(
        "hours-25",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "8"], ["PC-1", "2025-01-03", "25"]]),
        rows=((3, "hours_used", "row.hours_over_24"),),
        mentions=("hours_used", "25"),
    ),
    case(
        "negative-hours",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "-2"]]),
        rows=((2, "hours_used", "row.negative"),),
        mentions=("-2",),
    ),
    # hours run from 0 to 24 inclusive, minutes from 0 to 1,440: each edge and just beyond it
    case(
        "hours-minus-0.5",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "-0.5"]]),
        rows=((2, "hours_used", "row.negative"),),
        mentions=("-0.5",),
    ),
    case(
        "hours-0-and-24-accepted",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "0"], ["PC-2", "2025-02-03", "24"]]),
        accepted=2,
        check_sql="SELECT list(hours_used ORDER BY asset_id) FROM usage_daily WHERE usage_date = DATE '2025-02-03'",
        check_value=([0.0, 24.0],),
    ),
    case(
        "hours-24.01",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "24.01"]]),
        rows=((2, "hours_used", "row.hours_over_24"),),
        mentions=("24.01",),
    ),
    case(
        "hours-text-column-minus-0.5",  # one unreadable value makes it a text column: the same checks apply
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "eight"], ["PC-1", "2025-01-03", "-0.5"]]),
        rows=((2, "hours_used", "row.bad_number"), (3, "hours_used", "row.negative")),
    ),
    case(
        "hours-text-column-24-accepted-24.01-not",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "24,0"], ["PC-1", "2025-01-03", "24"], ["PC-1", "2025-01-04", "24.01"]]),
        rows=((2, "hours_used", "row.bad_number"), (4, "hours_used", "row.hours_over_24")),
    ),
    case(
        "minutes-minus-0.5",
        lambda p: csv_file(p, ["asset_id", "usage_date", "minutes_used"], [["PC-1", "2025-01-02", "-0.5"]]),
        rows=((2, "minutes_used", "row.negative"),),
    ),
    case(
        "minutes-0-and-1440-accepted",
        lambda p: csv_file(
            p, ["asset_id", "usage_date", "minutes_used"], [["PC-1", "2025-02-03", "0"], ["PC-2", "2025-02-03", "1440"]]
        ),
        accepted=2,
        check_sql="SELECT list(hours_used ORDER BY asset_id) FROM usage_daily WHERE usage_date = DATE '2025-02-03'",
        check_value=([0.0, 24.0],),
    ),
    case(
        "minutes-1440.5",
        lambda p: csv_file(p, ["asset_id", "usage_date", "minutes_used"], [["PC-1", "2025-01-02", "1440.5"]]),
        rows=((2, "minutes_used", "row.minutes_over_day"),),
    ),
    case(
        "non-numeric-hours",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "eight"]]),
        rows=((2, "hours_used", "row.bad_number"),),
        mentions=("eight",),
    ),
    case(
        "minutes-1500",
        lambda p: csv_file(p, ["asset_id", "usage_date", "使用时长(分钟)"], [["PC-1", "2025-01-02", "1500"]]),
        rows=((2, "使用时长(分钟)", "row.minutes_over_day"),),
        mentions=("使用时长(分钟)", "1500"),
    ),
    case(
        "blank-required-value",
        lambda p: usage_csv(p, [["PC-1", "", "1"]]),
        rows=((2, "usage_date", "row.required"),),
        mentions=("usage_date",),
    ),
    case(
        "short-row-padded-then-required",
        lambda p: raw_file(p, "usage.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-01-02,1\nPC-1\n"),
        rows=((3, "usage_date", "row.required"), (3, "hours_used", "row.required")),
    ),
    case(
        "session-end-before-start",
        lambda p: csv_file(p, SESSION_HEADER, SESSION_ROWS_OK + [["PC-1", "2025-03-02 10:00", "2025-03-02 09:00"]]),
        rows=((3, "end_time", "row.end_before_start"),),
        mentions=("2025-03-02",),
    ),
    case(
        "session-of-exactly-366-days-accepted",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-2", "2023-01-01 00:00", "2024-01-02 00:00"]]),
        accepted=1,
        check_sql="SELECT count(*), sum(hours_used) FROM usage_daily WHERE asset_id = 'PC-2' AND usage_date < DATE '2024-01-02'",
        check_value=(366, 366 * 24.0),
    ),
    case(
        "session-366-days-and-a-minute",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-1", "2023-01-01 00:00", "2024-01-02 00:01"]]),
        rows=((2, "end_time", "row.session_too_long"),),
    ),
    case(
        "session-longer-than-366-days",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-1", "2023-01-01 00:00", "2024-06-01 00:00"]]),
        rows=((2, "end_time", "row.session_too_long"),),
        mentions=("2023-01-01", "2024-06-01"),
    ),
    case(
        "session-bad-timestamp",
        lambda p: csv_file(p, ["资产编号", "开始时间", "结束时间"], [["PC-1", "2025-03-01 25:61", "2025-03-01 10:00"]]),
        rows=((2, "开始时间", "row.bad_timestamp"),),
        mentions=("开始时间", "2025-03-01 25:61"),
    ),
    case(
        "sessions-valid-split-at-midnight",
        lambda p: csv_file(p, SESSION_HEADER, [["PC-2", "2025-03-01 22:00", "2025-03-02 03:00"]]),
        accepted=1,
        check_sql="SELECT list(hours_used ORDER BY usage_date) FROM usage_daily WHERE asset_id = 'PC-2' "
        "AND usage_date >= DATE '2025-03-01'",
        check_value=([2.0, 3.0],),
    ),
    case(
        "session-in-the-future",
        lambda p: csv_file(p, SESSION_HEADER, SESSION_ROWS_OK + [["PC-1", f"{FUTURE_DAY} 08:00", f"{FUTURE_DAY} 09:00"]]),
        rows=((3, "start_time", "row.future_date"), (3, "end_time", "row.future_date")),
        mentions=(FUTURE_DAY,),
    ),
    # --- meter readings: a counter is a number of 0 or more, thousands separators allowed ------------
    case(
        "meter-reading-accepted",
        lambda p: csv_file(
            p, METER_HEADER, [["PR-9", "2025-03-01 08:00", "Total pages", "1,802"], ["PR-9", "2025-03-02", "pages_total", "0"]]
        ),
        kind="meters",
        accepted=2,
        check_sql="SELECT list((asset_id, meter, value) ORDER BY read_at) FROM meter_readings",
        check_value=([("PR-9", "pages_total", 1802.0), ("PR-9", "pages_total", 0.0)],),
    ),
    case(
        "meter-reading-minus-0.5",
        lambda p: csv_file(
            p, METER_HEADER, [["PR-9", "2025-03-01", "pages_total", "5"], ["PR-9", "2025-03-02", "pages_total", "-0.5"]]
        ),
        kind="meters",
        rows=((3, "value", "row.negative"),),
        mentions=("-0.5",),
    ),
    case(
        "meter-reading-not-a-number",
        lambda p: csv_file(p, METER_HEADER, [["PR-9", "2025-03-01", "pages_total", "lots"]]),
        kind="meters",
        rows=((2, "value", "row.bad_number"),),
        mentions=("lots",),
    ),
    case(
        "meter-read-at-not-a-time",
        lambda p: csv_file(p, METER_HEADER, [["PR-9", "soon", "pages_total", "5"]]),
        kind="meters",
        rows=((2, "read_at", "row.bad_timestamp"),),
        mentions=("soon",),
    ),
    case(  # "-" names no meter: as empty as a blank cell, said per row (it used to fail the insert as a whole)
        "meter-names-that-fold-to-nothing",
        lambda p: csv_file(p, METER_HEADER, [["PR-9", "2025-03-01", "-", "5"], ["PR-9", "2025-03-02", "pages_total", "6"]]),
        kind="meters",
        rows=((2, "meter", "row.required"),),
    ),
    case(
        "meter-name-of-1001-characters",
        lambda p: csv_file(p, METER_HEADER, [["PR-9", "2025-03-01", "m" * 1001, "5"]]),
        kind="meters",
        rows=((2, "meter", "row.too_long"), (2, "meter", "row.unknown_meter")),
    ),
    # --- rows against each other and against the database ------------------------------------------
    case(
        "conflicting-duplicate-keys",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "1"], ["PC-2", "2025-01-02", "1"], ["PC-1", "2025-01-02", "5"]]),
        rows=((2, "asset_id + usage_date", "row.duplicate_key"), (4, "asset_id + usage_date", "row.duplicate_key")),
        mentions=("2, 4",),
    ),
    case(
        "identical-duplicate-rows-accepted-once",
        lambda p: usage_csv(p, [["PC-1", "2025-01-09", "1"], ["PC-1", "2025-01-09", "1"]]),
        accepted=2,
        check_sql="SELECT count(*) FROM usage_daily WHERE usage_date = DATE '2025-01-09'",
        check_value=(1,),
    ),
    case(
        "usage-for-unknown-asset",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "1"], ["NOPE-1", "2025-01-02", "1"]]),
        rows=((3, "asset_id", "row.unknown_asset"),),
        mentions=("NOPE-1",),
    ),
    case(
        "usage-before-the-register",
        lambda p: usage_csv(p, [["NOPE-1", "2025-01-02", "1"], ["NOPE-2", "2025-01-02", "1"]]),
        refused="file.no_known_assets",
        mentions=("2",),
    ),
    case(
        "assets-of-another-agency-under-scope",
        lambda p: assets_csv(p, [["PC-9", "A001", "laptop", "100", "2024-01-01"]]),
        kind="assets",
        options={"agency": "A002"},
        rows=((2, "agency_code", "row.other_agency"),),
        mentions=("A001", "A002"),
    ),
    case(
        "usage-of-another-agencys-asset-under-scope",
        lambda p: usage_csv(p, [["PR-9", "2025-01-02", "1"], ["PC-1", "2025-01-02", "1"]]),
        options={"agency": "A002"},
        rows=((3, "asset_id", "row.asset_not_your_agency"),),
        mentions=("PC-1",),
    ),
    case(
        "assets-without-agency-column-under-scope-accepted",
        lambda p: csv_file(p, ["asset_id", "category", "purchase_cost"], [["PR-10", "printer", "900"]]),
        kind="assets",
        options={"agency": "A002"},
        accepted=1,
        check_sql="SELECT agency_code FROM assets WHERE asset_id = 'PR-10'",
        check_value=("A002",),
    ),
    # --- text fields ----------------------------------------------------------------------------------
    case(
        "formula-hyperlink",
        lambda p: assets_csv(p, asset_with(["model"], ['=HYPERLINK("http://x","y")'])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        rows=((3, "model", "row.formula"),),
        mentions=("=HYPERLINK",),
    ),
    case(
        "formula-at-sum",
        lambda p: assets_csv(p, asset_with(["location"], ["@SUM(1)"])[1], header=ASSET_HEADER + ["location"]),
        kind="assets",
        rows=((3, "location", "row.formula"),),
        mentions=("@SUM(1)",),
    ),
    case(
        "formula-dde-cmd",
        lambda p: assets_csv(p, asset_with(["department"], ["+cmd|' /C calc'!A0"])[1], header=ASSET_HEADER + ["department"]),
        kind="assets",
        rows=((3, "department", "row.formula"),),
        mentions=("+cmd",),
    ),
    case(
        "formula-minus-two-plus-three",
        lambda p: assets_csv(p, asset_with(["model"], ["-2+3"])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        rows=((3, "model", "row.formula"),),
        mentions=("-2+3",),
    ),
    case(
        "phone-number-in-text-accepted",
        lambda p: assets_csv(p, asset_with(["location"], ["+86 10 1234 5678"])[1], header=ASSET_HEADER + ["location"]),
        kind="assets",
        accepted=2,
        check_sql="SELECT location FROM assets WHERE asset_id = 'PC-9'",
        check_value=("+86 10 1234 5678",),
    ),
    case(
        "very-long-field-5000-chars",
        lambda p: assets_csv(p, asset_with(["model"], [LONG_TEXT])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        rows=((3, "model", "row.too_long"),),
        mentions=("5000", "1000"),
    ),
    case(
        "control-characters",
        lambda p: assets_csv(p, asset_with(["model"], ["Think\x07Pad\x1b"])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        rows=((3, "model", "row.control_chars"),),
        mentions=("model",),
    ),
    case(
        "bad-status",
        lambda p: assets_csv(p, asset_with(["status"], ["kaput"])[1], header=ASSET_HEADER + ["status"]),
        kind="assets",
        rows=((3, "status", "row.bad_status"),),
        mentions=("kaput",),
    ),
    case(
        "bad-standby-boolean",
        lambda p: assets_csv(p, asset_with(["是否备用"], ["maybe"])[1], header=ASSET_HEADER + ["是否备用"]),
        kind="assets",
        rows=((3, "是否备用", "row.bad_bool"),),
        mentions=("是否备用", "maybe"),
    ),
    case(
        "disposal-before-in-service",
        lambda p: assets_csv(
            p,
            asset_with(["启用日期", "处置日期"], ["2024-02-01", "2023-12-31"])[1],
            header=ASSET_HEADER + ["启用日期", "处置日期"],
        ),
        kind="assets",
        rows=((3, "处置日期", "row.disposal_before_service"),),
        mentions=("2023-12-31", "2024-02-01"),
    ),
    case(
        "disposal-on-the-in-service-date-accepted",
        lambda p: assets_csv(
            p,
            asset_with(["in_service_date", "disposal_date"], ["2024-02-01", "2024-02-01"])[1],
            header=ASSET_HEADER + ["in_service_date", "disposal_date"],
        ),
        kind="assets",
        accepted=2,
        check_sql="SELECT disposal_date FROM assets WHERE asset_id = 'PC-9'",
        check_value=(dt.date(2024, 2, 1),),
    ),
    # identifiers hold up to 100 characters, free text up to 1,000: each edge and one past it
    case(
        "asset-id-of-100-characters-accepted",
        lambda p: assets_csv(p, [["P" * 100, "A001", "laptop", "100", "2024-01-01"]]),
        kind="assets",
        accepted=1,
        check_sql="SELECT length(asset_id) FROM assets WHERE asset_id LIKE 'PPP%'",
        check_value=(100,),
    ),
    case(
        "asset-id-of-101-characters",
        lambda p: assets_csv(p, [["P" * 101, "A001", "laptop", "100", "2024-01-01"]]),
        kind="assets",
        rows=((2, "asset_id", "row.too_long"),),
        mentions=("101", "100"),
    ),
    case(
        "model-of-1000-characters-accepted",
        lambda p: assets_csv(p, asset_with(["model"], ["m" * 1000])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        accepted=2,
        check_sql="SELECT length(model) FROM assets WHERE asset_id = 'PC-9'",
        check_value=(1000,),
    ),
    case(
        "model-of-1001-characters",
        lambda p: assets_csv(p, asset_with(["model"], ["m" * 1001])[1], header=ASSET_HEADER + ["model"]),
        kind="assets",
        rows=((3, "model", "row.too_long"),),
        mentions=("1001", "1000"),
    ),
    case(  # a usage row's asset id must name a registered asset: of the text checks only its length applies
        "usage-asset-id-of-101-characters",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "1"], ["P" * 101, "2025-02-03", "1"]]),
        rows=((3, "asset_id", "row.too_long"), (3, "asset_id", "row.unknown_asset")),
    ),
    case(
        "usage-asset-id-looking-like-a-formula-is-unknown",
        lambda p: usage_csv(p, [["PC-1", "2025-02-03", "1"], ["@SUM(1)", "2025-02-03", "1"]]),
        rows=((3, "asset_id", "row.unknown_asset"),),
        mentions=("@SUM(1)",),
    ),
    # --- devices named by serial number or host name ---------------------------------------------------
    case(
        "usage-by-serial-number-any-case-accepted",
        lambda p: csv_file(p, ["serial_number", "usage_date", "hours_used"], [["sn-1", "2025-02-03", "2"]]),
        accepted=1,
        check_sql=f"SELECT asset_id, evidence, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PC-1", "usage", 2.0),
    ),
    case(
        "usage-by-host-name-without-domain-accepted",
        lambda p: csv_file(p, ["hostname", "usage_date", "hours_used"], [["PC-2", "2025-02-03", "1"]]),
        accepted=1,
        check_sql=f"SELECT asset_id FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PC-2",),
    ),
    case(
        "usage-device-without-serial-or-host-name",
        lambda p: csv_file(
            p,
            ["serial_number", "hostname", "usage_date", "hours_used"],
            [["SN-1", "", "2025-02-03", "1"], ["", "", "2025-02-03", "1"]],
        ),
        rows=((3, "serial_number", "row.required"),),
    ),
    case(  # an agency's upload is matched against its own assets only
        "usage-by-serial-number-of-another-agency-under-scope",
        lambda p: csv_file(
            p,
            ["hostname", "serial_number", "usage_date", "hours_used"],
            [["pr-9", "SN-9", "2025-02-03", "1"], ["", "SN-1", "2025-02-03", "1"]],
        ),
        options={"agency": "A002"},
        rows=((3, "serial_number", "row.device_not_your_agency"),),  # the column the row named it by
        mentions=("SN-1",),
    ),
    case(
        "usage-by-serial-number-under-its-own-agency-accepted",
        lambda p: csv_file(p, ["serial_number", "usage_date", "hours_used"], [["SN-9", "2025-02-03", "1"]]),
        options={"agency": "A002"},
        accepted=1,
        check_sql=f"SELECT asset_id FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PR-9",),
    ),
    case(  # Intune: devices seen on a day, no hours
        "seen-only-intune-check-in-accepted",
        lambda p: csv_file(p, ["Device name", "Serial number", "Last check-in"], [["PC-1", "SN-1", "2025-02-03 10:12:33"]]),
        accepted=1,
        check_sql=f"SELECT asset_id, usage_date, evidence, source, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PC-1", dt.date(2025, 2, 3), "seen", "intune", None),
    ),
    case(
        "seen-only-lansweeper-last-seen-accepted",
        lambda p: csv_file(p, ["hostname", "Last seen"], [["pc-2", "2025-02-03"]]),
        accepted=1,
        check_sql=f"SELECT asset_id, evidence, source, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PC-2", "seen", "lansweeper", None),
    ),
    case(
        "seen-only-inventory-date-accepted",
        lambda p: csv_file(p, ["serial_number", "usage_date"], [["SN-2", "2025-02-03"]]),
        accepted=1,
        check_sql=f"SELECT asset_id, evidence, source, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("PC-2", "seen", "inventory", None),
    ),
    case(
        "seen-only-with-its-own-source-and-evidence-accepted",
        lambda p: csv_file(p, ["hostname", "Last seen", "source", "evidence"], [["pc-2", "2025-02-03", "sccm", "SEEN"]]),
        accepted=1,
        check_sql=f"SELECT evidence, source, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("seen", "sccm", None),
    ),
    # --- evidence kinds ------------------------------------------------------------------------------
    case(
        "unknown-evidence-kind",
        lambda p: csv_file(
            p, USAGE_HEADER + ["evidence"], [["PC-1", "2025-02-03", "1", "usage"], ["PC-1", "2025-02-04", "1", "rumour"]]
        ),
        rows=((3, "evidence", "row.bad_evidence"),),
        mentions=("rumour",),
    ),
    case(
        "seen-day-without-hours-accepted",
        lambda p: csv_file(p, USAGE_HEADER + ["evidence"], [["PC-1", "2025-02-03", "", "Seen"]]),
        accepted=1,
        check_sql=f"SELECT evidence, hours_used FROM usage_daily WHERE {LAST_UPLOAD}",
        check_value=("seen", None),
    ),
    case(
        "day-of-use-without-hours",
        lambda p: csv_file(p, USAGE_HEADER + ["evidence"], [["PC-1", "2025-02-03", "", "signed_in"]]),
        rows=((2, "hours_used", "row.required"),),
    ),
    # --- catalogue codes ------------------------------------------------------------------------------
    case(  # the header names the catalogue of the code
        "cpv-code-column-names-its-scheme",
        lambda p: proc_csv(p, PROC_HEADER + ["CPV code"], [PROC_ROW + ["30213100-6"]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT classification_code, classification_scheme FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=("30213100-6", "CPV"),
    ),
    case(
        "unspsc-column-names-its-scheme",
        lambda p: proc_csv(p, PROC_HEADER + ["UNSPSC"], [PROC_ROW + ["43211503"]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT classification_code, classification_scheme FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=("43211503", "UNSPSC"),
    ),
    case(
        "classification-column-names-no-scheme",
        lambda p: proc_csv(p, PROC_HEADER + ["品目编码"], [PROC_ROW + ["A02010104"]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT classification_code, classification_scheme FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=("A02010104", None),
    ),
    case(
        "scheme-column-wins-over-the-code-header",
        lambda p: proc_csv(p, PROC_HEADER + ["CPV code", "scheme"], [PROC_ROW + ["30213100-6", "CPV 2008"]]),
        kind="procurement",
        accepted=1,
        check_sql="SELECT classification_scheme FROM procurement_lines WHERE po_number = 'PO-9'",
        check_value=("CPV 2008",),
    ),
    # --- spreadsheet and columnar formats -----------------------------------------------------------
    case(
        "xlsx-title-row-shifts-row-numbers",
        lambda p: xlsx_file(p, [["Usage report, January"], USAGE_HEADER, ["PC-1", "2025-01-02", 1], ["PC-1", "2025-01-03", 30]]),
        rows=((4, "hours_used", "row.hours_over_24"),),
        mentions=("30",),
    ),
    case(
        "csv-title-row-shifts-row-numbers",
        lambda p: usage_csv(p, [["PC-1", "2025-01-02", "1"], ["PC-1", "bad", "1"]], title="Usage export,,"),
        rows=((4, "usage_date", "row.bad_date"),),
        mentions=("bad",),
    ),
    case(
        "xlsx-excel-serial-date-accepted",
        lambda p: xlsx_file(p, [USAGE_HEADER, ["PC-1", 45658, 2]]),
        accepted=1,
        check_sql="SELECT usage_date FROM usage_daily WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
        check_value=(dt.date(2025, 1, 1),),
    ),
    case(  # a session's times as Excel's day numbers (a cell formatted as a number): 2025-03-01 08:00 to 10:30
        "xlsx-excel-serial-timestamps-accepted",
        lambda p: xlsx_file(p, [SESSION_HEADER, ["PC-1", 45717 + 1 / 3, 45717.4375]]),
        accepted=1,
        check_sql="SELECT usage_date, hours_used FROM usage_daily WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
        check_value=(dt.date(2025, 3, 1), 2.5),
    ),
    case(
        "xlsx-real-date-cell-accepted",
        lambda p: xlsx_file(p, [USAGE_HEADER, ["PC-2", dt.date(2025, 2, 14), 3.5]]),
        accepted=1,
        check_sql="SELECT usage_date, hours_used FROM usage_daily WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
        check_value=(dt.date(2025, 2, 14), 3.5),
    ),
    case("xlsx-without-header", lambda p: xlsx_file(p, [["a", "b"], [1, 2]]), refused="file.no_header"),
    case(
        "parquet-bad-value-row-numbers-from-2",
        lambda p: parquet_file(
            p,
            {
                "asset_id": ["PC-1", "PC-1", "PC-2"],
                "usage_date": ["2025-01-02", "2025-01-03", "2025-01-04"],
                "hours_used": [1.0, 2.0, 48.0],
            },
        ),
        rows=((4, "hours_used", "row.hours_over_24"),),
        mentions=("48",),
    ),
    case(
        "parquet-typed-date-column-accepted",
        lambda p: parquet_file(p, {"asset_id": ["PC-1"], "usage_date": pa.array([dt.date(2025, 1, 20)]), "hours_used": [2.0]}),
        accepted=1,
    ),
    case(
        "not-parquet-named-parquet", lambda p: raw_file(p, "usage.parquet", b"asset_id,usage_date\n"), refused="file.bad_parquet"
    ),
]


def _check_messages(report_or_error, expected_mentions: tuple[str, ...]) -> None:
    texts = {lang: report_or_error.text(lang) for lang in ("en", "zh")}
    for lang, text in texts.items():
        assert text.strip(), f"empty {lang} message"
        for needle in expected_mentions:
            if isinstance(needle, tuple):  # (English, Chinese): words that are translated
                needle = needle[0] if lang == "en" else needle[1]
            assert needle in text, f"{lang} message {text!r} does not mention {needle!r}"
    assert texts["en"] != texts["zh"]


@pytest.mark.parametrize("c", CASES)
def test_bad_input(seeded, tmp_path, c: Case):
    before = db_state(seeded)
    path = c.build(tmp_path)
    options = dict(c.options)
    if c.refused:
        assert c.refused in MESSAGES
        with pytest.raises(FileRefused) as info:
            ingest_file(seeded, c.kind, path, **options)
        assert info.value.key == c.refused, info.value.text("en")
        _check_messages(info.value, c.mentions)
        assert db_state(seeded) == before
        return
    report = ingest_file(seeded, c.kind, path, **options)
    if c.accepted is not None:
        assert report.errors == [], [e.text("en") for e in report.errors]
        assert report.status == "committed"
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (c.accepted, c.accepted, 0)
        if c.check_sql:
            assert seeded.fetchone(c.check_sql) == c.check_value
        return
    found = sorted((e.row_number, e.column, e.code) for e in report.errors)
    assert found == sorted(c.rows), [e.text("en") for e in report.errors]
    assert report.status == "rejected"
    assert report.rows_rejected == len({row for row, _, _ in c.rows})
    assert report.rows_accepted + report.rows_rejected == report.rows_read
    for error in report.errors:
        assert error.code in MESSAGES
        _check_messages(error, c.mentions)
        for lang in ("en", "zh"):  # every reason names the column or the offending value
            text = error.text(lang)
            assert error.column in text or (error.value is not None and error.value in text), text
    assert db_state(seeded) == before


# -- behaviours around the case table ---------------------------------------------------------------
@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_row_limit_refuses_the_file(seeded, tmp_path, file_format):
    """Parquet states its row count in its footer: refused before any row is read; CSV after counting."""
    set_setting(seeded, "max_upload_rows", "2", "test")
    before = db_state(seeded)
    rows = [["PC-1", f"2025-03-0{day}", "1"] for day in (3, 4, 5)]
    path = usage_csv(tmp_path, rows, name="three.csv")
    if file_format == "parquet":
        import pyarrow.csv as pv
        import pyarrow.parquet as pq

        pq.write_table(pv.read_csv(path), tmp_path / "three.parquet")
        path = tmp_path / "three.parquet"
    with pytest.raises(FileRefused) as info:
        ingest_file(seeded, "usage", path)
    assert info.value.key == "file.too_many_rows"
    _check_messages(info.value, (path.name, "3", "2"))
    assert db_state(seeded) == before


def test_size_limit_refuses_before_parsing(seeded, tmp_path):
    set_setting(seeded, "max_upload_mb", "1", "test")
    before = db_state(seeded)
    rows = [["PC-1", (dt.date(2000, 1, 1) + dt.timedelta(days=i % 9000)).isoformat(), "1"] for i in range(60_000)]
    path = usage_csv(tmp_path, rows, name="big.csv")
    assert path.stat().st_size > 1_000_000
    with pytest.raises(FileRefused) as info:
        ingest_file(seeded, "usage", path)
    assert info.value.key == "file.too_large"
    _check_messages(info.value, ("big.csv", "1 MB"))
    assert db_state(seeded) == before


def test_snipe_it_export_imports_without_editing(db, shared_fixtures):
    report = ingest_file(db, "assets", shared_fixtures / "snipe-it" / "assets-sample.csv")
    assert report.errors == []
    assert (report.status, report.rows_read, report.rows_accepted) == ("committed", 22, 22)
    first = db.fetchone("SELECT agency_code, purchase_date, purchase_cost, po_number FROM assets WHERE asset_id = 'ICC-2065556'")
    assert first == ("Abshire and Sons", dt.date(2023, 1, 23), Decimal("2266.13"), "3271901481")
    assert db.scalar("SELECT count(*) FROM assets WHERE purchase_cost IS NULL OR purchase_date IS NULL") == 0
    extra = json.loads(db.scalar("SELECT extra FROM assets WHERE asset_id = 'ICC-2065556'"))
    assert extra["Asset EOL Date"] == "10/27/28"  # unknown columns are kept, not dropped


def test_snipe_it_bad_export_is_refused_naming_duplicate_headers(db, shared_fixtures):
    before = db_state(db)
    with pytest.raises(FileRefused) as info:
        ingest_file(db, "assets", shared_fixtures / "snipe-it" / "assets-sample-BAD.csv")
    assert info.value.key == "file.duplicate_headers"
    _check_messages(info.value, ("Category", "Company"))
    assert db_state(db) == before


def test_ragged_row_message_does_not_misstate_the_field_count(seeded, tmp_path):
    """DuckDB stops counting at the first extra field, so the message must not claim a count it does not know."""
    path = raw_file(tmp_path, "usage.csv", b"asset_id,usage_date,hours_used\nPC-1,2025-01-02,3\nPC-1,2025-01-03,3,a,b,c,d\n")
    with pytest.raises(FileRefused) as info:
        ingest_file(seeded, "usage", path)
    assert info.value.key == "file.ragged_row"
    assert "Line 3" in info.value.text("en") and "第 3 行" in info.value.text("zh")
    assert "4 fields" not in info.value.text("en") and "4 个字段" not in info.value.text("zh")


def test_minutes_over_a_day_message_speaks_of_minutes(seeded, tmp_path):
    path = csv_file(tmp_path, ["asset_id", "usage_date", "minutes_used"], [["PC-1", "2025-01-02", "1500"]])
    report = ingest_file(seeded, "usage", path)
    (error,) = report.errors
    assert "minutes" in error.text("en") and "1500 hours" not in error.text("en")
    assert "分钟" in error.text("zh")


# -- all or nothing, partial, dry run, rejects file --------------------------------------------------
MIXED_USAGE = [
    ["PC-1", "2025-01-10", "2"],
    ["PC-2", "2025-01-10", "30"],
    ["PC-2", "2025-01-11", "4"],
    ["GHOST", "2025-01-11", "1"],
    ["PC-1", "2025-01-11", "=1+2"],
]


def test_one_bad_row_commits_nothing_by_default(seeded, tmp_path):
    before = db_state(seeded)
    report = ingest_file(seeded, "usage", usage_csv(tmp_path, [["PC-1", "2025-01-10", "2"], ["PC-2", "2025-01-10", "30"]]))
    assert report.status == "rejected"
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (2, 1, 1)
    assert report.upload_id is None
    assert db_state(seeded) == before


def test_partial_commits_good_rows_and_keeps_rejected_ones(seeded, tmp_path):
    report = ingest_file(seeded, "usage", usage_csv(tmp_path, MIXED_USAGE, name="mixed.csv"), partial=True, actor="tester")
    assert report.status == "partial"
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 2, 3)
    stored = seeded.fetchall(
        "SELECT asset_id, usage_date, hours_used FROM usage_daily WHERE upload_id = ? ORDER BY 1, 2", [report.upload_id]
    )
    assert stored == [("PC-1", dt.date(2025, 1, 10), 2.0), ("PC-2", dt.date(2025, 1, 11), 4.0)]
    upload = seeded.fetchone(
        "SELECT status, file_name, uploaded_by, rows_accepted, rows_rejected FROM uploads WHERE upload_id = ?", [report.upload_id]
    )
    assert upload == ("partial", "mixed.csv", "tester", 2, 3)
    rejects = seeded.fetchall(
        "SELECT row_number, row_data, errors, error_en, error_zh FROM rejected_rows WHERE upload_id = ? ORDER BY row_number",
        [report.upload_id],
    )
    assert [r[0] for r in rejects] == [3, 5, 6]
    for row_number, row_data, errors, error_en, error_zh in rejects:
        assert error_en.strip() and error_zh.strip() and error_en != error_zh
        original = MIXED_USAGE[row_number - 2]
        assert json.loads(row_data) == dict(zip(USAGE_HEADER, original))
        assert json.loads(errors)
    codes = {r[0]: json.loads(r[2])[0]["code"] for r in rejects}
    assert codes == {3: "row.hours_over_24", 5: "row.unknown_asset", 6: "row.bad_number"}
    assert "GHOST" in rejects[1][3] and "GHOST" in rejects[1][4]


def test_dry_run_reports_counts_and_writes_nothing(seeded, tmp_path):
    before = db_state(seeded)
    good = usage_csv(tmp_path, [["PC-1", "2025-01-06", "7"], ["PC-1", "2025-01-20", "1"]], name="good.csv")
    report = ingest_file(seeded, "usage", good, dry_run=True)
    assert report.status == "dry_run"
    assert (report.rows_read, report.rows_accepted, report.rows_inserted, report.rows_replaced) == (2, 2, 1, 1)
    assert report.upload_id is None
    assert db_state(seeded) == before
    bad = usage_csv(tmp_path, MIXED_USAGE, name="mixed.csv")
    report = ingest_file(seeded, "usage", bad, dry_run=True, partial=True)
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("dry_run", 2, 3)
    assert db_state(seeded) == before


def test_rejects_table_has_original_headers_and_error_column(seeded, tmp_path):
    path = csv_file(tmp_path, USAGE_HEADER_ZH + ["备注"], [row + ["n"] for row in MIXED_USAGE])
    report = ingest_file(seeded, "usage", path)
    table = report.rejects_table("zh")
    assert table.column_names == ["row"] + USAGE_HEADER_ZH + ["备注", "error"]
    assert table.column("row").to_pylist() == [3, 5, 6]
    assert table.column("资产编号").to_pylist() == ["PC-2", "GHOST", "PC-1"]
    assert table.column("使用时长(小时)").to_pylist() == ["30", "1", "=1+2"]
    errors = table.column("error").to_pylist()
    assert all(errors) and "GHOST" in errors[1]
    assert report.rejects_table("en").column("error").to_pylist() != errors


# -- command line ------------------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LANG": "C.UTF-8"}
    env.pop("TRACKER_PROGRESS", None)
    # a guard against a hang only: on a loaded machine (a mutation run) starting Python alone can take minutes
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def test_cli_on_a_bad_file(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    with Database.open(db_path) as db:
        seed(db, tmp_path)
        before = db_state(db)
    rows = [["PC-1", "2025-01-10", "2"], ["PC-1", "2025-01-11", '=HYPERLINK("http://evil")'], ["PC-2", "2025-01-12", "25"]]
    bad = usage_csv(tmp_path, rows, name="bad.csv")
    out = tmp_path / "out.csv"
    result = run_cli("--db", str(db_path), "--lang", "en", "ingest", "usage", str(bad), "--rejects", str(out))
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "row 3" in result.stderr and "row 4" in result.stderr
    assert "hours_used" in result.stderr and "24" in result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert written[0] == ["row"] + USAGE_HEADER + ["error"]
    assert [r[0] for r in written[1:]] == ["3", "4"]
    assert written[1][3].startswith("'=")
    assert all(r[-1] for r in written[1:])
    with Database.open(db_path) as db:
        assert db_state(db) == before


def test_cli_refused_file_exit_code_and_message(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    empty = raw_file(tmp_path, "empty.csv", b"")
    result = run_cli("--db", str(db_path), "--lang", "zh", "ingest", "usage", str(empty))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "empty.csv" in result.stderr and "空" in result.stderr


def test_cli_usage_error_exit_code(tmp_path):
    result = run_cli("--db", str(tmp_path / "x.duckdb"), "ingest", "gadgets", str(tmp_path / "x.csv"))
    assert result.returncode == 2
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["staged; DROP TABLE assets", "a-b", "", "t 1"])
def test_a_table_name_the_tracker_builds_wrongly_is_stopped_naming_it(name):
    """The guard on table names the tracker builds itself (never from a file): a wrong one stops the upload before
    any SQL runs, and says which name it was, for whoever reads the log."""
    from tracker.ingest.validate import assert_safe_name

    with pytest.raises(ValueError, match="unsafe identifier") as stopped:
        assert_safe_name(name)
    assert repr(name) in str(stopped.value)
    assert assert_safe_name("staged_usage_1") == "staged_usage_1"
