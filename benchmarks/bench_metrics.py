"""Utilisation metrics and the flag catalogue on a demo tier, against baselines measured in the same run.

    .venv/bin/python benchmarks/bench_metrics.py [--tier medium|large] [--repeat 5] [--work DIR]

Builds (once) a database `<tier>-metrics.duckdb` in the work directory by ingesting the tier's demo
files (procurement, assets, usage, in that order; generated into `<work>/<tier>/` when missing: CSV
for medium, Parquet for large). Generation and ingest times are printed, not recorded. A tier with
more usage rows than the stored `max_upload_rows` setting (the large tier: ~92 M rows against the
default 50 M) gets that setting raised in its benchmark database before the usage upload.

Then, each figure the median of `--repeat` runs in this process after one warm-up run:
- bare_group_by_s: `SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id` fetched to
  Arrow through the tracker's Database, the baseline of the ratios;
- all_metrics_cached_s: asset_utilisation cached once, its agency / category / supplier roll-ups and
  telemetry coverage; all_metrics_independent_s: the same, each roll-up recomputing the per-asset table;
- flags_s: `tracker.engine.rules.compute_flags(db)`, the whole flag catalogue with its default window,
  a second run in the process (the SQL of every query already compiled: tracker.engine.compiled_sql);
  flags_compiling_s: the same with the process's compiled SQL forgotten before each run (what a first
  run pays, and what every run paid before); the two alternate, `--repeat` times each;
- pandas_per_asset_s: per-asset used hours in pandas (window [as_of-364, as_of], hours > 0, a day's
  hours summed over sources and capped at 24 h, then per asset: hours, days, last date; joined to
  the register), on DataFrames read before the timer (pandas_load_s, asset ids and sources as
  categoricals). Unlike the tracker it ignores each asset's active period: a baseline, not a check.

And in fresh processes, before this process opens the database (a `flags` command opens it for writing):
- cli_flags_s: the whole `python -m tracker --db DB flags -o FILE.csv` command on data whose findings
  are not yet stored (the stored snapshots deleted before each run), median of 3 runs;
- cli_flags_stored_s: the same command once the data version's snapshot is stored (by the runs above,
  as by the dashboard or an earlier export of the same data), median of 3 runs;
- flags_peak_rss_mb: peak resident memory (`/usr/bin/time -f %M`) of one process that opens the
  database read-only and runs compute_flags once.

Also recorded: metrics_vs_bare (cached), flags_vs_bare, flags_compiling_vs_bare and pandas_vs_bare;
shapes_compiled (in the whole benchmark process: one flag run compiles 18 on the medium tier); the usage rows, assets and
flags, with the tier's planted cases from its ground_truth.json (a correct run flags exactly those);
the usage file's and the database's size in MB; cores, the 1-minute load average at the start and
the end of the timings, and versions.

Results go to benchmarks/results/metrics.json (medium) or metrics-<tier>.json (other tiers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 calls a method duckdb 2 deprecates

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from tracker.demo.tiers import TIERS, generate  # noqa: E402
from tracker.engine import metrics  # noqa: E402
from tracker.engine.compiled_sql import SHAPES  # noqa: E402
from tracker.engine.parameters import set_setting  # noqa: E402
from tracker.engine.rules.run import compute_flags  # noqa: E402
from tracker.engine.utilisation_parts import MAX_HOURS_PER_DAY  # noqa: E402
from tracker.ingest.pipeline import ingest_file  # noqa: E402
from tracker.store.db import Database  # noqa: E402
from tracker.store.settings import load_settings  # noqa: E402

ROLLUPS = ("agency", "category", "supplier")
KINDS = ("procurement", "assets", "usage")
BARE_SQL = "SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id"
CLI_RUNS = 3
# one fresh process: open the database read-only and run the flag catalogue once
FLAGS_ONCE = (
    "import sys, warnings; warnings.simplefilter('ignore', DeprecationWarning); sys.path.insert(0, sys.argv[1]); "
    "from tracker.store.db import Database; from tracker.engine.rules.run import compute_flags; "
    "db = Database.open(sys.argv[2], read_only=True); print(compute_flags(db).num_rows)"
)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def clock(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(label: str, fn, repeat: int) -> float:
    """Median wall time of `repeat` runs of fn, after one warm-up run."""
    say(f"timing {label}…")
    fn()
    return round(statistics.median(clock(fn) for _ in range(repeat)), 3)


def mb(path: Path) -> float:
    return round(path.stat().st_size / 1e6, 1)


def demo_files(work: Path, tier: str) -> dict[str, Path]:
    """The tier's input files in `<work>/<tier>/`, generated when one is missing."""
    demo_dir = work / tier
    ext = "csv" if TIERS[tier].file_format == "csv" else "parquet"
    paths = {kind: demo_dir / f"{kind}.{ext}" for kind in KINDS}
    if not all(path.exists() for path in paths.values()) or not (demo_dir / "ground_truth.json").exists():
        say(f"generating the {tier} tier into {demo_dir}…")
        elapsed = clock(lambda: generate(demo_dir, scale=tier, seed=7, progress=say))
        say(f"generation took {elapsed:.1f} s")
    return paths


def build(work: Path, tier: str, paths: dict[str, Path], usage_rows: int) -> Path:
    """The tier's benchmark database, ingested once; its schema brought up to date on every run."""
    db_path = work / f"{tier}-metrics.duckdb"
    if db_path.exists():
        Database.open(db_path).close()  # migrations now, not inside the first timed `flags` command
        return db_path
    building = db_path.with_name(db_path.name + ".building")  # a failed ingest leaves no half-built database
    for stale in (building, Path(f"{building}.wal")):
        stale.unlink(missing_ok=True)
    with Database.open(building) as db:
        limit = load_settings(db).max_upload_rows
        if usage_rows > limit:
            set_setting(db, "max_upload_rows", str(usage_rows), actor="benchmark")
            say(f"max_upload_rows raised from {limit:,} to {usage_rows:,} in this database")
        total = 0.0
        for kind in KINDS:
            say(f"ingesting {paths[kind].name} ({mb(paths[kind]):,} MB)…")
            start = time.perf_counter()
            report = ingest_file(db, kind, paths[kind], actor="benchmark")
            elapsed = time.perf_counter() - start
            total += elapsed
            say(f"{report.summary()} ({elapsed:.1f} s)")
            if report.status != "committed":
                raise SystemExit(f"benchmark input was not committed: {report.summary()}")
        say(f"ingest took {total:.1f} s")
    building.rename(db_path)
    return db_path


def cli_flags_s(db_path: Path, *, stored: bool = False) -> float:
    """Median wall time of the whole `flags` command, interpreter start-up included.

    `stored`: with the data version's snapshot stored; else each run finds none (deleted before the timer).
    """
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "tracker", "--db", str(db_path), "flags", "-o", str(Path(tmp) / "flags.csv")]
        runs = []
        for _ in range(CLI_RUNS):
            if not stored:
                con = duckdb.connect(str(db_path))
                con.execute("DELETE FROM snapshots")
                con.close()
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - start)
    return round(statistics.median(runs), 3)


def flags_peak_rss_mb(db_path: Path) -> float:
    """Peak resident memory of one fresh process that opens the database and runs compute_flags once."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rss"
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(report), sys.executable, "-c", FLAGS_ONCE, str(ROOT), str(db_path)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return round(int(report.read_text().split()[-1]) / 1024, 1)  # %M is in KiB


def load_pandas(db: Database) -> tuple[pd.DataFrame, pd.DataFrame]:
    """usage_daily (asset_id, usage_date, source, hours_used) and the register as DataFrames, ids as categoricals."""
    usage = db.arrow("SELECT asset_id, usage_date, source, hours_used FROM usage_daily")
    for name in ("asset_id", "source"):
        usage = usage.set_column(usage.schema.get_field_index(name), name, pc.dictionary_encode(usage.column(name)))
    return usage.to_pandas(date_as_object=False), db.df("SELECT * FROM assets")


def pandas_per_asset(usage: pd.DataFrame, assets: pd.DataFrame, window: metrics.Window) -> pd.DataFrame:
    """Per asset: used hours (a day capped at 24 h), days used and last date in the window, joined to the register."""
    start, as_of = pd.Timestamp(window.as_of - timedelta(days=364)), pd.Timestamp(window.as_of)
    dates = usage["usage_date"]
    rows = usage[(dates >= start) & (dates <= as_of) & (usage["hours_used"] > 0)]
    days = rows.groupby(["asset_id", "usage_date"], observed=True)["hours_used"].sum()
    days = days.clip(upper=MAX_HOURS_PER_DAY).reset_index()
    per_asset = days.groupby("asset_id", observed=True).agg(
        used_hours=("hours_used", "sum"), active_days=("usage_date", "count"), last_used=("usage_date", "max")
    )
    per_asset.index = per_asset.index.astype(str)
    return assets.join(per_asset, on="asset_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("medium", "large"), default="medium")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument(
        "--flags-only", action="store_true", help="only the bare GROUP BY and compute_flags, alternately (flags-<tier>.json)"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    paths = demo_files(args.work, args.tier)
    truth = json.loads((paths["usage"].parent / "ground_truth.json").read_text(encoding="utf-8"))["counts"]
    db_path = build(args.work, args.tier, paths, truth["usage_rows"])

    say("timing the flags command and its memory in fresh processes…")
    result: dict = {
        "tier": args.tier,
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "load_average_1min": [round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "usage_file_mb": mb(paths["usage"]),
        "db_mb": mb(db_path),
    }
    if not args.flags_only:
        result["cli_flags_s"] = cli_flags_s(db_path)
        result["cli_flags_stored_s"] = cli_flags_s(db_path, stored=True)
        result["flags_peak_rss_mb"] = flags_peak_rss_mb(db_path)

    db = Database.open(db_path, read_only=True)
    backend = metrics.ibis_backend(db)
    window = metrics.Window(metrics.default_as_of(db))

    def independent() -> None:
        metrics.asset_utilisation(backend, window).to_pyarrow()
        for by in ROLLUPS:
            metrics.utilisation_by(backend, window, by).to_pyarrow()
        metrics.telemetry_coverage(backend, window).to_pyarrow()

    def cached() -> None:
        per_asset = metrics.asset_utilisation(backend, window).cache()
        per_asset.to_pyarrow()
        for by in ROLLUPS:
            metrics.utilisation_by(backend, window, by, per_asset=per_asset).to_pyarrow()
        metrics.telemetry_coverage(backend, window).to_pyarrow()
        per_asset.release()

    result |= {
        "usage_rows": db.scalar("SELECT count(*) FROM usage_daily"),
        "assets": db.scalar("SELECT count(*) FROM assets"),
        "flags": compute_flags(db).num_rows,
        "planted_cases": truth["planted"],
    }
    if not args.flags_only:
        result["bare_group_by_s"] = median_of("the bare GROUP BY", lambda: db.arrow(BARE_SQL), args.repeat)
        result["all_metrics_cached_s"] = median_of("the metrics, cached", cached, args.repeat)
        result["all_metrics_independent_s"] = median_of("the metrics, independent", independent, args.repeat)
    say("timing compute_flags, compiling every query and with the compiled SQL kept, alternately…")
    db.arrow(BARE_SQL)
    compiling, kept, bare = [], [], []
    for _ in range(args.repeat):  # alternate: the machine is shared, so all three see the same load
        bare.append(clock(lambda: db.arrow(BARE_SQL)))
        SHAPES.clear()
        compiling.append(clock(lambda: compute_flags(db)))
        kept.append(clock(lambda: compute_flags(db)))
    result["flags_compiling_s"] = round(statistics.median(compiling), 3)
    result["flags_s"] = round(statistics.median(kept), 3)
    result["shapes_compiled"] = SHAPES.compiled
    if args.flags_only:
        result["bare_group_by_s"] = round(statistics.median(bare), 3)
        result["load_average_1min"].append(round(os.getloadavg()[0], 2))
        bare_s = result["bare_group_by_s"]
        for key in ("flags_compiling", "flags"):
            result[f"{key}_vs_bare"] = round(result[f"{key}_s"] / bare_s, 1)
        out = ROOT / "benchmarks" / "results" / f"flags-{args.tier}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        return
    say("reading usage_daily and assets into pandas…")
    load_start = time.perf_counter()
    usage, assets = load_pandas(db)
    result["pandas_load_s"] = round(time.perf_counter() - load_start, 3)
    result["pandas_per_asset_s"] = median_of("pandas", lambda: pandas_per_asset(usage, assets, window), args.repeat)
    result["load_average_1min"].append(round(os.getloadavg()[0], 2))  # other work on the machine skews every figure
    bare = result["bare_group_by_s"]
    for key, measured in (
        ("metrics", "all_metrics_cached_s"),
        ("flags_compiling", "flags_compiling_s"),
        ("flags", "flags_s"),
        ("pandas", "pandas_per_asset_s"),
    ):
        result[f"{key}_vs_bare"] = round(result[measured] / bare, 1)

    name = "metrics.json" if args.tier == "medium" else f"metrics-{args.tier}.json"
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
