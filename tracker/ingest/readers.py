"""File bytes to a staged source of text: CSV, XLSX, Parquet and OCDS JSON look alike afterwards.

Every reader produces the same thing, a `StagedFile`: a SQL source with text columns `c0..cN`,
the file's original headers, and how to number rows as the user sees them in a spreadsheet.
A CSV file stays on disk and is read by DuckDB's vectorised reader straight into the typed
table (one pass over a large file); the other formats are put into a temp table with a `_row`
column. Typing and validation happen afterwards, in SQL (`validate.py`, `writes.py`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from tracker.ingest.contracts import CONTRACTS, match_headers
from tracker.store.db import Database
from tracker.text.errors import DatabaseError, FileRefused

PREFIX_BYTES = 256 * 1024
HEADER_SEARCH_ROWS = 20
SAMPLE_ROWS = 2000
CSV_DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class StagedFile:
    """A file ready to be read as text columns c0..cN."""

    source: str  # SQL FROM item: a temp table, or a read_csv(...) call
    file_name: str
    file_format: str  # csv | xlsx | parquet | json | jsonl
    headers: tuple[str, ...]
    params: dict[str, object] = field(default_factory=dict)  # parameters the source needs
    row_offset: int | None = None  # CSV: spreadsheet row of the first record (rows numbered by position)
    newline: str | None = None  # CSV: the line ending
    header_lines: int = 0  # CSV: physical lines up to and including the header
    sample: tuple[tuple[str, ...], ...] = ()  # CSV: the first data rows, as text
    engine_types: dict[int, str] = field(default_factory=dict)  # CSV: columns read as DATE or DOUBLE by the engine
    padded_source: str | None = None  # CSV: the same reader, padding short rows
    excel_dates: bool = False  # numbers in date columns are Excel serial dates
    shape_hint: str | None = None  # "ocds" for OCDS data
    temp_tables: tuple[str, ...] = ()
    temp_files: tuple[str, ...] = ()
    source_table_hint: str = "staged"  # prefix for temp tables made from this file

    def release(self, db: Database) -> None:
        """Drop the temp tables and files the reader made."""
        for table in self.temp_tables:
            db.execute(f"DROP TABLE IF EXISTS {table}", name="drop staged table")
        for name in self.temp_files:
            with contextlib.suppress(OSError):
                os.unlink(name)


def query_source(db: Database, staged: StagedFile, sql: str, params: dict[str, object] | None = None, *, name: str):
    """Run SQL that reads `{source}`; a malformed CSV becomes a clear refusal (short rows are padded)."""
    merged = {**staged.params, **(params or {})}
    try:
        return db.execute(sql.replace("{source}", staged.source), merged, name=name)
    except DatabaseError as exc:
        reason = str(exc.__cause__ or exc)
        if staged.file_format != "csv" or "CSV Error" not in reason and "Invalid unicode" not in reason:
            raise
        found = re.search(r"Found: (\d+)", reason)
        if found and int(found.group(1)) < len(staged.headers) and staged.padded_source:
            try:
                return db.execute(sql.replace("{source}", staged.padded_source), merged, name=name + " (padded)")
            except DatabaseError as exc2:
                raise _csv_refusal(exc2, staged.file_name, len(staged.headers)) from exc2
        raise _csv_refusal(exc, staged.file_name, len(staged.headers)) from exc


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes tells: its SHA-256 and where its empty lines are."""

    sha256: str
    empty_lines: dict[bytes, list[int]]  # line ending -> 1-based numbers of empty lines

    def row_shifts(self, staged: StagedFile) -> list[int]:
        """For each empty line after the header, the record index from which rows shift down by one more.

        DuckDB's CSV reader skips empty lines, but a spreadsheet shows them as rows: record r is on
        spreadsheet row r + row_offset + (number of these thresholds <= r).
        """
        if staged.newline is None:
            return []
        lines = [n for n in self.empty_lines.get(staged.newline.encode(), []) if n > staged.header_lines]
        return [line - staged.header_lines - 1 - k for k, line in enumerate(lines)]

    def row_shift_table(self, staged: StagedFile) -> tuple[list[int], list[int]]:
        """Distinct thresholds and the total shift from each (consecutive empty lines share a threshold)."""
        totals: dict[int, int] = {}
        for count, start in enumerate(self.row_shifts(staged), start=1):
            totals[start] = count
        return list(totals), list(totals.values())


def scan_file(path: Path, ending: bytes | None = None) -> FileScan:
    """SHA-256 and empty-line numbers (run on a thread: hashlib releases the GIL).

    The pass hashes and, for a text file with the given line ending, looks for doubled endings; only
    a file that has empty lines is read a second time, to turn their offsets into line numbers.
    """
    digest = hashlib.sha256()
    offsets: dict[bytes, list[int]] = {ending: []} if ending else {}
    position, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
            seam = tail + chunk[:3]  # patterns that straddle two chunks
            for ending in offsets:
                pattern = ending * 2
                for text, base in ((seam, position - len(tail)), (chunk, position)):
                    start = text.find(pattern)
                    while start >= 0:
                        offset = base + start
                        if not offsets[ending] or offsets[ending][-1] < offset:
                            offsets[ending].append(offset)
                        start = text.find(pattern, start + len(ending))
            position += len(chunk)
            tail = chunk[-3:]
    empty_lines = {ending: [] for ending in offsets}
    if any(offsets.values()):
        _number_lines(path, offsets, empty_lines)
    return FileScan(digest.hexdigest(), empty_lines)


def _number_lines(path: Path, offsets: dict[bytes, list[int]], empty_lines: dict[bytes, list[int]]) -> None:
    """Line number of each empty line: line endings before its offset, plus two."""
    for ending, found in offsets.items():
        counted = b"\r" if ending == b"\r" else b"\n"
        seen, position = 0, 0
        pending = iter(found)
        target = next(pending, None)
        with path.open("rb") as fh:
            while target is not None and (chunk := fh.read(8 * 1024 * 1024)):
                while target is not None and target < position + len(chunk):
                    empty_lines[ending].append(seen + chunk.count(counted, 0, target - position) + 2)
                    target = next(pending, None)
                seen += chunk.count(counted)
                position += len(chunk)


def original_rows(db: Database, staged: StagedFile, rows_sql: str) -> list[tuple]:
    """(row number, c0..cN) of the rows whose numbers `rows_sql` selects, as the file had them."""
    columns = ", ".join(f"c{i}" for i in range(len(staged.headers)))
    if staged.row_offset is None:
        return db.fetchall(
            f"SELECT _row, {columns} FROM {staged.source} WHERE _row IN ({rows_sql}) ORDER BY _row", name="original rows"
        )
    copy = f"{staged.source_table_hint}_copy"
    query_source(db, staged, f"CREATE TEMP TABLE {copy} AS SELECT * FROM {{source}}", name="re-read rejected rows")
    try:
        return db.fetchall(
            f"SELECT rowid + {int(staged.row_offset)} AS _row, {columns} FROM {copy} "
            f"WHERE rowid + {int(staged.row_offset)} IN ({rows_sql}) ORDER BY 1",
            name="original rows",
        )
    finally:
        db.execute(f"DROP TABLE IF EXISTS {copy}", name="drop copy")


def file_format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".json":
        return "json"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "unknown"


def stage_file(
    db: Database,
    path: Path,
    table: str,
    *,
    file_name: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> StagedFile:
    """Read the file at `path` into temp table `table` (a name chosen by the caller, not the user).

    `max_rows` is checked before reading when the format states its row count (Parquet metadata);
    other formats are counted after staging by the ingest.
    """
    name = file_name or path.name
    if not path.exists():
        raise FileRefused("config.file_missing", file=name)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise FileRefused("file.too_large", file=name, size_mb=f"{size / 1e6:,.1f}", limit_mb=f"{max_bytes / 1e6:,.0f}")
    if size == 0:
        raise FileRefused("file.empty", file=name)
    fmt = file_format(name)
    if fmt == "unknown":
        fmt = _sniff_format(path)
    if fmt == "parquet" and max_rows is not None:
        _check_parquet_rows(db, path, name, max_rows)
    if fmt == "csv":
        return _stage_csv(db, path, table, name)
    if fmt == "xlsx":
        return _stage_excel(db, path, table, name)
    if fmt == "parquet":
        return _stage_parquet(db, path, table, name)
    if fmt in ("json", "jsonl"):
        return _stage_ocds(db, path, table, name, fmt)
    raise FileRefused("file.unknown_format", file=name)


def _sniff_format(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "json"
    return "csv"


# -- header detection ------------------------------------------------------------------------------
def find_header(rows: list[list[str]]) -> int | None:
    """Index of the first row that names at least two columns of some record kind (title rows skipped)."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c) for c in row]
        score = max(match_headers(cells, contract).score for contract in CONTRACTS)
        if score >= 2 and (best is None or score > best[1]):
            best = (index, score)
            if score >= 3:
                break
    return None if best is None else best[0]


def _check_duplicate_headers(headers: list[str], file_name: str) -> None:
    seen: dict[str, int] = {}
    for header in headers:
        key = header.strip().casefold()
        if key:
            seen[key] = seen.get(key, 0) + 1
    duplicated = sorted({h.strip() for h in headers if seen.get(h.strip().casefold(), 0) > 1})
    if duplicated:
        raise FileRefused("file.duplicate_headers", file=file_name, headers=duplicated)


def _no_header(file_name: str) -> FileRefused:
    return FileRefused(
        "file.no_header", file=file_name, expected="asset_id, usage_date, hours_used / 资产编号, 使用日期, 使用时长(小时)"
    )


# -- CSV -------------------------------------------------------------------------------------------
def _detect_encoding(prefix: bytes, file_name: str) -> str:
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in prefix:
        # text in UTF-16 without a byte-order mark has a NUL beside nearly every ASCII character
        if prefix[1::2].count(0) > len(prefix) // 4 or prefix[0::2].count(0) > len(prefix) // 4:
            raise FileRefused("file.unknown_encoding", file=file_name)
        raise FileRefused("file.binary", file=file_name)
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            decoder.decode(prefix, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused("file.unknown_encoding", file=file_name)


def _check_header_leniently(prefix: bytes, file_name: str) -> None:
    text = prefix.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split(_detect_newline(text))[:HEADER_SEARCH_ROWS]
    rows = list(csv.reader(lines, delimiter=_detect_delimiter(lines)))
    header_index = find_header(rows)
    if header_index is not None:
        _check_duplicate_headers([h.strip() for h in rows[header_index]], file_name)


def _transcode_to_utf8(path: Path, encoding: str, file_name: str) -> Path:
    """Write a UTF-8 copy of a GB18030 or UTF-16 file for DuckDB's reader."""
    fd, out_name = tempfile.mkstemp(suffix=".csv", prefix="tracker-utf8-")
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(4 * 1024 * 1024):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        os.unlink(out_name)
        raise FileRefused("file.unknown_encoding", file=file_name) from exc
    return Path(out_name)


def _detect_newline(text: str) -> str:
    first_cr = text.find("\r")
    first_lf = text.find("\n")
    if first_cr >= 0 and (first_lf < 0 or first_cr < first_lf) and text[first_cr + 1 : first_cr + 2] != "\n":
        return "\r"
    return "\r\n" if first_cr >= 0 and first_cr + 1 == first_lf else "\n"


def _detect_delimiter(lines: list[str]) -> str:
    """The delimiter giving the most columns consistently over the first lines."""
    best, best_score = ",", -1
    for delim in CSV_DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delim))) for line in lines if line.strip()]
        if not counts:
            continue
        top = max(counts)
        score = top * 10 + sum(1 for c in counts if c == top)
        if top > 1 and score > best_score:
            best, best_score = delim, score
    return best


def _stage_csv(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    with path.open("rb") as fh:
        prefix = fh.read(PREFIX_BYTES)
    if not prefix.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused("file.empty", file=file_name)
    try:
        encoding = _detect_encoding(prefix, file_name)
    except FileRefused as exc:
        if exc.key == "file.unknown_encoding":
            _check_header_leniently(prefix, file_name)  # a header problem is the clearer message
        raise
    if encoding in ("utf-8", "utf-8-sig"):
        return _stage_utf8_csv(path, table, file_name, temp_files=())
    source = _transcode_to_utf8(path, encoding, file_name)
    try:
        return _stage_utf8_csv(source, table, file_name, temp_files=(str(source),))
    except BaseException:
        os.unlink(source)
        raise


def _stage_utf8_csv(path: Path, table: str, file_name: str, temp_files: tuple[str, ...]) -> StagedFile:
    """Find the header in the first lines; the body is read later, by DuckDB, straight into the typed table."""
    with path.open("rb") as fh:
        prefix_bytes = fh.read(PREFIX_BYTES)
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(prefix_bytes, final=False)
    text = text.lstrip("\ufeff")
    newline = _detect_newline(text)
    lines = text.split(newline)[: HEADER_SEARCH_ROWS + 5]
    if len(prefix_bytes) == PREFIX_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a prefix may be cut short
    delimiter = _detect_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')  # lines already split, whatever the line ending
    rows: list[list[str]] = []
    line_after: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            line_after.append(reader.line_num)
    except csv.Error as exc:
        raise FileRefused("file.bad_csv", file=file_name, line=reader.line_num, reason=str(exc)) from exc
    header_index = find_header(rows)
    if header_index is None:
        raise _no_header(file_name)
    headers = [h.strip() for h in rows[header_index]]
    _check_duplicate_headers(headers, file_name)
    params = {"csv_path": str(path), "csv_delim": delimiter, "csv_newline": {"\n": "\\n", "\r": "\\r", "\r\n": "\\r\\n"}[newline]}
    skip = int(line_after[header_index])
    sample_lines = text.split(newline)[skip : SAMPLE_ROWS + skip]
    if len(prefix_bytes) == PREFIX_BYTES and sample_lines:
        sample_lines = sample_lines[:-1]
    sample = tuple(tuple(row) for row in csv.reader(sample_lines, delimiter=delimiter, quotechar='"') if row)
    return StagedFile(
        source=_read_csv_sql(len(headers), skip),
        padded_source=_read_csv_sql(len(headers), skip, padded=True),
        file_name=file_name,
        file_format="csv",
        headers=tuple(headers),
        params=params,
        # DuckDB keeps insertion order, so a record's position in the file gives its spreadsheet row
        row_offset=header_index + 2,
        newline=newline,
        header_lines=skip,
        sample=sample,
        temp_files=temp_files,
        source_table_hint=table,
    )


def _read_csv_sql(
    width: int, skip: int, *, types: dict[int, str] | None = None, rejects: str | None = None, padded: bool = False
) -> str:
    """DuckDB's CSV reader over `$csv_path`: text columns c0..cN (or the engine types given per column)."""
    types = types or {}
    columns = "{" + ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'" for i in range(width)) + "}"
    options = (
        f"auto_detect=false, header=false, skip={int(skip)}, delim=$csv_delim, quote='\"', escape='\"', "
        f"new_line=$csv_newline, columns={columns}, max_line_size=10000000"
    )
    if rejects:
        options += f", store_rejects=true, rejects_table='{rejects}_errors', rejects_scan='{rejects}_scans'"
    if padded:
        options += ", null_padding=true, parallel=false"
    return f"read_csv($csv_path, {options})"


def with_engine_types(staged: StagedFile, types: dict[int, str], rejects: str) -> StagedFile:
    """The same CSV read with some columns parsed by the engine itself (much faster than text), rejects kept aside."""
    return replace(
        staged,
        source=_read_csv_sql(len(staged.headers), staged.header_lines, types=types, rejects=rejects),
        padded_source=None,
        engine_types=dict(types),
    )


def _csv_error_line(reason: str) -> str:
    match = re.search(r"CSV Error on Line: (\d+)", reason)
    return match.group(1) if match else "?"


def _csv_refusal(exc: DatabaseError, file_name: str, expected: int) -> FileRefused:
    reason = str(exc.__cause__ or exc)
    line = _csv_error_line(reason)
    if "Invalid unicode" in reason or "not utf-8" in reason:
        return FileRefused(
            "file.bad_csv",
            file=file_name,
            line=line,
            reason=reason("mixed_encodings"),
        )
    found = re.search(r"Found: (\d+)", reason)
    if found:
        return FileRefused("file.ragged_row", file=file_name, line=line, found=found.group(1), expected=expected)
    lines = [re.sub(r"^[A-Za-z ]+Error: ", "", ln).strip() for ln in reason.splitlines()]
    detail = next((ln for ln in lines if ln and not ln.startswith(("CSV Error", "Original Line", "LINE "))), reason)
    return FileRefused("file.bad_csv", file=file_name, line=line, reason=detail)


# -- Excel -----------------------------------------------------------------------------------------
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


def _stage_excel(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
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
        raise _no_header(file_name)
    sheet, rows, header_index = chosen
    headers = [(_cell_text(c) or "").strip() for c in rows[header_index]]
    _check_duplicate_headers(headers, file_name)
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
    _create_from_arrow(db, table, pa.table(arrays))
    return StagedFile(table, file_name, "xlsx", tuple(headers), excel_dates=True, temp_tables=(table,), source_table_hint=table)


def _create_from_arrow(db: Database, table: str, arrow_table: pa.Table) -> None:
    view = f"{table}_arrow"
    db.register(view, arrow_table)
    try:
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}", name="stage rows")
    finally:
        db.unregister(view)


# -- Parquet ---------------------------------------------------------------------------------------
def _check_parquet_rows(db: Database, path: Path, file_name: str, max_rows: int) -> None:
    """Refuse a Parquet file with too many rows from its footer, before reading any data."""
    try:
        rows = db.scalar("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(path)], name="parquet row count")
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=str(exc.__cause__ or exc).splitlines()[0]) from exc
    if rows is not None and rows > max_rows:
        raise FileRefused("file.too_many_rows", file=file_name, rows=int(rows), limit=max_rows)


def _stage_parquet(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    try:
        described = db.fetchall("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)], name="describe parquet")
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=str(exc.__cause__ or exc).splitlines()[0]) from exc
    headers = [row[0] for row in described]
    _check_duplicate_headers(headers, file_name)
    if find_header([headers]) is None:
        raise _no_header(file_name)
    casts = ", ".join(f"CAST({quote_ident(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    try:
        db.execute(
            f"CREATE TEMP TABLE {table} AS SELECT {casts}, file_row_number + 2 AS _row "
            "FROM read_parquet(?, file_row_number=true)",
            [str(path)],
            name="read parquet",
        )
    except DatabaseError as exc:
        raise FileRefused("file.bad_parquet", file=file_name, reason=str(exc.__cause__ or exc).splitlines()[0]) from exc
    return StagedFile(table, file_name, "parquet", tuple(headers), temp_tables=(table,), source_table_hint=table)


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from a file's own schema (Parquet column names)."""
    return '"' + str(name).replace('"', '""') + '"'


# -- OCDS ------------------------------------------------------------------------------------------
def _stage_ocds(db: Database, path: Path, table: str, file_name: str, fmt: str) -> StagedFile:
    from tracker.ingest.ocds import read_ocds

    lines = read_ocds(path.read_bytes(), file_name)
    if not lines:
        raise FileRefused("file.ocds_no_lines", file=file_name)
    headers = list(lines[0].keys())
    arrays = {f"c{i}": pa.array([_json_text(line.get(h)) for line in lines], type=pa.string()) for i, h in enumerate(headers)}
    arrays["_row"] = pa.array(range(1, len(lines) + 1), type=pa.int64())
    _create_from_arrow(db, table, pa.table(arrays))
    return StagedFile(table, file_name, fmt, tuple(headers), shape_hint="ocds", temp_tables=(table,), source_table_hint=table)


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
