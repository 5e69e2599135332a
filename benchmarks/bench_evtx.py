"""Windows event logs: the tracker's reading against the parser alone, and a year of logs for 1,000 machines.

Two measurements, each against its baseline in the same run:

1. Real files (the System and Security samples): records per second of the `evtx` parser alone
   (iterating its JSON records, one thread) and of the tracker's reading (the same parser, the
   System part of each record, the events it uses decoded, intervals built); best of N runs of
   each, taken in turns and timed in CPU seconds of the process, so that other work on the
   machine weighs on both alike.
2. Scale: a year of System and Security logs for 1,000 machines, made by repeating the real
   samples' records with shifted times and machine names (as the parser's JSON records: writing
   EVTX binaries is not needed to measure the tracker's own work). The tracker's processing of those
   records is timed, and the parser's time for the same number of records is taken from its rate in
   part 1, so the total is what loading the real files would take.

    .venv/bin/python benchmarks/bench_evtx.py [--machines 1000] [--repeat 5] [--fixtures DIR]

Results go to benchmarks/results/evtx.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evtx import PyEvtxParser  # noqa: E402

from tracker.ingest.sources.events import EventLogReading  # noqa: E402
from tracker.ingest.sources.evtx import consume_records, finish, read_event_logs  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "windows-eventlog"
_TIME = re.compile(r'"SystemTime":"([^"]+)"')


def best_of_pair(repeat: int, bare, tracker) -> tuple[float, float]:
    """Best CPU seconds of the bare parser and of the tracker, run in turns so both meet the same load."""
    best_bare = best_tracker = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        bare()
        best_bare = min(best_bare, time.process_time() - start)
        start = time.process_time()
        tracker()
        best_tracker = min(best_tracker, time.process_time() - start)
    return best_bare, best_tracker


def real_files(fixtures: Path, repeat: int) -> dict:
    results = {}
    for name in ("system.evtx", "security.evtx"):
        path = fixtures / name
        records = sum(1 for _ in PyEvtxParser(str(path), number_of_threads=1).records_json())
        read_event_logs(path)  # the first reading imports what it needs: not timed
        bare, tracker = best_of_pair(
            repeat,
            lambda p=path: sum(1 for _ in PyEvtxParser(str(p), number_of_threads=1).records_json()),
            lambda p=path: read_event_logs(p),
        )
        results[name] = {
            "records": records,
            "parser_records_per_s": round(records / bare),
            "tracker_records_per_s": round(records / tracker),
            "ratio_tracker_to_parser": round(tracker / bare, 2),
        }
    return results


def _shifted(records: list[str], machine: str, days: int) -> list[dict]:
    """The sample's records as another machine's, `days` later."""
    out = []
    for raw in records:
        raw = re.sub(r'"Computer":"[^"]*"', f'"Computer":"{machine}"', raw, count=1)

        def shift(match):
            try:
                when = datetime.fromisoformat(match.group(1).rstrip("Z")[:26]) + timedelta(days=days)
            except ValueError:
                return match.group(0)
            return f'"SystemTime":"{when.isoformat()}Z"'

        out.append({"data": _TIME.sub(shift, raw)})
    return out


def scale(fixtures: Path, machines: int, parser_rates: dict) -> dict:
    samples = {}
    for name in ("system.evtx", "security.evtx"):
        samples[name] = [r["data"] for r in PyEvtxParser(str(fixtures / name), number_of_threads=1).records_json()]
    # each sample spans months; four shifted copies cover a year of a machine's logs
    copies = 4
    total_records = 0
    reading, events = EventLogReading(), {}
    reading_seconds = 0.0
    for m in range(machines):
        for name, records in samples.items():
            for c in range(copies):
                batch = _shifted(records, f"PC-{m:05d}", 91 * c)  # made outside the timed part
                total_records += len(batch)
                start = time.process_time()
                consume_records(iter(batch), f"{name}#{m}.{c}", reading, events)
                reading_seconds += time.process_time() - start
    start = time.process_time()
    finish(reading, events)
    intervals = time.process_time() - start
    parser_seconds = sum(
        len(records) * copies * machines / parser_rates[name]["parser_records_per_s"] for name, records in samples.items()
    )
    return {
        "machines": machines,
        "records": total_records,
        "tracker_reading_seconds": round(reading_seconds, 1),
        "interval_building_seconds": round(intervals, 1),
        "parser_seconds_at_measured_rate": round(parser_seconds, 1),
        "total_minutes": round((reading_seconds + intervals + parser_seconds) / 60, 1),
        "intervals": len(reading.intervals),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--machines", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args = parser.parse_args()
    if not args.fixtures.is_dir():
        raise SystemExit(f"the real event logs are not at {args.fixtures}")
    rates = real_files(args.fixtures, args.repeat)
    print(json.dumps(rates, indent=2))
    big = scale(args.fixtures, args.machines, rates)
    print(json.dumps(big, indent=2))
    out = ROOT / "benchmarks" / "results" / "evtx.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"machine": platform.processor() or platform.machine(), "real_files": rates, "scale": big}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
