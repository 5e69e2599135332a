"""A quote that breaks a CSV line is refused naming its line, column and value, in English and Chinese; nothing is stored."""

from __future__ import annotations

import io

import pytest

from tracker.ingest import uploads
from tracker.ingest.readers.quotes import broken_field
from tracker.text.errors import FileRefused


@pytest.mark.parametrize(
    ("body", "line", "column", "value"),
    [
        ('PC-1,2025-01-02,5\nPC-2,2025-01-02,"5\nPC-3,2025-01-02,4\n', "3", "hours_used", '"5'),
        ('PC-1,2025-01-02,5\n"PC-2"x,2025-01-02,5\n', "3", "asset_id", '"PC-2"x'),
        ('PC-1,2025-01-02,5\nPC-2,2025-01-02,5\nPC-3,"2025-01-03,4\n', "4", "usage_date", '"2025-01-03,4'),
    ],
)
def test_a_stray_quote_is_named_by_line_column_and_value(db, body, line, column, value):
    data = ("asset_id,usage_date,hours_used\n" + body).encode()
    with pytest.raises(FileRefused) as refused:
        uploads.preview_upload(db, io.BytesIO(data), "usage.csv", "usage", size_bytes=len(data))
    error = refused.value
    assert error.key == "file.csv_stray_quote"
    en, zh = error.text("en"), error.text("zh")
    assert f"line {line}, column {column}" in en and value in en
    assert f"第 {line} 行“{column}”列" in zh and value in zh
    assert "DuckDB" not in en and "Error" not in en
    assert db.scalar("SELECT count(*) FROM usage_daily") == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c", None),
        ('"a,b","c""d",e', None),
        ('""', None),
        ('a,"b', 1),
        ('"a"x,b', 0),
        ('a;"b;c', 1),
    ],
)
def test_the_broken_field_is_found(line, expected):
    assert broken_field(line, ";" if ";" in line else ",") == expected
