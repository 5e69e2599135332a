"""Server-side time of the dashboard's Overview on the medium demo tier, against a trivial page in the same run.

    .venv/bin/python benchmarks/bench_dashboard.py [--work DIR] [--repeat 5]

Uses the medium-tier database that benchmarks/bench_metrics.py builds, on a private copy. Measures, with Streamlit's AppTest (the script run, no browser):
- first_load_computed_s: a fresh process opens the Overview on data it has never seen
  (per-asset utilisation and the flag catalogue computed, then stored);
- first_load_stored_s: a fresh process opens the Overview when the snapshot is stored already
  (a dashboard restarted on unchanged data);
- first_load_computed_sql_kept_s: a fresh process opens the Overview on data it has never seen, in a
  folder where an earlier process kept its compiled SQL (tracker.engine.compiled_sql): what a
  dashboard restarted after an upload pays;
- filter_run_s: one page run after changing the agency filter (median of --repeat);
- baseline_run_s: one run of a page that only writes a line of text, in the same process.
Each first load is timed inside its own subprocess, from before the first AppTest run to its end
(interpreter start-up and imports excluded, reported apart as import_s). Results go to
benchmarks/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")

FIRST_LOAD = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
started = time.perf_counter()
from streamlit.testing.v1 import AppTest
import tracker.views.overview, tracker.engine.rules, tracker.ui.overview_page
imported = time.perf_counter()
from datetime import datetime
from tracker.access.auth import User
at = AppTest.from_file(sys.argv[1], default_timeout=600)
at.session_state["user"] = User("finance", "finance", None, None)  # signed in: the overview is what is timed
at.session_state["user_last_seen"] = datetime.now()
at.run()
assert not at.exception, [e.value for e in at.exception]
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "first_load_s": done - imported, "metrics": len(at.metric)}))
"""


def first_load(db_path: Path) -> dict:
    env = dict(os.environ, TRACKER_DB=str(db_path))
    out = subprocess.run([sys.executable, "-c", FIRST_LOAD, APP], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = args.work / "medium-metrics.duckdb"
    if not source.exists():
        sys.exit(f"{source} is missing: run benchmarks/bench_metrics.py --tier medium first (it builds it)")
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        db_path = Path(tmp) / "medium.duckdb"
        shutil.copyfile(source, db_path)
        computed = first_load(db_path)  # computes and stores the snapshot
        stored = first_load(db_path)  # a restart on unchanged data
        # data never seen, in a folder where an earlier process kept its compiled SQL (a dashboard restarted
        # after an upload): the same first load, compiling nothing
        again = Path(tmp) / "again"
        again.mkdir()
        shutil.copyfile(source, again / "medium.duckdb")
        shutil.copytree(Path(tmp) / ".compiled-sql", again / ".compiled-sql")
        kept_sql = first_load(again / "medium.duckdb")
        os.environ["TRACKER_DB"] = str(db_path)
        import warnings

        warnings.simplefilter("ignore")
        from datetime import datetime

        from streamlit.testing.v1 import AppTest

        from tracker.access.auth import User

        at = AppTest.from_file(APP, default_timeout=600)
        at.session_state["user"] = User("finance", "finance", None, None)
        at.session_state["user_last_seen"] = datetime.now()
        at.run()
        agencies = [o for o in at.multiselect(key="f_agencies").options][: args.repeat + 1]
        runs = []
        for code in agencies:
            at.multiselect(key="f_agencies").set_value([code.split(" · ")[0]])
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
            assert not at.exception
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text("import streamlit as st\nst.write('hello')\n", encoding="utf-8")
        base = AppTest.from_file(str(trivial)).run()
        baseline = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            base.run()
            baseline.append(time.perf_counter() - start)
    result = {
        "usage_rows": None,
        "import_s": round(stored["import_s"], 3),
        "first_load_computed_s": round(computed["first_load_s"], 3),
        "first_load_stored_s": round(stored["first_load_s"], 3),
        "first_load_computed_sql_kept_s": round(kept_sql["first_load_s"], 3),
        "filter_run_s": round(statistics.median(runs[1:] or runs), 3),
        "baseline_run_s": round(statistics.median(baseline), 4),
    }
    import duckdb

    with duckdb.connect(str(source), read_only=True) as con:
        result["usage_rows"] = con.execute("SELECT count(*) FROM usage_daily").fetchone()[0]
    result["filter_run_vs_baseline"] = round(result["filter_run_s"] / result["baseline_run_s"], 1)
    out = ROOT / "benchmarks" / "results" / "dashboard.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
