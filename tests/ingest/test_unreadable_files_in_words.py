"""A Parquet or JSON file the tracker cannot read is refused with where and why in the reader's language: the
engine's and the parser's own English ("No magic bytes found", "Expecting value") reach neither page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tracker.ingest.json_stream import json_problem
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.text.errors import FileRefused
from tracker.text.i18n import render


def _parquet() -> bytes:
    out = io.BytesIO()
    n = 1000
    pq.write_table(pa.table({"asset_id": ["PC-1"] * n, "usage_date": ["2025-01-02"] * n, "hours_used": [1.0] * n}), out)
    return out.getvalue()


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


PARQUET = {
    "cut-short": (lambda d: d[: len(d) // 2], "damaged or incomplete", "已损坏或不完整"),
    "footer-missing": (lambda d: b"PAR1" + bytes(50) + b"PAR1", "damaged or incomplete", "已损坏或不完整"),
    "text-bytes-changed": (lambda d: _flip(d, 100), "not UTF-8 text", "非 UTF-8 编码"),
}
JSON = {
    "cut-short": (b'{"releases": [ {"ocid": "x", ', "not closed", "没有结束", "line 1, column 16", "第 1 行第 16 列"),
    "line-without-value": (b'{"ocid": "a"}\n{"ocid": \n', "a value is missing", "缺少一个值", "line 3", "第 3 行"),
}
ENGINE_WORDS = re.compile(r"magic|Footer|Invalid Input|UTF8!|Expecting|Unterminated|Error")


def _refusal(tmp_path: Path, name: str, data: bytes) -> FileRefused:
    path = tmp_path / name
    path.write_bytes(data)
    with Database.open(tmp_path / "t.duckdb") as db, pytest.raises(FileRefused) as refused:
        ingest_file(db, "usage", path, actor="officer")
    return refused.value


@pytest.mark.parametrize("case", PARQUET, ids=PARQUET)
def test_an_unreadable_parquet_file_is_refused_in_the_readers_words(tmp_path, case):
    damage, en, zh = PARQUET[case]
    refused = _refusal(tmp_path, "usage.parquet", damage(_parquet()))
    assert refused.key == "file.bad_parquet"
    assert en in refused.text("en") and zh in refused.text("zh") and "usage.parquet" in refused.text("zh")
    assert not ENGINE_WORDS.search(refused.text("en") + refused.text("zh"))


@pytest.mark.parametrize("case", JSON, ids=JSON)
def test_a_broken_json_file_is_refused_where_it_breaks_in_the_readers_words(tmp_path, case):
    data, en, zh, en_where, zh_where = JSON[case]
    refused = _refusal(tmp_path, "ocds.json" if case == "cut-short" else "ocds.jsonl", data)
    assert refused.key == "file.bad_json"
    assert en in refused.text("en") and en_where in refused.text("en")
    assert zh in refused.text("zh") and zh_where in refused.text("zh")
    assert not ENGINE_WORDS.search(refused.text("en") + refused.text("zh"))


@pytest.mark.parametrize(
    ("parser_words", "en", "zh"),
    [
        ("Expecting value", "a value is missing here", "此处缺少一个值"),
        ("Expecting ',' delimiter", "a comma is missing here", "此处缺少逗号"),
        ("Expecting ':' delimiter", "a colon is missing after a name", "名称后缺少冒号"),
        ("Expecting property name enclosed in double quotes", "a name in double quotes", "带双引号的名称"),
        ("Unterminated string starting at", "not closed", "没有结束"),
        ("Extra data", "more text follows the end of the document", "文档结束后还有多余内容"),
        ("Invalid control character at", "control character", "控制字符"),
        ("Invalid \\escape", "invalid escape", "无效的转义符"),
        ("Invalid \\uXXXX escape", "invalid escape", "无效的转义符"),
        ("Expecting '[' or '{'", "[ {", "此处应为 [ {"),
        ("maximum recursion depth exceeded", "not valid JSON", "不是有效的 JSON"),
    ],
)
def test_every_thing_the_json_parser_says_has_words_for_the_reader(parser_words, en, zh):
    said = json_problem(parser_words)
    assert en in render(said, "en") and zh in render(said, "zh")
    assert not re.search(r"[A-Za-z]{3,}", render(said, "zh").replace("JSON", ""))
