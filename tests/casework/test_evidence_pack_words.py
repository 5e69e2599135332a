"""The evidence pack as an auditor opens it: thresholds to recompute LOW_UTILISATION, readable cells, no codes in Chinese."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import openpyxl
import pytest

from tracker.casework.evidence import build_pack
from tracker.casework.reports import flags_report
from tracker.domain.categories import CATEGORIES
from tracker.store.profiles import set_profile_value

AS_OF = date(2025, 12, 31)
# raw codes that must never stand as a cell of a Chinese pack (severities, statuses, subjects, categories, booleans)
CODES = {"high", "medium", "low", "info", "open", "confirmed", "dismissed", "resolved", "in_use", "idle", "in_storage"}
CODES |= {"standby", "disposed", "asset", "po_line", "agency_category", "agency_fiscal_year", "None", "True", "False"}
CODES |= set(CATEGORIES)
ENGLISH_UNITS = re.compile(r"\b\d[\d,.]*\s*(?:days?|units?|assets?|ratio|currency|share)\b|\(s\)")


@pytest.fixture(scope="module")
def packs(demo_small, tmp_path_factory):
    """Packs of the demo after the camera's low-use threshold was changed, in both languages."""
    from conftest import copy_database

    from tracker.store.db import Database

    source, _ = demo_small
    source.execute("CHECKPOINT")
    path = tmp_path_factory.mktemp("pack") / "demo.duckdb"
    copy_database(source.path, path)
    db = Database.open(path)
    set_profile_value(db, "camera", "low_threshold", 0.2, "admin-x", note="auditor's request")
    flags = flags_report(db, as_of=AS_OF)
    books = {
        lang: openpyxl.load_workbook(
            io.BytesIO(build_pack(db, flags, as_of=AS_OF, window_days=365, actor="auditor", lang=lang).xlsx)
        )
        for lang in ("en", "zh")
    }
    yield flags, books
    db.close()


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def test_the_rules_sheet_lists_every_categorys_low_use_threshold_in_force(packs):
    _, books = packs
    rules = _rows(books["en"]["Rules"])
    thresholds = {}
    for row in rules:
        found = re.fullmatch(r"Low-use threshold: (.+)", row["title"] or "")
        if found:
            assert row["code"] == "LOW_UTILISATION"
            thresholds[found.group(1)] = float(re.search(r"low_threshold = ([\d.]+) %", row["parameters"]).group(1)) / 100
            assert "hours_per_day = " in row["parameters"] and "days = " in row["parameters"]
    assert len(thresholds) == len(CATEGORIES)
    assert thresholds["Camera"] == 0.2 and thresholds["Desktop"] == 0.25 and thresholds["Printer"] == 0.1
    camera = next(r for r in rules if r["title"] == "Low-use threshold: Camera")
    assert "admin-x" in camera["rationale"]
    # the thresholds of rules with a unit read as a reader writes them
    parameters = " ".join(r["parameters"] for r in rules)
    assert "idle_days = 90 days" in parameters and "min_share = 50.0 %" in parameters and "min_ratio = 2.00×" in parameters


def test_low_utilisation_findings_can_be_recomputed_from_the_pack_alone(packs):
    flags, books = packs
    book = books["en"]
    thresholds = {
        re.fullmatch(r"Low-use threshold: (.+)", r["title"]).group(1): float(re.search(r"= ([\d.]+) %", r["parameters"]).group(1))
        / 100
        for r in _rows(book["Rules"])
        if (r["title"] or "").startswith("Low-use threshold: ")
    }
    from tracker.text.i18n import category_name

    low = [r for r in _rows(book["Findings"]) if r["rule"] == "LOW_UTILISATION"]
    assert low, "the demo plants under-used assets"
    for finding in low:
        assert finding["utilisation"] < thresholds[category_name(finding["category"], "en")]


def test_utilisation_is_a_percentage_and_unknown_is_said(packs):
    flags, books = packs
    for lang, unknown in (("en", "—"), ("zh", "未知")):
        book = books[lang]
        sheet = book.worksheets[1]  # Findings
        header = [c.value for c in sheet[1]]
        column = header.index("utilisation" if lang == "en" else "利用率") + 1
        cells = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
        numbers = [c for c in cells if isinstance(c.value, (int, float))]  # a measured 0 reads back as the int 0
        assert numbers and all(c.number_format == "0.0%" for c in numbers)
        assert all(0 <= c.value <= 1 for c in numbers)  # the fraction itself: the format shows 12.5%
        assert {c.value for c in cells if not isinstance(c.value, (int, float))} <= {unknown}
        missing = sum(1 for f in flags.to_pylist() if f["utilisation"] is None)
        assert missing and sum(1 for c in cells if c.value == unknown) == missing  # never a blank, never 0
        stake = header.index("value_at_stake" if lang == "en" else "涉及金额") + 1
        assert all(sheet.cell(r, stake).value is not None for r in range(2, sheet.max_row + 1))


def _width(text) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in str(text))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_summary_labels_fit_their_column(packs, lang):
    sheet = packs[1][lang].worksheets[0]
    labels = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value]
    assert sheet.column_dimensions["A"].width >= max(_width(label) for label in labels)


def test_the_chinese_pack_names_codes_and_units_in_chinese(packs):
    _, books = packs
    book = books["zh"]
    offending = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (value in CODES or ENGLISH_UNITS.search(value)):
                    offending.append((sheet.title, cell.coordinate, value[:80]))
    assert offending == []
    findings = _rows(book["问题线索"])
    assert {f["严重程度"] for f in findings} <= {"高", "中", "低", "提示"}
    assert {f["复核状态"] for f in findings} <= {"待复核", "已确认", "已驳回", "已整改"}
    rules = _rows(book["规则"])
    camera = next(r for r in rules if r["规则名称"] == "低使用率阈值：摄像机")
    assert "20.0 %" in camera["参数"] and "每日标准时长" in camera["参数"]
    assert any("90 天" in (r["参数"] or "") for r in rules)
