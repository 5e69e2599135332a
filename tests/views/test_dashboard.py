"""The core behind the dashboard pages: snapshot, filters, KPIs, roll-ups and the drill-down, on the small demo tier."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, MIN_WINDOW_DAYS
from tracker.engine.parameters import set_setting
from tracker.engine.snapshots import SnapshotCache
from tracker.ingest.pipeline import ingest_file
from tracker.text.errors import ConfigError
from tracker.views import explore, overview
from tracker.views.filters import Filters, filter_options
from tracker.views.findings import filtered_flags, findings
from tracker.views.source import CompiledQueries, Source


@pytest.fixture
def demo(demo_small):
    return demo_small[0]


@pytest.fixture(scope="module")
def caches():
    """One snapshot cache and one set of compiled queries for the module, as a dashboard process holds them."""
    return SnapshotCache(), CompiledQueries()


@pytest.fixture
def src(demo, caches):
    return Source(demo, *caches)


def test_snapshot_is_reused_until_the_data_changes(tmp_path, db):
    (tmp_path / "assets.csv").write_text(
        "asset_id,agency_code,category,purchase_cost,purchase_date\nPC-1,A1,laptop,6000,2024-01-02\n", encoding="utf-8"
    )
    (tmp_path / "usage.csv").write_text("asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\n", encoding="utf-8")
    ingest_file(db, "assets", tmp_path / "assets.csv")
    ingest_file(db, "usage", tmp_path / "usage.csv")
    src = Source(db)
    first = src.snapshot(Filters())
    assert src.snapshot(Filters()) is first
    set_setting(db, "rule.IDLE.idle_days", "100", "alice")
    second = src.snapshot(Filters())
    assert second is not first and second.version != first.version
    (tmp_path / "more.csv").write_text("asset_id,usage_date,hours_used\nPC-1,2025-03-04,5\n", encoding="utf-8")
    ingest_file(db, "usage", tmp_path / "more.csv")
    third = src.snapshot(Filters())
    assert third.window.as_of == date(2025, 3, 4) and third.assets.column("used_hours").to_pylist() == [11.0]


def test_a_restarted_dashboard_reads_the_stored_snapshot(demo_small):
    demo = demo_small[0]
    src = Source(demo)
    computed = src.snapshot(Filters(window_days=180))
    src.snapshots.forget()
    stored = src.snapshot(Filters(window_days=180))
    assert stored is not computed
    assert stored.assets.equals(computed.assets) and stored.flags.equals(computed.flags)
    assert stored.lines.equals(computed.lines) and stored.window == computed.window
    assert demo.scalar("SELECT count(*) FROM snapshots WHERE window_days = 180") == 1


@pytest.mark.parametrize("days", [0, -30, 3_654, 7.0, True])
def test_window_outside_its_bounds_is_refused(days):
    with pytest.raises(ConfigError):
        Filters(window_days=days)
    assert Filters(window_days=MIN_WINDOW_DAYS).window_days == 1 and Filters().window_days == DEFAULT_WINDOW_DAYS


def test_kpis_agree_with_the_records(demo, src):
    k = overview.kpis(src, src.snapshot(Filters()), Filters())
    snap = src.snapshot(Filters())
    start, as_of = snap.window.start, snap.window.as_of
    spend = demo.scalar("SELECT sum(total_amount) FROM procurement_lines WHERE order_date BETWEEN ? AND ?", [start, as_of])
    assert k.spend == pytest.approx(float(spend))
    assert k.assets == demo.scalar("SELECT count(*) FROM assets")
    assert k.open_findings == snap.flags.num_rows
    assert k.value_at_stake_open == pytest.approx(sum(v or 0 for v in snap.flags.column("value_at_stake").to_pylist()))
    assert 0 < k.idle_capital < k.net_book_value
    judged = snap.assets.filter(pc.invert(pc.is_in(snap.assets.column("agency_code"), value_set=pa.array(["A003"]))))
    assert k.idle_unknown_agencies == ("A003",)  # the demo agency that sends no usage
    assert k.idle_share == pytest.approx(k.idle_capital / pc.sum(judged.column("net_book_value")).as_py())


def test_agency_filter_narrows_everything(demo, src):
    k = overview.kpis(src, src.snapshot(Filters()), Filters(agencies=("A001",)))
    assert k.assets == demo.scalar("SELECT count(*) FROM assets WHERE agency_code = 'A001'")
    flags = filtered_flags(src.snapshot(Filters()), Filters(agencies=("A001",)))
    assert set(flags.column("agency_code").to_pylist()) == {"A001"}
    compared = overview.agencies_compared(src, src.snapshot(Filters()), Filters(agencies=("A001",)))
    assert compared.column("agency_code").to_pylist() == ["A001"]


def test_supplier_filter_keeps_only_that_suppliers_line_flags(demo, src):
    snap = src.snapshot(Filters())
    supplier = demo.scalar("SELECT supplier FROM procurement_lines GROUP BY supplier ORDER BY count(*) DESC LIMIT 1")
    flags = filtered_flags(snap, Filters(suppliers=(supplier,)))
    lines = {
        (a, p, line)
        for a, p, line in demo.fetchall(
            "SELECT agency_code, po_number, line_no FROM procurement_lines WHERE supplier = ?", [supplier]
        )
    }
    for row in flags.to_pylist():
        if row["subject"] == "po_line":
            assert (row["agency_code"], row["po_number"], row["line_no"]) in lines
        else:
            assert row["subject"] == "asset"
    assert flags.num_rows < snap.flags.num_rows


def test_silent_agency_has_unknown_utilisation_not_zero(demo, src):
    """The demo's A003 sends no usage: its assets are a data gap, never 0 % used or idle capital."""
    snap = src.snapshot(Filters())
    a003 = snap.assets.filter(pc.equal(snap.assets.column("agency_code"), "A003"))
    assert a003.num_rows > 0
    assert a003.column("utilisation").null_count == a003.num_rows
    assert not any(a003.column("idle_candidate").to_pylist())
    k = overview.kpis(src, snap, Filters(agencies=("A003",)))
    assert k.median_utilisation is None and k.idle_capital is None and k.idle_share is None
    assert k.idle_unknown_agencies == ("A003",)
    compared = overview.agencies_compared(src, snap, Filters()).to_pylist()
    silent = next(r for r in compared if r["agency_code"] == "A003")
    assert silent["idle_share"] is None and silent["idle_nbv"] is None
    assert all(r["idle_share"] is not None for r in compared if r["agency_code"] != "A003" and r["assets"])
    cells, _ = overview.heatmap(src, snap, Filters(agencies=("A003",)))
    assert set(cells.column("utilisation").to_pylist()) == {None}


def test_monthly_spend_marks_the_last_fiscal_month(demo, src):
    table = overview.monthly_spend(src, src.snapshot(Filters()), Filters())
    marked = {r["month"].month for r in table.to_pylist() if r["fiscal_year_end"]}
    assert marked == {12}
    total = demo.scalar("SELECT sum(total_amount) FROM procurement_lines")
    assert sum(table.column("spend").to_pylist()) == pytest.approx(float(total))


def test_category_spread_is_ordered_and_bounded(demo, src):
    table = overview.utilisation_by_category(src, src.snapshot(Filters()), Filters())
    for row in table.to_pylist():
        assert row["p10"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p90"]
        assert 0 < row["low_threshold"] <= 1
    medians = table.column("p50").to_pylist()
    assert medians == sorted(medians, reverse=True)


def test_heatmap_keeps_the_largest_agencies(demo, src):
    cells, agencies = overview.heatmap(src, src.snapshot(Filters()), Filters(), top=2)
    assert agencies == 5 and len(set(cells.column("agency_code").to_pylist())) == 2


def test_drill_down_adds_up(demo, src):
    snap = src.snapshot(Filters())
    lines = explore.agency_lines(src, snap, Filters(), "A001")
    registered = sum(lines.column("assets").to_pylist())
    assert registered == demo.scalar("SELECT count(*) FROM assets WHERE agency_code = 'A001'")
    line = next(r for r in lines.to_pylist() if r["po_number"] and r["assets"])
    devices = explore.line_assets(snap, Filters(), "A001", line["po_number"], line["line_no"], line["ocid"])
    assert devices.num_rows == line["assets"]
    detail = explore.asset_detail(src, snap, Filters(), devices.column("asset_id")[0].as_py())
    daily = detail.daily
    assert sum(daily.column("available_hours").to_pylist()) == pytest.approx(detail.facts["available_hours"])
    in_period = daily.filter(pc.greater(daily.column("available_hours"), 0))
    assert sum(in_period.column("hours_used").to_pylist()) == pytest.approx(detail.facts["used_hours"])


def test_asset_detail_respects_the_agencies_given(demo, src):
    asset = demo.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A002' LIMIT 1")
    assert explore.asset_detail(src, src.snapshot(Filters()), Filters(), asset, agencies=("A001",)) is None
    assert explore.asset_detail(src, src.snapshot(Filters()), Filters(), asset, agencies=("A002",)) is not None


def test_data_status_counts_reporting_agencies(demo, src):
    status = overview.data_status(src, src.snapshot(Filters()), Filters(), today=date(2026, 1, 10))
    assert (status.agencies, status.agencies_with_usage) == (5, 4)
    assert status.days_since_last_usage == 10 and status.as_of == date(2025, 12, 31)


def test_an_agency_reader_sees_only_their_agency_whatever_they_ask(demo, src):
    """Scope is held in the core: asking for another agency by any filter or drill-down path yields nothing of it."""
    scoped = Filters(scope_agency="A001", agencies=("A002",))
    own = Filters(scope_agency="A001")
    snap = src.snapshot(own)
    assert overview.kpis(src, src.snapshot(scoped), scoped).assets == 0
    assert overview.kpis(src, snap, own).assets == demo.scalar("SELECT count(*) FROM assets WHERE agency_code = 'A001'")
    for table in (
        overview.agencies_compared(src, snap, own),
        overview.heatmap(src, snap, own)[0],
        overview.top_findings(src, snap, own),
        findings(src, snap, own),
        filtered_flags(snap, own),
    ):
        assert set(table.column("agency_code").to_pylist()) <= {"A001"}
    assert explore.agency_lines(src, snap, own, "A002").num_rows == 0
    assert explore.line_assets(snap, own, "A002", None, None).num_rows == 0
    other = demo.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A002' LIMIT 1")
    assert explore.asset_detail(src, snap, own, other) is None
    assert explore.asset_detail(src, snap, own, other, agencies=("A002",)) is None
    assert list(filter_options(src, scope_agency="A001").agencies) == ["A001"]
    status = overview.data_status(src, snap, own)
    assert (status.agencies, status.agencies_with_usage) == (1, 1)
    monthly = overview.monthly_spend(src, snap, own)
    spend = demo.scalar("SELECT sum(total_amount) FROM procurement_lines WHERE agency_code = 'A001'")
    assert sum(monthly.column("spend").to_pylist()) == pytest.approx(float(spend))
