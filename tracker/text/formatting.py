"""Numbers, money, shares and dates written for a reader, in English or Chinese; one function for each.

Money always carries its currency (its symbol, else its ISO code) and thousands separators, in
one of two forms (see `money`): short, in whole units, for tiles, charts and sentences on screen
(in Chinese, large amounts in 万 (10⁴) or 亿 (10⁸) as people write them: ¥1,234,567 → ¥123.46万);
exact, to the cent, for tooltips, tables, evidence sentences and exports. K/M/B are never mixed
with 万/亿. Amounts are rounded half away from zero, as people round money. A missing value is
"—", never 0.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MISSING = "—"
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}  # others are written with their ISO code
_WAN, _YI = Decimal(10_000), Decimal(100_000_000)
_CENT = _HUNDREDTH = Decimal("0.01")
_UNIT = Decimal(1)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(value)
    except TypeError:
        return False


def currency_prefix(currency: str) -> str:
    """What an amount starts with: the currency's symbol (¥, $, €, £), else its code and a space ("CHF ")."""
    code = str(currency).strip().upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return symbol if symbol else f"{code} "


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _rounded(amount: Decimal, step: Decimal) -> Decimal:
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def money(value: Any, currency: str = "CNY", lang: str = "en", *, short: bool = True) -> str:
    """An amount in the reader's language. The one money format of the tracker:

    - short=True (KPI tiles, chart labels, sentences): whole units, ¥1,234,567; in Chinese from
      10,000 up in 万 or 亿 with at most two decimals of the unit, trailing zeros dropped:
      ¥123.46万, ¥1.5万, ¥3.45亿. Rounding happens first, so it carries into the next unit:
      ¥9,999.5 → ¥1万, ¥99,999,999 → ¥1亿 (not ¥10,000.00万).
    - short=False (tooltips, tables, evidence, exports): the exact figure with cents, in both
      languages: ¥1,234,567.00.
    """
    if _is_missing(value):
        return MISSING
    amount = _decimal(value)
    prefix = currency_prefix(currency)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if not short:
        amount = _rounded(amount, _CENT)
        return f"{sign if amount else ''}{prefix}{amount:,.2f}"
    amount = _rounded(amount, _UNIT)
    if lang == "zh" and amount >= _WAN:
        in_wan = _rounded(amount / _WAN, _HUNDREDTH)
        size, unit = (_YI, "亿") if amount >= _YI or in_wan >= _WAN else (_WAN, "万")  # 9,999.995万 is 1亿
        text = f"{_rounded(amount / size, _HUNDREDTH):,.2f}".rstrip("0").rstrip(".")
        return f"{sign}{prefix}{text}{unit}"
    return f"{sign if amount else ''}{prefix}{amount:,.0f}"


_COMPACT_UNITS = {
    "en": ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(1_000), "K")),
    "zh": ((_YI, "亿"), (_WAN, "万")),
}


def money_compact(value: Any, currency: str = "CNY", lang: str = "en") -> str:
    """An amount in at most three significant figures, for KPI tiles that must never be cut off.

    Below 10,000 it is money(short=True) (¥9,999); above, English uses K/M/B and Chinese 万/亿:
    ¥1,666,753 → ¥1.67M / ¥167万; ¥205,216 → ¥205K / ¥20.5万. Rounding happens first, so it
    carries into the next unit (¥999,999 → ¥1M). Pair it with the exact figure (money_exact) in a tooltip.
    """
    if _is_missing(value):
        return MISSING
    amount = _decimal(value)
    if abs(amount) < 9_999.5:
        return money(value, currency, lang)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    step = Decimal(10) ** (amount.adjusted() - 2)
    amount = _rounded(amount / step, _UNIT) * step  # three significant figures
    size, unit = next((size, unit) for size, unit in _COMPACT_UNITS["zh" if lang == "zh" else "en"] if amount >= size)
    scaled = amount / size
    digits = max(0, 2 - scaled.adjusted())
    text = f"{scaled:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}{currency_prefix(currency)}{text}{unit}"


def money_exact(value: Any, currency: str = "CNY") -> str:
    """The exact figure, to the cent, for tooltips, tables, evidence and exports: money(short=False)."""
    return money(value, currency, short=False)


def money_column_format(currency: str = "CNY") -> str:
    """The printf format with which a table's number column shows money exactly as money(short=False)
    writes it: "¥%,.2f" shows 47806.8 as ¥47,806.80 (the table keeps the number, so it sorts by value)."""
    return currency_prefix(currency).replace("%", "%%") + "%,.2f"


SHARE_COLUMN_FORMAT = "%.1f %%"  # a percent column's values (25.0) as share() writes them: 25.0 %
DAY_COLUMN_FORMATS = {"en": "YYYY-MM-DD", "zh": "YYYY年M月D日"}  # a date column's days as day() writes them
YEARS_COLUMN_FORMAT = "%.1f"  # ages and service life left in years, one decimal
COUNT_COLUMN_FORMAT = "%,d"  # whole numbers with thousands separators, as count() writes them


def number(value: Any, digits: int = 0) -> str:
    """A plain number with thousands separators and `digits` decimals (hours, days): 1,234.5."""
    if _is_missing(value):
        return MISSING
    return f"{_rounded(_decimal(value), Decimal(1).scaleb(-digits)):,.{digits}f}"


def ratio(value: Any, digits: int = 2) -> str:
    """A multiple: 2.5 → 2.50×."""
    if _is_missing(value):
        return MISSING
    return f"{number(value, digits)}×"


def share(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage: 0.4567 → 45.7 %."""
    if _is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f} %"


def count(value: Any) -> str:
    """A whole number with thousands separators: 12,345."""
    if _is_missing(value):
        return MISSING
    return f"{int(value):,}"


def day(value: date | datetime | None, lang: str = "en") -> str:
    """ISO dates in English (unambiguous across locales); 2025年12月31日 in Chinese."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = value.date()
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def moment(value: datetime | None, lang: str = "en") -> str:
    """A time of day on a date, to the minute, UTC: 2018-03-06 08:13 UTC; 2018年3月6日 08:13 UTC in Chinese."""
    if value is None:
        return MISSING
    return f"{day(value, lang)} {value:%H:%M} UTC"


def chart_dates(lang: str = "en") -> dict:
    """How a chart's date axis and tooltips write dates in the reader's language (Plotly's d3 formats).

    "ticks": the axis labels by zoom level (years, months, days, hours), never an English month name:
    2025-01 / 2025年1月; "day" and "moment": tooltips, as `day` and `moment` write them.
    """
    if lang == "zh":
        year, month, date_, minute, when = "%Y年", "%Y年%-m月", "%Y年%-m月%-d日", "%-m月%-d日 %H:%M", "%Y年%-m月%-d日 %H:%M"
    else:
        year, month, date_, minute, when = "%Y", "%Y-%m", "%Y-%m-%d", "%m-%d %H:%M", "%Y-%m-%d %H:%M"
    ticks = [
        {"dtickrange": [None, 86_400_000], "value": minute},
        {"dtickrange": [86_400_000, "M1"], "value": date_},
        {"dtickrange": ["M1", "M12"], "value": month},
        {"dtickrange": ["M12", None], "value": year},
    ]
    return {"ticks": ticks, "day": date_, "moment": when}


def idle_words(days_idle: Any, last_used: date | None, lang: str = "en") -> str:
    """How long an asset has been unused, in words: "never used", "unused for 120 days", "in use"."""
    if last_used is None:
        return "从未使用" if lang == "zh" else "never used"
    if _is_missing(days_idle) or int(days_idle) <= 0:
        return "当日使用" if lang == "zh" else "used on the as-of date"
    n = int(days_idle)
    return f"{n:,} 天未使用" if lang == "zh" else f"unused for {n:,} day{'s' if n != 1 else ''}"
