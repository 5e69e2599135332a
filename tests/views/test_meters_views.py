"""The dashboard's core with metered devices only: the readings date the data, the Overview spread includes
metered categories, and a device's page gives its readings and the use derived from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.engine.snapshots import SnapshotCache
from tracker.ingest.pipeline import ingest_file
from tracker.views import explore, overview
from tracker.views.filters import Filters
from tracker.views.source import CompiledQueries, Source

ASSETS = """\
asset_id,agency_code,category,purchase_cost,in_service_date
PR-1,A001,printer,2600,2024-01-01
PR-2,A001,printer,2600,2024-01-01
CP-1,A001,copier,12000,2019-01-01
"""
READINGS = """\
asset_id,read_at,meter,value
PR-1,2025-01-01,pages_total,1000
PR-1,2025-03-01,pages_total,5000
PR-1,2025-06-30,pages_total,12000
PR-2,2025-01-01,pages_total,1000
PR-2,2025-06-30,pages_total,1500
CP-1,2025-01-01,copies,250000
CP-1,2025-06-30,copies,262000
"""


@pytest.fixture
def src(db, tmp_path: Path):
    for kind, name, body in (("assets", "a.csv", ASSETS), ("meters", "m.csv", READINGS)):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        assert ingest_file(db, kind, path).status == "committed"
    return Source(db, SnapshotCache(), CompiledQueries())


def test_readings_alone_date_the_data_and_fill_the_overview_spread(src):
    snap = src.snapshot(Filters())
    assert snap is not None and snap.window.as_of == date(2025, 6, 30)
    spread = {r["category"]: r for r in overview.utilisation_by_category(src, snap, Filters()).to_pylist()}
    assert spread["printer"]["assets"] == 2 and spread["printer"]["p50"] > 0
    assert spread["copier"]["assets"] == 1


def test_a_device_page_gives_its_readings_and_the_use_derived_from_them(src):
    snap = src.snapshot(Filters())
    detail = explore.asset_detail(src, snap, Filters(), "PR-1")
    meters = detail.meters
    assert meters.meter == "pages_total"
    assert meters.readings.column("value").to_pylist() == [1000.0, 5000.0, 12000.0]
    assert sum(meters.daily_use.column("use").to_pylist()) == pytest.approx(11000)
    assert meters.daily_use.column("day")[0].as_py() == date(2025, 1, 1)
    assert "11,000 pages between 2025-01-01 (1,000) and 2025-06-30 (12,000)" in meters.sentences[0]
    assert detail.facts["used_hours"] is None and detail.facts["evidence"] == "meter"
    assert meters.life is None


def test_a_copier_shows_its_counter_against_the_service_life_count(src):
    detail = explore.asset_detail(src, src.snapshot(Filters()), Filters(), "CP-1")
    assert detail.meters.life[0] == "Counter 262,000 of the 300,000 copies of the category's minimum service life (87.3 %)."
    assert "300,000" in detail.meters.life[1]


def test_an_agency_sending_readings_only_counts_as_reporting(src):
    status = overview.data_status(src, src.snapshot(Filters()), Filters(), today=date(2025, 7, 10))
    assert (status.agencies, status.agencies_with_usage) == (1, 1)
