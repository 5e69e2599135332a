"""The evidence pack's Rules sheet and the words of its cells, in the reader's language.

The Rules sheet lists every rule with the thresholds in force, each value with its unit ("90 days",
"50.0 %", "¥100,000.00"), and below LOW_UTILISATION the low-use threshold, standard hours and
available days of every category as the category profiles held them for the pack's window, so that
an auditor can recompute every finding from the pack alone.

In a Chinese pack the codes of severities, review statuses, categories, asset statuses and subjects
are written as their names (高, 待复核, 摄像机, 库存); an English pack keeps the codes, so that it
reads back into the tracker. An unknown figure is written as "—" (未知), never left blank or zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.engine.parameters import load_rule_parameters
from tracker.engine.rules.catalogue import RULES, resolve_parameters
from tracker.engine.rules.model import Parameter
from tracker.store.db import Database
from tracker.store.profiles import profiles_table
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.i18n import category_name, name, text

# figures whose absence means "not known" (no usage data, no price), written as unknown rather than blank
UNKNOWN_COLUMNS = ("utilisation", "used_hours", "active_days", "days_idle", "value_at_stake", "net_book_value")
# code columns -> the enumeration naming their values (tracker.text.names); category is named by category_name
RULE_CODES = frozenset(rule.code for rule in RULES)
NAMED_COLUMNS = {
    "severity": "severity",
    "review_status": "review_status",
    "status": "asset_status",
    "subject": "subject",
    "evidence_kind": "evidence",
}


def parameter_value(parameter: Parameter, value: Any, lang: str, currency: str) -> str:
    """A threshold's value with its unit, as a reader writes it: 90 days / 90 天, 50.0 %, 2.00×, ¥100,000.00."""
    if parameter.unit == "share":
        return formatting.share(value)
    if parameter.unit == "ratio":
        return formatting.ratio(value)
    if parameter.unit == "currency":
        return formatting.money_exact(value, currency)
    if parameter.unit in ("days", "assets"):
        return text(f"trustcore.unit.{parameter.unit}", lang, n=value)
    return formatting.number(value, 0 if parameter.whole else 2)


def rule_rows(db: Database, snap, lang: str) -> list[dict]:
    """The Rules sheet: each rule and its thresholds, then (after LOW_UTILISATION) every category's threshold."""
    params = resolve_parameters(load_rule_parameters(db))
    currency = load_settings(db).currency
    rows = []
    for rule in RULES:
        values = "; ".join(
            text(
                "trustcore.pack.parameter",
                lang,
                name=p.name,
                value=parameter_value(p, params[rule.code][p.name], lang, currency),
                description=p.description(lang),
            )
            for p in rule.parameters
        )
        rows.append(
            {
                "code": rule.code,
                "title": rule.title(lang),
                "severity": rule.severity,
                "subject": rule.subject,
                "rationale": rule.rationale(lang),
                "parameters": values or (text("pack.rules.category_price_caps", lang) if rule.code == "OVER_PRICE_CAP" else "—"),
            }
        )
        if rule.code == "LOW_UTILISATION":
            rows.extend(_threshold_rows(db, snap, rule, lang))
    return rows


def _thresholds_used(snap) -> dict[str, float]:
    """category -> the low-use threshold the snapshot's utilisation was computed with (its assets' own column)."""
    if snap is None or "low_threshold" not in snap.assets.column_names:
        return {}
    pairs = snap.assets.select(["category", "low_threshold"]).to_pylist()
    return {p["category"]: p["low_threshold"] for p in pairs if p["low_threshold"] is not None}


def _threshold_rows(db: Database, snap, rule, lang: str) -> list[dict]:
    used = _thresholds_used(snap)
    rows = []
    for profile in profiles_table(db).to_pylist():
        category = profile["category"]
        threshold = used.get(category, profile["low_threshold"])
        if profile["changed_at"] is None:
            changed = text("trustcore.pack.profile_default", lang)
        else:
            changed = text(
                "trustcore.pack.profile_changed",
                lang,
                when=formatting.day(profile["changed_at"], lang),
                who=profile["changed_by"] or "—",
            )
        rows.append(
            {
                "code": rule.code,
                "title": text("trustcore.pack.threshold_title", lang, category=category_name(category, lang)),
                "severity": rule.severity,
                "subject": rule.subject,
                "rationale": text(
                    "trustcore.pack.threshold_rationale", lang, category=category_name(category, lang), changed=changed
                ),
                "parameters": text(
                    "trustcore.pack.threshold_values",
                    lang,
                    threshold=formatting.share(threshold),
                    hours=text("trustcore.unit.hours", lang, n=formatting.number(profile["hours_per_day"], 1).removesuffix(".0")),
                    days=text(f"trustcore.days.{profile['days']}", lang),
                ),
            }
        )
    return rows


def localised(sheets: Mapping[str, list[dict]], lang: str) -> dict[str, list[dict]]:
    """The sheets with unknown figures said so and, in Chinese, codes written as their names."""
    zh = lang == "zh"
    unknown = text("trustcore.unknown", lang)
    out: dict[str, list[dict]] = {}
    for sheet, rows in sheets.items():
        written = []
        for row in rows:
            row = dict(row)
            for column in UNKNOWN_COLUMNS:
                if column in row and row[column] is None:
                    row[column] = unknown
            if zh:
                _name_codes(row, sheet)
            written.append(row)
        out[sheet] = written
    return out


def _name_codes(row: dict, sheet: str) -> None:
    for column, enumeration in NAMED_COLUMNS.items():
        if isinstance(row.get(column), str):
            row[column] = name(enumeration, row[column], "zh")
    if isinstance(row.get("category"), str):
        row["category"] = category_name(row["category"], "zh")
    for column in ("standby", "year_end_idle_purchase"):
        if isinstance(row.get(column), bool):
            row[column] = text(f"trustcore.bool.{str(row[column]).lower()}", "zh")
    if sheet == "summary" and isinstance(row.get("item"), str):  # the groups of the summary: by rule, agency, status
        item = row["item"]
        if item in RULE_CODES:
            row["item"] = f"{item} {text(f'rule.{item}.title', 'zh')}"
        else:
            row["item"] = name("review_status", item, "zh")


_FILTER_VALUES = {"severities": "severity", "review_statuses": "review_status", "statuses": "review_status"}


def filters_text(filters: Mapping[str, Any], lang: str) -> str:
    """The filters a pack was limited to, in the reader's language: "agencies: A001; categories: camera" / "单位：A001；类别：摄像机"."""
    if lang != "zh":
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in filters.items() if v)
    parts = []
    for key, values in filters.items():
        if not values:
            continue
        if key == "categories":
            shown = [category_name(str(v), "zh") for v in values]
        elif key in _FILTER_VALUES:
            shown = [name(_FILTER_VALUES[key], str(v), "zh") for v in values]
        else:
            shown = [str(v) for v in values]
        label = name("trustcore.filter", key, "zh")
        parts.append(f"{label}：{'、'.join(shown)}")
    return "；".join(parts)
