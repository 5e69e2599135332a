"""What a file is before it is read: its format, and for text its encoding, line ending, delimiter and header row."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from pathlib import Path

from tracker.ingest.contracts import CONTRACTS, match_headers
from tracker.ingest.sources.evtx import is_event_log
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
    if suffix == ".evtx":
        return "evtx"
    if suffix == ".zip":
        return "zip"
    return "unknown"


def sniff_format(path: Path) -> str:
    """The format from the first bytes: an event log (ElfFile), a ZIP of event logs, a workbook, Parquet, JSON, else CSV."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if is_event_log(head):
        return "evtx"
    if head.startswith(b"PK\x03\x04") and is_event_log_zip(path):
        return "evtx"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return sniff_json(path)
    return "csv"


def is_event_log_zip(path: Path) -> bool:
    """A ZIP whose members include `.evtx` files (a workbook is a ZIP too, without them)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower().endswith(".evtx") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


_GLPI_START = re.compile(rb'^\s*\{\s*"(content|deviceid|action|itemtype|partial|tag)"\s*:')


def is_glpi_inventory(prefix: bytes) -> bool:
    """A JSON object whose first key is one of the GLPI agent's top-level keys (confirmed when read)."""
    return bool(_GLPI_START.match(prefix.lstrip(b"\xef\xbb\xbf")))


def sniff_json(path: Path) -> str:
    """A GLPI agent inventory (`glpi`) or any other JSON (`json`, read as OCDS)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    return "glpi" if is_glpi_inventory(head) else "json"


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


def check_header_leniently(prefix: bytes, file_name: str) -> None:
    text = prefix.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split(detect_newline(text, file_name, strict=False))[:HEADER_SEARCH_ROWS]
    rows = parse_lines(lines, detect_delimiter(lines, file_name), file_name)
    header_index = find_header(rows)
    if header_index is not None:
        check_duplicate_headers([h.strip() for h in rows[header_index]], file_name)


NEWLINE_NAMES = {"\n": "LF (\\n)", "\r\n": "CR LF (\\r\\n)", "\r": "CR (\\r)"}
_LINE_TOKENS = re.compile(r'"+|\r\n|\r|\n')


class LineEndings:
    """The line endings of CSV text outside quoted fields, fed in pieces: the first, and the first that differs.

    A quote opens a quoted field only at the start of a field (after a line break or a delimiter), so a
    stray quote inside a value (`24" monitor`) does not hide the line breaks after it.
    """

    def __init__(self) -> None:
        self.first: str | None = None
        self.line = 1  # the line the next ending closes
        self.mismatch: tuple[int, str] | None = None  # (line, ending) of the first ending unlike the first
        self._quoted = False
        self._previous = "\n"  # the character before the current piece
        self._pending_cr = False  # a piece ended with CR: it may be the first half of CR LF

    def feed(self, text: str, *, final: bool = False) -> None:
        if self._pending_cr:
            self._pending_cr = False
            text = "\r" + text
        for match in _LINE_TOKENS.finditer(text):
            token, start = match.group(), match.start()
            if token[0] == '"':
                # a run of quotes: an odd run opens a field (at a field's start) or closes it; "" is an escaped quote
                before = text[start - 1] if start else self._previous
                if len(token) % 2 and (self._quoted or before in "\r\n" or before in CSV_DELIMITERS):
                    self._quoted = not self._quoted
                continue
            if self._quoted:
                continue
            if token == "\r" and match.end() == len(text) and not final:
                self._pending_cr = True
                return
            if self.first is None:
                self.first = token
            elif token != self.first and self.mismatch is None:
                self.mismatch = (self.line, token)
                return
            self.line += 1
        if text:
            self._previous = text[-1]

    def refusal(self, file_name: str) -> FileRefused:
        line, found = self.mismatch or (self.line, "?")
        return FileRefused(
            "file.mixed_newlines",
            file=file_name,
            line=line,
            found=NEWLINE_NAMES.get(found, found),
            expected=NEWLINE_NAMES.get(self.first or "\n"),
        )


def detect_newline(text: str, file_name: str, *, strict: bool = True, complete: bool = False) -> str:
    """The line ending of CSV text: the first one outside quotes. `strict`: text that mixes endings is refused."""
    endings = LineEndings()
    endings.feed(text, final=complete)
    if strict and endings.mismatch is not None:
        raise endings.refusal(file_name)
    return endings.first or "\n"


def mixed_newline_refusal(path: Path, file_name: str) -> FileRefused | None:
    """The refusal naming the first line whose ending differs from the first line's, in a whole UTF-8 file (or None)."""
    endings = LineEndings()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            endings.feed(decoder.decode(chunk))
            if endings.mismatch is not None:
                return endings.refusal(file_name)
    endings.feed(decoder.decode(b"", final=True), final=True)
    return endings.refusal(file_name) if endings.mismatch is not None else None


def parse_lines(lines: list[str], delimiter: str, file_name: str) -> list[list[str]]:
    """CSV rows of lines already split; a line Python's reader cannot parse is a refusal naming it."""
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise FileRefused("file.csv_unreadable", file=file_name, line=reader.line_num) from exc
    return rows


def detect_delimiter(lines: list[str], file_name: str) -> str:
    """The delimiter giving the most columns consistently over the first lines."""
    best, best_score = ",", -1
    for delim in CSV_DELIMITERS:
        counts = [len((parse_lines([line], delim, file_name) or [[]])[0]) for line in lines if line.strip()]
        if not counts:
            continue
        top = max(counts)
        score = top * 10 + sum(1 for c in counts if c == top)
        if top > 1 and score > best_score:
            best, best_score = delim, score
    return best
