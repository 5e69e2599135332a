"""The installable package: a wheel built from the checkout, installed into a fresh virtual environment,
gives a `tracker` command whose CLI, package data (migrations, upload templates) and dashboard work
from outside the checkout.

The fresh environment reuses the test run's installed dependencies through a .pth file (nothing is
downloaded but the build backend); the checkout itself is not on its path.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import tracker

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel` of a copy of the sources (the build leaves build/ and *.egg-info beside them)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "requirements.txt", "requirements-spark.txt"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "tracker", source / "tracker", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(source)], cwd=source)
    (built,) = dist.glob("tracker-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; the shared dependencies come from this run's site-packages."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=env_dir.parent)
    python = env_dir / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)], cwd=env_dir.parent
    )
    purelib = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=env_dir).stdout.strip()
    )
    (purelib / "shared-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return env_dir


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DB", "PYTHONPATH")}
    env.update(extra)
    return env


def test_the_wheel_holds_the_package_data_and_declares_the_runtime_dependencies(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "tracker/ui/app.py" in names
    assert "tracker/store/migrations/001_initial.sql" in names or any(n.startswith("tracker/store/migrations/0") for n in names)
    assert "tracker/ingest/template_files/assets_zh.xlsx" in names
    assert "tracker/ingest/ocds_merge_rules.json" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "data/", "docs/")) for n in names)
    assert f"Version: {tracker.__version__}" in metadata
    assert "Requires-Dist: streamlit" in metadata and "Requires-Dist: duckdb" in metadata
    assert "tracker = tracker.cli.main:main" in entry_points


def test_the_installed_command_runs_outside_the_checkout(venv, tmp_path):
    tracker_cmd = str(venv / "bin" / "tracker")
    python = str(venv / "bin" / "python")
    where = _run(
        [python, "-c", "import tracker, importlib.metadata as m; print(tracker.__file__); print(m.version('tracker'))"],
        cwd=tmp_path,
        env=_env(),
    )
    module_file, version = where.stdout.split()
    assert Path(module_file).is_relative_to(venv) and version == tracker.__version__

    assert "dashboard" in _run([tracker_cmd, "--help"], cwd=tmp_path, env=_env()).stdout
    assert "--port" in _run([tracker_cmd, "dashboard", "--help"], cwd=tmp_path, env=_env()).stdout

    explicit = tmp_path / "elsewhere" / "x.duckdb"
    _run([tracker_cmd, "init", "--db", str(explicit)], cwd=tmp_path, env=_env())
    assert explicit.is_file()
    # no --db and no $TRACKER_DB: data/tracker.duckdb under the directory the command runs in
    _run([tracker_cmd, "init"], cwd=tmp_path, env=_env())
    assert (tmp_path / "data" / "tracker.duckdb").is_file()
    from_env = tmp_path / "env.duckdb"
    _run([tracker_cmd, "init"], cwd=tmp_path, env=_env(TRACKER_DB=str(from_env)))
    assert from_env.is_file()

    templates = _run(
        [python, "-c", "from tracker.ingest.uploads import template_files; print(len(template_files()))"],
        cwd=tmp_path,
        env=_env(),
    )
    assert int(templates.stdout) == 24


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_installed_dashboard_serves_the_sign_in_page(venv, tmp_path):
    db_path = tmp_path / "served.duckdb"
    _run([str(venv / "bin" / "tracker"), "init", "--db", str(db_path)], cwd=tmp_path, env=_env())
    port = _free_port()
    log_path = tmp_path / "dashboard.log"
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(venv / "bin" / "tracker"), "--db", str(db_path), "dashboard", "--port", str(port), "--address", "127.0.0.1"]
            + ["--", "--server.enableAgentApi", "true", "--server.fileWatcherType", "none"],
            cwd=tmp_path,
            env=_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the dashboard did not start: " + log_path.read_text(encoding="utf-8")[-2000:])
                time.sleep(0.5)
            # one headless session of the installed tracker/ui/app.py: a new browser lands on the sign-in form
            request = urllib.request.Request(
                f"{url}/_stcore/agent/interact", data=b"{}", headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                page = json.loads(response.read())
        finally:
            process.terminate()
            process.wait(timeout=20)
    tree = json.dumps(page["tree"])
    assert page["page"]["title"] == "Sign in"
    assert "Equipment utilisation tracker" in tree and "administrator" in tree  # a new database asks for its first administrator
    assert '"exception"' not in tree
    assert "Traceback" not in log_path.read_text(encoding="utf-8")
