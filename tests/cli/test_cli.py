"""The command line (README, Command line): init, demo and ingest, their streams and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tracker.store.db import Database

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_init_creates_an_empty_migrated_database(tmp_path):
    db_path = tmp_path / "new.duckdb"
    result = run("--db", str(db_path), "init")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "schema version" in result.stderr
    with Database.open(db_path) as db:
        assert db.scalar("SELECT count(*) FROM uploads") == 0
        assert db.scalar("SELECT count(*) FROM category_profiles") == 15  # the default profiles, stored and editable


def test_init_demo_loads_the_small_tier(tmp_path):
    db_path = tmp_path / "demo.duckdb"
    result = run("--db", str(db_path), "init", "--demo")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    with Database.open(db_path) as db:
        assert db.scalar("SELECT count(DISTINCT agency_code) FROM assets") == 5
        assert 1500 <= db.scalar("SELECT count(*) FROM assets") <= 2500
        assert db.scalar("SELECT count(*) FROM usage_daily") > 100_000
        assert db.fetchall("SELECT DISTINCT status FROM uploads") == [("committed",)]


def test_db_comes_from_the_environment_when_not_given(tmp_path):
    db_path = tmp_path / "from-env.duckdb"
    result = run("init", env_extra={"TRACKER_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert db_path.exists()


def test_demo_writes_files_and_lists_them_on_stdout(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--scale", "small", "--seed", "3")
    assert result.returncode == 0, result.stderr
    listed = [Path(line) for line in result.stdout.splitlines()]
    assert {p.name for p in listed} == {"procurement.csv", "assets.csv", "usage.csv", "requests.csv", "ground_truth.json"}
    assert all(p.exists() for p in listed)
    assert json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))["seed"] == 3


def test_messages_follow_the_language_option(tmp_path):
    missing = tmp_path / "nowhere.csv"
    english = run("--db", str(tmp_path / "x.duckdb"), "ingest", "assets", str(missing))
    chinese = run("--db", str(tmp_path / "x.duckdb"), "--lang", "zh", "ingest", "assets", str(missing))
    assert english.returncode == chinese.returncode == 2  # a file that is not there is a usage error
    assert "does not exist" in english.stderr
    assert "不存在" in chinese.stderr


def test_unknown_command_is_a_usage_error(tmp_path):
    result = run("--db", str(tmp_path / "x.duckdb"), "frobnicate")
    assert result.returncode == 2
