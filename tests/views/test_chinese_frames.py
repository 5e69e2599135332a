"""The Chinese tables: no English word or raw code in a cell or a column title of the frames the pages show.

Streamlit draws st.dataframe on a canvas, out of reach of a scan of the page's text, so the frames are
checked where they are made: the core and view functions whose tables and texts the pages hand to
st.dataframe as they are, in Chinese, on the demo data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import pyarrow as pa
import pytest

from tracker.domain.categories import CATEGORIES
from tracker.ingest import uploads
from tracker.reallocation.matching import cover_text
from tracker.views.admin import profiles_editor_table
from tracker.views.filters import Filters
from tracker.views.findings import findings
from tracker.views.intervals import interval_table
from tracker.views.reallocation import reallocation_view
from tracker.views.source import Source

# English words and raw codes that must not stand in a Chinese cell (as whole words)
WORDS = {"None", "nan", "NaN", "null", "True", "False", "unknown", "never", "used", "days", "day", "hours", "units", "unit"}
WORDS |= {"in_use", "in_storage", "idle", "standby", "disposed", "open", "confirmed", "dismissed", "resolved"}
WORDS |= {"high", "medium", "low", "info", "asset", "assets", "po_line", "agency", "category", "ratio", "currency", "share"}
WORDS |= {"signed_in", "powered_on", "seen", "usage", "pages", "copies", "scans", "lamp_hours", "of", "the", "and"}
WORDS |= set(CATEGORIES)
LEAK = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)) + r")(?![\w-])|\(s\)")


def leaks(cells: Iterable[object]) -> list[str]:
    """The cells holding an English word or a raw code of the list (ids such as A001-LT-0001 are not words)."""
    found = []
    for cell in cells:
        if cell is None:
            found.append("None")
        elif isinstance(cell, str) and LEAK.search(cell):
            found.append(cell)
    return found


@pytest.fixture(scope="module")
def demo(demo_small):
    db, _ = demo_small
    src = Source(db)
    return db, src, src.snapshot(Filters())


def test_the_scan_finds_what_it_looks_for():
    assert leaks(["状态：in_use", "60 days", None, "严重程度 high", "unit(s)", "camera"]) == [
        "状态：in_use",
        "60 days",
        "None",
        "严重程度 high",
        "unit(s)",
        "camera",
    ]
    assert leaks(["A001-LT-0001", "资产 A001-LT-0001 闲置 120 天", "CG2025-A001-0001/1", "¥1,234.00", "—", "未知"]) == []


def test_findings_evidence_and_titles_in_chinese(demo):
    _, src, snap = demo
    table = findings(src, snap, Filters())
    assert table.num_rows
    for column in ("evidence_zh", "title_zh"):
        assert leaks(table.column(column).to_pylist()) == [], column


def test_reallocation_tables_in_chinese(demo):
    _, src, snap = demo
    result = reallocation_view(src, snap, Filters(), "zh")
    assert result.pool.num_rows  # the demo has idle devices; proposals come with planned purchases, when loaded
    assert leaks(result.proposals.column("reason").to_pylist()) == []
    assert leaks(cover_text(r, "zh") for r in result.cover.to_pylist()) == []
    evidence = [e for e in result.pool.column("evidence_zh").to_pylist() if e is not None]
    assert leaks(evidence) == []


def test_category_profiles_editor_in_chinese(demo):
    db, _, _ = demo
    units = [u for u in profiles_editor_table(db, "zh").column("capacity_unit").to_pylist() if u is not None]
    assert units and leaks(units) == []


def _usage_preview(db, text: str, name: str = "usage.csv"):
    data = text.encode("utf-8")
    return uploads.preview_upload(db, io.BytesIO(data), name, "usage", size_bytes=len(data)).report


def test_rejected_rows_and_their_reasons_in_chinese(demo):
    db, _, _ = demo
    known = db.scalar("SELECT min(asset_id) FROM assets")
    report = _usage_preview(
        db,
        "asset_id,usage_date,hours_used\n"
        f"{known},2025-06-02,-2\n{known},2025-06-03,25\nNOPE-1,2025-06-02,3\n{known},not a date,3\n",
    )
    assert report.rows_rejected == 4
    errors = uploads.row_errors_table(report, "zh")
    assert leaks(errors.column("reason").to_pylist()) == []
    rejects = report.rejects_table("zh")
    assert leaks(rejects.column(rejects.column_names[-1]).to_pylist()) == []


def test_event_log_machines_in_chinese(demo, shared_fixtures):
    db, _, _ = demo
    data = (shared_fixtures / "windows-eventlog" / "system.evtx").read_bytes()
    report = uploads.preview_upload(db, io.BytesIO(data), "system.evtx", "usage", size_bytes=len(data)).report
    table = interval_table(report, "zh")
    assert table is not None and table.rows
    assert leaks(table.columns) == []
    assert leaks(cell for row in table.rows for cell in row[1:]) == []  # the machine's own name aside


def test_frames_are_pyarrow_or_rows():
    """The scan reads cells whatever the frame: a pyarrow table's columns or a list of row tuples."""
    assert leaks(pa.table({"x": ["闲置", "in_use"]}).column("x").to_pylist()) == ["in_use"]
