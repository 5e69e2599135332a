"""Upload templates: every header maps onto its contract, CSVs carry a BOM, the XLSX data sheet comes first."""

from __future__ import annotations

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from tracker.ingest.contracts import match_headers
from tracker.ingest.templates import INSTRUCTIONS_SHEET, LANGUAGES, TEMPLATES, header, write_templates

CASES = [(t, lang) for t in TEMPLATES for lang in LANGUAGES]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    return out, write_templates(out)


def _assert_maps_onto(headers: list[str], template) -> None:
    match = match_headers(headers, template.contract)
    assert match.missing == () and match.extras == {} and match.conflicts == {}
    assert [match.mapping[i] for i in range(len(headers))] == list(template.columns)


def test_every_template_is_written_in_both_languages_and_formats(written):
    out, paths = written
    expected = {f"{t.name}_{lang}.{ext}" for t in TEMPLATES for lang in LANGUAGES for ext in ("csv", "xlsx")}
    assert {p.name for p in paths} == expected
    assert {t.name for t in TEMPLATES} == {"procurement", "assets", "usage_daily", "usage_sessions", "meters", "requests"}


@pytest.mark.parametrize(("template", "language"), CASES, ids=[f"{t.name}-{lang}" for t, lang in CASES])
def test_csv_headers_map_onto_the_contract(written, template, language):
    raw = (written[0] / f"{template.name}_{language}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    _assert_maps_onto(rows[0], template)
    assert 2 <= len(rows) - 1 <= 3 and all(len(r) == len(rows[0]) for r in rows)
    if language == "zh":
        assert any(not cell.isascii() for row in rows[1:] for cell in row)


@pytest.mark.parametrize(("template", "language"), CASES, ids=[f"{t.name}-{lang}" for t, lang in CASES])
def test_xlsx_data_sheet_comes_first_and_maps_onto_the_contract(written, template, language):
    workbook = CalamineWorkbook.from_path(str(written[0] / f"{template.name}_{language}.xlsx"))
    assert workbook.sheet_names == [template.sheet[language], INSTRUCTIONS_SHEET]
    rows = workbook.get_sheet_by_index(0).to_python()
    _assert_maps_onto([str(h) for h in rows[0]], template)
    assert 2 <= len(rows) - 1 <= 3
    instructions = workbook.get_sheet_by_index(1).to_python()
    described = [row[0] for row in instructions[1 : len(template.columns) + 1]]
    assert described == [header(template.contract.field(name), language) for name in template.columns]
    assert all(row[4] and row[5] for row in instructions[1 : len(template.columns) + 1])


def test_chinese_headers_are_chinese_aliases_where_the_contract_has_one():
    for template in TEMPLATES:
        for name in template.columns:
            f = template.contract.field(name)
            zh = header(f, "zh")
            assert zh == f.name or zh in f.aliases
    procurement = next(t for t in TEMPLATES if t.name == "procurement")
    assert [header(procurement.contract.field(n), "zh") for n in procurement.columns][:3] == ["采购订单号", "行号", "单位代码"]


def test_templates_are_reproducible(written, tmp_path):
    again = write_templates(tmp_path)
    for first, second in zip(written[1], again):
        assert first.read_bytes() == second.read_bytes(), first.name
