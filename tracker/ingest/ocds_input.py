"""OCDS files as publishers write them, read as a stream of compiled releases, one per contracting process.

Accepted: release packages, record packages, single records (compiledRelease / versionedRelease /
releases), bare releases, a JSON array of any of these, and JSON Lines (one value per line, or
values one after another). Text is UTF-8 (a BOM is dropped) when the whole file decodes strictly,
else Latin-1.

Memory stays bounded: the file is read in chunks and the elements of a `records` or `releases`
array are cut out one by one (tracker/ingest/json_stream.py finds where each JSON value ends; the
standard library parses it), so a record package of any length is handled a record at a time. Releases
of a release package or JSON Lines must be grouped by process before they can be merged, so those
are held until the end of the file (one dict per release; a publisher's package is per process or
per period, while bulk feeds come as record packages).

Releases of one process are merged with `ocdsmerge` in date order (file order breaks ties), with
the merge rules of the OCDS 1.1.5 release schema shipped beside this module
(`ocds_merge_rules.json`), so reading never touches the network. Empty strings are read as
missing values before merging, so an empty field in a later release does not erase a value.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import BinaryIO

from tracker.ingest.json_stream import JsonScanner, Progress
from tracker.text.errors import FileRefused
from tracker.text.i18n import Message, reason

log = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")

_PROGRESS: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("ocds_progress", default=None)


@contextlib.contextmanager
def reading_progress(progress: Progress | None) -> Iterator[None]:
    """Report how far through an OCDS file the reader is (phase "read", fraction of bytes) while inside."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


@dataclass
class ReadNotes:
    """What the reading met besides processes: records that only link to releases elsewhere."""

    linked_only: int = 0
    processes: int = 0
    releases: int = 0
    records: int = 0
    ocids: set = field(default_factory=set)


@cache
def merge_rules() -> dict[tuple[str, ...], str]:
    """The merge rules of the OCDS release schema, from the file shipped with the tracker."""
    data = json.loads(resources.files(__package__).joinpath("ocds_merge_rules.json").read_text(encoding="utf-8"))
    return {tuple(rule["path"].split("/")): rule["rule"] for rule in data["rules"]}


def compiled_releases(stream: BinaryIO, size: int, file_name: str, notes: ReadNotes) -> Iterator[tuple[str | None, dict]]:
    """(ocid, compiled release) of every contracting process in the file, a record package streamed."""
    encoding = _encoding(stream, file_name)
    stream.seek(0)
    text = codecs.getreader(encoding)(stream, errors="strict")
    scanner = JsonScanner(text, file_name, size, stream, _PROGRESS.get())
    jsonl = file_name.lower().endswith(JSONL_SUFFIXES)
    groups: dict[str | None, list[tuple[float, int, dict]]] = {}
    position = 0
    seen_value = False
    while True:
        start = scanner.peek()
        if start == "":
            break
        if seen_value and not jsonl and start not in "{[":
            scanner.fail("Extra data")
        seen_value = True
        if start == "{":
            found = _from_members(scanner.members(), file_name, notes)
        elif start == "[":
            found = (entry for value in scanner.array_elements() for entry in _read_document(value, file_name, notes))
        else:
            found = _read_document(scanner.value(), file_name, notes)
        for ocid, release, kind in found:
            if kind == "compiled":
                notes.processes += 1
                yield ocid, release
            else:
                groups.setdefault(ocid, []).append((_instant(release.get("date")), position, release))
                position += 1
                notes.releases += 1
    if not seen_value:
        raise FileRefused("file.empty", file=file_name)
    for ocid, group in groups.items():
        notes.processes += 1
        yield ocid, merge(ocid, [release for _, _, release in sorted(group, key=lambda e: (e[0], e[1]))], file_name)


def _encoding(stream: BinaryIO, file_name: str) -> str:
    """utf-8-sig when the whole file decodes as UTF-8 (checked a chunk at a time), else latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    empty = True
    try:
        while chunk := stream.read(1 << 20):
            empty = empty and not chunk.strip(b" \t\r\n\xef\xbb\xbf")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    if empty:
        raise FileRefused("file.empty", file=file_name)
    return "utf-8-sig"


def _read_document(document: object, file_name: str, notes: ReadNotes) -> Iterator[tuple[str | None, dict, str]]:
    """(ocid, release, "compiled" | "release") of one JSON value; refuses what is not OCDS."""
    if isinstance(document, list):
        for entry in document:
            yield from _read_document(entry, file_name, notes)
        return
    if not isinstance(document, dict):
        raise FileRefused("file.not_ocds", file=file_name)
    yield from _from_members(((k, v, False) for k, v in document.items()), file_name, notes)


def _from_members(members, file_name: str, notes: ReadNotes) -> Iterator[tuple[str | None, dict, str]]:
    """Releases of an object given as (key, value, streamed) triples; elements of records/releases may come one by one."""
    kept: dict[str, object] = {}
    releases: list[dict] = []
    arrays: set[str] = set()
    for key, value, streamed in members:
        if key in ("records", "releases") and (streamed or isinstance(value, list)):
            arrays.add(key)
            for entry in [value] if streamed else value:
                if key == "records":
                    notes.records += 1
                    yield from _from_record(entry, file_name, notes)
                elif isinstance(entry, dict):
                    releases.append(entry)
        else:
            kept[key] = value
    if "records" in kept or "releases" in kept:  # present, but not an array
        raise FileRefused("file.not_ocds", file=file_name)
    is_record = isinstance(kept.get("compiledRelease"), dict) or isinstance(kept.get("versionedRelease"), dict)
    if is_record or ("releases" in arrays and "ocid" in kept and "uri" not in kept):
        notes.records += 1
        yield from _from_record({**kept, "releases": releases}, file_name, notes)
    elif "releases" in arrays:
        for release in releases:
            if _is_release(release):
                yield _text(release.get("ocid")), release, "release"
    elif "records" in arrays:
        return
    elif "ocid" in kept and _is_release(kept):
        yield _text(kept.get("ocid")), kept, "release"
    else:
        raise FileRefused("file.not_ocds", file=file_name)


def _from_record(record: object, file_name: str, notes: ReadNotes) -> Iterator[tuple[str | None, dict, str]]:
    """A record's compiled release: as published, else merged from its embedded releases."""
    if not isinstance(record, dict):
        return
    ocid = _text(record.get("ocid"))
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        yield ocid or _text(compiled.get("ocid")), compiled, "compiled"  # "" is read as missing by the line reader
        return
    full = [r for r in _dicts(record.get("releases")) if _is_release(r)]
    versioned = record.get("versionedRelease")
    if not full and isinstance(versioned, dict):
        yield ocid or _text(versioned.get("ocid")), _latest_values(versioned), "compiled"
        return
    if not full:
        notes.linked_only += 1
        return
    ordered = sorted(enumerate(full), key=lambda e: (_instant(e[1].get("date")), e[0]))
    yield ocid or _text(full[0].get("ocid")), merge(ocid, [r for _, r in ordered], file_name), "compiled"


def _latest_values(value: object) -> object:
    """A versioned release read as a compiled one: each field's latest value."""
    if isinstance(value, dict):
        return {k: _latest_values(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) and "value" in v and set(v) <= _VERSION_KEYS for v in value):
        return _latest_values(value[-1]["value"])
    if isinstance(value, list):
        return [_latest_values(v) for v in value]
    return value


_VERSION_KEYS = frozenset({"releaseID", "releaseDate", "releaseTag", "value"})


def _is_release(value: object) -> bool:
    """A full release, not a linked one (which holds only url, date and tag)."""
    return isinstance(value, dict) and bool(set(value) - {"url", "date", "tag"})


def merge(ocid: str | None, releases: list[dict], file_name: str) -> dict:
    """One compiled release from a process's releases, oldest first; contradictions are refused, saying which."""
    import ocdsmerge
    from ocdsmerge.exceptions import DuplicateIdValueWarning, OCDSMergeError

    by_id: dict[str, dict] = {}
    unique: list[dict] = []
    for release in releases:
        release = clean(release)
        release_id = _text(release.get("id"))
        if release_id is not None and release_id in by_id:
            if by_id[release_id] != release:
                raise FileRefused("file.ocds_contradiction", file=file_name, ocid=ocid or "?", release=release_id)
            continue
        if release_id is not None:
            by_id[release_id] = release
        unique.append(release)
    if len(unique) == 1:  # nothing to merge: the release as published (items with repeated ids stay apart)
        return {**unique[0], "ocid": ocid if ocid is not None else unique[0].get("ocid")}
    compiled = ocdsmerge.CompiledRelease(merge_rules=merge_rules())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DuplicateIdValueWarning)
            for release in unique:
                compiled.append({**release, "ocid": ocid, "date": release.get("date")})
            return compiled.asdict()
    except (OCDSMergeError, TypeError, ValueError, AttributeError, KeyError, RecursionError) as error:
        raise FileRefused("file.ocds_inconsistent", file=file_name, ocid=ocid or "?", reason=_merge_problem(error)) from None


_MERGE_PATH = re.compile(r" for (/[^\s,]*),")


def _merge_problem(error: BaseException) -> Message:
    """Why releases cannot be merged, in the reader's words (the merge library's own, with the values, go to the log)."""
    log.warning("OCDS releases cannot be merged: %s", str(error) or type(error).__name__)
    from ocdsmerge.exceptions import InconsistentTypeError

    found = _MERGE_PATH.search(str(error))
    if isinstance(error, InconsistentTypeError) and found:
        return reason("ocds_kind_changes", path=found.group(1))
    return reason("ocds_not_mergeable")


def clean(value: object) -> object:
    """The value with empty strings dropped: publishers write "" for a value they do not know."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if not (isinstance(v, str) and not v.strip())}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _instant(value: object) -> float:
    """A release date as a POSIX timestamp for ordering; undated releases sort first."""
    if not isinstance(value, str):
        return float("-inf")
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return float("-inf")


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
