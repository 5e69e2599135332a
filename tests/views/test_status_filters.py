"""The data status follows the agency filter; every agency in the comparison has its name."""

from __future__ import annotations

from tracker.views import overview
from tracker.views.filters import Filters
from tracker.views.source import Source


def test_agencies_sending_usage_are_counted_inside_the_filter(demo_small):
    src = Source(demo_small[0])
    snap = src.snapshot(Filters())
    everything = overview.data_status(src, snap, Filters())
    assert (everything.agencies, everything.agencies_with_usage) == (5, 4)
    silent = overview.data_status(src, snap, Filters(agencies=("A003",)))
    assert (silent.agencies, silent.agencies_with_usage) == (1, 0)
    two = overview.data_status(src, snap, Filters(agencies=("A001", "A003")))
    assert (two.agencies, two.agencies_with_usage) == (2, 1)


def test_every_agency_compared_has_a_name(demo_small):
    db = demo_small[0]
    src = Source(db)
    named = dict(db.fetchall("SELECT agency_code, agency_name FROM agencies"))
    table = overview.agencies_compared(src, src.snapshot(Filters()), Filters())
    for row in table.to_pylist():
        if named.get(row["agency_code"]):
            assert row["agency_name"], row  # never blank, even without purchase lines in the window
