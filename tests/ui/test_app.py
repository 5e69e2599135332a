"""The stored-data page renders from the core: AppTest runs app.py against a temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def small_db(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    with Database.open(path) as db:
        (tmp_path / "assets.csv").write_text(
            "asset_id,agency_code,category,purchase_cost,purchase_date\nPC-1,A001,笔记本电脑,6500,2024-03-01\n",
            encoding="utf-8",
        )
        (tmp_path / "usage.csv").write_text("asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\n", encoding="utf-8")
        ingest_file(db, "assets", tmp_path / "assets.csv")
        ingest_file(db, "usage", tmp_path / "usage.csv")
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def _data_page() -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=60), "finance").run()
    return switch_to(at, "data").run()


def test_data_page_shows_what_the_database_holds(small_db):
    at = _data_page()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Assets"] == "1"
    assert metrics["Daily usage"] == "1"
    assert "2025-03-03" in at.caption[0].value
    assert not at.dataframe  # procurement, shown first, is empty: an info box instead of a table
    assert any("Nothing stored yet" in i.value for i in at.info)


def test_choosing_a_table_shows_its_rows(small_db):
    at = _data_page()
    at.radio(key="data_page_table").set_value("assets").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["asset_id"]) == ["PC-1"]
    assert list(frame["category"]) == ["laptop"]


def test_a_new_currency_shows_on_the_next_run_of_every_page(small_db):
    """The currency is read once per run of a page; a save happens before the run that follows it."""
    at = sign_in_as(AppTest.from_file(APP, default_timeout=60), "admin").run()
    assert not at.exception
    money = [m.value for m in at.metric if "¥" in m.value]
    assert money  # the Overview's amounts, in the default currency
    switch_to(at, "settings").run()
    at.text_input(key="settings_currency").set_value("USD")
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception and any("Saved 1 change" in s.value for s in at.success)
    switch_to(at, "overview").run()
    assert not at.exception
    amounts = [m.value for m in at.metric if any(sign in m.value for sign in ("¥", "$"))]
    assert amounts and all("$" in value and "¥" not in value for value in amounts)
