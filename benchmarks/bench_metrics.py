"""Utilisation metrics on the medium demo tier, against a bare DuckDB GROUP BY over the same usage table.

    .venv/bin/python benchmarks/bench_metrics.py [--work DIR] [--repeat 5]

Builds (once) a database of the medium tier in the work directory by ingesting its files, then
measures asset_utilisation, the agency / category / supplier roll-ups and telemetry coverage, each
computed independently and from one cached per-asset table, and a bare
`SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id`. Medians of `--repeat` runs
are written to benchmarks/results/metrics.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 calls a method duckdb 2 deprecates

from tracker import metrics  # noqa: E402
from tracker.db import Database  # noqa: E402
from tracker.ingest import ingest_file  # noqa: E402

ROLLUPS = ("agency", "category", "supplier")


def clock(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def build(work: Path) -> Path:
    db_path = work / "medium-metrics.duckdb"
    if db_path.exists():
        return db_path
    demo_dir = work / "medium"
    if not (demo_dir / "usage.csv").exists():
        from tracker.demo import generate

        generate(demo_dir, scale="medium", seed=7)
    with Database.open(db_path) as db:
        for kind in ("procurement", "assets", "usage"):
            report = ingest_file(db, kind, demo_dir / f"{kind}.csv", actor="benchmark")
            print(report.summary(), file=sys.stderr)
    return db_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db = Database.open(build(args.work), read_only=True)
    backend = metrics.ibis_backend(db)
    window = metrics.Window(metrics.default_as_of(db))

    def bare() -> None:
        db.con.execute("SELECT asset_id, sum(hours_used) FROM usage_daily GROUP BY asset_id").fetchall()

    def independent() -> float:
        metrics.asset_utilisation(backend, window).to_pyarrow()
        for by in ROLLUPS:
            metrics.utilisation_by(backend, window, by).to_pyarrow()
        return metrics.telemetry_coverage(backend, window).to_pyarrow().num_rows

    def cached() -> None:
        per_asset = metrics.asset_utilisation(backend, window).cache()
        per_asset.to_pyarrow()
        for by in ROLLUPS:
            metrics.utilisation_by(backend, window, by, per_asset=per_asset).to_pyarrow()
        metrics.telemetry_coverage(backend, window).to_pyarrow()
        per_asset.release()

    cached()  # warm-up
    result = {
        "usage_rows": db.scalar("SELECT count(*) FROM usage_daily"),
        "assets": db.scalar("SELECT count(*) FROM assets"),
        "bare_group_by_s": round(statistics.median(clock(bare) for _ in range(args.repeat)), 3),
        "all_metrics_cached_s": round(statistics.median(clock(cached) for _ in range(args.repeat)), 3),
        "all_metrics_independent_s": round(statistics.median(clock(independent) for _ in range(args.repeat)), 3),
    }
    result["cached_vs_bare"] = round(result["all_metrics_cached_s"] / result["bare_group_by_s"], 1)
    out = ROOT / "benchmarks" / "results" / "metrics.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
