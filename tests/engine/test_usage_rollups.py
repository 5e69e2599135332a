"""The monthly usage roll-ups (tracker.store.usage_months) give what the daily rows give.

Over generated uploads (daily rows on both sides of month ends, several sources on one day, more
than 24 h in a day, re-uploads that replace rows, partial uploads with a bad row, sessions across
midnight), the stored roll-ups always equal the roll-up computed afresh from the daily rows, and the
utilisation read from them (whole months from the roll-ups, the days of the months a window cuts
from the daily rows) equals a plain computation over the daily rows, for windows starting and
ending anywhere in a month.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.engine.metrics import Window, asset_utilisation, ibis_backend, telemetry_coverage
from tracker.engine.rules.idle_spells import use_edges
from tracker.ingest.pipeline import ingest_file
from tracker.store import usage_months
from tracker.store.db import Database, run_expr

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# in service before the data, in service on the 17th of a month, disposed on the 10th of a month
ASSETS_CSV = (
    "asset_id,agency_code,category,purchase_cost,purchase_date,in_service_date,disposal_date,status\n"
    "PC-1,A001,laptop,5000,2019-06-01,2019-06-01,,in_use\n"
    "PC-2,A001,desktop,4000,2024-11-20,2024-12-17,,in_use\n"
    "PC-3,A002,laptop,6000,2019-06-01,2019-06-01,2025-02-10,disposed\n"
    "PR-4,A002,printer,1200,2019-06-01,2019-06-01,,in_use\n"
)
ASSETS = ("PC-1", "PC-2", "PC-3", "PR-4")
FIRST_DAY = dt.date(2024, 11, 25)
DAYS = st.dates(FIRST_DAY, dt.date(2025, 3, 6))  # four month ends
HOURS = st.sampled_from(["0", "0.5", "3.25", "7", "12", "15.5", "23.99", "24"])
ROW = st.tuples(st.sampled_from(ASSETS), DAYS, HOURS, st.sampled_from(["", "mdm", "login-log"]))
UPLOAD = st.tuples(st.lists(ROW, min_size=1, max_size=25), st.booleans())  # rows, with a bad row (partial)
_TEMPLATES = tempfile.TemporaryDirectory(prefix="rollup-templates-")


@cache
def template() -> Path:
    path = Path(_TEMPLATES.name) / "template.duckdb"
    with Database.open(path) as db:
        register = Path(_TEMPLATES.name) / "register.csv"
        register.write_text(ASSETS_CSV, encoding="utf-8")
        assert ingest_file(db, "assets", register).status == "committed"
    return path


@contextmanager
def fresh_database():
    with tempfile.TemporaryDirectory(prefix="rollup-") as folder:
        db_path = Path(folder) / "tracker.duckdb"
        shutil.copyfile(template(), db_path)
        db = Database.open(db_path)
        try:
            yield db, Path(folder)
        finally:
            db.close()


def upload(db: Database, folder: Path, n: int, rows, with_bad_row: bool) -> None:
    """One daily-usage CSV (a row repeated in the file keeps its last value); a bad row makes it a partial upload."""
    last = {(a, d, s): h for a, d, h, s in rows}
    lines = ["asset_id,usage_date,hours_used,source"] + [f"{a},{d.isoformat()},{h},{s}" for (a, d, s), h in last.items()]
    if with_bad_row:
        lines.append("PC-1,2025-02-30,3,")  # no such day
    path = folder / f"usage-{n}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_file(db, "usage", path, partial=with_bad_row)
    assert report.status in ("committed", "partial", "unchanged"), report.status


def stored_months(db: Database) -> list[tuple]:
    columns = ", ".join(usage_months.COLUMNS)
    return db.fetchall(f"SELECT {columns} FROM usage_months ORDER BY asset_id, month")


def months_of(db: Database, *columns: str) -> dict[dt.date, tuple]:
    """month → the named columns of the stored roll-up (one asset)."""
    rows = db.fetchall(f"SELECT month, {', '.join(columns)} FROM usage_months ORDER BY month")
    return {month: tuple(rest) for month, *rest in rows}


def fresh_months(db: Database) -> list[tuple]:
    backend = ibis_backend(db)
    expr = usage_months.month_rollup(backend.table("usage_daily")).order_by("asset_id", "month")
    table = run_expr(expr.select(*usage_months.COLUMNS), name="fresh usage months")
    return [tuple(row.values()) for row in table.to_pylist()]


def reference_usage(db: Database, window: Window) -> dict[str, tuple]:
    """asset → (used hours, active days, last used) straight from the daily rows, in each asset's active period."""
    per_asset = run_expr(asset_utilisation(ibis_backend(db), window), name="periods")
    db.con.register("periods", per_asset.select(["asset_id", "active_start", "active_end"]))
    try:
        rows = db.fetchall(
            """WITH days AS (
                   SELECT asset_id, usage_date, least(sum(hours_used), 24) AS hours FROM usage_daily
                   WHERE evidence IN ('usage', 'signed_in') AND hours_used > 0 AND usage_date <= ?
                   GROUP BY asset_id, usage_date)
               SELECT p.asset_id,
                      coalesce(sum(d.hours) FILTER (WHERE d.usage_date >= p.active_start AND d.usage_date < p.active_end), 0),
                      count(d.usage_date) FILTER (WHERE d.usage_date >= p.active_start AND d.usage_date < p.active_end),
                      max(d.usage_date)
               FROM periods AS p LEFT JOIN days AS d USING (asset_id) GROUP BY p.asset_id""",
            [window.as_of],
        )
    finally:
        db.con.unregister("periods")
    return {asset: (round(hours, 6), days, last) for asset, hours, days, last in rows}


def reference_coverage(db: Database, window: Window) -> dict[tuple, int]:
    """(agency, category) → devices with hours or a sighting in the idle horizon, straight from the daily rows."""
    rows = db.fetchall(
        """SELECT a.agency_code, a.category, count(DISTINCT u.asset_id) FROM assets AS a
           LEFT JOIN usage_daily AS u ON u.asset_id = a.asset_id AND u.usage_date BETWEEN ? AND ?
                AND (u.hours_used > 0 OR u.evidence = 'seen')
           GROUP BY ALL""",
        [window.idle_start, window.as_of],
    )
    return {(agency, category): n for agency, category, n in rows}


def tracker_coverage(db: Database, window: Window) -> dict[tuple, int]:
    table = run_expr(telemetry_coverage(ibis_backend(db), window), name="coverage")
    return {(r["agency_code"], r["category"]): r["assets_with_usage_in_horizon"] for r in table.to_pylist()}


def tracker_usage(db: Database, window: Window) -> dict[str, tuple]:
    table = run_expr(asset_utilisation(ibis_backend(db), window), name="utilisation")
    return {r["asset_id"]: (round(r["used_hours"], 6), r["active_days"], r["last_used"]) for r in table.to_pylist()}


@PROPERTY
@given(
    uploads=st.lists(UPLOAD, min_size=1, max_size=4),
    as_of=st.dates(dt.date(2024, 12, 1), dt.date(2025, 3, 10)),
    window_days=st.sampled_from([1, 17, 31, 45, 90, 365]),
    idle_days=st.sampled_from([1, 12, 30, 45]),
)
def test_roll_ups_equal_the_daily_rows_after_any_uploads(uploads, as_of, window_days, idle_days):
    with fresh_database() as (db, folder):
        for n, (rows, with_bad_row) in enumerate(uploads):
            upload(db, folder, n, rows, with_bad_row)
            assert stored_months(db) == fresh_months(db)
        window = Window(as_of, window_days, idle_days=idle_days, never_used_min_days=10)
        assert tracker_usage(db, window) == reference_usage(db, window)
        assert tracker_coverage(db, window) == reference_coverage(db, window)


def test_sessions_across_midnight_and_a_month_end_count_on_each_day(tmp_path):
    with fresh_database() as (db, folder):
        sessions = folder / "sessions.csv"
        sessions.write_text(
            "asset_id,start_time,end_time,source\n"
            "PC-1,2025-01-31 22:00:00+08:00,2025-02-01 03:30:00+08:00,login-log\n"
            "PC-1,2025-02-01 09:00:00+08:00,2025-02-01 10:00:00+08:00,login-log\n",
            encoding="utf-8",
        )
        assert ingest_file(db, "usage", sessions).status == "committed"
        assert stored_months(db) == fresh_months(db)
        assert months_of(db, "use_hours", "use_days") == {dt.date(2025, 1, 1): (2.0, 1), dt.date(2025, 2, 1): (4.5, 1)}
        # a window ending mid-February reads February's days from the daily rows
        window = Window(dt.date(2025, 2, 1), 2, idle_days=30, never_used_min_days=10)
        assert tracker_usage(db, window)["PC-1"] == (6.5, 2, dt.date(2025, 2, 1))


def test_a_replacing_upload_rewrites_only_the_months_it_touches(tmp_path):
    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", dt.date(2025, 1, 5), "4", ""), ("PC-1", dt.date(2025, 2, 5), "4", "")], False)
        upload(db, folder, 1, [("PC-1", dt.date(2025, 2, 5), "6", ""), ("PC-1", dt.date(2025, 2, 6), "2", "mdm")], False)
        assert months_of(db, "use_hours", "use_days", "use_last") == {
            dt.date(2025, 1, 1): (4.0, 1, dt.date(2025, 1, 5)),
            dt.date(2025, 2, 1): (8.0, 2, dt.date(2025, 2, 6)),
        }


def test_a_day_over_24_hours_across_sources_is_capped_in_its_month(tmp_path):
    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", dt.date(2025, 1, 5), "20", ""), ("PC-1", dt.date(2025, 1, 5), "15.5", "mdm")], False)
        assert list(months_of(db, "use_hours", "use_days").values()) == [(24.0, 1)]


def test_migrating_an_older_database_fills_the_roll_ups_from_its_rows(tmp_path):
    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", dt.date(2025, 1, 5), "4", ""), ("PR-4", dt.date(2025, 2, 28), "1", "")], False)
        expected = stored_months(db)
        db.execute("DROP TABLE usage_months")
        db.execute("DELETE FROM schema_migrations WHERE version >= ?", [usage_months.MIGRATION])
        db.migrate()
        assert stored_months(db) == expected and len(expected) == 2


# PC-2: the 1st and the 31st of a month (30 days apart); 2025-05-04, the first day of a 31-day block counted from
# 1970-01-01, and 30 days later; half an hour on 2025-07-01 between days 28 and 19 days away.
# PC-3: 2025-07-01 and 2025-08-31, 61 days apart in two months that make one block of two.
MORE_DAYS = {
    "PC-2": [
        ("2025-03-01", "2"),
        ("2025-03-31", "2"),
        ("2025-05-04", "2"),
        ("2025-06-03", "2"),
        ("2025-07-01", "0.5"),
        ("2025-07-20", "2"),
    ],
    "PC-3": [("2025-07-01", "2"), ("2025-08-31", "2")],
}


@pytest.mark.parametrize("gap", [29, 30, 60, 61, 62, 90, 120])
def test_idle_spell_edges_from_months_equal_those_from_days(tmp_path, gap):
    with fresh_database() as (db, folder):
        days = [dt.date(2024, 12, 1) + dt.timedelta(days=d) for d in (0, 1, 29, 31, 62, 63, 95, 158, 159)]
        more = [(asset, dt.date.fromisoformat(day), hours, "") for asset, used in MORE_DAYS.items() for day, hours in used]
        upload(db, folder, 0, [("PC-1", d, "2", "") for d in days] + [("PR-4", days[4], "1", "")] + more, False)
        backend = ibis_backend(db)
        from_rollups = run_expr(use_edges(backend, gap).order_by("asset_id", "first_use"), name="edges").to_pylist()
        # the same gaps from the daily rows, one block per day of use
        used = backend.table("usage_daily").filter(lambda u: u.hours_used > 0)
        w = ibis.window(group_by=used.asset_id, order_by=used.usage_date)
        t = used.select("asset_id", first_use="usage_date", prev_use=used.usage_date.lag().over(w))
        t = t.filter(t.prev_use.isnull() | (t.first_use.delta(t.prev_use, unit="day") > gap))
        from_days = run_expr(t.order_by("asset_id", "first_use"), name="reference").to_pylist()
        opened = {
            (r["asset_id"], r["first_use"], r["prev_use"])
            for r in from_rollups
            if r["prev_use"] is None or (r["first_use"] - r["prev_use"]).days > gap
        }
        assert opened == {(r["asset_id"], r["first_use"], r["prev_use"]) for r in from_days}
        last = {r["asset_id"]: r["last_use"] for r in from_rollups if r["next_use"] is None}
        assert last == {"PC-1": days[-1], "PR-4": days[4], "PC-2": dt.date(2025, 7, 20), "PC-3": dt.date(2025, 8, 31)}


@pytest.mark.parametrize(("inside", "covered"), [(True, 1), (False, 0)])
def test_a_month_used_before_and_after_a_short_horizon_is_read_by_day(tmp_path, inside, covered):
    """Days of use on the 2nd and the 21st, the horizon the 16th to the 20th: only the days can say."""
    days = [dt.date(2025, 1, 2), dt.date(2025, 1, 21)] + ([dt.date(2025, 1, 18)] if inside else [])
    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", d, "3", "") for d in days], False)
        window = Window(dt.date(2025, 1, 20), 30, idle_days=5, never_used_min_days=10)
        assert window.idle_start == dt.date(2025, 1, 16)
        assert tracker_coverage(db, window)[("A001", "laptop")] == covered == reference_coverage(db, window)[("A001", "laptop")]


EDGE_DAYS = [dt.date(2025, 1, d) for d in (1, 15, 16, 20, 21, 31)]


@pytest.mark.parametrize("used", [EDGE_DAYS[i:j] for i in range(len(EDGE_DAYS)) for j in range(i + 1, len(EDGE_DAYS) + 1)])
def test_days_of_use_on_either_side_of_a_window_edge(tmp_path, used):
    """A window of the 16th to the 20th of a month, days of use on and around its edges: the month is whole only
    when every day of use lies inside, and the last use stops at as_of."""
    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", d, "3", "") for d in used], False)
        window = Window(dt.date(2025, 1, 20), 5, idle_days=5, never_used_min_days=10)
        assert tracker_usage(db, window)["PC-1"] == reference_usage(db, window)["PC-1"]
        assert tracker_coverage(db, window) == reference_coverage(db, window)


def test_a_refresh_that_fails_names_its_own_failure_and_changes_nothing(tmp_path):
    from tracker.text.errors import DatabaseError

    with fresh_database() as (db, folder):
        upload(db, folder, 0, [("PC-1", dt.date(2025, 1, 5), "4", "")], False)
        before = stored_months(db)
        with pytest.raises(DatabaseError) as failed, db.transaction():
            db.execute("DELETE FROM usage_months")
            failing = (
                "SELECT asset_id, usage_date, source, CAST('x' || asset_id AS DOUBLE) AS hours_used, evidence FROM usage_daily"
            )
            usage_months.refresh(db, "SELECT asset_id, usage_date FROM usage_daily", new_rows=failing)
        assert "xPC-1" in failed.value.text("en")  # the engine's own reason, not the clean-up's refusal after it
        assert stored_months(db) == before
