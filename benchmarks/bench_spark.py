"""The flag catalogue on DuckDB and on Spark local[2], over the same data, in the same run.

    .venv/bin/python benchmarks/bench_spark.py [--tier small|medium|large] [--repeat 3] [--work DIR]

Uses the tier's database `<work>/<tier>-metrics.duckdb` (the one benchmarks/bench_metrics.py builds;
built here from the tier's demo files when missing), exports it once as a lake to `<work>/<tier>-lake/`
(timed: export_lake_s), then measures the whole flag catalogue (tracker.engine.rules.compute_flags_on with
the stored settings, as `python -m tracker flags` runs it):
- duckdb_db_flags_s: DuckDB on the database file, median of --repeat runs after one warm-up;
- duckdb_lake_flags_s: DuckDB reading the lake's Parquet files, the same way;
- spark_session_start_s: starting a local[2] SparkSession (the JVM), apart from any query;
- spark_open_lake_s: reading the lake's settings and registering its tables;
- spark_flags_first_s: the first flags run on the new session (JIT compilation, first reads);
- spark_flags_warm_s: a second run on the same session (what a long-lived session or cluster sees).
Spark runs with its defaults but a driver heap of --spark-memory (local mode runs everything in the
driver JVM, whose default 1 GB would spill a large tier to disk). The three results are compared:
same_findings is true when flag ids and values at stake agree.

The machine's other work skews every figure: the 1-minute load average is recorded before and after.
Results go to benchmarks/results/spark.json (large) or spark-<tier>.json (other tiers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 calls a method duckdb 2 deprecates

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

from tracker.demo.tiers import TIERS, generate  # noqa: E402
from tracker.engine.lake import export_lake, flags_from_lake, open_lake, spark_session  # noqa: E402
from tracker.engine.parameters import set_setting
from tracker.engine.rules.run import compute_flags  # noqa: E402
from tracker.ingest.pipeline import ingest_file  # noqa: E402
from tracker.store.db import Database  # noqa: E402
from tracker.store.settings import load_settings  # noqa: E402

KINDS = ("procurement", "assets", "usage")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(label: str, fn: Callable[[], object]) -> tuple[float, object]:
    say(f"{label}…")
    start = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - start
    say(f"{label}: {elapsed:.1f} s")
    return round(elapsed, 3), value


def median_of(label: str, fn: Callable[[], pa.Table], repeat: int) -> tuple[float, pa.Table]:
    """Median wall time of `repeat` runs after one warm-up, and the last result."""
    _, result = timed(f"{label} (warm-up)", fn)
    runs = []
    for i in range(repeat):
        elapsed, result = timed(f"{label} ({i + 1}/{repeat})", fn)
        runs.append(elapsed)
    return round(statistics.median(runs), 3), result


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 1e6, 1)


def database(work: Path, tier: str) -> Path:
    """`<work>/<tier>-metrics.duckdb`, built from the tier's demo files (generated when missing) if not there."""
    db_path = work / f"{tier}-metrics.duckdb"
    if db_path.exists():
        return db_path
    say(f"{db_path} is not there: building it")
    demo_dir = work / tier
    ext = "csv" if TIERS[tier].file_format == "csv" else "parquet"
    paths = {kind: demo_dir / f"{kind}.{ext}" for kind in KINDS}
    if not all(p.exists() for p in paths.values()):
        timed(f"generating the {tier} tier", lambda: generate(demo_dir, scale=tier, seed=7, progress=say))
    building = db_path.with_name(db_path.name + ".building")  # a failed ingest leaves no half-built database
    building.unlink(missing_ok=True)
    with Database.open(building) as db:
        usage_rows = json.loads((demo_dir / "ground_truth.json").read_text(encoding="utf-8"))["counts"]["usage_rows"]
        if usage_rows > load_settings(db).max_upload_rows:
            set_setting(db, "max_upload_rows", str(usage_rows), actor="benchmark")
        for kind in KINDS:
            _, report = timed(
                f"ingesting {paths[kind].name}", lambda kind=kind: ingest_file(db, kind, paths[kind], actor="benchmark")
            )
            if report.status != "committed":
                raise SystemExit(f"benchmark input was not committed: {report.summary()}")
    building.rename(db_path)
    return db_path


def findings(table: pa.Table) -> list[tuple]:
    return sorted(zip(table.column("flag_id").to_pylist(), table.column("value_at_stake").to_pylist()))


def java_version() -> str:
    result = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return (result.stderr or result.stdout).splitlines()[0] if result.returncode == 0 else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=tuple(TIERS), default="large")
    parser.add_argument("--repeat", type=int, default=3, help="timed DuckDB runs after the warm-up")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-memory", default="8g", help="driver heap (local mode runs all in the driver)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db_path = database(args.work, args.tier)
    lake_dir = args.work / f"{args.tier}-lake"
    spark_conf = {"spark.driver.memory": args.spark_memory, "spark.ui.enabled": "false"}

    import pyspark

    result: dict = {
        "tier": args.tier,
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "load_average_1min": [round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyspark": pyspark.__version__,
        "java": java_version(),
        "spark_master": args.spark_master,
        "spark_conf": spark_conf,
    }
    db = Database.open(db_path, read_only=True)
    result |= {
        "usage_rows": db.scalar("SELECT count(*) FROM usage_daily"),
        "assets": db.scalar("SELECT count(*) FROM assets"),
        "db_mb": size_mb(db_path),
    }
    result["export_lake_s"], _ = timed("exporting the lake", lambda: export_lake(db, lake_dir, overwrite=lake_dir.exists()))
    result["lake_mb"] = size_mb(lake_dir)

    result["duckdb_db_flags_s"], on_db = median_of("flags, DuckDB on the database", lambda: compute_flags(db), args.repeat)
    duckdb_lake = open_lake(lake_dir, "duckdb")
    result["duckdb_lake_flags_s"], on_lake = median_of(
        "flags, DuckDB on the lake", lambda: flags_from_lake(duckdb_lake), args.repeat
    )

    result["spark_session_start_s"], spark = timed("starting Spark", lambda: spark_session(args.spark_master, spark_conf))
    result["spark_open_lake_s"], spark_lake = timed(
        "opening the lake on Spark", lambda: open_lake(lake_dir, "spark", spark=spark)
    )
    result["spark_flags_first_s"], _ = timed("flags, Spark on the lake (first run)", lambda: flags_from_lake(spark_lake))
    result["spark_flags_warm_s"], on_spark = timed("flags, Spark on the lake (second run)", lambda: flags_from_lake(spark_lake))
    spark.stop()

    result["flags"] = on_db.num_rows
    result["same_findings"] = findings(on_db) == findings(on_lake) == findings(on_spark)
    result["load_average_1min"].append(round(os.getloadavg()[0], 2))
    result["spark_warm_vs_duckdb_db"] = round(result["spark_flags_warm_s"] / result["duckdb_db_flags_s"], 1)
    db.close()

    name = "spark.json" if args.tier == "large" else f"spark-{args.tier}.json"
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
