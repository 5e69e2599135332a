"""A refused upload names the file's type and the record kinds in the reader's language, English in neither Chinese text."""

from __future__ import annotations

import io
import re

import pytest
from conftest import ASSETS_CSV

from tracker.ingest import uploads
from tracker.text.errors import FileRefused

LATIN_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")  # a word of English: codes such as CSV, XLSX, PNG are capitals


def _refusal(db, data: bytes, name: str, kind: str | None) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        uploads.preview_upload(db, io.BytesIO(data), name, kind, size_bytes=len(data))
    return refused.value


def _english_words(said: str, file_name: str) -> list[str]:
    return LATIN_WORD.findall(said.replace(file_name, ""))


def test_a_file_of_another_kind_names_both_kinds_in_chinese(db):
    refused = _refusal(db, ASSETS_CSV.encode(), "assets.csv", "procurement")
    assert refused.text("en").startswith("The file assets.csv looks like asset register records, not procurement.")
    said = refused.text("zh")
    assert said.startswith("文件 assets.csv 看起来是资产登记数据，而不是采购数据。")
    assert _english_words(said, "assets.csv") == []


@pytest.mark.parametrize(
    ("data", "en", "zh", "names"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "is a PNG image file, not text", "是 PNG 图片，不是文本", []),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8, "is a gzip archive file, not text", "是 gzip 压缩包，不是文本", ["gzip"]),
        (b"SQLite format 3\x00" + bytes(range(256)) * 8, "is a SQLite database file", "是 SQLite 数据库，不是文本", ["SQLite"]),
    ],
)
def test_a_renamed_binary_file_is_named_in_the_readers_language(db, data, en, zh, names):
    refused = _refusal(db, data, "usage.csv", None)
    assert refused.key == "file.binary_kind"
    assert en in refused.text("en")
    said = refused.text("zh")
    assert zh in said
    assert _english_words(said, "usage.csv") == names  # only a product's own name stays as it is
