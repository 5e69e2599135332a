"""The evidence pack's two file forms: one XLSX workbook, or a ZIP of one CSV per sheet.

Headers are in the reader's language; every text cell is neutralised against formula injection and
the XLSX is written with formula and URL conversion off. `sheets` maps each sheet's name (in the
order of `order`) to its rows; `defaults` gives the columns of a sheet without rows.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.text.i18n import MESSAGES, text
from tracker.text.tables import neutralise

PERCENT_COLUMNS = ("utilisation",)  # fractions, shown as percentages (0.125 -> 12.5%)
WIDE_COLUMNS = ("evidence", "rationale", "parameters")  # long sentences: a wide column, text wrapped by the reader
MONEY_COLUMNS = ("value_at_stake", "purchase_cost", "net_book_value", "unit_price", "total_amount", "book_value", "unit_budget")


def _header(name: str, zh: bool) -> str:
    key = f"pack.column.{name}"
    return text(key, "zh") if zh and key in MESSAGES else name


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return neutralise(value)
    return value


def _display_width(value: Any) -> int:
    """How many character cells a value takes in a spreadsheet column: CJK and full-width characters take two."""
    if value is None:
        return 0
    shown = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in shown)


def _width(header: str, name: str, rows: list[dict]) -> int:
    """A column wide enough for its header and its values (the first rows), within 10 to 60 characters."""
    if name in WIDE_COLUMNS:
        return 60
    longest = max([_display_width(header)] + [_display_width(row.get(name)) for row in rows[:500]])
    return min(60, max(10, longest + 2))


def _columns(rows: list[dict], sheet: str, defaults: Mapping[str, Sequence[str]]) -> list[str]:
    return list(rows[0]) if rows else list(defaults[sheet])


def pack_xlsx(sheets: dict[str, list[dict]], zh: bool, order: Sequence[str], defaults: Mapping[str, Sequence[str]]) -> bytes:
    import xlsxwriter  # deferred: only a pack export needs the XLSX writer

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF4"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    percent = workbook.add_format({"num_format": "0.0%"})
    for sheet_name in order:
        rows = sheets[sheet_name]
        sheet = workbook.add_worksheet(text(f"pack.sheet.{sheet_name}", "zh" if zh else "en"))
        columns = _columns(rows, sheet_name, defaults)
        for col, name in enumerate(columns):
            header = _header(name, zh)
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, _width(header, name, rows))
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(columns):
                value = _cell(row.get(name))
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif isinstance(value, float) and name in MONEY_COLUMNS:
                    sheet.write_number(r, c, value, money)
                elif isinstance(value, (int, float)) and name in PERCENT_COLUMNS:
                    sheet.write_number(r, c, value, percent)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, neutralise(str(value)))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _csv(rows: list[dict], sheet: str, zh: bool, defaults: Mapping[str, Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = _columns(rows, sheet, defaults)
    writer.writerow([_header(name, zh) for name in columns])
    for row in rows:
        writer.writerow(["" if row.get(name) is None else _text(row.get(name)) for name in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return _cell(value)


def pack_zip(sheets: dict[str, list[dict]], zh: bool, order: Sequence[str], defaults: Mapping[str, Sequence[str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            archive.writestr(f"{name}.csv", _csv(sheets[name], name, zh, defaults))
    return buffer.getvalue()
