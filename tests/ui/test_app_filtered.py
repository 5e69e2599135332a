"""Pages narrowed by filters to nothing, run by AppTest on the demo data: each says so in the reader's language."""

from __future__ import annotations

from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _reallocation(lang: str) -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")
    at.query_params["lang"] = lang
    at.query_params["f_agency"] = "A001"
    at.query_params["f_category"] = "storage"  # A001 holds no storage device and asks for none
    at.run()
    switch_to(at, "reallocation").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_requests_filtered_away_are_not_called_missing(demo_db):
    at = _reallocation("en")
    infos = [i.value for i in at.info]
    assert "No planned purchase matches the filters." in infos
    assert not any(i.startswith("No planned purchase yet") for i in infos)
    assert "Filtered to Agency: A001 · Category: Storage" in [c.value for c in at.caption]


def test_the_filters_line_and_the_empty_requests_in_chinese(demo_db):
    at = _reallocation("zh")
    assert "没有符合当前筛选条件的配置申请。" in [i.value for i in at.info]
    assert "当前筛选：单位：A001 · 类别：存储设备" in [c.value for c in at.caption]


def test_an_agency_without_usage_reads_unknown_on_the_overview(demo_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "auditor")
    at.query_params["lang"] = "zh"
    at.query_params["f_agency"] = "A003"  # the demo's agency that sends no usage
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    stake = next(m for m in at.metric if m.label == "涉及金额")
    assert stake.value == "—"
    assert "以下单位各类设备的利用率均未知（未报送使用数据）：A003。" in [i.value for i in at.info]
