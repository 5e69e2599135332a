"""What a new month of usage from some agencies costs: the upload, then the findings again, against a full recompute.

    .venv/bin/python benchmarks/bench_recompute.py [--agencies 1,10,50,1000] [--late 1,10,50,150] [--repeat 3] [--work DIR]

Needs the medium tier's benchmark database (`<work>/medium-metrics.duckdb`, built by bench_metrics.py).
For each size of change, on a fresh copy of that database:

- a CSV of the next month's daily usage (the last month's rows of the devices of the first N
  agencies that sent usage that month, moved on by one month; all of them when N is larger) is
  written before any timer starts;
- `upload_s`: `ingest_file(db, "usage", file)`, every check, the monthly roll-ups of the months it
  touched refreshed inside its transaction, the upload record, one transaction;
- `refresh_s`: of which the refresh of the roll-ups of the months it touched;
- `flags_s`: `compute_flags(db)`, the whole catalogue at the new latest day, in a process that has
  already run it once (its SQL compiled);
- `full_s`: a full recompute on the same database: every roll-up rebuilt from every usage row,
  then the same `compute_flags`;
- `bare_group_by_s`: `SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id`, the baseline
  of the other benchmarks, in the same run.

A second table (`--late`) is what the dashboard pays when agencies send a month the others have
already sent, so the latest day and every window stay where they were. For each size, on a fresh
copy of the database:

- the last month's rows of the first N agencies that sent it (never all of them: one agency with
  usage on the latest day keeps it) are written to a CSV and deleted, and the roll-ups rebuilt, before
  any timer starts; the dashboard's snapshot of the latest 365 days is then built and stored;
- `upload_s`: the upload of those rows, as above;
- `snapshot_s`: the dashboard's snapshot again (`SnapshotCache.snapshot`), built on the earlier one
  (tracker.engine.incremental) and stored;
- `full_s`: the same snapshot recomputed in full on the same data, every roll-up rebuilt first
  (a fresh cache with nothing stored; the SQL already compiled, as in a running dashboard);
- `full_snapshot_s`: of which the snapshot.

Every figure is the median of `--repeat` runs. Results go to benchmarks/results/recompute.json and are
printed as Markdown tables, with `(upload + findings) / full` per size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 calls a method duckdb 2 deprecates

import duckdb  # noqa: E402
from bench_metrics import clock, say  # noqa: E402  (this folder is the script's own)

from tracker.engine.rules.run import compute_flags  # noqa: E402
from tracker.engine.snapshots import SnapshotCache, usage_span  # noqa: E402
from tracker.ingest.pipeline import ingest_file  # noqa: E402
from tracker.store import usage_months  # noqa: E402
from tracker.store.db import Database  # noqa: E402

BARE_SQL = "SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id"


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", ".audit-key"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def next_month_file(db_path: Path, agencies: int, out: Path) -> tuple[int, list[str]]:
    """The last month's rows of the first `agencies` agencies, one month on, as a usage CSV; (rows, agencies)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        last = con.execute("SELECT max(usage_date) FROM usage_daily").fetchone()[0]
        first_of_month = last.replace(day=1)
        reporting = con.execute(  # the agencies that sent that month (some agencies send no usage at all)
            "SELECT DISTINCT a.agency_code FROM usage_daily AS u JOIN assets AS a USING (asset_id) "
            "WHERE u.usage_date >= $first ORDER BY 1",
            {"first": first_of_month},
        ).fetchall()
        codes = [code for (code,) in reporting][:agencies]
        con.execute(
            f"""COPY (SELECT u.asset_id, CAST(u.usage_date + INTERVAL 1 MONTH AS DATE) AS usage_date,
                             u.hours_used, u.source
                      FROM usage_daily AS u JOIN assets AS a USING (asset_id)
                      WHERE u.usage_date >= $first AND list_contains($codes, a.agency_code)
                      ORDER BY 1, 2) TO '{out}' (HEADER, DELIMITER ',')""",
            {"first": first_of_month, "codes": codes},
        )
        rows = con.execute(f"SELECT count(*) FROM read_csv('{out}')").fetchone()[0]
    finally:
        con.close()
    return rows, codes


def measure(base: Path, agencies: int, repeat: int, tmp: Path) -> dict:
    csv = tmp / f"next-month-{agencies}.csv"
    rows, codes = next_month_file(base, agencies, csv)
    say(f"{agencies} agencies: {rows:,} rows")
    uploads, refreshes, flags, fulls, bares = [], [], [], [], []
    for _ in range(repeat):
        path = copy_db(base, tmp / "run.duckdb")
        with Database.open(path) as db:
            compute_flags(db)  # the SQL compiled, as in a running dashboard or a second command
            spent = []
            refresh = usage_months.refresh

            def timed_refresh(*args, _refresh=refresh, _spent=spent, **kwargs) -> None:  # inside the upload
                start = time.perf_counter()
                _refresh(*args, **kwargs)
                _spent.append(time.perf_counter() - start)

            usage_months.refresh = timed_refresh
            try:
                uploads.append(clock(lambda: ingest_file(db, "usage", csv, actor="benchmark")))
            finally:
                usage_months.refresh = refresh
            refreshes.append(sum(spent))
            flags.append(clock(lambda: compute_flags(db)))

            def full() -> None:
                with db.transaction():
                    usage_months.rebuild(db)
                compute_flags(db)

            fulls.append(clock(full))
            bares.append(clock(lambda: db.fetchall(BARE_SQL, name="bare group by")))
    median = lambda values: round(statistics.median(values), 3)  # noqa: E731
    result = {
        "agencies": len(codes),
        "rows": rows,
        "upload_s": median(uploads),
        "refresh_s": median(refreshes),
        "flags_s": median(flags),
        "full_s": median(fulls),
        "bare_group_by_s": median(bares),
    }
    result["change_vs_full"] = round((result["upload_s"] + result["flags_s"]) / result["full_s"], 3)
    return result


def late_month(base: Path, agencies: int, tmp: Path) -> tuple[Path, Path, int, int]:
    """A copy of `base` without the last month of `agencies` agencies, and those rows as a CSV; (copy, csv, rows, agencies)."""
    prepared = copy_db(base, tmp / f"late-{agencies}.duckdb")
    out = tmp / f"late-{agencies}.csv"
    con = duckdb.connect(str(prepared))
    try:
        last = con.execute("SELECT max(usage_date) FROM usage_daily").fetchone()[0]
        first_of_month = last.replace(day=1)
        agency_of = "SELECT DISTINCT a.agency_code FROM usage_daily AS u JOIN assets AS a USING (asset_id) WHERE {} ORDER BY 1"
        keeper = con.execute(agency_of.format("u.usage_date = $last"), {"last": last}).fetchone()[0]
        reporting = con.execute(agency_of.format("u.usage_date >= $first"), {"first": first_of_month}).fetchall()
        codes = [code for (code,) in reporting if code != keeper][:agencies]
        held_back = """FROM usage_daily AS u WHERE u.usage_date >= $first
                       AND u.asset_id IN (SELECT asset_id FROM assets WHERE list_contains($codes, agency_code))"""
        con.execute(
            f"COPY (SELECT u.asset_id, u.usage_date, u.hours_used, u.source {held_back} ORDER BY 1, 2) "
            f"TO '{out}' (HEADER, DELIMITER ',')",
            {"first": first_of_month, "codes": codes},
        )
        rows = con.execute(f"SELECT count(*) FROM read_csv('{out}')").fetchone()[0]
        con.execute(f"DELETE {held_back}", {"first": first_of_month, "codes": codes})
    finally:
        con.close()
    with Database.open(prepared) as db:
        with db.transaction():
            usage_months.rebuild(db)
        db.execute("DELETE FROM snapshots")
        db.execute("CHECKPOINT")
    return prepared, out, rows, len(codes)


def late_run(prepared: Path, csv: Path, tmp: Path) -> tuple[float, float, float, float, float]:
    """One run on a fresh copy: (upload, snapshot built on the earlier one, full recompute, of which the snapshot, bare)."""
    path = copy_db(prepared, tmp / "run.duckdb")
    with Database.open(path) as db:
        as_of = usage_span(db)[1]
        cache = SnapshotCache()
        cache.snapshot(db, as_of, 365)  # the dashboard's snapshot before the upload, its SQL compiled
        upload = clock(lambda: ingest_file(db, "usage", csv, actor="benchmark"))
        if usage_span(db)[1] != as_of:
            raise SystemExit("the late month moved the latest day: the benchmark's data is not as expected")
        snapshot = clock(lambda: cache.snapshot(db, as_of, 365))
        if cache.last_build != "incremental":
            raise SystemExit(f"the snapshot after the upload was {cache.last_build}, not built on the earlier one")
        db.execute("DELETE FROM snapshots")
        fresh = SnapshotCache()
        start = time.perf_counter()
        with db.transaction():
            usage_months.rebuild(db)
        full_snapshot = clock(lambda: fresh.snapshot(db, as_of, 365))
        full = time.perf_counter() - start
        bare = clock(lambda: db.fetchall(BARE_SQL, name="bare group by"))
    return upload, snapshot, full, full_snapshot, bare


def measure_late(base: Path, agencies: int, repeat: int, tmp: Path) -> dict:
    prepared, csv, rows, count = late_month(base, agencies, tmp)
    say(f"{count} agencies late: {rows:,} rows")
    runs = [late_run(prepared, csv, tmp) for _ in range(repeat)]
    median = lambda i: round(statistics.median(run[i] for run in runs), 3)  # noqa: E731
    result = {
        "agencies": count,
        "rows": rows,
        "upload_s": median(0),
        "snapshot_s": median(1),
        "full_s": median(2),
        "full_snapshot_s": median(3),
        "bare_group_by_s": median(4),
    }
    result["change_vs_full"] = round((result["upload_s"] + result["snapshot_s"]) / result["full_s"], 3)
    result["snapshot_vs_full_snapshot"] = round(result["snapshot_s"] / result["full_snapshot_s"], 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", default="1,10,50,1000", help="sizes of the change, in agencies that sent usage")
    parser.add_argument("--late", default="1,10,50,150", help="sizes of a late month, in agencies (table 2; empty: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    base = args.work / "medium-metrics.duckdb"
    if not base.exists():
        raise SystemExit(f"{base} is missing: run benchmarks/bench_metrics.py first")
    Database.open(base).close()  # migrations now, not inside a timed upload
    load = [round(os.getloadavg()[0], 2)]
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        sizes = [measure(base, int(n), args.repeat, Path(tmp)) for n in args.agencies.split(",") if n]
        late = [measure_late(base, int(n), args.repeat, Path(tmp)) for n in args.late.split(",") if n]
    load.append(round(os.getloadavg()[0], 2))
    results = {
        "tier": "medium",
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "load_average_1min": load,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sizes": sizes,
        "late_months": late,
    }
    out = ROOT / "benchmarks" / "results" / "recompute.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        "| agencies | usage rows | upload (s) | of which roll-ups (s) | findings (s) | full recompute (s) | (upload + findings) ÷ full |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in sizes:
        print(
            f"| {s['agencies']} | {s['rows']:,} | {s['upload_s']:.2f} | {s['refresh_s']:.2f} | {s['flags_s']:.2f} "
            f"| {s['full_s']:.2f} | {s['change_vs_full']:.2f} |"
        )
    print()
    print(
        "| agencies late | usage rows | upload (s) | snapshot (s) | full recompute (s) | of which the snapshot (s) "
        "| (upload + snapshot) ÷ full | snapshot ÷ full snapshot |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in late:
        print(
            f"| {s['agencies']} | {s['rows']:,} | {s['upload_s']:.2f} | {s['snapshot_s']:.2f} | {s['full_s']:.2f} "
            f"| {s['full_snapshot_s']:.2f} | {s['change_vs_full']:.2f} | {s['snapshot_vs_full_snapshot']:.2f} |"
        )


if __name__ == "__main__":
    main()
