"""Formula-safe CSV and XLSX output."""

from __future__ import annotations

import io

import openpyxl
import pyarrow as pa
import pytest

from tracker.text.tables import neutralise, table_to_csv_bytes, table_to_xlsx_bytes


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "\n=x"])
def test_formula_looking_text_is_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "1+1", "", None, 42, -3.5])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def test_csv_has_bom_and_neutralised_cells():
    data = table_to_csv_bytes(pa.table({"a": ['=HYPERLINK("x")', "ok"], "n": [1, 2]}))
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "ok" in text


def test_xlsx_cells_are_text_not_formulas():
    data = table_to_xlsx_bytes(pa.table({"a": ["=1+2", "http://example.org"], "n": [1.5, None]}))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "=1+2"  # a typed string cell is never run: no apostrophe in XLSX
    assert sheet["A2"].data_type == "s"
    assert sheet["A3"].hyperlink is None
    assert sheet["B2"].value == 1.5
