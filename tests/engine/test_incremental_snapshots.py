"""A snapshot built on the one before it, after uploads of usage only, equals a full recompute.

Each test builds the snapshot of the latest window, uploads usage, asks the same cache for the
snapshot again, and compares it, table by table, with `build_snapshot` on the database as it then is.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import copy_database
from tracker.engine.incremental import parse_version, usage_change
from tracker.engine.parameters import set_setting
from tracker.engine.snapshots import SnapshotCache, build_snapshot, data_version, usage_span
from tracker.ingest.pipeline import ingest_file
from tracker.store import usage_months
from tracker.store.assignments import move_holding
from tracker.store.db import Database


@pytest.fixture
def unstored(demo_copy):
    """A private copy of the small demo with no snapshot stored (other tests may have stored some in the demo)."""
    demo_copy.execute("DELETE FROM snapshots")
    return demo_copy


def _latest(cache: SnapshotCache, db: Database, window_days: int = 365):
    return cache.snapshot(db, usage_span(db)[1], window_days)


def _assert_as_full(db: Database, snap) -> None:
    full = build_snapshot(db, data_version(db), snap.window)
    assert snap.flags.equals(full.flags)
    assert snap.assets.equals(full.assets)
    assert snap.lines.equals(full.lines)
    assert (snap.agencies_with_usage, snap.usage_start) == (full.agencies_with_usage, full.usage_start)


def _upload(db: Database, directory: Path, rows: list[tuple[str, date, float]], *, partial: bool = False):
    path = directory / "more.csv"
    lines = ["asset_id,usage_date,hours_used"] + [f"{asset},{day.isoformat()},{hours}" for asset, day, hours in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_file(db, "usage", path, partial=partial)
    assert report.committed, report
    return report


def _flagged(snap, rule: str) -> list[dict]:
    return snap.flags.filter(pc.equal(snap.flags.column("rule"), rule)).to_pylist()


def test_an_agency_sending_its_month_late_recomputes_its_findings_only(unstored, tmp_path):
    db = unstored
    last = usage_span(db)[1]
    first_of_month = last.replace(day=1)
    late = db.scalar(  # an agency with usage that month, not the only one with usage on the latest day
        "SELECT min(a.agency_code) FROM usage_daily u JOIN assets a USING (asset_id) WHERE u.usage_date = ? "
        "AND a.agency_code <> (SELECT max(a2.agency_code) FROM usage_daily u2 JOIN assets a2 USING (asset_id) "
        "WHERE u2.usage_date = ?)",
        [last, last],
    )
    month = db.fetchall(
        "SELECT asset_id, usage_date, hours_used FROM usage_daily u JOIN assets a USING (asset_id) "
        "WHERE a.agency_code = ? AND u.usage_date >= ? ORDER BY 1, 2",
        [late, first_of_month],
    )
    db.execute(
        "DELETE FROM usage_daily WHERE usage_date >= ? AND asset_id IN (SELECT asset_id FROM assets WHERE agency_code = ?)",
        [first_of_month, late],
    )
    usage_months.rebuild(db)
    cache = SnapshotCache()
    before = _latest(cache, db)
    assert cache.last_build == "full" and before.window.as_of == last
    _upload(db, tmp_path, month)
    after = _latest(cache, db)
    assert cache.last_build == "incremental" and after.window == before.window
    assert not after.assets.equals(before.assets)  # the month counts now
    _assert_as_full(db, after)


@pytest.mark.parametrize(
    ("rule", "days_before", "restarted"),
    [("IDLE", 3, False), ("NEVER_USED", 10, True)],
    ids=["idle device, same process", "never-used device, after a restart: the stored snapshot"],
)
def test_a_flagged_device_used_again_loses_its_finding(unstored, tmp_path, rule, days_before, restarted):
    db = unstored
    cache = SnapshotCache()
    before = _latest(cache, db)
    device = _flagged(before, rule)[0]["asset_id"]
    if restarted:
        cache.forget()
    _upload(db, tmp_path, [(device, before.window.as_of - timedelta(days=days_before), 5.5)])
    after = _latest(cache, db)
    assert cache.last_build == "incremental"
    assert device not in {f["asset_id"] for f in _flagged(after, rule)}
    _assert_as_full(db, after)


def test_a_silent_agency_that_starts_reporting_is_judged_on_its_usage(unstored, tmp_path):
    db = unstored
    cache = SnapshotCache()
    before = _latest(cache, db)
    silent = _flagged(before, "NO_TELEMETRY")[0]
    device = db.scalar(
        "SELECT min(asset_id) FROM assets WHERE agency_code = ? AND category = ? AND status = 'in_use'",
        [silent["agency_code"], silent["category"]],
    )
    _upload(db, tmp_path, [(device, before.window.as_of - timedelta(days=1), 2.0)])
    after = _latest(cache, db)
    assert cache.last_build == "incremental"
    pairs = {(f["agency_code"], f["category"]) for f in _flagged(after, "NO_TELEMETRY")}
    assert (silent["agency_code"], silent["category"]) not in pairs
    assert len(after.flags) != len(before.flags)  # the agency's devices of that category are judged now
    _assert_as_full(db, after)


def test_a_device_moved_between_agencies_recomputes_both(unstored, tmp_path):
    db = unstored
    last = usage_span(db)[1]
    device, owner = db.fetchone(
        "SELECT asset_id, agency_code FROM assets WHERE status = 'in_use' AND in_service_date < ? ORDER BY asset_id LIMIT 1",
        [last - timedelta(days=200)],
    )
    receiver = db.scalar("SELECT min(agency_code) FROM assets WHERE agency_code <> ?", [owner])
    with db.transaction():
        move_holding(db, device, receiver, last - timedelta(days=60), transfer_id=1)
    cache = SnapshotCache()
    before = _latest(cache, db)
    _upload(db, tmp_path, [(device, last - timedelta(days=90), 7.0), (device, last - timedelta(days=2), 3.0)])
    change = usage_change(db, before.version, data_version(db))
    assert change is not None and {owner, receiver} <= change.agencies and change.devices == 1
    after = _latest(cache, db)
    assert cache.last_build == "incremental"
    _assert_as_full(db, after)


def _usage_before_the_first_day(db, tmp_path, before):
    device = db.scalar("SELECT min(asset_id) FROM assets")
    _upload(db, tmp_path, [(device, before.usage_start - timedelta(days=10), 2.0)])


def _an_upload_of_another_kind(db, tmp_path, before):
    path = tmp_path / "assets.csv"
    path.write_text(
        "asset_id,agency_code,category,purchase_cost,purchase_date\nNEW-1,A001,laptop,6000,2025-01-02\n", encoding="utf-8"
    )
    assert ingest_file(db, "assets", path).committed


def _a_setting(db, tmp_path, before):
    set_setting(db, "rule.LOW_UTILISATION.min_available_days", "61", "alice")


def _the_window_moved(db, tmp_path, before):
    device = db.scalar("SELECT min(asset_id) FROM assets")
    _upload(db, tmp_path, [(device, before.window.as_of + timedelta(days=1), 2.0)])


def _a_stored_snapshot_without_its_first_day(db, tmp_path, before):
    document = json.loads(db.scalar("SELECT settings FROM snapshots"))
    del document["usage_start"]  # as stored before the first day of usage was kept
    db.execute("UPDATE snapshots SET settings = ?", [json.dumps(document)])
    device = db.scalar("SELECT min(asset_id) FROM assets")
    _upload(db, tmp_path, [(device, before.window.as_of - timedelta(days=1), 2.0)])


@pytest.mark.parametrize(
    "change",
    [
        _usage_before_the_first_day,
        _an_upload_of_another_kind,
        _a_setting,
        _the_window_moved,
        _a_stored_snapshot_without_its_first_day,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_anything_but_usage_inside_the_window_recomputes_everything(unstored, tmp_path, change):
    db = unstored
    cache = SnapshotCache()
    before = _latest(cache, db)
    cache.forget()  # the stored snapshot is the earlier one
    change(db, tmp_path, before)
    after = _latest(cache, db)
    assert cache.last_build == "full"
    _assert_as_full(db, after)


def test_usage_change_names_the_uploads_and_refuses_anything_else(unstored, tmp_path):
    db = unstored
    before = data_version(db)
    device, agency = db.fetchone("SELECT asset_id, agency_code FROM assets ORDER BY asset_id LIMIT 1")
    _upload(db, tmp_path, [(device, usage_span(db)[1], 1.0)])
    now = data_version(db)
    change = usage_change(db, before, now)
    assert change.uploads == (now[0],) and change.devices == 1 and change.agencies == frozenset({agency})
    assert usage_change(db, (before[0], before[1] + 1, *before[2:]), now) is None  # an upload removed since
    assert usage_change(db, before, (*now[:2], now[2] + 1, *now[3:])) is None  # and a setting changed
    assert usage_change(db, now, before) is None
    assert parse_version("-".join(map(str, now))) == now and parse_version("12-x") is None


# -- any upload of usage inside the window ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_checkpointed(demo_small):
    database, _ = demo_small
    database.execute("CHECKPOINT")
    return database.path


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(
        st.tuples(st.integers(0, 2045), st.integers(0, 364), st.sampled_from([0.0, 0.5, 3.0, 12.0, 24.0])),
        min_size=1,
        max_size=25,
    ),
    window_days=st.sampled_from([30, 90, 365]),
)
def test_any_upload_of_usage_inside_the_window_gives_the_full_recompute(demo_checkpointed, tmp_path_factory, picks, window_days):
    """Devices of any agency, days anywhere from the first day of usage to the latest, hours from none to a whole day
    (replacing stored rows where they exist; rows the checks refuse, such as a day before a device was bought, are
    left out with --partial): the snapshot built on the earlier one equals a full recompute."""
    directory = tmp_path_factory.mktemp("incremental")
    copy_database(demo_checkpointed, directory / "demo.duckdb")
    with Database.open(directory / "demo.duckdb") as db:
        db.execute("DELETE FROM snapshots")  # other tests may have stored some in the demo
        devices = [r[0] for r in db.fetchall("SELECT asset_id FROM assets ORDER BY asset_id")]
        first, last = usage_span(db)
        cache = SnapshotCache()
        before = _latest(cache, db, window_days)
        rows = {(devices[i % len(devices)], min(last, first + timedelta(days=d))): h for i, d, h in picks}
        _upload(db, directory, [(a, d, h) for (a, d), h in rows.items()], partial=True)
        after = _latest(cache, db, window_days)
        assert cache.last_build == "incremental" and after.window == before.window
        _assert_as_full(db, after)
