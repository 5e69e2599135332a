"""Where a quote breaks a CSV line: the column and value to name when DuckDB only says "line N".

A quote that opens a field and never closes (`5,"6,7`), or a quoted field with text after its
closing quote (`"PC-2"x`), makes the rest of the file unreadable as CSV. The reader's refusal
then names the line, the column (by its header) and the value, so the user can fix that cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

MAX_LINE_CHARS = 10_000  # a value is quoted in the message only up to this many characters of its line


@dataclass(frozen=True)
class StrayQuote:
    line: int
    column: str
    value: str


def _fields(line: str, delimiter: str) -> list[str]:
    """The line split the way a CSV reader would split it, up to the field whose quoting is broken."""
    fields, i = [], 0
    while i <= len(line):
        if i < len(line) and line[i] == '"':  # a quoted field: runs to a closing quote followed by the delimiter or the end
            j = i + 1
            while True:
                j = line.find('"', j)
                if j == -1:
                    fields.append(line[i:])  # never closed
                    return fields
                if j + 1 < len(line) and line[j + 1] == '"':
                    j += 2  # a doubled quote inside the field
                    continue
                break
            end = line.find(delimiter, j + 1)
            if end != j + 1 and j + 1 != len(line):
                fields.append(line[i:] if end == -1 else line[i:end])  # text after the closing quote
                return fields
            fields.append(line[i : j + 1])
            i = j + 2
            continue
        end = line.find(delimiter, i)
        fields.append(line[i:] if end == -1 else line[i:end])
        if end == -1:
            return fields
        i = end + len(delimiter)
    return fields


def broken_field(line: str, delimiter: str) -> int | None:
    """The index of the first field whose quoting is broken, else None."""
    fields = _fields(line, delimiter)
    for index, field in enumerate(fields):
        if field.startswith('"'):
            closed = len(field) >= 2 and field.endswith('"') and not field.endswith('""') or field == '""'
            inner = field[1:-1] if closed else field[1:]
            if not closed or inner.replace('""', "").count('"'):
                return index
    return None


def find_stray_quote(path: Path, line_number: int, delimiter: str, headers: tuple[str, ...]) -> StrayQuote | None:
    """The column and value of the broken quote on line `line_number` (1-based) of a CSV file, if there is one there."""
    if line_number < 1 or not path.is_file():
        return None
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:  # read up to that line only
        line = next(islice(fh, line_number - 1, None), None)
    if line is None:
        return None
    line = line.rstrip("\r\n").lstrip("\ufeff")
    index = broken_field(line[:MAX_LINE_CHARS], delimiter)
    if index is None:
        return None
    column = headers[index] if index < len(headers) else f"#{index + 1}"
    value = _fields(line[:MAX_LINE_CHARS], delimiter)[index]
    return StrayQuote(line_number, column, value[:60] + ("…" if len(value) > 60 else ""))
