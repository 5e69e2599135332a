"""Reviews of findings and the evidence pack, on the small demo tier copied per test (reviews write)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.casework.evidence import FINDING_COLUMNS, build_pack, data_fingerprint
from tracker.casework.reports import flags_report
from tracker.casework.review import REOPEN_FACTOR, flag_finding_key, review, review_history, with_reviews
from tracker.domain.categories import CATEGORIES
from tracker.engine.parameters import set_setting
from tracker.text.errors import ConfigError
from tracker.text.tables import FORMULA_PREFIXES
from tracker.views.filters import Filters
from tracker.views.findings import findings
from tracker.views.source import Source

AS_OF = date(2025, 12, 31)


@pytest.fixture
def demo(demo_copy):
    return demo_copy


def _flags(db):
    return flags_report(db, as_of=AS_OF)


def _one(db, rule: str) -> dict:
    return next(f for f in _flags(db).to_pylist() if f["rule"] == rule)


def test_transitions_are_kept_in_order_with_who_and_when(demo):
    flag = _one(demo, "IDLE")
    assert flag["review_status"] == "open"
    review(demo, flag, "confirmed", "auditor-a", note="seen on site")
    review(demo, flag, "resolved", "auditor-b", note="reassigned to the library")
    history = review_history(demo, flag_finding_key(flag))
    assert [(h.status, h.reviewed_by, h.note) for h in history] == [
        ("resolved", "auditor-b", "reassigned to the library"),
        ("confirmed", "auditor-a", "seen on site"),
    ]
    assert history[0].reviewed_at >= history[1].reviewed_at
    now = {f["flag_id"]: f for f in _flags(demo).to_pylist()}[flag["flag_id"]]
    assert (now["review_status"], now["reviewed_by"], now["review_note"]) == (
        "resolved",
        "auditor-b",
        "reassigned to the library",
    )


def test_dismissing_needs_a_reason_and_bad_statuses_are_refused(demo):
    flag = _one(demo, "NEVER_USED")
    with pytest.raises(ConfigError) as refused:
        review(demo, flag, "dismissed", "auditor", reason="  ")
    assert "reason" in refused.value.text("en") and "理由" in refused.value.text("zh")
    with pytest.raises(ConfigError):
        review(demo, flag, "approved", "auditor")
    assert demo.scalar("SELECT count(*) FROM flag_reviews") == 0


def test_a_review_survives_recomputation_and_a_later_window(demo):
    flag = _one(demo, "IDLE_PURCHASE")
    review(demo, flag, "confirmed", "auditor")
    again = {f["flag_id"]: f for f in _flags(demo).to_pylist()}
    assert again[flag["flag_id"]]["review_status"] == "confirmed"
    restarted = Source(demo)  # a dashboard process started after the review
    shown = {f["flag_id"]: f for f in findings(restarted, restarted.snapshot(Filters()), Filters()).to_pylist()}
    assert shown[flag["flag_id"]]["review_status"] == "confirmed"
    # a different window gives the finding another flag_id; its review follows it by rule and subject
    later = flags_report(demo, as_of=AS_OF, window_days=364).to_pylist()
    same = [f for f in later if flag_finding_key(f) == flag_finding_key(flag)]
    assert same and same[0]["flag_id"] != flag["flag_id"] and same[0]["review_status"] == "confirmed"


def test_a_dismissed_finding_that_doubles_reopens_and_says_why(demo):
    flag = dict(_one(demo, "LOW_UTILISATION"))
    review(demo, flag, "dismissed", "auditor", reason="shared device, used by several teams")
    table = _flags(demo)
    assert {f["flag_id"]: f for f in table.to_pylist()}[flag["flag_id"]]["review_status"] == "dismissed"
    worse = table.filter(pc.equal(table.column("flag_id"), flag["flag_id"]))
    worse = worse.set_column(
        worse.column_names.index("value_at_stake"), "value_at_stake", pa.array([flag["value_at_stake"] * REOPEN_FACTOR])
    )
    reopened = with_reviews(
        demo,
        worse.select(
            [
                c
                for c in worse.column_names
                if not c.startswith(("review", "reopened")) and c not in ("reviewed_by", "reviewed_at")
            ]
        ),
    ).to_pylist()[0]
    assert reopened["review_status"] == "open"
    assert "dismissed" in reopened["reopened_because"] and "驳回" in reopened["reopened_because_zh"]
    assert reopened["review_reason"] == "shared device, used by several teams"


def test_fingerprint_is_stable_and_changes_with_the_data(demo, tmp_path):
    first = data_fingerprint(demo, as_of=AS_OF, window_days=365)
    assert data_fingerprint(demo, as_of=AS_OF, window_days=365) == first
    assert data_fingerprint(demo, as_of=AS_OF, window_days=180) != first
    set_setting(demo, "rule.IDLE.idle_days", "120", "admin")
    changed = data_fingerprint(demo, as_of=AS_OF, window_days=365)
    assert changed != first
    demo.execute("UPDATE usage_daily SET hours_used = hours_used + 1 WHERE asset_id = (SELECT min(asset_id) FROM usage_daily)")
    assert data_fingerprint(demo, as_of=AS_OF, window_days=365) != changed


def _sheet_rows(book, title):
    sheet = book[title]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_evidence_pack_contents_match_the_engine(demo):
    flags = _flags(demo)
    flag = flags.to_pylist()[0]
    review(demo, flag, "confirmed", "auditor", note="checked the register")
    flags = _flags(demo)
    pack = build_pack(demo, flags, as_of=AS_OF, window_days=365, actor="auditor", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(pack.xlsx))
    assert book.sheetnames == ["Summary", "Findings", "Rules", "Assets", "Purchase lines", "Reallocation"]
    header, rows = _sheet_rows(book, "Findings")
    assert list(header) == list(FINDING_COLUMNS)
    assert len(rows) == flags.num_rows
    by_id = {r[0]: dict(zip(header, r)) for r in rows}
    for engine in flags.to_pylist():
        exported = by_id[engine["flag_id"]]
        assert exported["rule"] == engine["rule"]
        if engine["value_at_stake"] is None:
            assert exported["value_at_stake"] == "—"  # unknown, said so: never a blank or 0
        else:
            assert exported["value_at_stake"] == pytest.approx(engine["value_at_stake"], abs=0.005)
    assert by_id[flag["flag_id"]]["review_status"] == "confirmed"
    assert by_id[flag["flag_id"]]["review_note"] == "checked the register"
    summary = dict(r for r in book["Summary"].iter_rows(min_row=2, values_only=True) if r[0])
    assert summary["Data fingerprint (SHA-256)"] == pack.fingerprint == data_fingerprint(demo, as_of=AS_OF, window_days=365)
    assert summary["Findings"] == flags.num_rows and summary["Exported by"] == "auditor"
    _, rules = _sheet_rows(book, "Rules")
    # the 11 rules, and below LOW_UTILISATION the low-use threshold of each category
    assert len({r[0] for r in rules}) == 11 and len(rules) == 11 + len(CATEGORIES)
    assert any("idle_days = 90 days" in (r[5] or "") for r in rules)
    _, assets = _sheet_rows(book, "Assets")
    flagged_assets = {f["asset_id"] for f in flags.to_pylist() if f["asset_id"]}
    assert flagged_assets <= {r[0] for r in assets}
    _, lines = _sheet_rows(book, "Purchase lines")
    flagged_lines = {(f["agency_code"], f["po_number"], f["line_no"]) for f in flags.to_pylist() if f["subject"] == "po_line"}
    assert flagged_lines <= {(r[0], r[2], r[3]) for r in lines}
    archive = zipfile.ZipFile(io.BytesIO(pack.zip))
    assert sorted(archive.namelist()) == sorted(
        f"{n}.csv" for n in ("summary", "findings", "rules", "assets", "purchase_lines", "reallocation")
    )
    assert pack.fingerprint in archive.read("summary.csv").decode("utf-8-sig")


def test_evidence_pack_headers_in_chinese(demo):
    pack = build_pack(
        demo,
        _flags(demo),
        as_of=AS_OF,
        window_days=365,
        actor="审计员",
        lang="zh",
    )
    book = openpyxl.load_workbook(io.BytesIO(pack.xlsx))
    assert book.sheetnames == ["摘要", "问题线索", "规则", "资产", "采购明细", "调剂"]
    header = next(book["问题线索"].iter_rows(max_row=1, values_only=True))
    assert header[:3] == ("线索编号", "规则", "严重程度")


TEXT_FIELDS = ("agency_code", "asset_id", "po_number", "category", "evidence", "evidence_zh", "review_note")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.text(min_size=1, max_size=30), min_size=len(TEXT_FIELDS), max_size=len(TEXT_FIELDS)),
    st.sampled_from(FORMULA_PREFIXES),
)
def test_no_exported_cell_becomes_a_formula(demo, texts, prefix):
    flags = _flags(demo).slice(0, 3)
    rows = flags.to_pylist()
    for row in rows:
        for i, field in enumerate(TEXT_FIELDS):
            row[field] = (prefix if i % 2 == 0 else "") + texts[i]
    hostile = pa.Table.from_pylist(rows, schema=flags.schema)
    pack = build_pack(
        demo,
        hostile,
        as_of=AS_OF,
        window_days=365,
        actor=prefix + "cmd|' /C calc'!A0",
        lang="en",
    )
    book = openpyxl.load_workbook(io.BytesIO(pack.xlsx))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), (sheet.title, cell.coordinate, cell.value)
    archive = zipfile.ZipFile(io.BytesIO(pack.zip))
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        for record in csv.reader(io.StringIO(text)):
            for value in record:
                assert not value.startswith(FORMULA_PREFIXES), (name, value)
