"""Excel workbooks (XLSX, XLSM, XLS, ODS) through calamine: the first sheet whose header matches a record kind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from tracker.ingest.readers.sniff import HEADER_SEARCH_ROWS, check_duplicate_headers, find_header, no_header
from tracker.ingest.readers.staged import StagedFile, create_from_arrow
from tracker.store.db import Database
from tracker.text.errors import FileRefused


def _cell_text(value: object) -> str | None:
    """Excel cell to text: whole numbers without '.0', dates as ISO, empty as None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 3600)
    return str(value)


def stage_excel(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [workbook.get_sheet_by_index(i) for i in range(len(workbook.sheet_names))]
        chosen = None
        for sheet in sheets:
            rows = sheet.to_python(skip_empty_area=False)
            text_rows = [[_cell_text(c) or "" for c in row] for row in rows[:HEADER_SEARCH_ROWS]]
            header_index = find_header(text_rows)
            if header_index is not None:
                chosen = (sheet, rows, header_index)
                break
    except CalamineError as exc:
        raise FileRefused("file.bad_xlsx", file=file_name, reason=str(exc)) from exc
    except Exception as exc:  # calamine raises plain errors for some damaged archives
        raise FileRefused("file.bad_xlsx", file=file_name, reason=type(exc).__name__) from exc
    if chosen is None:
        if all(sheet.height == 0 for sheet in sheets):
            raise FileRefused("file.empty", file=file_name)
        raise no_header(file_name)
    sheet, rows, header_index = chosen
    headers = [(_cell_text(c) or "").strip() for c in rows[header_index]]
    check_duplicate_headers(headers, file_name)
    first_row = sheet.start[0] if sheet.start else 0
    data: list[list[str | None]] = [[] for _ in headers]
    row_numbers: list[int] = []
    for offset, row in enumerate(rows[header_index + 1 :]):
        cells = [_cell_text(c) for c in row[: len(headers)]]
        if not any(cells):
            continue
        cells += [None] * (len(headers) - len(cells))
        for i, cell in enumerate(cells):
            data[i].append(cell)
        row_numbers.append(first_row + header_index + offset + 2)
    arrays = {f"c{i}": pa.array(col, type=pa.string()) for i, col in enumerate(data)}
    arrays["_row"] = pa.array(row_numbers, type=pa.int64())
    create_from_arrow(db, table, pa.table(arrays))
    return StagedFile(table, file_name, "xlsx", tuple(headers), excel_dates=True, temp_tables=(table,), source_table_hint=table)
