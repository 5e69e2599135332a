"""Ingest speed on the medium demo tier's usage CSV and Parquet, against a bare DuckDB load and pandas, in one run.

    .venv/bin/python benchmarks/bench_ingest.py [--work DIR] [--repeat 3] [--skip-pandas]
    .venv/bin/python benchmarks/bench_ingest.py --large-memory [--work DIR]

Generates the medium tier into the work directory (once; reused afterwards), then measures:
- bare DuckDB: `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a new database file, then closing
  it (the engine compresses and writes a new table's rows at that checkpoint, which an upload's
  transaction has already done by its commit: both are timed to a closed database file);
- pandas: `pandas.read_csv(file)`;
- the tracker: `ingest_file(db, "usage", file)` into a new database that already holds the assets
  (reading, typing, every row check, duplicate keys, the upsert, the upload record, one transaction);
- the same for the same rows as Parquet (written once from the CSV with DuckDB, typed columns):
  bare `CREATE TABLE t AS SELECT * FROM read_parquet(file)` against the tracker's ingest.
Each figure is the median of `--repeat` runs (pandas: one run). Results are written to
benchmarks/results/ingest.json and printed as a Markdown table. The 1-minute load average is sampled
before every run and recorded with the figures (other work on the machine inflates the seconds), and
so is each load's CPU time (user + system, every thread of this process): on a busy machine the
seconds stretch with the load, the CPU time much less, so its ratio is the steadier one.

`--large-memory`: the large tier instead (200,000 assets, 2 years, ~92 M usage rows in one Parquet
file, generated once): its usage ingest and a bare `read_parquet` CTAS each run in a child process of
their own, whose peak resident memory (the kernel's maximum RSS, as `/usr/bin/time -v` reports it) and
seconds are written to benchmarks/results/ingest-large.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from tracker.ingest.pipeline import ingest_file  # noqa: E402
from tracker.store.db import Database  # noqa: E402


def _fresh(path: Path) -> Path:
    for suffix in ("", ".wal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            candidate.unlink()
    return path


# CPU seconds of this process (every engine thread and the hashing thread) per measured load: on a machine
# shared with other work the seconds stretch with the load, the work done does not
CPU: dict[str, list[float]] = {}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_duckdb(path: Path, work: Path) -> float:
    db_path = _fresh(work / "bare.duckdb")
    con = duckdb.connect(str(db_path))
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    start, cpu = time.perf_counter(), _cpu()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [str(path)])
    con.close()  # the engine compresses and writes the new table's rows here, at its checkpoint: part of the load
    elapsed = time.perf_counter() - start
    CPU.setdefault(f"bare_duckdb{'_parquet' * (path.suffix == '.parquet')}", []).append(round(_cpu() - cpu, 2))
    return elapsed


def pandas_read(csv_path: Path) -> float:
    import pandas as pd

    start = time.perf_counter()
    pd.read_csv(csv_path)
    return time.perf_counter() - start


def tracker_ingest(csv_path: Path, assets_db: Path, work: Path) -> tuple[float, int]:
    db_path = _fresh(work / "tracker.duckdb")
    shutil.copy(assets_db, db_path)
    db = Database.open(db_path)
    start, cpu = time.perf_counter(), _cpu()
    report = ingest_file(db, "usage", csv_path, actor="benchmark")
    db.close()  # likewise (the ingest has written its rows by its commit: its close costs little)
    elapsed = time.perf_counter() - start
    CPU.setdefault(f"tracker_ingest{'_parquet' * (csv_path.suffix == '.parquet')}", []).append(round(_cpu() - cpu, 2))
    if report.status != "committed":
        raise SystemExit(f"benchmark input was not committed: {report.summary()}")
    return elapsed, report.rows_inserted


def _child(kind: str, path: Path, db_path: Path) -> dict:
    """Run one load in a child process: its seconds (as it measured them) and its peak resident memory."""
    command = [sys.executable, __file__, "--child", kind, str(path), str(db_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if status != 0:
        raise SystemExit(f"{kind} load failed: {out}")
    return {"seconds": round(float(out.split()[-1]), 1), "peak_rss_gb": round(usage.ru_maxrss / 1024**2, 2)}


def run_child(kind: str, path: Path, db_path: Path) -> None:
    """In the child: the load itself; prints its seconds."""
    start = time.perf_counter()
    if kind == "bare":
        con = duckdb.connect(str(db_path))
        con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [str(path)])
        con.close()
    else:
        with Database.open(db_path) as db:
            report = ingest_file(db, "usage", path, actor="benchmark")
        if report.status != "committed":
            raise SystemExit(f"benchmark input was not committed: {report.summary()}")
    print(time.perf_counter() - start)


def large_memory(work: Path) -> None:
    """Peak memory of the large tier's usage ingest (and of a bare CTAS of the same file), each in its own process."""
    from tracker.engine.parameters import set_setting

    demo_dir = work / "large"
    usage = demo_dir / "usage.parquet"
    if not usage.exists():
        from tracker.demo.tiers import generate

        print("generating the large tier…", file=sys.stderr)
        generate(demo_dir, scale="large", seed=7, progress=lambda m: print(m, file=sys.stderr))
    rows = duckdb.execute("SELECT count(*) FROM read_parquet(?)", [str(usage)]).fetchone()[0]
    db_path = _fresh(work / "large-ingest.duckdb")
    with Database.open(db_path) as db:
        set_setting(db, "max_upload_rows", str(rows), actor="benchmark")
        ingest_file(db, "assets", demo_dir / "assets.parquet", actor="benchmark")
    load = round(os.getloadavg()[0], 2)
    bare = _child("bare", usage, _fresh(work / "large-bare.duckdb"))
    ours = _child("ingest", usage, db_path)
    result = {
        "file": "large tier usage.parquet",
        "rows": rows,
        "parquet_mb": round(usage.stat().st_size / 1e6, 1),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "duckdb": duckdb.__version__,
        "bare_duckdb_parquet": bare,
        "tracker_ingest_parquet": ours,
        "load_average_1min": [load, round(os.getloadavg()[0], 2)],
    }
    out = ROOT / "benchmarks" / "results" / "ingest-large.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--large-memory", action="store_true", help="the large tier's ingest peak memory instead")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    if args.large_memory:
        large_memory(args.work)
        return
    demo_dir = args.work / "medium"
    usage_csv = demo_dir / "usage.csv"
    if not usage_csv.exists():
        from tracker.demo.tiers import generate

        print("generating the medium tier…", file=sys.stderr)
        generate(demo_dir, scale="medium", seed=7, progress=lambda m: print(m, file=sys.stderr))
    assets_db = _fresh(args.work / "assets.duckdb")
    with Database.open(assets_db) as db:
        ingest_file(db, "assets", demo_dir / "assets.csv", actor="benchmark")
    size_mb = usage_csv.stat().st_size / 1e6

    usage_parquet = demo_dir / "usage.parquet"
    if not usage_parquet.exists():
        duckdb.execute(f"COPY (SELECT * FROM read_csv(?)) TO '{usage_parquet}' (FORMAT parquet)", [str(usage_csv)])
    bare, ours, bare_pq, ours_pq, rows, loads = [], [], [], [], 0, []
    for _ in range(args.repeat):  # interleaved, so that other work on the machine weighs on both alike
        loads.append(round(os.getloadavg()[0], 2))
        bare.append(bare_duckdb(usage_csv, args.work))
        elapsed, rows = tracker_ingest(usage_csv, assets_db, args.work)
        ours.append(elapsed)
        bare_pq.append(bare_duckdb(usage_parquet, args.work))
        ours_pq.append(tracker_ingest(usage_parquet, assets_db, args.work)[0])
    pandas_s = None if args.skip_pandas else pandas_read(usage_csv)

    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    bare_pq_s, ours_pq_s = statistics.median(bare_pq), statistics.median(ours_pq)
    result = {
        "file": "medium tier usage.csv",
        "rows": rows,
        "size_mb": round(size_mb, 1),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "bare_duckdb_s": round(bare_s, 2),
        "tracker_ingest_s": round(ours_s, 2),
        "pandas_read_csv_s": None if pandas_s is None else round(pandas_s, 2),
        "tracker_vs_bare": round(ours_s / bare_s, 2),
        "parquet_mb": round(usage_parquet.stat().st_size / 1e6, 1),
        "bare_duckdb_parquet_s": round(bare_pq_s, 2),
        "tracker_ingest_parquet_s": round(ours_pq_s, 2),
        "tracker_vs_bare_parquet": round(ours_pq_s / bare_pq_s, 2),
        "load_average_1min": round(statistics.median(loads), 2),
        "load_average_1min_per_run": loads,
        "pandas_vs_bare": None if pandas_s is None else round(pandas_s / bare_s, 2),
        "cpu_s": {k: statistics.median(v) for k, v in CPU.items()},
        "cpu_vs_bare": round(statistics.median(CPU["tracker_ingest"]) / statistics.median(CPU["bare_duckdb"]), 2),
        "cpu_vs_bare_parquet": round(
            statistics.median(CPU["tracker_ingest_parquet"]) / statistics.median(CPU["bare_duckdb_parquet"]), 2
        ),
        "cpu_runs": CPU,
        "runs": {
            "bare_duckdb": [round(x, 2) for x in bare],
            "tracker_ingest": [round(x, 2) for x in ours],
            "bare_duckdb_parquet": [round(x, 2) for x in bare_pq],
            "tracker_ingest_parquet": [round(x, 2) for x in ours_pq],
        },
    }
    out = ROOT / "benchmarks" / "results" / "ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"| {rows:,} usage rows, {size_mb:,.0f} MB CSV, {os.cpu_count()} cores | seconds | × bare DuckDB |")
    print("| --- | ---: | ---: |")
    print(f"| bare DuckDB `CREATE TABLE … AS SELECT * FROM read_csv(…)` | {bare_s:.2f} | 1.00 |")
    print(f"| tracker `ingest usage` (all checks, upsert, one transaction) | {ours_s:.2f} | {ours_s / bare_s:.2f} |")
    print(f"| bare DuckDB `CREATE TABLE … AS SELECT * FROM read_parquet(…)` | {bare_pq_s:.2f} | 1.00 |")
    print(f"| tracker `ingest usage` of the same rows as Parquet | {ours_pq_s:.2f} | {ours_pq_s / bare_pq_s:.2f} |")
    if pandas_s is not None:
        print(f"| `pandas.read_csv` | {pandas_s:.2f} | {pandas_s / bare_s:.2f} |")


if __name__ == "__main__":
    main()
