"""Files the tracker writes for people: CSV and XLSX, with formula-looking cells neutralised.

CSV has no cell types: a spreadsheet opening it runs any cell (header or value) that starts like a
formula, so every such text gets an apostrophe (`neutralise`). XLSX does have types: a cell written
as a string is never evaluated, so XLSX text is written as it is (no apostrophe) and numbers as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

# What a spreadsheet may run as a formula when a cell starts with it; declared here only (exports
# neutralise these cells, uploads refuse them: tracker.ingest.validate).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Of those, the signs also start ordinary text ("-", "+86 10 …", "-5 %"): an upload refuses a value
# starting with one only when the rest looks like a formula; an export still neutralises it.
SIGN_PREFIXES = ("+", "-")


def neutralise(value: object) -> object:
    """Make a text cell that a spreadsheet would run as a formula inert, by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# text that is exactly a plain decimal number (no leading zeros, exponent or trailing fractional zeros,
# at most 15 digits): written as a number in XLSX, it shows the same characters the user typed
_PLAIN_NUMBER = re.compile(r"(?!-0$)-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def number_from_text(value: str) -> int | float | None:
    """The number a text cell spells exactly ("-2", "12.5"), or None ("007", "1.50", "1e3", long ids)."""
    if not _PLAIN_NUMBER.fullmatch(value) or sum(c.isdigit() for c in value) > 15:
        return None
    return float(value) if "." in value else int(value)


def table_to_csv_bytes(table: pa.Table, *, bom: bool = True) -> bytes:
    """UTF-8 CSV (with a BOM by default, so Excel shows Chinese correctly), every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in table.column_names])  # headers can be the user's own text
    for row in table.to_pylist():
        writer.writerow(["" if v is None else neutralise(v) for v in row.values()])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def table_to_json_bytes(table: pa.Table) -> bytes:
    """A JSON array of row objects; dates as ISO text, decimals as numbers."""

    def plain(value: object) -> object:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        return value

    rows = [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def table_to_xlsx_bytes(table: pa.Table, sheet_name: str = "data", *, numbers_from_text: bool = False) -> bytes:
    """One-sheet XLSX written with formula and URL conversion off: text as typed strings, numbers as numbers.

    With `numbers_from_text` (rows kept as the user's raw text, such as rejected rows), a text cell that
    spells a plain number is written as that number.
    """
    return tables_to_xlsx_bytes({sheet_name: table}, numbers_from_text=numbers_from_text)


def tables_to_xlsx_bytes(sheets: Mapping[str, pa.Table], *, numbers_from_text: bool = False, missing: str | None = None) -> bytes:
    """An XLSX with one sheet per table, written like `table_to_xlsx_bytes`; `missing` is written in empty cells
    (such as "unknown", so that an unknown value is never read as a blank or a zero)."""
    import xlsxwriter  # deferred: ~0.1 s, and the command line imports this module at start

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True})
    for sheet_name, table in sheets.items():
        sheet = workbook.add_worksheet(sheet_name[:31])
        for col, name in enumerate(table.column_names):
            sheet.write_string(0, col, name, bold)
            sheet.set_column(col, col, min(60, max(10, len(name) + 2)))
        for row_index, row in enumerate(table.to_pylist(), start=1):
            for col, value in enumerate(row.values()):
                if value is None:
                    if missing is not None:
                        sheet.write_string(row_index, col, missing)
                    continue
                if isinstance(value, str):
                    number = number_from_text(value) if numbers_from_text else None
                    if number is None:
                        sheet.write_string(row_index, col, value)  # a string cell: never run as a formula
                    else:
                        sheet.write_number(row_index, col, number)
                else:
                    sheet.write(row_index, col, value)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def write_table(table: pa.Table, path: Path) -> None:
    """Write rows as the user sent them (rejected or set-aside rows) as CSV or XLSX, chosen by the file's suffix."""
    path = Path(path)
    data = table_to_xlsx_bytes(table, numbers_from_text=True) if path.suffix.lower() == ".xlsx" else table_to_csv_bytes(table)
    path.write_bytes(data)
