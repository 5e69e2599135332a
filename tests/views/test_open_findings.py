"""One meaning of an open finding: the Overview's KPI, its agency chart, its largest findings, Explore's
purchase lines and the Findings page filtered to Open are made of the same rows."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from tracker.casework.review import review
from tracker.views import explore, overview
from tracker.views.filters import Filters, FindingFilters
from tracker.views.findings import OPEN, findings, open_findings
from tracker.views.source import Source


def _stake(table) -> float:
    return sum(v or 0 for v in table.column("value_at_stake").to_pylist())


def test_dismissed_confirmed_and_resolved_findings_leave_every_open_figure(demo_copy):
    src = Source(demo_copy)
    snap = src.snapshot(Filters())
    every = findings(src, snap, Filters())
    largest = every.take(pc.sort_indices(every, [("value_at_stake", "descending")]))
    a001 = largest.filter(pc.equal(largest.column("agency_code"), "A001")).to_pylist()
    reviewed = [largest.to_pylist()[0], a001[0], a001[1]]
    review(demo_copy, reviewed[0], "dismissed", "auditor", reason="moved to a school")
    review(demo_copy, reviewed[1], "confirmed", "auditor")
    review(demo_copy, reviewed[2], "resolved", "auditor")

    listed = findings(src, snap, Filters(), FindingFilters(statuses=(OPEN,)))
    assert listed.num_rows == every.num_rows - 3
    assert open_findings(src, snap, Filters()).equals(listed)
    k = overview.kpis(src, snap, Filters())
    assert k.open_findings == listed.num_rows
    assert k.value_at_stake_open == pytest.approx(_stake(listed))
    assert k.value_at_stake_open < _stake(every) - (reviewed[0]["value_at_stake"] or 0) + 1

    compared = overview.agencies_compared(src, snap, Filters()).to_pylist()
    assert sum(r["findings"] for r in compared) == listed.num_rows
    # an agency whose open findings all have an unknown value shows an unknown total (None), not 0
    assert sum(r["value_at_stake"] or 0 for r in compared) == pytest.approx(_stake(listed))

    top = overview.top_findings(src, snap, Filters(), limit=5)
    assert reviewed[0]["flag_id"] not in top.column("flag_id").to_pylist()
    values = top.column("value_at_stake").to_pylist()
    assert values == sorted(values, reverse=True)

    lines = explore.agency_lines(src, snap, Filters(), "A001")
    open_a001 = listed.filter(
        pc.and_(pc.equal(listed.column("agency_code"), "A001"), pc.equal(listed.column("subject"), "po_line"))
    )
    assert sum(lines.column("findings").to_pylist()) == open_a001.num_rows
    assert sum(lines.column("value_at_stake").to_pylist()) == pytest.approx(_stake(open_a001))
