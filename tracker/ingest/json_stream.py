"""JSON values cut out of a text stream read in chunks, so that a file of any length is parsed one element at a time.

A small scanner finds where each JSON value ends (strings, scalars, bracket depth) and the standard
library parses it, keeping decimals exact; errors name the line and column in the whole file.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import BinaryIO

from tracker.text.errors import FileRefused
from tracker.text.i18n import Message, reason

Progress = Callable[[str, float | None], None]
CHUNK_CHARS = 1 << 18
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
# skips text and whole strings up to the next bracket, a quote whose string is cut short, or the end
_NEXT_BRACKET = re.compile(r'[^"\[\]{}]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\[\]{}]*)*([\[\]{}"]|$)', re.S)
_SCALAR = re.compile(r"[^,\]}\s]+")
_WS = re.compile(r"[ \t\r\n]*")


# what the JSON parser (the standard library's, and this scanner's) says, by the start of its message
_PROBLEMS = (
    ("Expecting value", "json_value_expected"),
    ("Expecting ',' delimiter", "json_comma_expected"),
    ("Expecting ':' delimiter", "json_colon_expected"),
    ("Expecting property name", "json_name_expected"),
    ("Unterminated", "json_not_closed"),
    ("Extra data", "json_extra_data"),
    ("Invalid control character", "json_control_character"),
    ("Invalid \\escape", "json_bad_escape"),
    ("Invalid \\u", "json_bad_escape"),
    ("Expecting '", "json_one_of"),
)
_EXPECTED = re.compile(r"'(.)'")


def json_problem(message: str) -> Message:
    """The parser's English words about where a JSON text goes wrong, as a message in the reader's language."""
    for start, key in _PROBLEMS:
        if message.startswith(start):
            if key == "json_one_of":
                return reason(key, expected=" ".join(_EXPECTED.findall(message)))
            return reason(key)
    return reason("json_not_valid")


def loads(text: str) -> object:
    """json.loads keeping decimals exact."""
    return json.loads(text, parse_float=Decimal)


class JsonScanner:
    """Cuts JSON values out of a text stream read in chunks, tracking line numbers for messages."""

    def __init__(self, text, file_name: str, size: int, raw: BinaryIO, progress: Progress | None = None) -> None:
        self.text, self.file_name, self.size, self.raw = text, file_name, max(size, 1), raw
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.progress = progress
        self.reported = -1.0

    def _fill(self, want: int = CHUNK_CHARS) -> bool:
        """Read more text; False at the end of the file."""
        if self.eof:
            return False
        if self.pos:
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf, self.pos = self.buf[self.pos :], 0
        try:
            chunk = self.text.read(want)
        except UnicodeDecodeError:
            raise FileRefused("file.bad_json", file=self.file_name, reason=reason("json_not_text")) from None
        if chunk.startswith("\ufeff") and not self.buf and self.line == 1:
            chunk = chunk[1:]
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        if self.progress is not None:
            with contextlib.suppress(OSError, ValueError):
                fraction = min(self.raw.tell() / self.size, 1.0)
                if fraction - self.reported >= 0.01:
                    self.reported = fraction
                    self.progress("read", fraction)
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), without consuming it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def fail(self, message: str, at: int | None = None) -> None:
        """Refuse the file at `at`: `message` is the parser's (English) words, said to the reader as json_problem."""
        at = self.pos if at is None else at
        line = self.line + self.buf.count("\n", 0, at)
        column = at - self.buf.rfind("\n", 0, at)
        detail = json_problem(message)
        raise FileRefused("file.bad_json", file=self.file_name, reason=reason("json_at", detail=detail, line=line, column=column))

    def expect(self, chars: str) -> str:
        found = self.peek()
        if found == "" or found not in chars:
            self.fail(f"Expecting {' or '.join(repr(c) for c in chars)}")
        self.pos += 1
        return found

    def _span(self) -> tuple[int, int]:
        """(start, end) in the buffer of the next complete value, reading more of the file as needed."""
        first = self.peek()
        if first == "":
            self.fail("Expecting value")
        start = self.pos
        want = CHUNK_CHARS
        while True:
            end = self._end_of(start, first)
            if end is not None:
                return start, end
            before = start - self.pos
            if not self._fill(want):
                self.fail("Unterminated value", at=start)
            start = self.pos + before
            want *= 2

    def _end_of(self, start: int, first: str) -> int | None:
        buf = self.buf
        if first == '"':
            text = _STRING.match(buf, start).group()
            return start + len(text) if _closed(text) else None
        if first not in "[{":
            match = _SCALAR.match(buf, start)
            if match is None:
                self.fail("Expecting value", at=start)
            return match.end() if match.end() < len(buf) or self.eof else None
        depth, at, size = 0, start, len(buf)
        while True:
            match = _NEXT_BRACKET.match(buf, at)
            found = match.group(1)
            if found in ("", '"'):  # the end of what is read, or a string cut short by it
                return None
            depth += 1 if found in "[{" else -1
            at = match.end()
            if depth == 0:
                return at
            if at >= size:
                return None

    def value(self) -> object:
        start, end = self._span()
        text = self.buf[start:end]
        self.pos = end
        try:
            return loads(text)
        except json.JSONDecodeError as error:
            self.fail(error.msg, at=start + error.pos)
        except (ValueError, RecursionError) as error:
            self.fail(str(error) or type(error).__name__, at=start)
        return None  # pragma: no cover - fail() raises

    def array_elements(self) -> Iterator[object]:
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.expect(",]") == "]":
                return

    def members(self) -> Iterator[tuple[str, object, bool]]:
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                self.fail("Expecting property name enclosed in double quotes")
            key = self.value()
            self.expect(":")
            if key in ("records", "releases") and self.peek() == "[":
                for element in self.array_elements():
                    yield key, element, True
                yield key, [], False
            else:
                yield key, self.value(), False
            if self.expect(",}") == "}":
                return


def _closed(text: str) -> bool:
    """Whether a string token ends with its closing quote (not cut short, the last quote not escaped)."""
    if len(text) < 2 or not text.endswith('"'):
        return False
    run = len(text) - 1 - len(text[:-1].rstrip("\\"))
    return run % 2 == 0
