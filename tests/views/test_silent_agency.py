"""An agency that sends no usage, alone in the filters: the Overview's figures that need usage are unknown, never zero."""

from __future__ import annotations

import pytest

from tracker.engine.snapshots import SnapshotCache
from tracker.views import findings, overview, tables
from tracker.views.filters import Filters, FindingFilters
from tracker.views.source import CompiledQueries, Source

SILENT = "A003"  # the demo's agency that sends no usage


@pytest.fixture
def src(demo_small):
    return Source(demo_small[0], SnapshotCache(), CompiledQueries())


def test_open_findings_without_a_known_value_give_an_unknown_value_at_stake(src):
    filters = Filters(agencies=(SILENT,))
    k = overview.kpis(src, src.snapshot(filters), filters)
    assert k.open_findings > 0
    assert k.value_at_stake_open is None  # was 0.0: a sum of unknowns shown as ¥0


def test_no_open_finding_is_a_true_zero_at_stake(src):
    filters = Filters(agencies=("A001",), categories=("no-such-category",))
    k = overview.kpis(src, src.snapshot(filters), filters)
    assert (k.open_findings, k.value_at_stake_open) == (0, 0.0)


def test_the_value_at_stake_of_every_agency_stays_a_sum(src):
    k = overview.kpis(src, src.snapshot(Filters()), Filters())
    assert k.value_at_stake_open is not None and k.value_at_stake_open > 0


def test_a_heatmap_of_unknown_cells_only_names_its_agencies(src):
    filters = Filters(agencies=(SILENT,))
    table, _ = overview.heatmap(src, src.snapshot(filters), filters)
    assert table.num_rows > 0 and table.column("utilisation").null_count == table.num_rows
    assert overview.heatmap_all_unknown(table) == (SILENT,)


def test_a_heatmap_with_one_known_cell_is_drawn(src):
    table, _ = overview.heatmap(src, src.snapshot(Filters()), Filters())
    assert overview.heatmap_all_unknown(table) == ()


def test_the_agency_table_keeps_an_unknown_value_at_stake_unknown(src):
    rows = {r["agency_code"]: r for r in overview.agencies_compared(src, src.snapshot(Filters()), Filters()).to_pylist()}
    assert rows[SILENT]["findings"] > 0 and rows[SILENT]["value_at_stake"] is None
    assert all(r["value_at_stake"] is not None for code, r in rows.items() if code != SILENT)
    view = tables.agencies(overview.agencies_compared(src, src.snapshot(Filters()), Filters()), "en", "CNY")
    shown = {key["agency"]: row for key, row in zip(view.keys, view.rows)}
    assert shown[SILENT]["value_at_stake"] is None and shown["A001"]["value_at_stake"] > 0


def test_the_findings_list_of_a_silent_agency_has_an_unknown_total(src):
    filters = Filters(agencies=(SILENT,))
    listed = findings.findings(src, src.snapshot(filters), filters, FindingFilters())
    assert listed.num_rows > 0 and findings.value_at_stake(listed) is None
    every = findings.findings(src, src.snapshot(Filters()), Filters(), FindingFilters())
    assert findings.value_at_stake(every) == pytest.approx(sum(v or 0 for v in every.column("value_at_stake").to_pylist()))
    assert findings.value_at_stake(every.slice(0, 0)) == 0.0
