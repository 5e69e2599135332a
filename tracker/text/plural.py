"""Counts that agree with their noun: `{n:unit|units}` in a template reads "1 unit", "2 units", "1,234 units".

A placeholder whose format spec holds a `|` is written as the count (with thousands separators) and the
singular or plural form after it; the count may be a number or a number already written ("1,234").
English templates use it; Chinese has no plural forms and writes the count with its measure word
("{n} 台"). Templates without a `|` spec are filled by str.format itself, at its speed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class _PluralFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        one, other = format_spec.split("|", 1)
        return f"{_shown(value)} {one if _number(value) == 1 else other}"


_FORMATTER = _PluralFormatter()


@lru_cache(maxsize=4096)
def _has_plural(template: str) -> bool:
    return any(spec and "|" in spec for _, field, spec, _ in string.Formatter().parse(template) if field is not None)


def fill(template: str, params: Mapping[str, Any]) -> str:
    """`template` filled with `params` as str.format_map fills it, with `{n:one|other}` choosing the noun."""
    if _has_plural(template):
        return _FORMATTER.vformat(template, (), params)
    return template.format_map(params)
