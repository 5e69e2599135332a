"""Compact money for KPI tiles: three significant figures, the unit of the reader's language, unknown as —."""

from __future__ import annotations

import pytest

from tracker.text.formatting import MISSING, money_compact


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (0, "¥0", "¥0"),
        (9_999.4, "¥9,999", "¥9,999"),
        (9_999.5, "¥10K", "¥1万"),
        (205_216, "¥205K", "¥20.5万"),
        (1_666_753, "¥1.67M", "¥167万"),
        (999_999, "¥1M", "¥100万"),
        (123_456_789, "¥123M", "¥1.23亿"),
        (-966_664, "-¥967K", "-¥96.7万"),
    ],
)
def test_compact_money_in_both_languages(value, en, zh):
    assert money_compact(value, "CNY", "en") == en
    assert money_compact(value, "CNY", "zh") == zh


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_unknown_is_a_dash_never_zero(value):
    assert money_compact(value) == MISSING == money_compact(value, "CNY", "zh")


def test_a_tile_value_stays_short_whatever_the_amount():
    for value in (1.5e4, 3.2e7, 9.99e9, 1.2e12):
        for lang in ("en", "zh"):
            assert len(money_compact(value, "CNY", lang)) <= 8
    assert money_compact(12_345, "CHF") == "CHF 12.3K"
