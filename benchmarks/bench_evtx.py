"""Windows event logs: the tracker's reading against the parser alone, and a year of logs for many machines.

Two measurements, each against its baseline in the same run:

1. Real files (the System and Security samples): records per second of the `evtx` parser alone
   (iterating its records in the mode the tracker uses: XML without indentation, one thread; its
   JSON records are timed too, for reference) and of the tracker's reading (the same parser, the
   System part of each record, the events it uses decoded, intervals built, damage looked for).
   Timed in CPU seconds of the process, parser and tracker in turns: each round takes the best of
   a few runs of each, and the ratio of every round is reported (lowest, median, highest), because
   other work on the machine weighs on the rounds unevenly.
2. Scale: a year of System and Security logs for N machines (`--machines`, default 20), made from
   the real samples as real `.evtx` files in a temporary folder: each sample copied four times a
   machine, its times moved on by a quarter each time (every FILETIME of the file shifted) and its
   machine names replaced by the machine's own (same length, so the file stays valid). Each
   machine's files are written, read into one reading (as a ZIP of many machines' logs is), then
   deleted; the intervals are built at the end. Reported: records, CPU and wall seconds of the
   reading (file writing not included), the parser alone on the first machines' files for a ratio,
   the peak memory of the process.

    .venv/bin/python benchmarks/bench_evtx.py [--machines 1000] [--rounds 7] [--fixtures DIR]

Results go to benchmarks/results/evtx.json (or evtx-N.json for another number of machines).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evtx import PyEvtxParser  # noqa: E402

from tracker.ingest.sources.events import EventLogReading  # noqa: E402
from tracker.ingest.sources.evtx import _read_file, finish, read_event_logs  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "windows-eventlog"
SAMPLES = ("system.evtx", "security.evtx")
COPIES, QUARTER_DAYS = 4, 91
_FILETIME_DAY = 86_400 * 10_000_000
_EPOCH_AS_FILETIME = 116_444_736_000_000_000
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}")


def bare_xml(path: Path) -> int:
    return sum(1 for _ in PyEvtxParser(str(path), number_of_threads=1, indent=False).records())


def bare_json(path: Path) -> int:
    return sum(1 for _ in PyEvtxParser(str(path), number_of_threads=1).records_json())


def _best(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def real_files(fixtures: Path, rounds: int, runs: int = 5) -> dict:
    results = {}
    for name in SAMPLES:
        path = fixtures / name
        records = bare_xml(path)
        read_event_logs(path)  # the first reading imports what it needs: not timed
        ratios, json_ratios, bare_best, json_best, tracker_best = [], [], float("inf"), float("inf"), float("inf")
        for _ in range(rounds):
            bare = _best(lambda p=path: bare_xml(p), runs)
            tracker = _best(lambda p=path: read_event_logs(p), runs)
            as_json = _best(lambda p=path: bare_json(p), runs)
            ratios.append(tracker / bare)
            json_ratios.append(tracker / as_json)
            bare_best, json_best, tracker_best = min(bare_best, bare), min(json_best, as_json), min(tracker_best, tracker)
        results[name] = {
            "records": records,
            "parser_xml_records_per_s": round(records / bare_best),
            "parser_json_records_per_s": round(records / json_best),
            "tracker_records_per_s": round(records / tracker_best),
            "ratio_to_parser_xml": _spread(ratios),
            "ratio_to_parser_json": _spread(json_ratios),
        }
    return results


def _spread(values: list[float]) -> dict:
    return {"lowest": round(min(values), 2), "median": round(statistics.median(values), 2), "highest": round(max(values), 2)}


# -- a year of logs for many machines, as real .evtx files ---------------------------------------


class Sample:
    """A real log, with where its FILETIMEs and machine names are, so that copies can be made quickly."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        reading = read_event_logs(path)
        self.names = sorted(reading.machines)
        self.records = reading.records
        self.hours = sum(i.hours for i in reading.intervals)
        first = min(m.first_event for m in reading.machines.values())
        last = max(m.last_event for m in reading.machines.values())
        low, high = _filetime(first) - 60 * _FILETIME_DAY, _filetime(last) + 60 * _FILETIME_DAY
        raw = np.frombuffer(self.data, np.uint8)
        values = np.zeros(len(raw) - 7, np.uint64)
        for k in range(8):
            values |= raw[k : len(raw) - 7 + k].astype(np.uint64) << np.uint64(8 * k)
        candidates = np.flatnonzero((values >= low) & (values <= high))
        # only the 8 bytes that hold a time the parser shows (to the microsecond) are times: other bytes that
        # happen to fall in the range (a GUID, a binary blob) are left alone
        known = np.array(sorted(_times_shown(path)), np.uint64)
        micro = values[candidates] // np.uint64(10)
        found = np.searchsorted(known, micro)
        real = (found < len(known)) & (known[np.minimum(found, len(known) - 1)] == micro)
        self.times = candidates[real]
        self.time_values = values[self.times]
        self.name_places = {name: _find_all(self.data, name.encode("utf-16-le")) for name in self.names}

    def copy(self, machine: int, days: int) -> bytes:
        buffer = np.frombuffer(bytearray(self.data), np.uint8)
        shifted = (self.time_values + np.uint64(days * _FILETIME_DAY)).astype("<u8").view(np.uint8).reshape(-1, 8)
        buffer[self.times[:, None] + np.arange(8)] = shifted
        for name, places in self.name_places.items():
            new = np.frombuffer(_machine_name(name, machine).encode("utf-16-le"), np.uint8)
            for at in places:
                buffer[at : at + len(new)] = new
        return buffer.tobytes()


def _times_shown(path: Path) -> set[int]:
    """Every time in the sample's records (their XML and the times they were written), as FILETIME microseconds."""
    shown = set()
    for record in PyEvtxParser(str(path), number_of_threads=1, indent=False).records():
        for text in _ISO_TIME.findall(record["data"]) + [record["timestamp"][:26]]:
            try:
                when = datetime.fromisoformat(text).replace(tzinfo=UTC)
            except ValueError:
                continue
            shown.add(_filetime(when) // 10)
    return shown


def _filetime(when: datetime) -> int:
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10 + _EPOCH_AS_FILETIME


def _find_all(data: bytes, needle: bytes) -> list[int]:
    places, at = [], data.find(needle)
    while at >= 0:
        places.append(at)
        at = data.find(needle, at + 1)
    return places


def _machine_name(name: str, machine: int) -> str:
    """Another machine's name of the same length: DESKTOP-2KGM189 -> DESKTOP-0000042."""
    width = min(7, len(name))
    return name[: len(name) - width] + f"{machine:0{width}d}"[-width:]


def check_copies(samples: dict[str, Sample], folder: Path) -> None:
    """A copy reads as the sample does: same records, same hours, under the new names."""
    for name, sample in samples.items():
        path = folder / f"check-{name}"
        path.write_bytes(sample.copy(7, QUARTER_DAYS))
        reading = read_event_logs(path)
        hours = sum(i.hours for i in reading.intervals)
        expected = sorted(_machine_name(n, 7) for n in sample.names)
        if reading.records != sample.records or abs(hours - sample.hours) > 1e-6 or sorted(reading.machines) != expected:
            raise SystemExit(f"a shifted copy of {name} does not read as the sample: {reading.records} records, {hours:.3f} h")
        path.unlink()


def scale(fixtures: Path, machines: int, rates: dict) -> dict:
    samples = {name: Sample(fixtures / name) for name in SAMPLES}
    reading, events = EventLogReading(), {}
    cpu = wall = bare_cpu = 0.0
    bare_records = files = 0
    with tempfile.TemporaryDirectory(prefix="bench-evtx-") as folder:
        check_copies(samples, Path(folder))
        for machine in range(machines):
            paths = []
            for name, sample in samples.items():
                for quarter in range(COPIES):
                    path = Path(folder) / f"PC{machine:05d}-{quarter}-{name}"
                    path.write_bytes(sample.copy(machine, QUARTER_DAYS * quarter))
                    paths.append(path)
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            for path in paths:
                _read_file(path, path.name, reading, events, None)
            cpu += time.process_time() - start_cpu
            wall += time.perf_counter() - start_wall
            if machine < 20:  # the parser alone on the first machines' files, for the ratio at scale
                start = time.process_time()
                bare_records += sum(bare_xml(path) for path in paths)
                bare_cpu += time.process_time() - start
            files += len(paths)
            for path in paths:
                path.unlink()
            if machine and machine % 100 == 0:
                print(f"  {machine} machines, {reading.records:,} records, {cpu:.0f} s", file=sys.stderr, flush=True)
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        finish(reading, events)
        intervals_cpu, intervals_wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    tracker_rate = reading.records / (cpu + intervals_cpu)
    return {
        "machines": machines,
        "files": files,
        "records": reading.records,
        "reading_cpu_seconds": round(cpu, 1),
        "reading_wall_seconds": round(wall, 1),
        "interval_building_cpu_seconds": round(intervals_cpu, 1),
        "interval_building_wall_seconds": round(intervals_wall, 1),
        "total_wall_minutes": round((wall + intervals_wall) / 60, 1),
        "tracker_records_per_cpu_s": round(tracker_rate),
        "parser_alone_records_per_cpu_s_first_machines": round(bare_records / bare_cpu) if bare_cpu else None,
        "ratio_to_parser_at_scale": round((bare_records / bare_cpu) / tracker_rate, 2) if bare_cpu else None,
        "intervals": len(reading.intervals),
        "machines_read": len(reading.machines),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--machines", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args = parser.parse_args()
    if not args.fixtures.is_dir():
        raise SystemExit(f"the real event logs are not at {args.fixtures}")
    load = {"start": _load()}
    rates = real_files(args.fixtures, args.rounds)
    load["after_real_files"] = _load()
    print(json.dumps(rates, indent=2), flush=True)
    big = scale(args.fixtures, args.machines, rates)
    load["end"] = _load()
    print(json.dumps(big, indent=2))
    out = ROOT / "benchmarks" / "results" / ("evtx.json" if args.machines == 20 else f"evtx-{args.machines}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "machine": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_average_1_5_15_min": load,
        "real_files": rates,
        "scale": big,
    }
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
