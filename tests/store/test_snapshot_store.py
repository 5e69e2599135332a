"""The snapshot store keeps one data version, and of it the windows computed last."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa

from tracker.store import snapshots


def _tables(n: int) -> dict[str, pa.Table]:
    return {name: pa.table({"n": [n]}) for name in snapshots.TABLES}


def test_a_caller_asking_for_many_windows_cannot_fill_the_database(db):
    first = date(2025, 1, 1)
    for i in range(snapshots.KEPT + 5):
        snapshots.save(db, "7-7", first + timedelta(days=i), 365, _tables(i), {"i": i})
    kept = db.fetchall("SELECT as_of FROM snapshots ORDER BY as_of")
    assert [d for (d,) in kept] == [first + timedelta(days=i) for i in range(5, snapshots.KEPT + 5)]
    assert snapshots.load(db, "7-7", first, 365) is None
    newest = snapshots.load(db, "7-7", first + timedelta(days=snapshots.KEPT + 4), 365)
    assert newest.document == {"i": snapshots.KEPT + 4} and newest.tables["flags"].column("n").to_pylist() == [snapshots.KEPT + 4]


def test_another_data_version_replaces_the_stored_one(db):
    snapshots.save(db, "7-7", date(2025, 1, 1), 365, _tables(1), {})
    snapshots.save(db, "7-7", date(2025, 1, 2), 90, _tables(2), {})
    snapshots.save(db, "8-8", date(2025, 1, 2), 365, _tables(3), {})
    assert db.fetchall("SELECT data_version, as_of FROM snapshots") == [("8-8", date(2025, 1, 2))]
    version, stored = snapshots.load_any_version(db, date(2025, 1, 2), 365)
    assert version == "8-8" and stored.tables["assets"].column("n").to_pylist() == [3]
    assert snapshots.load_any_version(db, date(2025, 1, 2), 90) is None
