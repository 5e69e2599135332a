"""The command line's and the service's findings are read from the data version's snapshot, and equal a run of the catalogue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.casework.reports import flags_report
from tracker.engine.rules.run import compute_flags
from tracker.engine.snapshots import SnapshotCache, findings, usage_span
from tracker.ingest.pipeline import ingest_file
from tracker.text.errors import ConfigError


@pytest.fixture
def unstored(demo_copy):
    """A private copy of the small demo with no snapshot stored (other tests may have stored some in the demo)."""
    demo_copy.execute("DELETE FROM snapshots")
    return demo_copy


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"window_days": 90},
        {"rules": ["IDLE", "YEAR_END_SURGE", "IDLE"]},
        {"rules": ["IDLE_PURCHASE"], "agency": "A003"},
        {"agency": "A001", "window_days": 180},
        {"agency": "A999"},
        {"as_of": date(2025, 9, 30), "window_days": 60},
    ],
    ids=repr,
)
def test_findings_from_the_snapshot_equal_a_run_of_the_catalogue(unstored, options):
    cache = SnapshotCache()
    read = findings(unstored, cache=cache, **options)
    assert cache.last_build == "full"
    assert read.equals(compute_flags(unstored, **options))
    again = findings(unstored, cache=SnapshotCache(), **options)  # another process: the stored snapshot
    assert again.equals(read)


def test_a_second_export_of_unchanged_data_reads_the_stored_findings(unstored, tmp_path):
    cache = SnapshotCache()
    first = findings(unstored, cache=cache)
    cache.forget()
    assert findings(unstored, cache=cache).equals(first) and cache.last_build == "stored"
    idle = next(row["asset_id"] for row in first.to_pylist() if row["rule"] == "IDLE")
    as_of = usage_span(unstored)[1]
    (tmp_path / "u.csv").write_text(f"asset_id,usage_date,hours_used\n{idle},{as_of - timedelta(days=2)},4\n", encoding="utf-8")
    assert ingest_file(unstored, "usage", tmp_path / "u.csv").committed
    after = findings(unstored, cache=cache)
    assert cache.last_build == "incremental" and after.equals(compute_flags(unstored))
    assert idle not in {row["asset_id"] for row in after.to_pylist() if row["rule"] == "IDLE"}


def test_the_report_keeps_the_reviews_and_refuses_an_unknown_rule(unstored):
    report = flags_report(unstored, rules=["NEVER_USED"])
    assert set(report.column("rule").to_pylist()) == {"NEVER_USED"} and "review_status" in report.column_names
    with pytest.raises(ConfigError, match="NOPE"):
        flags_report(unstored, rules=["NOPE"])


def test_without_usage_the_catalogue_runs_on_purchases_alone(db, tmp_path):
    (tmp_path / "p.csv").write_text(
        "agency_code,po_number,line_no,order_date,item_description,category,quantity,unit_price,supplier\n"
        "A1,PO-1,1,2024-12-20,Laptop,laptop,40,6000,S1\n",
        encoding="utf-8",
    )
    assert ingest_file(db, "procurement", tmp_path / "p.csv").committed
    cache = SnapshotCache()
    read = findings(db, cache=cache)
    assert cache.last_build == "" and read.equals(compute_flags(db))
    assert db.scalar("SELECT count(*) FROM snapshots") == 0
