"""tracker.ingest.uploads: the upload flow (size, peek, kind, dry run, commit, history) and the settings page's saves."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import ASSETS_CSV, _commit
from python_calamine import CalamineWorkbook

from tracker.engine.parameters import set_setting
from tracker.ingest import uploads
from tracker.text.errors import FileRefused

BAD_USAGE_CSV = "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-1,2025-02-30,5\nPC-2,2025-03-03,-2\n"


def _upload(db, text: str, name: str, kind: str | None, **options):
    data = text.encode("utf-8")
    return uploads.preview_upload(db, io.BytesIO(data), name, kind, size_bytes=len(data), **options)


def _usage_rows(db) -> int:
    return db.scalar("SELECT count(*) FROM usage_daily")


# -- kind detection ------------------------------------------------------------------------------

TEMPLATE_CSVS = [t for t in uploads.template_files() if t.file_format == "csv"]


@pytest.mark.parametrize("template", TEMPLATE_CSVS, ids=[t.path.name for t in TEMPLATE_CSVS])
def test_every_template_is_detected_as_its_kind_in_both_languages(template):
    headers = next(csv.reader(io.StringIO(template.path.read_text(encoding="utf-8-sig"))))
    assert uploads.detect_kind(headers, template.path.name) == template.kind


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (
            [
                "Asset Tag",
                "Model",
                "Category",
                "Serial",
                "Company",
                "Order Number",
                "Purchase Date",
                "Purchase Cost",
                "Status",
                "Location",
            ],
            "assets",
        ),  # a Snipe-IT export, unedited
        (["资产编号", "开始时间", "结束时间"], "usage"),
        (["  ASSET_ID ", "Date", "Minutes Used"], "usage"),
        (["订单号", "单位代码", "品名", "类别", "数量", "金额", "签订日期"], "procurement"),
    ],
)
def test_headers_in_english_and_chinese_name_their_kind(headers, kind):
    assert uploads.detect_kind(headers, "file.csv") == kind


def test_ocds_is_procurement_whatever_its_headers():
    assert uploads.detect_kind(["ocid", "anything"], "release.json", ocds=True) == "procurement"


def test_headers_of_two_kinds_are_refused_with_both_named():
    headers = ["asset_id", "agency_code", "category", "purchase_cost", "usage_date", "hours_used"]
    with pytest.raises(uploads.KindNotDetected) as refused:
        uploads.detect_kind(headers, "mixed.csv")
    assert refused.value.candidates == ("assets", "usage")
    assert "mixed.csv" in refused.value.text("en") and "无法判断" in refused.value.text("zh")


def test_unrecognisable_headers_are_refused_plainly():
    with pytest.raises(uploads.KindNotDetected) as refused:
        uploads.detect_kind(["name", "colour", "size"], "pets.csv")
    assert refused.value.candidates == ()
    assert refused.value.key == "file.kind_unknown"


def test_a_nearly_complete_file_is_told_its_missing_columns():
    with pytest.raises(FileRefused) as refused:
        uploads.detect_kind(["asset_id", "usage_date", "source"], "usage.csv")
    assert refused.value.key == "file.missing_columns"
    assert "hours_used" in refused.value.text("en")


def test_an_upload_scoped_to_an_agency_may_leave_out_the_agency_column():
    headers = ["asset_id", "category", "purchase_cost"]
    assert uploads.detect_kind(headers, "assets.csv", agency="A001") == "assets"
    with pytest.raises(FileRefused) as refused:
        uploads.detect_kind(headers, "assets.csv")
    assert "agency_code" in refused.value.text("en")


# -- the file as it arrived ----------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_parsing(db):
    set_setting(db, "max_upload_mb", 1, "admin")
    uploads.check_upload_size(db, "ok.csv", 1_000_000)
    with pytest.raises(FileRefused) as refused:
        uploads.check_upload_size(db, "big.csv", 1_000_001)
    assert refused.value.key == "file.too_large"
    with pytest.raises(FileRefused) as refused:  # the size the browser announced decides, before any byte is read
        uploads.preview_upload(db, io.BytesIO(b"x"), "big.csv", None, size_bytes=5_000_000)
    assert refused.value.key == "file.too_large"


def test_saved_upload_keeps_only_the_suffix_and_cleans_up():
    with uploads.saved_upload(io.BytesIO(b"a,b\n"), "../../etc/Report.CSV") as path:
        assert path.name == "upload.csv" and path.read_bytes() == b"a,b\n"
        folder = path.parent
    assert not folder.exists()


def test_peek_reads_headers_and_first_rows_of_csv_and_xlsx(db):
    for suffix in ("csv", "xlsx"):
        path = uploads.TEMPLATE_DIR / f"assets_zh.{suffix}"
        peek = uploads.peek_file(db, path, path.name, rows=2)
        assert peek.headers[0] == "资产编号"
        assert peek.first_rows.num_rows == 2
        assert peek.first_rows.column("资产编号").to_pylist() == ["A001-00501", "A001-00521"]


# -- validate, then commit -----------------------------------------------------------------------


def test_a_bad_file_previews_every_rejected_row_and_stores_nothing(with_assets):
    db = with_assets
    preview = _upload(db, BAD_USAGE_CSV, "usage.csv", None)
    assert preview.kind == "usage"
    assert (preview.report.rows_read, preview.report.rows_accepted, preview.report.rows_rejected) == (3, 1, 2)
    assert not preview.can_commit_all and preview.can_commit_good_rows
    errors = uploads.row_errors_table(preview.report, "en").to_pylist()
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "usage_date", "2025-02-30"), (4, "hours_used", "-2")]
    assert "不能为负数" in uploads.row_errors_table(preview.report, "zh").column("reason")[1].as_py()
    assert preview.peek.first_rows.num_rows == 3
    assert _usage_rows(db) == 0 and uploads.upload_history(db).num_rows == 1


def test_a_preview_reads_the_workbook_once_for_its_first_rows_and_its_dry_run(with_assets, monkeypatch):
    from tracker.ingest.readers import dispatch

    reads = []
    real = dispatch.stage_excel
    monkeypatch.setattr(dispatch, "stage_excel", lambda *args, **kwargs: reads.append(args[3]) or real(*args, **kwargs))
    data = (uploads.TEMPLATE_DIR / "assets_en.xlsx").read_bytes()
    preview = uploads.preview_upload(with_assets, io.BytesIO(data), "assets.xlsx", None, size_bytes=len(data))
    assert preview.kind == "assets" and preview.report.rows_read > 0 and preview.peek.first_rows.num_rows > 0
    assert reads == ["assets.xlsx"]
    assert not [t for (t,) in with_assets.fetchall("SELECT table_name FROM duckdb_tables() WHERE temporary")]


def test_a_good_file_commits_and_the_history_shows_it_first(with_assets):
    db = with_assets
    good = "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\nPC-2,2025-03-03,2\n"
    preview = _upload(db, good, "usage.csv", "usage")
    assert preview.can_commit_all and preview.report.rows_inserted == 2 and _usage_rows(db) == 0
    report = _commit(db, good, "usage.csv", "usage")
    assert report.status == "committed" and _usage_rows(db) == 2
    latest = uploads.upload_history(db).to_pylist()[0]
    assert latest["upload_id"] == report.upload_id and latest["uploaded_by"] == "tester"
    assert (latest["file_name"], latest["kind"], latest["status"]) == ("usage.csv", "usage", "committed")
    assert (latest["rows_read"], latest["rows_inserted"], latest["agencies"]) == (2, 2, ["A001"])


def test_committing_the_good_rows_keeps_the_rejected_ones(with_assets):
    db = with_assets
    report = _commit(db, BAD_USAGE_CSV, "usage.csv", "usage", partial=True)
    assert report.status == "partial" and _usage_rows(db) == 1
    kept = uploads.kept_rejects(db, report.upload_id, "zh")
    assert kept.column("row").to_pylist() == [3, 4]
    assert kept.column("usage_date").to_pylist() == ["2025-02-30", "2025-03-03"]
    assert "不是有效日期" in kept.column("error")[0].as_py()
    assert "not a date" in uploads.kept_rejects(db, report.upload_id, "en").column("error")[0].as_py()


def test_rejected_rows_download_as_csv_with_bom_and_as_xlsx(with_assets):
    report = _upload(with_assets, BAD_USAGE_CSV, "usage.csv", "usage").report
    table = report.rejects_table("en")
    csv_bytes = uploads.table_bytes(table, "csv")
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and b"cannot be negative" in csv_bytes
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(uploads.table_bytes(table, "xlsx")))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == ["row", "asset_id", "usage_date", "hours_used", "error"] and len(rows) == 3
    assert uploads.rejects_file_name("usage.csv", "xlsx") == "usage_rejected.xlsx"


def test_a_wrong_kind_is_refused_as_a_whole(with_assets):
    with pytest.raises(FileRefused) as refused:
        _upload(with_assets, BAD_USAGE_CSV, "usage.csv", "procurement")
    assert refused.value.key == "file.wrong_kind"


# -- history and its scoping ---------------------------------------------------------------------


def test_an_agency_sees_only_the_uploads_of_its_own_rows(db):
    both = _commit(db, ASSETS_CSV, "both.csv", "assets")
    own = _commit(db, "asset_id,category,purchase_cost\nPC-9,laptop,5000\n", "own.csv", "assets", agency="A001")
    only_a002 = _commit(db, "asset_id,agency_code,category,purchase_cost\nPR-9,A002,printer,900\n", "a002.csv", "assets")
    ids = lambda agency: uploads.upload_history(db, agency=agency).column("upload_id").to_pylist()  # noqa: E731
    assert ids(None) == [only_a002.upload_id, own.upload_id, both.upload_id]
    assert ids("A001") == [own.upload_id]
    assert ids("A002") == [only_a002.upload_id]
    assert uploads.upload_history(db, agency="A001").column("scope_agency").to_pylist() == ["A001"]


def test_kept_rejects_are_scoped_like_the_history(with_assets):
    db = with_assets
    report = _commit(db, BAD_USAGE_CSV, "usage.csv", "usage", partial=True)
    assert uploads.kept_rejects(db, report.upload_id, "en", agency="A002").num_rows == 0
    assert uploads.kept_rejects(db, report.upload_id, "en", agency="A001").num_rows == 2


# -- templates -----------------------------------------------------------------------------------


def test_every_template_is_offered_in_both_languages_and_formats():
    files = uploads.template_files()
    assert len(files) == 24
    assert {(f.template, f.language, f.file_format) for f in files} == {
        (t, lang, fmt)
        for t in ("procurement", "assets", "usage_daily", "usage_sessions", "meters", "requests")
        for lang in ("en", "zh")
        for fmt in ("csv", "xlsx")
    }
    assert {f.kind for f in files} == {"procurement", "assets", "usage", "meters", "requests"}
    assert all(f.path.is_file() for f in files)


def test_template_files_in_an_empty_folder(tmp_path: Path):
    assert uploads.template_files(tmp_path) == []
