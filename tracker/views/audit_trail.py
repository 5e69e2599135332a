"""The audit trail as administrators read it: columns, actions and details in words, "—" for nothing.

The log itself (tracker.store.audit) keeps each entry's details as JSON, and so does its CSV export
(formula-safe, tracker.text.tables); this view only words them for the screen: a setting change
reads "Idle · Days without usage after which a used asset is idle: 90 → 60", an upload "status:
Committed · kind: Usage · rows read: 330,956 …".
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from tracker.text.formatting import MISSING
from tracker.text.i18n import MESSAGES, name, text
from tracker.views.labels import category_label, days_label, profile_field_label, setting_label

COLUMNS = ("entry_id", "at", "actor", "action", "target", "details", "entry_hash")
SHOWN_KEYS_LIMIT = 10  # details with more keys end in "+n more" (the CSV keeps them all)
HIDDEN_KEYS = frozenset({"sha256", "session", "token_id", "review_id", "fingerprint"})  # long hashes: in the CSV only
# the order details are read in (the log stores them with sorted keys); other keys follow in their stored order
KEY_ORDER = (
    "status", "reason", "step", "role", "agency", "kind", "upload_id", "file_name", "rows_read", "rows_accepted",
    "rows_rejected", "rows_inserted", "rows_replaced", "rows_unchanged", "command", "format", "rows",
)  # fmt: skip
ENUMERATIONS = {
    "status": "upload_status", "kind": "kind", "role": "role", "review_status": "review_status", "step": "transfer.step",
    "category": "category",
}  # fmt: skip


def column_labels(lang: str) -> dict[str, str]:
    return {column: text(f"trustui.audit.column.{column}", lang) for column in COLUMNS}


def action_label(action: str, lang: str) -> str:
    key = f"trustui.audit.action.{action}"
    return text(key, lang) if key in MESSAGES else action.replace("_", " ").capitalize()


def target_label(action: str, target: str | None, lang: str) -> str:
    """The subject: a setting by its label, a category by its name; anything else as recorded; "—" for none."""
    if target is None or target == "":
        return MISSING
    if action == "setting_changed":
        return setting_label(target, lang)
    if action == "profile_changed":
        return category_label(target, lang)
    return target


def details_text(action: str, details: str | None, lang: str, target: str | None = None) -> str:
    """An entry's details (JSON text as stored) in words; "—" when there are none. A setting change names
    the setting (its `target`) by its label."""
    if details is None or details.strip() in ("", "null", "{}"):
        return MISSING
    try:
        values = json.loads(details)
    except ValueError:
        return details
    if not isinstance(values, dict):
        return _value(None, values, lang)
    values = {k: v for k, v in values.items() if v is not None and k not in HIDDEN_KEYS}
    parts = []
    if action in ("setting_changed", "profile_changed") and ("old" in values or "new" in values):
        field = values.pop("field", None)
        if field:
            what = profile_field_label(field, lang)
        else:
            what = setting_label(target, lang) if target else text("trustui.audit.key.setting", lang)
        old, new = values.pop("old", None), values.pop("new", None)
        if field == "days":
            old, new = (days_label(v, lang) if isinstance(v, str) else v for v in (old, new))
        parts.append(text("trustui.audit.change", lang, what=what, old=_value(None, old, lang), new=_value(None, new, lang)))
    items = sorted(values.items(), key=lambda item: KEY_ORDER.index(item[0]) if item[0] in KEY_ORDER else len(KEY_ORDER))
    for key, value in items[:SHOWN_KEYS_LIMIT]:
        parts.append(f"{_key(key, lang)}{'：' if lang == 'zh' else ': '}{_value(key, value, lang)}")
    if len(items) > SHOWN_KEYS_LIMIT:
        parts.append(text("trustui.audit.more", lang, n=len(items) - SHOWN_KEYS_LIMIT))
    return " · ".join(parts) if parts else MISSING


def readable(table: pa.Table, lang: str) -> list[dict[str, Any]]:
    """The rows of tracker.store.audit.audit_table in words, keyed by COLUMNS (labels from column_labels)."""
    rows = []
    for row in table.to_pylist():
        action = row["action"]
        rows.append(
            {
                "entry_id": row["entry_id"],
                "at": row["at"],
                "actor": row["actor"] or MISSING,
                "action": action_label(action, lang),
                "target": target_label(action, row["target"], lang),
                "details": details_text(action, row["details"], lang, row["target"]),
                "entry_hash": row["entry_hash"] or MISSING,
            }
        )
    return rows


def _key(key: str, lang: str) -> str:
    message = f"trustui.audit.key.{key}"
    return text(message, lang) if message in MESSAGES else key.replace("_", " ")


def _value(key: str | None, value: Any, lang: str) -> str:
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return text(f"trustui.audit.value.{str(value).lower()}", lang)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(_value(key, v, lang) for v in value) or MISSING
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(None, v, lang)}" for k, v in value.items()) or MISSING
    value = str(value)
    if key in ENUMERATIONS and f"{ENUMERATIONS[key]}.{value}" in MESSAGES:
        return name(ENUMERATIONS[key], value, lang)
    worded = f"trustui.audit.value.{value}"
    return text(worded, lang) if worded in MESSAGES else value
