"""Explore on a metered demo device: its counter readings, the use derived from them and its finding."""

from __future__ import annotations

from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _device(asset: str, lang: str = "en") -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")
    at.query_params["lang"] = lang
    for key, value in {"agency": asset.split("-")[0], "po": "-", "asset": asset}.items():
        at.query_params[key] = value
    at.run()
    switch_to(at, "explore").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_metered_device_shows_its_readings_and_derived_use_beside_its_finding(demo_db):
    at = _device("A002-M02")
    assert any(s.value == "Counter readings and the use derived from them" for s in at.subheader)
    assert len(at.get("plotly_chart")) == 2  # daily hours (none known) and the readings
    captions = " ".join(c.value for c in at.caption)
    assert "16,400 pages on 2025-08-01, 16,400 on 2025-12-31: no use in 152 days." in captions
    assert {m.label: m.value for m in at.metric}["Hours used"] == "—"  # unknown, not 0 h
    assert any("no use in 152 days" in w.value for w in at.warning)


def test_the_metered_device_page_in_chinese(demo_db):
    at = _device("A002-M03", lang="zh")
    assert any(s.value == "计数器读数及推算的使用量" for s in at.subheader)
    assert "之间使用 1,000 页" in " ".join(c.value for c in at.caption)


def test_a_metered_finding_shows_the_readings_as_its_evidence(demo_db):
    from tracker.store.db import Database
    from tracker.views.filters import Filters
    from tracker.views.findings import findings
    from tracker.views.source import Source

    with Database.open(demo_db) as database:
        src = Source(database)
        table = findings(src, src.snapshot(Filters()), Filters()).to_pylist()
    flag = next(r for r in table if r["asset_id"] == "A002-M02")
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "auditor", username="dashboard")
    at.query_params["lang"] = "en"
    at.run()
    switch_to(at, "findings").run()
    at.session_state["flag_selected"] = flag["flag_id"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("no use in 152 days" in m.value for m in at.markdown)
    charts = at.get("plotly_chart")
    assert any("Counter reading" in str(c.proto.spec) for c in charts)
