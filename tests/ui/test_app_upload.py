"""The upload page, run by AppTest against a real DuckDB file: preview, every rejected row, commit, history.

Most tests run the page on its own, with the language switch app.py puts in the sidebar, so that
they do not depend on the other pages; one test reaches it through app.py's navigation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")

SCRIPT = """
from tracker.ui import common, upload_page

common.language_switch()
upload_page.render()
"""
BAD_USAGE = b"asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-1,2025-02-30,5\nPC-2,2025-03-03,-2\n"
GOOD_USAGE = b"asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-2,2025-03-03,2\nPC-2,2025-03-04,3\n"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    path = tmp_path / "upload.duckdb"
    (tmp_path / "assets.csv").write_text(
        "asset_id,agency_code,category,purchase_cost,purchase_date\n"
        "PC-1,A001,笔记本电脑,6500,2024-03-01\nPC-2,A001,laptop,6500,2024-03-01\n",
        encoding="utf-8",
    )
    with Database.open(path) as db:
        assert ingest_file(db, "assets", tmp_path / "assets.csv", actor="setup").committed
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params["lang"] = lang
    sign_in_as(at, "admin", username="dashboard")
    at.run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _upload(at: AppTest, name: str, data: bytes, kind: str | None = None) -> AppTest:
    if kind is not None:
        at.selectbox(key="upload_kind").set_value(kind)
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    _no_exception(at)
    return at


def _scalar(at: AppTest, sql: str):
    return at.session_state["db_cursor"].scalar(sql)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize(
    ("lang", "title", "uploader", "history"),
    [
        ("en", "Upload data", "File (CSV, XLSX, Parquet or OCDS JSON)", "Upload history"),
        ("zh", "上传数据", "文件（CSV、XLSX、Parquet 或 OCDS JSON）", "上传记录"),
    ],
)
def test_the_page_renders_in_both_languages(app_db, lang, title, uploader, history):
    at = _page(lang)
    assert at.title[0].value == title
    assert at.file_uploader[0].label == uploader
    assert history in [s.value for s in at.subheader]
    assert (
        len([b for b in at.download_button if b.key.startswith("upload_template_")]) == 24
    )  # five templates, two languages, CSV and XLSX
    frame = at.dataframe[0].value
    assert list(frame["file_name"]) == ["assets.csv"] and list(frame["uploaded_by"]) == ["setup"]


def test_the_navigation_leads_to_the_page(app_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=60), "admin")
    at.query_params["lang"] = "zh"
    at.run()
    switch_to(at, "upload").run()
    _no_exception(at)
    assert at.title[0].value == "上传数据" and len(at.file_uploader) == 1


def test_a_bad_file_shows_every_row_error_and_commits_nothing(app_db):
    at = _upload(_page(), "usage.csv", BAD_USAGE)
    metrics = _metrics(at)
    assert (metrics["Rows read"], metrics["Accepted"], metrics["Rejected"]) == ("3", "1", "2")
    table = next(d for d in at.dataframe if "reason" in d.value.columns)
    assert table.proto.placeholder == "—"  # a missing value reads as missing, never "None"
    errors = table.value
    assert list(errors["row"]) == [3, 4]
    assert list(errors["column"]) == ["usage_date", "hours_used"]
    assert list(errors["value"]) == ["2025-02-30", "-2"]
    assert "not a date" in errors["reason"][0] and "cannot be negative" in errors["reason"][1]
    assert at.button(key="upload_commit_all").disabled
    assert {"upload_rejects_csv", "upload_rejects_xlsx"} <= {b.key for b in at.download_button}
    assert _scalar(at, "SELECT count(*) FROM usage_daily") == 0
    assert _scalar(at, "SELECT count(*) FROM uploads") == 1
    # the check is in the audit trail, with who and the counts (the commit adds its own entry)
    entry = at.session_state["db_cursor"].fetchone(
        "SELECT actor, action, target, details->>'status', details->>'rows_rejected' FROM audit_log "
        "ORDER BY entry_id DESC LIMIT 1"
    )
    assert entry == ("dashboard", "upload", "usage.csv", "checked", "2")


def test_row_errors_read_in_chinese(app_db):
    at = _upload(_page("zh"), "usage.csv", BAD_USAGE)
    errors = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert "不是有效日期" in errors["reason"][0] and "不能为负数" in errors["reason"][1]
    assert _metrics(at)["被拒绝"] == "2"


def test_a_good_file_previews_then_commits(app_db):
    at = _upload(_page(), "usage.csv", GOOD_USAGE)
    assert _metrics(at)["Would be new"] == "3"
    assert any("Every row passed the checks." == s.value for s in at.success)
    preview = next(d.value for d in at.dataframe if "hours_used" in d.value.columns)
    assert list(preview["asset_id"]) == ["PC-1", "PC-2", "PC-2"]
    assert _scalar(at, "SELECT count(*) FROM usage_daily") == 0
    at.button(key="upload_commit_all").click().run()
    _no_exception(at)
    assert _scalar(at, "SELECT count(*) FROM usage_daily") == 3
    assert any("Committed as upload #2" in s.value for s in at.success)
    history = at.dataframe[0].value
    assert list(history["file_name"]) == ["usage.csv", "assets.csv"]
    assert history["rows_inserted"][0] == 3 and history["uploaded_by"][0] == "dashboard"
    assert not at.metric  # the uploader is empty again: no preview left behind


def test_committing_the_good_rows_keeps_the_rejects(app_db):
    at = _upload(_page(), "usage.csv", BAD_USAGE)
    at.button(key="upload_commit_good").click().run()
    _no_exception(at)
    assert _scalar(at, "SELECT count(*) FROM usage_daily") == 1
    assert _scalar(at, "SELECT count(*) FROM rejected_rows WHERE upload_id = 2") == 2
    assert any("The rejected rows (2 rows) were kept with upload #2" in i.value for i in at.info)
    assert at.selectbox(key="upload_kept_choice").value == 2
    assert {"upload_kept_csv", "upload_kept_xlsx"} <= {b.key for b in at.download_button}


def test_a_file_of_the_wrong_kind_is_refused_with_its_message(app_db):
    at = _upload(_page(), "usage.csv", GOOD_USAGE, kind="procurement")
    assert len(at.error) == 1
    assert "looks like usage log records, not procurement" in at.error[0].value
    assert not at.metric and not at.button  # its message and nothing else
    assert _scalar(at, "SELECT count(*) FROM uploads") == 1


def test_ambiguous_dates_ask_for_their_order(app_db):
    data = b"asset_id,usage_date,hours_used\nPC-1,03/04/2025,6\nPC-2,05/04/2025,2\n"
    at = _upload(_page(), "usage.csv", data)
    assert "could be day/month or month/day" in at.error[0].value
    at.radio(key="upload_date_order").set_value("dmy").run()
    _no_exception(at)
    assert not at.error and _metrics(at)["Accepted"] == "2"
    at.button(key="upload_commit_all").click().run()
    assert _scalar(at, "SELECT min(usage_date) FROM usage_daily").isoformat() == "2025-04-03"


def test_cancel_forgets_the_file(app_db):
    at = _upload(_page(), "usage.csv", GOOD_USAGE)
    at.button(key="upload_cancel").click().run()
    _no_exception(at)
    assert not at.metric and "upload_preview" not in at.session_state
    assert _scalar(at, "SELECT count(*) FROM usage_daily") == 0


def test_the_same_file_again_says_so(app_db):
    at = _upload(_page(), "usage.csv", GOOD_USAGE)
    at.button(key="upload_commit_all").click().run()
    at = _upload(at, "usage-copy.csv", GOOD_USAGE)
    assert _metrics(at)["Unchanged"] == "3"
    assert any("It is the same file as upload #2" in i.value for i in at.info)
    at.button(key="upload_commit_all").click().run()
    assert any("nothing changed" in s.value for s in at.success)
    assert list(at.dataframe[0].value["status"][:1]) == ["Nothing changed"]


def test_headers_of_two_kinds_ask_for_the_kind(app_db):
    data = b"asset_id,agency_code,category,purchase_cost,usage_date,hours_used\nPC-3,A001,laptop,5000,2025-03-03,2\n"
    at = _upload(_page(), "mixed.csv", data)
    assert "Could not tell which kind of records mixed.csv holds" in at.error[0].value
    assert "fit more than one kind (asset register, usage log)" in at.info[0].value
    at.selectbox(key="upload_kind").set_value("assets").run()
    _no_exception(at)
    assert not at.error and _metrics(at)["Would be new"] == "1"
