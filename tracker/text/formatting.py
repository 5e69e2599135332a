"""Numbers, money, shares and dates written for a reader, in English or Chinese.

Money always carries its currency and thousands separators. In Chinese, large amounts read in
万 (10⁴) or 亿 (10⁸) as people write them (¥1,234,567 → ¥123.46万); English keeps the full
figure. K/M/B are never mixed with 万/亿. A missing value is "—", never 0.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

MISSING = "—"
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
_WAN, _YI = 10_000, 100_000_000


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def currency_prefix(currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return symbol if symbol else f"{currency.upper()} "


def money(value: Any, currency: str = "CNY", lang: str = "en", *, short: bool = True) -> str:
    """An amount for a KPI or a label: ¥1,234,567 (en), ¥123.46万 (zh, short); cents only when there are any."""
    if _is_missing(value):
        return MISSING
    amount = float(value)
    prefix = currency_prefix(currency)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if lang == "zh" and short and amount >= _WAN:
        if amount >= _YI:
            return f"{sign}{prefix}{amount / _YI:,.2f}亿"
        return f"{sign}{prefix}{amount / _WAN:,.2f}万"
    if amount.is_integer() or amount >= 1_000_000:
        return f"{sign}{prefix}{amount:,.0f}"
    return f"{sign}{prefix}{amount:,.2f}"


def money_exact(value: Any, currency: str = "CNY") -> str:
    """The exact figure, to the cent, for tooltips and tables."""
    if _is_missing(value):
        return MISSING
    return f"{'-' if float(value) < 0 else ''}{currency_prefix(currency)}{abs(float(value)):,.2f}"


def share(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage: 0.4567 → 45.7 %."""
    if _is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f} %"


def count(value: Any) -> str:
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


def idle_words(days_idle: Any, last_used: date | None, lang: str = "en") -> str:
    """How long an asset has been unused, in words: "never used", "unused for 120 days", "in use"."""
    if last_used is None:
        return "从未使用" if lang == "zh" else "never used"
    if _is_missing(days_idle) or int(days_idle) <= 0:
        return "当日使用" if lang == "zh" else "used on the as-of date"
    n = int(days_idle)
    return f"{n:,} 天未使用" if lang == "zh" else f"unused for {n:,} day{'s' if n != 1 else ''}"
