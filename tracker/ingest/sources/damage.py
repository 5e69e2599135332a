"""Which parts of an `.evtx` file could not be read: byte ranges, from the file's own chunk headers.

An `.evtx` file is a 4 KiB header and chunks of 64 KiB; each chunk's header names the first and
last record it holds, and its records follow one another from byte 512 of the chunk. After the
parser has read the file, the chunk headers (128 bytes each) are compared with the records read:

- a chunk whose header is not a chunk header (zeros, say) is unreadable as a whole, unless it lies
  past the chunks the file header counts and holds only zeros (space the log has not used yet);
- a chunk that lists records the parser did not give has its records walked (their sizes and
  numbers only) to name the bytes of the missing ones; a chunk whose records stop at zeros is
  unreadable from there to its end.

Adjacent unreadable bytes are named as one range. Nothing is read from the damaged parts.
"""

from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path

FILE_HEADER, CHUNK = 4096, 65536
_CHUNK_MAGIC = b"ElfChnk\x00"
_RECORD_MAGIC = b"\x2a\x2a\x00\x00"
_RECORDS_START = 512
_MAX_RECORDS_PER_CHUNK = (CHUNK - _RECORDS_START) // 24  # the smallest record is 24 bytes and more


def damaged_ranges(path: Path, record_ids: Iterable[int]) -> tuple[list[tuple[int, int]], int]:
    """The unreadable byte ranges of the file (first, last byte) and how many records its readable
    chunk headers list that were not read (the records of whole unreadable chunks are not known)."""
    ids = sorted(record_ids)
    size = path.stat().st_size
    ranges: list[tuple[int, int]] = []
    lost = 0
    with open(path, "rb") as handle:
        header = handle.read(FILE_HEADER)
        counted = struct.unpack_from("<H", header, 42)[0] if len(header) >= 44 else 0
        chunks = max(0, -(-(size - FILE_HEADER) // CHUNK))
        for number in range(chunks):
            start = FILE_HEADER + number * CHUNK
            handle.seek(start)
            head = handle.read(56)
            end = min(start + CHUNK, size) - 1
            if len(head) < 56 or not head.startswith(_CHUNK_MAGIC) or end - start + 1 < CHUNK:
                if number >= counted and _zeros(handle, start, end):
                    continue  # not used yet
                ranges.append((start, end))
                continue
            first, last = struct.unpack_from("<QQ", head, 24)
            free = struct.unpack_from("<I", head, 48)[0]
            listed = last - first + 1 if first <= last else 0
            if not 0 < listed <= _MAX_RECORDS_PER_CHUNK:
                ranges.append((start, end))
                continue
            read = bisect_right(ids, last) - bisect_left(ids, first)
            if read >= listed:
                continue
            lost += listed - read
            handle.seek(start)
            chunk = handle.read(CHUNK)
            ranges.extend((start + a, start + b) for a, b in _missing_in_chunk(chunk, free, ids, first, last))
    return _merged(ranges), lost


def _zeros(handle, start: int, end: int) -> bool:
    handle.seek(start)
    data = handle.read(end - start + 1)
    return data == bytes(len(data))


def _missing_in_chunk(chunk: bytes, free: int, ids: list[int], first: int, last: int) -> list[tuple[int, int]]:
    """The bytes of a chunk's records that were not read; where the records stop early, up to the chunk's end."""
    missing = []
    at, end = _RECORDS_START, min(max(free, _RECORDS_START), CHUNK)
    while at < end:
        if chunk[at : at + 4] != _RECORD_MAGIC or at + 24 > CHUNK:
            missing.append((at, CHUNK - 1))
            break
        size, number = struct.unpack_from("<IQ", chunk, at + 4)
        if size < 24 or at + size > CHUNK:
            missing.append((at, CHUNK - 1))
            break
        i = bisect_left(ids, number)
        if not (first <= number <= last and i < len(ids) and ids[i] == number):
            missing.append((at, at + size - 1))
        at += size
    return missing


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
