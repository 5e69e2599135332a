"""A crash in the middle of an upload leaves the database as before (docs/data-path.md): SIGKILL the CLI mid-upload.

The command line prints a line as each phase of an upload ends ("  read: 0.2 s", "  validate: …",
"  compare: …"), between live percentages, when its standard error is a terminal, so the child gets a pseudo-terminal as stderr
and is killed the moment the chosen phase begins: during read (as soon as the child has the usage
file open), during validate (after "read:"), during compare (after "validate:") and during the write
transaction (after "compare:"). Then the database must open, hold exactly what it held before, and
the same upload must succeed.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from tracker.store.db import Database

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
N_ASSETS, N_DAYS = 300, 3000
N_ROWS = N_ASSETS * N_DAYS
FIRST_DAY = np.datetime64("2016-01-01")
TABLES = ("procurement_lines", "assets", "usage_daily", "usage_months", "uploads", "rejected_rows", "agencies", "settings")


def child_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LANG": "C.UTF-8", "TRACKER_PROGRESS": "1"}
    env.pop("TRACKER_DB", None)
    return env


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=REPO_ROOT, env=child_env(), capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> tuple[Path, Path]:
    """An asset register of 300 devices and 900,000 usage days for them, written with pyarrow."""
    folder = tmp_path_factory.mktemp("crash")
    asset_ids = np.array([f"CR-{i:04d}" for i in range(N_ASSETS)])
    assets = pa.table(
        {
            "asset_id": asset_ids,
            "agency_code": ["A001"] * N_ASSETS,
            "category": ["laptop"] * N_ASSETS,
            "purchase_cost": ["5200.00"] * N_ASSETS,
            "purchase_date": ["2015-12-01"] * N_ASSETS,
        }
    )
    days = np.arange(N_DAYS)
    usage = pa.table(
        {
            "asset_id": np.repeat(asset_ids, N_DAYS),
            "usage_date": pa.array(np.tile(FIRST_DAY + days, N_ASSETS)),
            "hours_used": np.tile(np.round((days % 97) / 8.0, 2), N_ASSETS),
        }
    )
    options = pcsv.WriteOptions(quoting_style="none")
    assets_path, usage_path = folder / "assets.csv", folder / "usage.csv"
    pcsv.write_csv(assets, assets_path, options)
    pcsv.write_csv(usage, usage_path, options)
    return assets_path, usage_path


def db_state(db_path: Path) -> dict[str, tuple]:
    with Database.open(db_path) as db:
        state = {
            t: db.fetchone(
                f"SELECT count(*), md5(coalesce(string_agg(CAST(x AS VARCHAR), chr(30) "
                f"ORDER BY CAST(x AS VARCHAR)), '')) FROM {t} AS x"
            )
            for t in TABLES
        }
        state["tables"] = sorted(r[0] for r in db.fetchall("SELECT table_name FROM duckdb_tables()"))
        return state


def _file_is_open(pid: int, path: Path) -> bool:
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


def phase_ended(phase: str, stderr: str) -> bool:
    """Whether the phase's closing line ("  read: 1.2 s") was printed; live percentages do not count."""
    return re.search(rf"  {phase}: [0-9.]+ s", stderr) is not None


def ingest_and_kill(db_path: Path, usage_path: Path, moment: str) -> tuple[int, str]:
    """Start the usage upload with a terminal as stderr and SIGKILL it when `moment` begins; (returncode, stderr)."""
    after_phase = {"validate": "read", "compare": "validate", "write": "compare"}.get(moment)
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", str(db_path), "ingest", "usage", str(usage_path)],
        cwd=REPO_ROOT,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    seen = ""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if after_phase is None:
                if _file_is_open(child.pid, usage_path):
                    break
                time.sleep(0.0005)
                continue
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 4096).decode("utf-8", "replace")
                except OSError:
                    break
                if phase_ended(after_phase, seen):
                    break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk.decode("utf-8", "replace")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    return child.returncode, seen


@pytest.mark.parametrize("moment", ["read", "validate", "compare", "write"])
def test_killed_upload_leaves_the_database_as_before(big_files, tmp_path, moment):
    assets_path, usage_path = big_files
    db_path = tmp_path / "crash.duckdb"
    result = run_cli("--db", str(db_path), "ingest", "assets", str(assets_path))
    assert result.returncode == 0, result.stderr
    before = db_state(db_path)
    assert before["assets"][0] == N_ASSETS and before["usage_daily"][0] == 0

    returncode, stderr = ingest_and_kill(db_path, usage_path, moment)
    assert returncode == -signal.SIGKILL, f"the upload was not killed mid-way (exit {returncode}): {stderr}"
    phases_done = [p for p in ("read", "validate", "compare", "write") if phase_ended(p, stderr)]
    expected_done = {"read": [], "validate": ["read"], "compare": ["read", "validate"], "write": ["read", "validate", "compare"]}[
        moment
    ]
    assert phases_done == expected_done, f"killed in the wrong phase: {stderr!r}"

    assert db_state(db_path) == before  # opens, and nothing of the upload (rows, uploads row) is there

    result = run_cli("--db", str(db_path), "ingest", "usage", str(usage_path))
    assert result.returncode == 0, result.stderr
    with Database.open(db_path) as db:
        assert db.scalar("SELECT count(*) FROM usage_daily") == N_ROWS
        assert db.fetchall("SELECT kind, status, rows_inserted FROM uploads ORDER BY upload_id") == [
            ("assets", "committed", N_ASSETS),
            ("usage", "committed", N_ROWS),
        ]
        assert db.scalar("SELECT count(DISTINCT asset_id) FROM usage_daily") == N_ASSETS
        assert db.scalar("SELECT max(usage_date) - min(usage_date) FROM usage_daily") == N_DAYS - 1
