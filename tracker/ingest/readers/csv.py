"""CSV: the header is found in the first lines; the body stays on disk for DuckDB's reader (GB18030 and UTF-16 transcoded first)."""

from __future__ import annotations

import codecs
import csv
import os
from dataclasses import replace
from pathlib import Path

from tracker.ingest.readers.encoding import detect_encoding, transcode_to_utf8
from tracker.ingest.readers.sniff import (
    HEADER_SEARCH_ROWS,
    PREFIX_BYTES,
    check_duplicate_headers,
    check_header_leniently,
    detect_delimiter,
    detect_newline,
    find_header,
    no_header,
    parse_lines,
)
from tracker.ingest.readers.staged import StagedFile
from tracker.store.db import Database
from tracker.text.errors import FileRefused

SAMPLE_ROWS = 2000


def stage_csv(db: Database, path: Path, table: str, file_name: str) -> StagedFile:
    with path.open("rb") as fh:
        prefix = fh.read(PREFIX_BYTES)
    if not prefix.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused("file.empty", file=file_name)
    try:
        encoding = detect_encoding(prefix, file_name)
    except FileRefused as exc:
        if exc.key == "file.encoding_not_recognised":
            check_header_leniently(prefix, file_name)  # a header problem is the clearer message
        raise
    if encoding in ("utf-8", "utf-8-sig"):
        return _stage_utf8_csv(path, table, file_name, temp_files=())
    text = codecs.getincrementaldecoder(encoding)("replace").decode(prefix, final=False)
    newline = detect_newline(text.lstrip("\ufeff"), file_name)
    source = transcode_to_utf8(path, encoding, newline.encode(), file_name)
    try:
        return _stage_utf8_csv(source, table, file_name, temp_files=(str(source),))
    except BaseException:
        os.unlink(source)
        raise


def _stage_utf8_csv(path: Path, table: str, file_name: str, temp_files: tuple[str, ...]) -> StagedFile:
    """Find the header in the first lines; the body is read later, by DuckDB, straight into the typed table."""
    with path.open("rb") as fh:
        prefix_bytes = fh.read(PREFIX_BYTES)
    complete = len(prefix_bytes) < PREFIX_BYTES
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(prefix_bytes, final=complete)
    text = text.lstrip("\ufeff")
    newline = detect_newline(text, file_name, complete=complete)
    lines = text.split(newline)[: HEADER_SEARCH_ROWS + 5]
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line of a prefix may be cut short
    delimiter = detect_delimiter(lines, file_name)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')  # lines already split, whatever the line ending
    rows: list[list[str]] = []
    line_after: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            line_after.append(reader.line_num)
    except csv.Error as exc:
        raise FileRefused("file.csv_unreadable", file=file_name, line=reader.line_num) from exc
    header_index = find_header(rows)
    if header_index is None:
        raise no_header(file_name)
    headers = [h.strip() for h in rows[header_index]]
    check_duplicate_headers(headers, file_name)
    params = {"csv_path": str(path), "csv_delim": delimiter, "csv_newline": {"\n": "\\n", "\r": "\\r", "\r\n": "\\r\\n"}[newline]}
    skip = int(line_after[header_index])
    sample_lines = text.split(newline)[skip : SAMPLE_ROWS + skip]
    if not complete and sample_lines:
        sample_lines = sample_lines[:-1]
    sample = tuple(tuple(row) for row in parse_lines(sample_lines, delimiter, file_name) if row)
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
