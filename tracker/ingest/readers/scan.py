"""One pass over a file's bytes: its SHA-256 and where its empty lines are (for spreadsheet row numbers)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tracker.ingest.readers.staged import StagedFile


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
