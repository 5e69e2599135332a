"""What a new month of usage from some agencies costs: the upload, then the findings again, against a full recompute.

    .venv/bin/python benchmarks/bench_recompute.py [--agencies 1,10,50,1000] [--repeat 3] [--work DIR]

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

Every figure is the median of `--repeat` runs. Results go to benchmarks/results/recompute.json and are
printed as a Markdown table, with `(upload + flags) / full` per size.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", default="1,10,50,1000", help="sizes of the change, in agencies that sent usage")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    base = args.work / "medium-metrics.duckdb"
    if not base.exists():
        raise SystemExit(f"{base} is missing: run benchmarks/bench_metrics.py first")
    Database.open(base).close()  # migrations now, not inside a timed upload
    load = [round(os.getloadavg()[0], 2)]
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        sizes = [measure(base, int(n), args.repeat, Path(tmp)) for n in args.agencies.split(",")]
    load.append(round(os.getloadavg()[0], 2))
    results = {
        "tier": "medium",
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "load_average_1min": load,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sizes": sizes,
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


if __name__ == "__main__":
    main()
