"""The utilisation report behind `python -m tracker utilisation`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tracker.engine.reports import utilisation_report
from tracker.engine.rules.model import FLAG_COLUMNS
from tracker.ingest.pipeline import ingest_file
from tracker.text.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def loaded(db, tmp_path):
    (tmp_path / "assets.csv").write_text(
        "asset_id,agency_code,category,purchase_cost,in_service_date\n"
        "L-1,A001,laptop,6000,2024-01-01\nS-1,A002,server,30000,2024-01-01\n",
        encoding="utf-8",
    )
    # 2025-03-03..07 is an ordinary Monday-Friday week in China
    days = [f"2025-03-0{d}" for d in range(3, 8)]
    rows = [f"L-1,{d},4" for d in days] + [f"S-1,{d},24" for d in days]
    (tmp_path / "usage.csv").write_text("asset_id,usage_date,hours_used\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert ingest_file(db, "assets", tmp_path / "assets.csv").committed
    assert ingest_file(db, "usage", tmp_path / "usage.csv").committed
    return db


def test_per_asset_over_a_short_window(loaded):
    report = utilisation_report(loaded, window_days=5)
    assert report.window.as_of == date(2025, 3, 7)  # the latest usage date, not today
    rows = {r["asset_id"]: r for r in report.table.to_pylist()}
    assert rows["L-1"]["available_hours"] == 40.0 and rows["L-1"]["used_hours"] == 20.0
    assert rows["L-1"]["utilisation"] == 0.5
    assert rows["S-1"]["available_hours"] == 120.0 and rows["S-1"]["utilisation"] == 1.0


def test_rolled_up_by_agency_is_the_ratio_of_sums(loaded):
    table = utilisation_report(loaded, window_days=5, by="agency").table.to_pylist()
    assert [(r["agency_code"], r["utilisation"]) for r in table] == [("A001", 0.5), ("A002", 1.0)]


def test_as_of_and_window_move_the_numbers(loaded):
    rows = {r["asset_id"]: r for r in utilisation_report(loaded, as_of=date(2025, 3, 5), window_days=3).table.to_pylist()}
    assert rows["L-1"]["used_hours"] == 12.0 and rows["L-1"]["available_hours"] == 24.0


@pytest.mark.parametrize("kwargs, key", [({"by": "planet"}, "config.bad_value"), ({"window_days": 0}, "config.bad_value")])
def test_bad_options_are_refused(loaded, kwargs, key):
    with pytest.raises(ConfigError) as refused:
        utilisation_report(loaded, **kwargs)
    assert refused.value.key == key


def test_no_usage_yet_says_so(db):
    with pytest.raises(ConfigError) as refused:
        utilisation_report(db)
    assert refused.value.key == "report.no_usage"
    assert "使用记录" in refused.value.text("zh")


def test_command_line_json_on_stdout_and_messages_on_stderr(loaded, tmp_path):
    path = loaded.path
    loaded.close()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            str(path),
            "utilisation",
            "--by",
            "category",
            "--format",
            "json",
            "--window-days",
            "5",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["category"]: r["utilisation"] for r in rows} == {"laptop": 0.5, "server": 1.0}
    assert "2025-03-03 to 2025-03-07" in result.stderr


def test_command_line_csv_to_a_file(loaded, tmp_path):
    path = loaded.path
    loaded.close()
    out = tmp_path / "u.csv"
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(path), "utilisation", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("asset_id,")
    assert len(text.splitlines()) == 3


def test_flags_command_columns_and_formats(loaded, tmp_path):
    import openpyxl

    path = loaded.path
    loaded.close()
    base = [sys.executable, "-m", "tracker", "--db", str(path), "flags"]
    as_json = subprocess.run(base + ["--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    # one busy week in a year of service: far below the laptop (0.25) and server (0.10) thresholds
    assert {(r["rule"], r["asset_id"]) for r in rows} == {("LOW_UTILISATION", "L-1"), ("LOW_UTILISATION", "S-1")}
    assert all(r["review_status"] == "open" for r in rows)
    # the flag table's columns up to the evidence, then the review status
    assert list(rows[0])[:13] == [*FLAG_COLUMNS[: FLAG_COLUMNS.index("evidence") + 1], "review_status"]
    no_file = subprocess.run(base + ["--format", "xlsx"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert no_file.returncode == 2 and no_file.stdout == ""
    out = tmp_path / "flags.xlsx"
    as_xlsx = subprocess.run(
        base + ["--format", "xlsx", "-o", str(out), "--rule", "LOW_UTILISATION", "--agency", "A002"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert as_xlsx.returncode == 0, as_xlsx.stderr
    assert "data fingerprint" in as_xlsx.stderr
    book = openpyxl.load_workbook(out)  # the evidence pack, as the dashboard exports it
    assert book.sheetnames == ["Summary", "Findings", "Rules", "Assets", "Purchase lines", "Reallocation"]
    sheet = book["Findings"]
    assert [c.value for c in sheet[1]][:2] == ["flag_id", "rule"]
    assert sheet.max_row == 2 and sheet["E2"].value == "S-1"
    summary = dict(r for r in book["Summary"].iter_rows(min_row=2, values_only=True) if r[0])
    assert summary["Filters"] == "rules: LOW_UTILISATION; agencies: A002"
    archive = tmp_path / "pack.zip"
    as_zip = subprocess.run(base + ["--format", "zip", "-o", str(archive)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert as_zip.returncode == 0, as_zip.stderr
    import zipfile

    assert "findings.csv" in zipfile.ZipFile(archive).namelist()
