"""Text encodings: which one a CSV file is in, its UTF-8 copy, and files that mix encodings (refused, never stored garbled).

GB18030 decodes almost any bytes, and GBK read as Big5 (or UTF-8 read as GBK, `业务` as `涓氬姟`)
gives valid-looking characters: validity alone cannot tell these encodings apart, so the choice
among them is charset-normalizer's, and every non-ASCII line of the file is then checked to be in
the chosen encoding and not in another.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from tracker.text.errors import FileRefused
from tracker.text.i18n import Message

# Files that are certainly not text, by their first bytes (a renamed PDF, executable, archive, image or log)
BINARY_MAGIC: dict[bytes, str] = {  # first bytes -> the file type's name, `filetype.<name>` in the messages
    b"%PDF-": "pdf",
    b"ElfFile\x00": "evtx",
    b"\x7fELF": "elf",
    b"MZ": "exe",
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"Rar!": "rar",
    b"\x89PNG": "png",
    b"GIF8": "gif",
    b"\xff\xd8\xff": "jpeg",
    b"SQLite format 3": "sqlite",
}
# Encodings a text file may be in, as charset-normalizer names them, and the codec that reads each
# (Big5 files from Taiwan are usually written by Windows as code page 950, a superset of Big5).
TEXT_ENCODINGS = {"utf_8": "utf-8", "gb18030": "gb18030", "big5": "cp950", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "gb18030": "GB18030 (GBK)",
    "cp950": "Big5",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
}
ENCODINGS_TRIED = "UTF-8, UTF-16, GB18030 (GBK), Big5"
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])


def detect_encoding(prefix: bytes, file_name: str) -> str:
    """The codec of a text file, told from its first bytes; a binary file or an unknown encoding is refused.

    A byte-order mark settles it; otherwise text that is valid UTF-8 is UTF-8, and anything else is
    judged by charset-normalizer among GB18030 (GBK), Big5 and UTF-16 without a mark: decoding GBK
    bytes as Big5 (or UTF-8 as GBK) gives valid-looking characters, so validity alone cannot tell them apart.
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for magic, kind in BINARY_MAGIC.items():
        if prefix.startswith(magic):
            raise FileRefused("file.binary_kind", file=file_name, kind=Message(f"filetype.{kind}"))
    if b"\x00" in prefix:
        return _utf16_without_mark(prefix, file_name)
    if _looks_binary(prefix):
        raise FileRefused("file.binary", file=file_name)
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(prefix, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    utf8_lines, other_lines = _split_by_utf8(prefix)
    if len(utf8_lines) > len(other_lines):
        return "utf-8"  # mostly UTF-8: the reader names the rows that are not
    return TEXT_ENCODINGS[_judge(b"".join(other_lines)[:65536] or prefix, ["gb18030", "big5"], file_name)]


def _looks_binary(prefix: bytes) -> bool:
    """Control characters other than tab, line breaks, form feed and end-of-file mark: more than a stray few."""
    controls = len(prefix) - len(prefix.translate(None, _CONTROL_BYTES))
    # binary data is dense with control bytes (random bytes: about one in eight); a text file with a stray
    # control character in a few cells is text, and those cells are refused row by row
    return controls > max(16, len(prefix) // 50)


def _utf16_without_mark(prefix: bytes, file_name: str) -> str:
    """UTF-16 text has a NUL beside nearly every ASCII character, always on the same side; anything else is binary."""
    even, odd = prefix[0::2].count(0), prefix[1::2].count(0)
    half = max(1, len(prefix) // 2)
    if max(even, odd) < half // 4 or min(even, odd) > half // 50:
        raise FileRefused("file.binary", file=file_name)
    judged = _judge(prefix[: len(prefix) // 2 * 2], ["utf_16_le", "utf_16_be"], file_name)
    codec = TEXT_ENCODINGS[judged]
    text = codecs.getincrementaldecoder(codec)("replace").decode(prefix[: len(prefix) // 2 * 2], final=False)
    if _looks_binary(text.encode("utf-8", errors="replace")):
        raise FileRefused("file.binary", file=file_name)
    return codec


def _split_by_utf8(prefix: bytes) -> tuple[list[bytes], list[bytes]]:
    """The whole lines of a prefix that hold non-ASCII bytes: those in UTF-8 with Chinese text, and the others."""
    utf8_lines, other_lines = [], []
    for line in prefix.splitlines(keepends=True):  # a last line cut short is judged as it is
        if not line.isascii():
            (utf8_lines if _is_utf8_text(line) else other_lines).append(line)
    return utf8_lines, other_lines


def _judge(sample: bytes, candidates: list[str], file_name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=candidates).best()
    if best is None or best.encoding not in candidates:
        raise FileRefused("file.encoding_not_recognised", file=file_name, tried=ENCODINGS_TRIED)
    return best.encoding


def guess_encoding(sample: bytes) -> str | None:
    """The display name of the encoding some lines are in (GB18030, Big5, UTF-8), or None when it cannot be told."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["utf_8", "gb18030", "big5"]).best()
    return ENCODING_NAMES.get(TEXT_ENCODINGS.get(best.encoding, "")) if best is not None else None


SHOWN_ROWS = 10
CHUNK_BYTES = 4 * 1024 * 1024
LONGEST_LINE = 16 * 1024 * 1024  # a "line" longer than this is cut anyway (DuckDB refuses lines over 10 MB)


class _Rows:
    """Line numbers of one kind of line: the first few, and how many."""

    def __init__(self) -> None:
        self.first: list[int] = []
        self.count = 0
        self.sample = b""

    def add(self, number: int, line: bytes) -> None:
        self.count += 1
        if len(self.first) < SHOWN_ROWS:
            self.first.append(number)
            self.sample += line[:4096] + b"\n"

    def shown(self) -> object:
        if self.count <= len(self.first):
            return self.first
        return Message("file.rows_more", {"rows": self.first, "more": self.count - len(self.first)})


def _is_utf8_text(line: bytes) -> bool:
    """A line that is valid UTF-8 with Chinese (or other CJK or full-width) characters in it.

    GBK or Big5 bytes almost never form such a line by chance: their trail bytes rarely continue a UTF-8 sequence.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" for ch in text)


def _lines(src: BinaryIO, separator: bytes):
    """(number of the block's first line, block of whole lines) over a byte stream, in bounded blocks."""
    tail, first_line = b"", 1
    while chunk := src.read(CHUNK_BYTES):
        data = tail + chunk
        cut = data.rfind(separator) + 1
        if cut == 0 and len(data) < LONGEST_LINE:
            tail = data
            continue
        cut = cut or len(data)
        yield first_line, data[:cut]
        first_line += data.count(separator, 0, cut)
        tail = data[cut:]
    if tail:
        yield first_line, tail


def transcode_to_utf8(path: Path, encoding: str, newline: bytes, file_name: str) -> Path:
    """A UTF-8 copy of a GB18030, Big5 or UTF-16 file for DuckDB's reader; a file mixing encodings is refused.

    `newline` is the line ending (as bytes of the file's encoding for GB18030 and Big5): rows are
    numbered by it. UTF-16 text cannot hold another encoding's bytes, so it is decoded in one stream.
    """
    fd, out_name = tempfile.mkstemp(suffix=".csv", prefix="tracker-utf8-")
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            if encoding.startswith("utf-16"):
                decoder = codecs.getincrementaldecoder(encoding)("strict")
                while chunk := src.read(CHUNK_BYTES):
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                dst.write(decoder.decode(b"", final=True).encode("utf-8"))
            else:
                _transcode_lines(src, dst, encoding, newline[-1:] or b"\n", file_name)
    except UnicodeDecodeError as exc:
        os.unlink(out_name)
        raise FileRefused("file.encoding_not_recognised", file=file_name, tried=ENCODINGS_TRIED) from exc
    except BaseException:
        os.unlink(out_name)
        raise
    return Path(out_name)


def _utf8_lines(block: bytes, separator: bytes) -> list[int]:
    """Indexes of the lines of a block that hold non-ASCII bytes and are all well-formed UTF-8, found with array operations.

    A byte is out of place when it is a continuation byte (10xxxxxx) no lead byte asks for, or any
    other byte where one is owed; a line with non-ASCII bytes and none out of place is UTF-8.
    """
    b = np.frombuffer(block, dtype=np.uint8)
    continuation = (b & 0xC0) == 0x80
    owed = np.zeros(b.size, dtype=bool)
    lead2 = (b >= 0xC2) & (b <= 0xDF)
    lead3 = (b & 0xF0) == 0xE0
    lead4 = (b >= 0xF0) & (b <= 0xF4)
    owed[1:] |= lead2[:-1] | lead3[:-1] | lead4[:-1]
    owed[2:] |= lead3[:-2] | lead4[:-2]
    owed[3:] |= lead4[:-3]
    wrong = (continuation != owed) | (b == 0xC0) | (b == 0xC1) | (b >= 0xF5)
    if not b.size:
        return []
    starts = np.flatnonzero(b == separator[0]) + 1  # a line ending belongs to the line it ends
    starts = np.concatenate(([0], starts[starts < b.size]))
    non_ascii = np.logical_or.reduceat(b >= 0x80, starts)
    return np.flatnonzero(non_ascii & ~np.logical_or.reduceat(wrong, starts)).tolist()


def _has_utf8_lines(block: bytes, separator: bytes) -> bool:
    candidates = _utf8_lines(block, separator)
    if not candidates:
        return False
    lines = block.split(separator)
    return any(_is_utf8_text(lines[index]) for index in candidates)


def _transcode_lines(src: BinaryIO, dst: BinaryIO, encoding: str, separator: bytes, file_name: str) -> None:
    """Decode block by block; at the first line in UTF-8, or in neither encoding, the whole file is looked at and refused."""
    for _, block in _lines(src, separator):
        if block.isascii():
            dst.write(block)
            continue
        try:
            text = block.decode(encoding)
        except UnicodeDecodeError:
            text = None
        if text is not None and not _has_utf8_lines(block, separator):
            dst.write(text.encode("utf-8"))
            continue
        src.seek(0)
        raise _mixed_refusal(src, encoding, separator, file_name)


def _mixed_refusal(src: BinaryIO, encoding: str, separator: bytes, file_name: str) -> FileRefused:
    """Every non-ASCII line sorted into UTF-8, the file's encoding, or neither; the refusal names the rows that differ."""
    utf8, native, neither = _Rows(), _Rows(), _Rows()
    for first_line, block in _lines(src, separator):
        if block.isascii():
            continue
        for offset, line in enumerate(block.split(separator)):
            if line.isascii():
                continue
            if _is_utf8_text(line):
                utf8.add(first_line + offset, line)
                continue
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                neither.add(first_line + offset, line)
            else:
                native.add(first_line + offset, line)
    main = ENCODING_NAMES[encoding]
    if neither.count:
        other = guess_encoding(neither.sample)
        return FileRefused(
            "file.mixed_encodings", file=file_name, main=main, rows=neither.shown(), other=_in(other if other != main else None)
        )
    if utf8.count and native.count > utf8.count:
        return FileRefused("file.mixed_encodings", file=file_name, main=main, rows=utf8.shown(), other=_in("UTF-8"))
    if utf8.count and native.count:
        return FileRefused("file.mixed_encodings", file=file_name, main="UTF-8", rows=native.shown(), other=_in(main))
    # only UTF-8 lines: cannot be, the first bytes were not UTF-8
    return FileRefused("file.encoding_not_recognised", file=file_name, tried=ENCODINGS_TRIED)


def utf8_mix_refusal(path: Path, newline: str, file_name: str) -> FileRefused | None:
    """For a UTF-8 file DuckDB found invalid text in: the refusal naming the rows that are not UTF-8."""
    bad = _Rows()
    separator = newline[-1:].encode() or b"\n"
    with path.open("rb") as src:
        for first_line, block in _lines(src, separator):
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:
                for offset, line in enumerate(block.split(separator)):
                    try:
                        line.decode("utf-8")
                    except UnicodeDecodeError:
                        bad.add(first_line + offset, line)
    if not bad.count:
        return None
    other = guess_encoding(bad.sample)
    return FileRefused(
        "file.mixed_encodings",
        file=file_name,
        main="UTF-8",
        rows=bad.shown(),
        other=_in(other if other != "UTF-8" else None),
    )


def _in(encoding: str | None) -> Message:
    """ "in GB18030 (GBK)", or "in another encoding" when it cannot be told."""
    if encoding is None:
        return Message("file.encoding_unknown_other", {})
    return Message("file.encoding_in", {"encoding": encoding})
