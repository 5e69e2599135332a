"""Files the tracker writes for people: CSV and XLSX, with formula-looking cells neutralised."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Make a text cell that a spreadsheet would run as a formula inert, by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table_to_csv_bytes(table: pa.Table, *, bom: bool = True) -> bytes:
    """UTF-8 CSV (with a BOM by default, so Excel shows Chinese correctly), every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
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


def table_to_xlsx_bytes(table: pa.Table, sheet_name: str = "data") -> bytes:
    """One-sheet XLSX written with formula and URL conversion off, text cells neutralised."""
    import xlsxwriter  # deferred: ~0.1 s, and the command line imports this module at start

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    for col, name in enumerate(table.column_names):
        sheet.write_string(0, col, name, bold)
        sheet.set_column(col, col, min(60, max(10, len(name) + 2)))
    for row_index, row in enumerate(table.to_pylist(), start=1):
        for col, value in enumerate(row.values()):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row_index, col, neutralise(value))
            else:
                sheet.write(row_index, col, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def write_table(table: pa.Table, path: Path) -> None:
    """Write CSV or XLSX, chosen by the file's suffix."""
    path = Path(path)
    data = table_to_xlsx_bytes(table) if path.suffix.lower() == ".xlsx" else table_to_csv_bytes(table)
    path.write_bytes(data)
