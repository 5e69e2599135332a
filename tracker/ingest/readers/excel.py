"""Excel workbooks (XLSX, XLSM, XLS, ODS) through calamine: the first sheet whose header matches a record kind.

calamine holds a sheet as a dense grid from its first to its last cell, and a workbook's shared
strings in memory, so a small file can ask for any amount of memory: one cell at XFD1048576 is a
grid of 17 billion cells. Before calamine opens a workbook, its zip directory and each sheet's
stated extent (`<dimension ref="A1:XFD1048576"/>`, or its cells when a sheet states none) are
checked against Excel's own limits and the upload limits, which apply to the unpacked data.
The rows are then read and staged in bounded batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa

from tracker.ingest.readers.sniff import HEADER_SEARCH_ROWS, check_duplicate_headers, find_header, no_header
from tracker.ingest.readers.staged import StagedFile, create_from_arrow
from tracker.ingest.readers.workbook_damage import why_not_a_workbook
from tracker.store.db import Database
from tracker.text.errors import DatabaseError, FileRefused
from tracker.text.i18n import Message

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
CELL_BYTES = 32  # one cell of calamine's grid
DEFAULT_BUDGET = 1024 * 1_000_000  # the memory a sheet may take when the caller states no size limit
BATCH_ROWS = 50_000
HEAD_BYTES = 64 * 1024  # where a sheet's <dimension> is, before its rows
SMALL_PART_BYTES = 16 * 1024 * 1024  # workbook.xml and its relationships


@dataclass(frozen=True)
class Extent:
    """A sheet's cells from (first row, first column) to (last row, last column), 1-based."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def columns(self) -> int:
        return self.last_column - self.first_column + 1

    @property
    def last_cell(self) -> str:
        return f"{column_letters(self.last_column)}{self.last_row}"


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


_REF = re.compile(rb"([A-Z]{1,4})([0-9]{1,9})")


def _extent_of(ref: bytes) -> Extent | None:
    """`A1:XFD1048576` (or a single cell) as an Extent; None when it cannot be read."""
    cells = [_REF.fullmatch(part) for part in ref.split(b":")]
    if not cells or not all(cells) or len(cells) > 2:
        return None
    (c1, r1), (c2, r2) = cells[0].groups(), cells[-1].groups()
    return Extent(int(r1), _column_number(c1.decode()), int(r2), _column_number(c2.decode()))


def check_workbook(path: Path, file_name: str, max_bytes: int | None, max_rows: int | None) -> None:
    """Refuse, before calamine reads anything, a workbook whose unpacked data or sheet grid is over the limits.

    A zip-based workbook (XLSX, XLSM, ODS) is checked; an XLS file has Excel 97's own small limits.
    """
    if not zipfile.is_zipfile(path):
        return
    budget = max_bytes if max_bytes is not None else DEFAULT_BUDGET
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > budget:
                raise FileRefused(
                    "file.xlsx_unpacked_too_large",
                    file=file_name,
                    size_mb=f"{unpacked / 1e6:,.1f}",
                    limit_mb=f"{budget / 1e6:,.0f}",
                )
            names = set(archive.namelist())
            for sheet, member in _worksheets(archive, names):
                _check_sheet(sheet, _sheet_extent(archive, member), file_name, budget, max_rows)
            for member in ("xl/sharedStrings.xml",):
                if member in names:
                    _check_text_runs(archive, member, file_name)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise FileRefused("file.bad_xlsx", file=file_name, reason=why_not_a_workbook(path, file_name, exc)) from exc


def _read_small(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as fh:
        data = fh.read(SMALL_PART_BYTES + 1)
    if len(data) > SMALL_PART_BYTES:
        raise ValueError(f"{member} is larger than a workbook part can be")
    return data


_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


def _attributes(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: html.unescape(v.decode("utf-8", "replace")) for k, v in _ATTRIBUTE.findall(tag)}


def _worksheets(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, member path) of an XLSX's worksheets, in the workbook's order."""
    if "xl/workbook.xml" not in names:
        return []
    relations = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for tag in re.findall(rb"<Relationship\b[^>]*>", _read_small(archive, "xl/_rels/workbook.xml.rels")):
            attributes = _attributes(tag)
            target = attributes.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            relations[attributes.get("Id")] = target
    sheets = []
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", _read_small(archive, "xl/workbook.xml")):
        attributes = _attributes(tag)
        member = relations.get(attributes.get("id"))
        if member in names:
            sheets.append((attributes.get("name", member), member))
    return sheets


def _sheet_extent(archive: zipfile.ZipFile, member: str) -> Extent | None:
    """The sheet's extent: its stated <dimension> (read from its first bytes) when no cell reference is
    longer than the dimension's; otherwise, or when it states none, the extent of its cells."""
    with archive.open(member) as fh:
        head = fh.read(HEAD_BYTES)
    stated = re.search(rb'<(?:\w+:)?dimension\s+ref\s*=\s*"([^"]+)"', head)
    if stated and (extent := _extent_of(stated.group(1))) is not None and not _longer_reference(archive, member, extent):
        return extent
    return _scan_cells(archive, member)


def _longer_reference(archive: zipfile.ZipFile, member: str, extent: Extent) -> bool:
    """Whether a cell reference has more letters or digits than the dimension's last cell: a dimension that
    understates the sheet. Such references are rare, so the search costs little more than reading the sheet."""
    letters, digits = len(column_letters(extent.last_column)), len(str(extent.last_row))
    longer = re.compile(rb'r="(?:[A-Z]{%d,}|[A-Z]{1,4}[0-9]{%d,})"' % (letters + 1, digits + 1))
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            if longer.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row)\b[^>]*?\sr="([A-Z]{0,4})([0-9]{1,9})"')


def _scan_cells(archive: zipfile.ZipFile, member: str) -> Extent | None:
    """The extent of a sheet's cells from their references (a row without one follows the row before it)."""
    first_row = first_column = None
    last_row = last_column = rows_seen = 0
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            data = tail + chunk
            cut = max(data.rfind(b"<"), 0)
            rows_seen += data.count(b"<row", 0, cut) + data.count(b":row", 0, cut)
            references = _CELL_REF.findall(data, 0, cut) if data.find(b' r="', 0, cut) >= 0 else ()
            for letters, digits in references:
                row = int(digits)
                first_row = row if first_row is None else min(first_row, row)
                last_row = max(last_row, row)
                if letters:
                    column = _column_number(letters.decode())
                    first_column = column if first_column is None else min(first_column, column)
                    last_column = max(last_column, column)
            tail = data[cut:]
            if len(tail) > SMALL_PART_BYTES:
                raise ValueError(f"{member} has a tag longer than a worksheet can hold")
    last_row = max(last_row, rows_seen)
    if not last_row:
        return None
    return Extent(first_row or 1, first_column or 1, last_row, max(last_column, first_column or 1))


def _check_sheet(sheet: str, extent: Extent | None, file_name: str, budget: int, max_rows: int | None) -> None:
    if extent is None:
        return
    if extent.last_row > EXCEL_MAX_ROWS or extent.last_column > EXCEL_MAX_COLUMNS:
        raise FileRefused(
            "file.xlsx_beyond_excel",
            file=file_name,
            detail=Message("file.xlsx_cell_ref", {"sheet": sheet, "cell": extent.last_cell}),
            limit=Message("file.xlsx_excel_limits", {}),
        )
    if max_rows is not None and extent.last_row - 1 > max_rows:
        raise FileRefused(
            "file.xlsx_sheet_too_many_rows",
            file=file_name,
            sheet=sheet,
            rows=extent.last_row,
            cell=extent.last_cell,
            limit=max_rows,
        )
    grid = extent.rows * extent.columns * CELL_BYTES
    if grid > budget:
        raise FileRefused(
            "file.xlsx_sheet_too_large",
            file=file_name,
            sheet=sheet,
            cell=extent.last_cell,
            rows=extent.rows,
            columns=extent.columns,
            size_mb=f"{grid / 1e6:,.0f}",
            limit_mb=f"{budget / 1e6:,.0f}",
        )


def _check_text_runs(archive: zipfile.ZipFile, member: str, file_name: str) -> None:
    """Refuse a text longer than Excel allows in a cell: a run of text with no markup (`<`) in it, read in chunks.

    A character takes at most 6 bytes of XML (`&quot;`), so a longer run holds more than 32,767 characters.
    """
    longest_allowed = EXCEL_MAX_CELL_CHARS * 6
    run = 0
    with archive.open(member) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            marks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("<"))
            if marks.size == 0:
                run += len(chunk)
            else:
                inner = int(np.diff(marks).max()) - 1 if marks.size > 1 else 0
                run = max(run + int(marks[0]), inner)
                if run <= longest_allowed:
                    run = len(chunk) - int(marks[-1]) - 1
            if run > longest_allowed:
                raise FileRefused(
                    "file.xlsx_beyond_excel",
                    file=file_name,
                    detail=Message("file.xlsx_long_text", {}),
                    limit=Message("file.xlsx_excel_limits", {}),
                )


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


def stage_excel(
    db: Database, path: Path, table: str, file_name: str, *, max_bytes: int | None = None, max_rows: int | None = None
) -> StagedFile:
    """Check the workbook's limits, find the sheet with a header, and stage its rows in bounded batches.

    Rows are numbered as Excel shows them: calamine yields rows from the sheet's first row (row 1)
    on, so a row's position in the sheet is its number less one.
    """
    from python_calamine import CalamineWorkbook

    check_workbook(path, file_name, max_bytes, max_rows)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        chosen = None
        all_empty = True
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            all_empty = all_empty and sheet.height == 0
            rows = sheet.iter_rows()
            head = list(islice(rows, HEADER_SEARCH_ROWS))
            header_index = find_header([[_cell_text(c) or "" for c in row] for row in head])
            if header_index is not None:
                chosen = (rows, head, header_index)
                break
            del sheet, rows, head  # one sheet's grid in memory at a time
        if chosen is None:
            if all_empty:
                raise FileRefused("file.empty", file=file_name)
            raise no_header(file_name)
        rows, head, header_index = chosen
        headers = [(_cell_text(c) or "").strip() for c in head[header_index]]
        check_duplicate_headers(headers, file_name)
        body = _numbered(head[header_index + 1 :], rows, header_index + 2)
        _stage_batches(db, table, body, len(headers), file_name, max_rows)
    except BaseException as exc:
        with contextlib.suppress(DatabaseError):
            db.execute(f"DROP TABLE IF EXISTS {table}", name="drop staged rows")
        if isinstance(exc, (FileRefused, DatabaseError)) or not isinstance(exc, Exception):
            raise
        # calamine raises its own errors, and plain ones for some damaged archives
        raise FileRefused("file.bad_xlsx", file=file_name, reason=why_not_a_workbook(path, file_name, exc)) from exc
    return StagedFile(table, file_name, "xlsx", tuple(headers), excel_dates=True, temp_tables=(table,), source_table_hint=table)


def _numbered(head: list[list[object]], rest: Iterator[list[object]], first_number: int) -> Iterator[tuple[int, list]]:
    number = first_number
    for row in head:
        yield number, row
        number += 1
    for row in rest:
        yield number, row
        number += 1


def _stage_batches(
    db: Database, table: str, body: Iterator[tuple[int, list]], width: int, file_name: str, max_rows: int | None
) -> None:
    """The non-empty rows as text columns c0..cN and `_row`, appended to `table` a batch at a time."""
    created = False
    count = 0
    while True:
        data: list[list[str | None]] = [[] for _ in range(width)]
        row_numbers: list[int] = []
        consumed = 0
        for number, row in islice(body, BATCH_ROWS):
            consumed += 1
            cells = [_cell_text(c) for c in row[:width]]
            if not any(cells):
                continue
            cells += [None] * (width - len(cells))
            for i, cell in enumerate(cells):
                data[i].append(cell)
            row_numbers.append(number)
        count += len(row_numbers)
        if max_rows is not None and count > max_rows:
            raise FileRefused("file.too_many_rows", file=file_name, rows=count, limit=max_rows)
        if row_numbers or not created:
            arrays = {f"c{i}": pa.array(col, type=pa.string()) for i, col in enumerate(data)}
            arrays["_row"] = pa.array(row_numbers, type=pa.int64())
            _append(db, table, pa.table(arrays), create=not created)
            created = True
        if consumed < BATCH_ROWS:
            return


def _append(db: Database, table: str, batch: pa.Table, *, create: bool) -> None:
    if create:
        create_from_arrow(db, table, batch)
        return
    view = f"{table}_batch"
    db.register(view, batch)
    try:
        db.execute(f"INSERT INTO {table} SELECT * FROM {view}", name="stage rows")
    finally:
        db.unregister(view)
