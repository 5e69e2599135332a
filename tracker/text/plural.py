"""Counts that agree with their noun: `{n:unit|units}` in a template reads "1 unit", "2 units", "1,234 units".

A placeholder whose format spec holds a `|` is written as the count (with thousands separators) and the
singular or plural form after it; the count may be a number or a number already written ("1,234").
English templates use it; Chinese has no plural forms and writes the count with its measure word
("{n} 台"). Templates without a `|` spec are filled by str.format itself, at its speed.
"""

from __future__ import annotations

import string
from collections import ChainMap
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


def _is_one(value: Any) -> bool:
    """Whether a count, or a count already written ("1", "1.0"), is one."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return value == 1
    text = str(value).strip()
    if text == "1":
        return True
    if not text.startswith("1"):
        return False
    try:
        return Decimal(text.replace(",", "")) == 1
    except InvalidOperation:
        return False


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@lru_cache(maxsize=4096)
def _compiled(template: str) -> tuple[str, tuple[tuple[str, str, str, str], ...]]:
    """The template with each `{n:one|other}` replaced by a field of its own, and those fields:
    (its name, the count's name, the singular, the plural). Compiled once per template."""
    parts: list[str] = []
    plurals: list[tuple[str, str, str, str]] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if spec and "|" in spec:
            key = f"_plural_{len(plurals)}"
            one, other = spec.split("|", 1)
            plurals.append((key, field, one, other))
            parts.append("{" + key + "}")
        else:
            parts.append("{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(parts), tuple(plurals)


def fill(template: str, params: Mapping[str, Any]) -> str:
    """`template` filled with `params` as str.format_map fills it, with `{n:one|other}` choosing the noun."""
    plain, plurals = _compiled(template)
    if not plurals:
        return template.format_map(params)
    counted = {}
    for key, field, one, other in plurals:
        value = params[field]
        counted[key] = f"{_shown(value)} {one if _is_one(value) else other}"
    return plain.format_map(ChainMap(counted, params))  # params as given: a mapping's own defaults still apply
