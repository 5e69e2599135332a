"""Overview and Explore pages, run by AppTest on the small demo tier in a real DuckDB file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.store.db import Database
from tracker.views.filters import filter_options
from tracker.views.source import Source

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(
    page: str | None = None, *, lang: str = "en", query: dict | None = None, role: str = "finance", agency: str | None = None
) -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role, agency=agency)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        switch_to(at, page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_kpis_charts_and_findings(demo_db):
    at = _run()
    metrics = _metrics(at)
    assert metrics["Assets"] == "2,053"
    assert re.fullmatch(r"¥\d+(\.\d+)?[KM]", metrics["Value at stake"])  # compact: a tile is never cut off
    assert metrics["Median utilisation"].endswith("%")
    assert "Data as of **2025-12-31**" in at.markdown[0].value
    assert len(at.get("plotly_chart")) == 4
    assert any("Largest findings" == s.value for s in at.subheader)


def test_overview_in_chinese(demo_db):
    at = _run(lang="zh")
    metrics = _metrics(at)
    assert "资产数" in metrics and "利用率中位数" in metrics
    assert metrics["涉及金额"].endswith("万")  # large CNY amounts read in 万 in Chinese
    assert "数据截至 **2025年12月31日**" in at.markdown[0].value


def test_agency_filter_changes_the_overview(demo_db):
    at = _run()
    everything = _metrics(at)
    at.multiselect(key="f_agencies").set_value(["A001"]).run()
    assert not at.exception
    narrowed = _metrics(at)
    assert int(narrowed["Assets"].replace(",", "")) < int(everything["Assets"].replace(",", ""))
    assert any("Filtered to Agency: A001" in c.value for c in at.caption)
    at.button(key="clear_filters").click().run()
    assert _metrics(at)["Assets"] == everything["Assets"]


def test_silent_agency_is_not_shown_as_idle(demo_db):
    """A003 sends no usage at all: its utilisation and its idle capital are unknown ("—"), never 0 % or ¥0."""
    at = _run()
    at.multiselect(key="f_agencies").set_value(["A003"]).run()
    metrics = _metrics(at)
    assert metrics["Median utilisation"] == "—"
    assert metrics["Idle capital"] == "—"
    assert any(c.value == "Unknown for 1 agency." for c in at.caption)


def test_a_filter_that_matches_nothing_says_so(demo_db):
    with Database.open(demo_db) as database:
        held = {
            r[0]
            for r in database.fetchall(
                "SELECT category FROM assets WHERE agency_code = 'A001' UNION SELECT category FROM procurement_lines "
                "WHERE agency_code = 'A001'"
            )
        }
        absent = sorted(set(filter_options(Source(database)).categories) - held)
    assert absent, "the demo's A001 should lack some category"
    at = _run()
    at.multiselect(key="f_agencies").set_value(["A001"])
    at.multiselect(key="f_categories").set_value(absent[:1]).run()
    assert not at.exception
    assert "Nothing matches the filters." in [i.value for i in at.info]
    assert not at.metric


def test_explore_drills_from_agency_to_device(demo_db):
    at = _run("explore")
    assert any(s.value == "Agencies" for s in at.subheader)
    agencies = at.dataframe[0].value
    assert any(a.startswith("A001 · ") for a in agencies["agency"])  # the code and the agency's name
    at = _run("explore", query={"agency": "A001"})
    lines = at.dataframe[0].value
    assert any(s.value == "Purchase lines of A001" for s in at.subheader)
    first = lines.iloc[0]["order"]
    po, line = first.rsplit("/", 1)
    at = _run("explore", query={"agency": "A001", "po": po, "line": line})
    devices = at.dataframe[0].value
    assert len(devices) >= 1
    asset = devices.iloc[0]["asset"]
    at = _run("explore", query={"agency": "A001", "po": po, "line": line, "asset": asset})
    assert any(s.value.startswith(f"Device {asset}") for s in at.subheader)
    assert "Utilisation" in _metrics(at)
    assert len(at.get("plotly_chart")) == 1


def test_explores_tables_show_money_as_money_unknown_as_a_dash_and_fit_the_page(demo_db):
    at = _run("explore", query={"agency": "A001"})
    [table] = at.dataframe
    assert table.proto.placeholder == "—"  # an unknown cell, never "None"
    config = json.loads(table.proto.columns)
    labels = [config[key]["label"] for key in ("order", "item", "category", "supplier", "amount", "value_at_stake")]
    assert labels == ["Order", "Item", "Category", "Supplier", "Amount", "Value at stake"]
    assert config["amount"]["type_config"]["format"] == config["value_at_stake"]["type_config"]["format"] == "¥%,.2f"
    assert sum(c.get("width", 0) for c in config.values() if isinstance(c.get("width"), int)) <= 790
    frame = table.value
    assert not {"laptop", "desktop", "printer"} & set(frame["category"].dropna())


def test_explore_refuses_a_device_of_another_agency(demo_db):
    at = _run("explore", query={"agency": "A001", "po": "-", "asset": "A002-00001"})
    assert any("not in the register of that agency" in w.value for w in at.warning)
