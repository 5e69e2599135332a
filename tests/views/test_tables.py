"""Tables as pages show them (tracker.views.tables): the reviewer's columns fit 1280 px, unknown is "—", money is money."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from tracker.engine.snapshots import SnapshotCache
from tracker.text import formatting
from tracker.views import explore, overview, tables
from tracker.views.filters import Filters
from tracker.views.source import CompiledQueries, Source


@pytest.fixture(scope="module")
def caches():
    return SnapshotCache(), CompiledQueries()


@pytest.fixture
def src(demo_small, caches):
    return Source(demo_small[0], *caches)


def _cells(view: tables.TableView) -> list:
    return [value for row in view.rows for value in row.values()]


def _fits(view: tables.TableView) -> None:
    assert all(c.width for c in view.columns) and sum(c.width for c in view.columns) <= tables.TABLE_WIDTH_PX
    assert len(view.rows) == len(view.keys)
    assert not any(isinstance(v, str) and (v in ("None", "nan") or v.startswith("None")) for v in _cells(view))


def test_money_columns_show_money_as_the_one_money_format_writes_it():
    assert formatting.money_column_format("CNY") == "¥%,.2f"
    assert formatting.money_column_format("chf") == "CHF %,.2f"
    # the printf format in Python terms gives the exact figure of money(short=False)
    as_python = formatting.money_column_format("CNY").replace("%,.2f", "{:,.2f}")
    assert as_python.format(47806.8) == formatting.money(47806.8, "CNY", short=False) == "¥47,806.80"


def test_the_agencies_table_fits_and_says_unknown_for_the_agency_without_usage(src):
    filters = Filters()
    snap = src.snapshot(filters)
    view = tables.agencies(overview.agencies_compared(src, snap, filters), "en", snap.currency)
    _fits(view)
    assert [c.kind for c in view.columns if c.key in ("spend", "idle_nbv", "value_at_stake")] == ["money"] * 3
    silent = next(row for row, key in zip(view.rows, view.keys) if key["agency"] == "A003")
    assert silent["utilisation"] is None and silent["idle_share"] is None and silent["idle_nbv"] is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_purchase_lines_keep_what_a_reviewer_needs_within_the_page(src, lang):
    filters = Filters()
    snap = src.snapshot(filters)
    view = tables.purchase_lines(explore.agency_lines(src, snap, filters, "A001"), lang, snap.currency)
    _fits(view)
    keys = [c.key for c in view.columns]
    assert {"value_at_stake", "amount", "category", "supplier", "utilisation", "findings"} <= set(keys)
    assert view.column("amount").kind == view.column("value_at_stake").kind == "money"
    categories = {row["category"] for row in view.rows}
    assert not categories & {"laptop", "desktop", "printer"}  # names, not codes
    assert any(row["registered"] for row in view.rows)


def test_the_devices_of_an_agency_without_usage_are_unknown_not_unused(src):
    filters = Filters()
    snap = src.snapshot(filters)
    a003 = snap.assets.filter(pc.equal(snap.assets.column("agency_code"), "A003"))
    line = a003.filter(pc.invert(pc.is_null(a003.column("line_po_number")))).to_pylist()[0]
    devices = explore.line_assets(snap, filters, "A003", line["line_po_number"], line["line_line_no"])
    for lang, unknown in (("en", "unknown"), ("zh", "未知")):
        view = tables.devices(devices, lang, snap.currency)
        _fits(view)
        assert {row["utilisation"] for row in view.rows} == {None}
        assert {row["last_used"] for row in view.rows} == {unknown}
        assert not {row["status"] for row in view.rows} & {"in_use", "in_storage", "idle"}


def test_the_stored_columns_are_headed_in_chinese_and_keep_their_names_in_english():
    from tracker.views import browse

    columns = ["agency_code", "po_number", "usage_date", "hours_used", "not_a_known_column"]
    assert browse.column_labels(columns, "en") == {c: c for c in columns}
    zh = browse.column_labels(columns, "zh")
    assert zh["agency_code"] == "单位代码" and zh["usage_date"] == "使用日期" and zh["not_a_known_column"] == "not_a_known_column"
