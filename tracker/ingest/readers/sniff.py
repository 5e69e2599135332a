"""What a file is before it is read: its format, and for text its encoding, line ending, delimiter and header row."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from tracker.ingest.contracts import CONTRACTS, match_headers
from tracker.text.errors import FileRefused

PREFIX_BYTES = 256 * 1024
HEADER_SEARCH_ROWS = 20
CSV_DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


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


def sniff_format(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "json"
    return "csv"


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


def check_duplicate_headers(headers: list[str], file_name: str) -> None:
    seen: dict[str, int] = {}
    for header in headers:
        key = header.strip().casefold()
        if key:
            seen[key] = seen.get(key, 0) + 1
    duplicated = sorted({h.strip() for h in headers if seen.get(h.strip().casefold(), 0) > 1})
    if duplicated:
        raise FileRefused("file.duplicate_headers", file=file_name, headers=duplicated)


def no_header(file_name: str) -> FileRefused:
    return FileRefused(
        "file.no_header", file=file_name, expected="asset_id, usage_date, hours_used / 资产编号, 使用日期, 使用时长(小时)"
    )


def detect_encoding(prefix: bytes, file_name: str) -> str:
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


def check_header_leniently(prefix: bytes, file_name: str) -> None:
    text = prefix.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split(detect_newline(text))[:HEADER_SEARCH_ROWS]
    rows = list(csv.reader(lines, delimiter=detect_delimiter(lines)))
    header_index = find_header(rows)
    if header_index is not None:
        check_duplicate_headers([h.strip() for h in rows[header_index]], file_name)


def detect_newline(text: str) -> str:
    first_cr = text.find("\r")
    first_lf = text.find("\n")
    if first_cr >= 0 and (first_lf < 0 or first_cr < first_lf) and text[first_cr + 1 : first_cr + 2] != "\n":
        return "\r"
    return "\r\n" if first_cr >= 0 and first_cr + 1 == first_lf else "\n"


def detect_delimiter(lines: list[str]) -> str:
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
