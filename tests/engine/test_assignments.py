"""Assignment history: a device's usage counts for the agency that held it on the day (docs/transfers.md).

Window 2025-09-27..2025-10-11 (15 days) around China's National Day break: its workdays are 09-28
(make-up day), 09-29, 09-30, 10-09, 10-10 and 10-11 (make-up day). LAP-T moves from A1 to A2 on
10-09: A1 held it for 3 workdays (24 h at 8 h a day) and used it 14 h, A2 for 3 workdays and 4 h.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

import tracker.store.db
from tracker.engine.metrics import Window, asset_utilisation, ibis_backend, utilisation_by
from tracker.engine.rules.run import compute_flags
from tracker.ingest.uploads import commit_upload
from tracker.store.assignments import holdings, move_holding
from tracker.store.db import run_expr

ASSETS = """\
asset_id,agency_code,category,purchase_cost,in_service_date,status
LAP-T,A1,laptop,6000,2024-01-01,in_use
LAP-X,A1,laptop,6000,2025-01-01,in_use
LAP-A2,A2,laptop,6000,2024-01-01,in_use
"""
USAGE = """\
asset_id,usage_date,hours_used
LAP-T,2025-09-28,6
LAP-T,2025-09-29,8
LAP-T,2025-10-10,4
LAP-A2,2025-09-29,1
"""
AFTER = Window(date(2025, 10, 11), window_days=15)
BEFORE = Window(date(2025, 10, 8), window_days=12)  # 09-27..10-08: ends before the transfer


def _commit(db, text: str, kind: str):
    data = text.encode()
    result = commit_upload(db, io.BytesIO(data), f"{kind}.csv", kind, size_bytes=len(data), actor="tester")
    assert result.committed
    return result


@pytest.fixture
def loaded(db):
    _commit(db, ASSETS, "assets")
    _commit(db, USAGE, "usage")
    return db


def _per_asset(db, window: Window) -> list[dict]:
    rows = run_expr(asset_utilisation(ibis_backend(db), window), name="test").to_pylist()
    return sorted(rows, key=lambda r: (r["asset_id"], r["agency_code"]))


def _by_agency(db, window: Window) -> dict[str, dict]:
    rows = run_expr(utilisation_by(ibis_backend(db), window, "agency"), name="test").to_pylist()
    return {r["agency_code"]: r for r in rows}


def _transfer(db, asset_id="LAP-T", to="A2", day=date(2025, 10, 9)):
    with db.transaction():
        move_holding(db, asset_id, to, day, transfer_id=1)


def test_ingest_starts_each_device_with_its_register_agency_from_the_beginning(loaded):
    assert holdings(loaded, "LAP-T") == [{"agency_code": "A1", "valid_from": None, "valid_to": None, "transfer_id": None}]


def test_a_register_correction_moves_the_open_holding(loaded):
    _commit(loaded, ASSETS.replace("LAP-X,A1", "LAP-X,A3"), "assets")
    assert [h["agency_code"] for h in holdings(loaded, "LAP-X")] == ["A3"]
    assert [h["agency_code"] for h in holdings(loaded, "LAP-T")] == ["A1"]


def test_the_migration_gives_existing_assets_their_register_agency(loaded, monkeypatch):
    # the database as it was before migration 011: later migrations are left out of the run
    every_migration = tracker.store.db._migrations()
    monkeypatch.setattr(tracker.store.db, "_migrations", lambda: [m for m in every_migration if m[0] <= 11])
    loaded.execute("DELETE FROM asset_assignments")
    for statement in ("DROP TABLE asset_assignments", "DROP TABLE transfers", "DROP TABLE transfer_assets"):
        loaded.execute(statement)
    loaded.execute("DROP TABLE transfer_steps")
    loaded.execute("DROP SEQUENCE transfer_id_seq")
    loaded.execute("DELETE FROM schema_migrations WHERE version >= 11")
    loaded.migrate()
    assert loaded.fetchall("SELECT asset_id, agency_code, valid_from, valid_to FROM asset_assignments ORDER BY 1") == [
        ("LAP-A2", "A2", None, None),
        ("LAP-T", "A1", None, None),
        ("LAP-X", "A1", None, None),
    ]


def test_a_transfer_splits_a_window_across_it_between_both_agencies(loaded):
    _transfer(loaded)
    rows = [r for r in _per_asset(loaded, AFTER) if r["asset_id"] == "LAP-T"]
    assert [(r["agency_code"], r["available_hours"], r["used_hours"]) for r in rows] == [("A1", 24.0, 14.0), ("A2", 24.0, 4.0)]
    assert [(r["held_from"], r["held_to"]) for r in rows] == [(None, date(2025, 10, 9)), (date(2025, 10, 9), None)]
    # only the holding on the as-of date is in service: the rules judge the device for A2
    assert [r["in_service_on_as_of"] for r in rows] == [False, True]
    assert rows[0]["last_used"] == date(2025, 9, 29) and rows[1]["last_used"] == date(2025, 10, 10)
    agencies = _by_agency(loaded, AFTER)
    # A1: LAP-T before the transfer (14 of 24 h) and LAP-X (0 of 48 h); A2: LAP-T after it (4 of 24 h) and LAP-A2 (1 of 48 h)
    assert (agencies["A1"]["used_hours"], agencies["A1"]["available_hours"]) == (14.0, 72.0)
    assert (agencies["A2"]["used_hours"], agencies["A2"]["available_hours"]) == (5.0, 72.0)
    assert agencies["A1"]["assets"] == 2 and agencies["A2"]["assets"] == 2


def test_a_past_window_computes_what_it_did_before_the_transfer(loaded):
    before = _per_asset(loaded, BEFORE)
    by_agency = _by_agency(loaded, BEFORE)
    _transfer(loaded)
    after = _per_asset(loaded, BEFORE)
    # the same figures; only the holding now says when it ended
    assert [r["held_to"] for r in after if r["asset_id"] == "LAP-T"] == [date(2025, 10, 9)]
    assert [{k: v for k, v in r.items() if k != "held_to"} for r in after] == [
        {k: v for k, v in r.items() if k != "held_to"} for r in before
    ]
    assert _by_agency(loaded, BEFORE) == by_agency
    assert {r["agency_code"] for r in before if r["asset_id"] == "LAP-T"} == {"A1"}


def test_the_register_follows_the_transfer(loaded):
    _transfer(loaded)
    assert loaded.scalar("SELECT agency_code FROM assets WHERE asset_id = 'LAP-T'") == "A2"
    assert [(h["agency_code"], h["valid_from"], h["valid_to"]) for h in holdings(loaded, "LAP-T")] == [
        ("A1", None, date(2025, 10, 9)),
        ("A2", date(2025, 10, 9), None),
    ]


def test_findings_belong_to_the_agency_holding_the_device_on_the_as_of_date(loaded):
    _transfer(loaded, "LAP-X")
    after = [f for f in compute_flags(loaded, as_of=AFTER.as_of, window_days=15).to_pylist() if f["asset_id"] == "LAP-X"]
    past = compute_flags(loaded, as_of=date(2025, 10, 5), window_days=15).to_pylist()
    past = [f for f in past if f["asset_id"] == "LAP-X"]
    assert [(f["rule"], f["agency_code"]) for f in after] == [("NEVER_USED", "A2")]
    assert [(f["rule"], f["agency_code"]) for f in past] == [("NEVER_USED", "A1")]


def test_a_device_without_a_holding_keeps_its_register_agency(loaded):
    loaded.execute("DELETE FROM asset_assignments WHERE asset_id = 'LAP-T'")
    rows = [r for r in _per_asset(loaded, AFTER) if r["asset_id"] == "LAP-T"]
    assert [(r["agency_code"], r["used_hours"]) for r in rows] == [("A1", 18.0)]


def test_the_device_view_shows_each_agency_only_the_days_it_held_the_device(loaded):
    from tracker.views import explore
    from tracker.views.filters import Filters
    from tracker.views.source import Source

    _transfer(loaded)
    src = Source(loaded)
    window = Filters(as_of=AFTER.as_of, window_days=15)

    def used_days(scope: str) -> dict:
        scoped = Filters(as_of=AFTER.as_of, window_days=15, scope_agency=scope)
        detail = explore.asset_detail(src, src.snapshot(scoped), scoped, "LAP-T")
        rows = detail.daily.to_pylist()
        return {r["day"]: r["hours_used"] for r in rows if r["hours_used"]}, detail.facts["agency_code"]

    assert used_days("A1") == ({date(2025, 9, 28): 6.0, date(2025, 9, 29): 8.0}, "A1")
    assert used_days("A2") == ({date(2025, 10, 10): 4.0}, "A2")
    unscoped = explore.asset_detail(src, src.snapshot(window), window, "LAP-T")
    assert unscoped.facts["agency_code"] == "A2"  # the holder on the as-of date


def test_a_total_over_agencies_counts_a_moved_device_once_and_each_agency_keeps_its_share(loaded):
    from tracker.views import overview
    from tracker.views.filters import Filters
    from tracker.views.source import Source

    _transfer(loaded)
    agencies = _by_agency(loaded, AFTER)
    assert agencies["A1"]["assets"] + agencies["A2"]["assets"] == 4  # LAP-T is in each agency's share
    total = run_expr(utilisation_by(ibis_backend(loaded), AFTER, "category"), name="test").to_pylist()
    (laptops,) = total
    # three devices, not four: LAP-T's hours summed (14 + 4 of 48 h), its cost and book value once
    assert laptops["assets"] == 3 and laptops["assets_with_usage"] == 2
    assert (laptops["used_hours"], laptops["available_hours"]) == (19.0, 144.0)
    assert laptops["used_hours"] == agencies["A1"]["used_hours"] + agencies["A2"]["used_hours"]
    assert laptops["purchase_cost"] == 18000.0
    per_device = {r["asset_id"]: r["net_book_value"] for r in _per_asset(loaded, AFTER)}
    assert laptops["net_book_value"] == pytest.approx(sum(per_device.values()))
    # the median over devices: LAP-T 18/48, LAP-X 0/48, LAP-A2 1/48
    assert laptops["median_utilisation"] == pytest.approx(1 / 48)
    src = Source(loaded)
    filters = Filters(as_of=AFTER.as_of, window_days=15)
    kpis = overview.kpis(src, src.snapshot(filters), filters)
    assert kpis.assets == 3 and kpis.assets_judged == 3
    assert kpis.net_book_value == pytest.approx(sum(per_device.values()))
    a1 = Filters(as_of=AFTER.as_of, window_days=15, agencies=("A1",))
    assert overview.kpis(src, src.snapshot(a1), a1).assets == 2  # A1's share: LAP-T before the transfer, LAP-X
