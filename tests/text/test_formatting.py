"""Money, numbers, shares and dates for a reader: one format per language, rounding carried into the next unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.engine.rules.sentences import EvidenceFormats
from tracker.text import formatting


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (1234567, "en", "¥1,234,567"),
        (1234567, "zh", "¥123.46万"),
        (345_000_000, "zh", "¥3.45亿"),
        (15_000, "zh", "¥1.5万"),
        (10_000, "zh", "¥1万"),
        (9_999.4, "zh", "¥9,999"),
        (9_999.5, "zh", "¥1万"),  # rounds to 10,000 first: that is 1万
        (9_999.5, "en", "¥10,000"),
        (99_994_999, "zh", "¥9,999.5万"),
        (99_995_000, "zh", "¥9,999.5万"),
        (99_999_949, "zh", "¥9,999.99万"),
        (99_999_950, "zh", "¥1亿"),  # 9,999.995万 rounds to 10,000万: that is 1亿
        (99_999_999, "zh", "¥1亿"),
        (100_000_000, "zh", "¥1亿"),
        (123_456_789_012, "zh", "¥1,234.57亿"),
        (-2500, "en", "-¥2,500"),
        (-25_000, "zh", "-¥2.5万"),
        (0.4, "en", "¥0"),
        (-0.4, "en", "¥0"),
        (2.5, "en", "¥3"),  # half away from zero, as money is rounded
        (12.5, "en", "¥13"),
        (Decimal("7.5"), "en", "¥8"),
        (None, "en", "—"),
        (float("nan"), "zh", "—"),
        (float("inf"), "en", "—"),
    ],
)
def test_short_money_reads_as_people_write_it(value, lang, expected):
    assert formatting.money(value, "CNY", lang) == expected


@pytest.mark.parametrize(
    "value, currency, expected",
    [
        (1234567, "CNY", "¥1,234,567.00"),
        (99_999_999, "CNY", "¥99,999,999.00"),
        (5721.165, "CNY", "¥5,721.17"),  # the decimal as written, not its binary neighbour 5,721.16499…
        (12.5, "USD", "$12.50"),
        (10, "CHF", "CHF 10.00"),
        (10, "jpy", "JPY 10.00"),
        (-0.001, "EUR", "€0.00"),
        (-3, "GBP", "-£3.00"),
        (None, "CNY", "—"),
    ],
)
def test_exact_money_has_cents_in_every_language(value, currency, expected):
    assert formatting.money_exact(value, currency) == expected
    assert formatting.money(value, currency, "zh", short=False) == expected
    assert formatting.money(value, currency, "en", short=False) == expected


def test_numbers_shares_and_ratios():
    assert formatting.number(1234.25, 1) == "1,234.3" and formatting.number(2.5) == "3"
    assert formatting.count(12345) == "12,345" and formatting.count(None) == "—"
    assert formatting.ratio(2.005) == "2.01×" and formatting.ratio(float("nan")) == "—"
    assert formatting.share(0.4567) == "45.7 %" and formatting.share(None) == "—"


def test_dates_and_idle_words():
    assert formatting.day(date(2025, 12, 31), "zh") == "2025年12月31日"
    assert formatting.day(date(2025, 12, 31), "en") == "2025-12-31"
    assert formatting.idle_words(None, None, "en") == "never used"
    assert formatting.idle_words(120, date(2025, 1, 1), "zh") == "120 天未使用"
    assert formatting.idle_words(1, date(2025, 1, 1), "en") == "unused for 1 day"


@pytest.mark.parametrize(
    "currency, expected", [("CNY", "¥4,500.00"), ("USD", "$4,500.00"), ("EUR", "€4,500.00"), ("CHF", "CHF 4,500.00")]
)
def test_evidence_amounts_use_the_currency_symbol_or_code(currency, expected):
    formats = EvidenceFormats(currency)
    assert formats.value("net_book_value_amount", 4500) == expected
    assert formats.value("value_amount", None) == "—"
    assert formats.value("used_hours", 1234.25) == "1,234.3"
    assert formats.value("surge_ratio", 3.456) == "3.46×" and formats.value("flagged_share", 0.5) == "50.0 %"
    assert formats.value("quantity", 1200) == "1,200" and formats.value("fiscal_year", 2025) == "2025"


def test_chart_dates_never_use_english_month_names_in_chinese():
    from datetime import UTC, datetime

    from tracker.text.formatting import chart_dates, moment

    zh, en = chart_dates("zh"), chart_dates("en")
    for dates in (zh, en):
        formats = [stop["value"] for stop in dates["ticks"]] + [dates["day"], dates["moment"]]
        assert not any("%b" in f or "%B" in f for f in formats)  # Plotly's default "Jan 2025" is English
    assert [stop["value"] for stop in zh["ticks"]][2:] == ["%Y年%-m月", "%Y年"]
    assert [stop["value"] for stop in en["ticks"]][2:] == ["%Y-%m", "%Y"]
    when = datetime(2018, 3, 6, 8, 13, tzinfo=UTC)
    assert moment(when, "zh") == "2018年3月6日 08:13 UTC" and moment(when, "en") == "2018-03-06 08:13 UTC"
    assert moment(None, "zh") == "—"
