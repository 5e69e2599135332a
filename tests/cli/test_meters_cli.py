"""`ingest meters FILE` on the command line: stored, or refused with the reasons in the reader's language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracker.store.db import Database

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_ingest_meters_stores_readings_and_refuses_bad_ones_in_chinese(tmp_path):
    db_path = tmp_path / "m.duckdb"
    assets = tmp_path / "assets.csv"
    assets.write_text("asset_id,agency_code,category,purchase_cost\nPR-1,A001,printer,2600\n", encoding="utf-8")
    assert run("--db", str(db_path), "ingest", "assets", str(assets)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("资产编号,读数时间,计数器,读数\nPR-1,2025-03-01,总页数,-3\n", encoding="utf-8")
    refused = run("--db", str(db_path), "--lang", "zh", "ingest", "meters", str(bad))
    assert refused.returncode == 1
    assert "不能为负数" in refused.stdout + refused.stderr
    good = tmp_path / "good.csv"
    good.write_text("资产编号,读数时间,计数器,读数\nPR-1,2025-03-01,总页数,1802\n", encoding="utf-8")
    stored = run("--db", str(db_path), "ingest", "meters", str(good))
    assert stored.returncode == 0, stored.stderr
    with Database.open(db_path) as db:
        assert db.fetchall("SELECT asset_id, meter, value FROM meter_readings") == [("PR-1", "pages_total", 1802.0)]
