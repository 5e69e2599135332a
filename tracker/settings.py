"""Stored settings and rule parameters: read with defaults, changed with who and when.

General settings are declared in tracker.config.SETTINGS. A rule parameter (DESIGN §5) is stored
under the name "rule.CODE.parameter" (e.g. "rule.IDLE.idle_days") and validated against the
rule catalogue. Every change is appended to `setting_changes` and to the audit log, in the same
transaction; setting a value equal to the current one records nothing.
"""

from __future__ import annotations

from typing import Any

from tracker import audit
from tracker.config import SETTING_DEFAULTS, validate_setting
from tracker.db import Database
from tracker.errors import ConfigError

RULE_PREFIX = "rule."


def load_settings(db: Database) -> dict[str, str]:
    """Every general setting, defaults filled in (rule parameters: load_rule_parameters)."""
    values = dict(SETTING_DEFAULTS)
    stored = db.fetchall("SELECT name, value FROM settings WHERE NOT starts_with(name, ?)", [RULE_PREFIX],
                         name="load settings")
    values.update(dict(stored))
    return values


def load_rule_parameters(db: Database) -> dict[str, dict[str, Any]]:
    """Stored rule parameters, {rule code: {parameter: value}}; a parameter not stored is absent (its default applies)."""
    from tracker.rules import resolve_parameters

    stored: dict[str, dict[str, Any]] = {}
    for name, value in db.fetchall("SELECT name, value FROM settings WHERE starts_with(name, ?)", [RULE_PREFIX],
                                   name="load rule parameters"):
        code, _, parameter = name[len(RULE_PREFIX):].partition(".")
        stored.setdefault(code, {})[parameter] = float(value)
    resolved = resolve_parameters(stored)
    return {code: {p: resolved[code][p] for p in values} for code, values in stored.items()}


def set_setting(db: Database, name: str, value: Any, actor: str) -> str:
    """Validate and store one setting or rule parameter; returns the stored value as text."""
    value = _validate(name, value)
    with audit.transaction(db):
        old = db.scalar("SELECT value FROM settings WHERE name = ?", [name], name="read setting")
        if old == value:
            return value
        previous = old if old is not None else _default_text(name)
        db.execute(
            "INSERT INTO settings (name, value, changed_at, changed_by) VALUES (?, ?, now(), ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at, "
            "changed_by = excluded.changed_by",
            [name, value, actor],
            name="set setting",
        )
        db.execute(
            "INSERT INTO setting_changes (name, old_value, new_value, changed_at, changed_by) VALUES (?, ?, ?, now(), ?)",
            [name, previous, value, actor],
            name="record setting change",
        )
        audit.record(db, actor, "setting_changed", name, {"old": previous, "new": value})
    return value


def setting_history(db: Database, name: str | None = None) -> list[dict]:
    """Recorded changes, newest first, of one setting or of all."""
    sql = "SELECT change_id, name, old_value, new_value, changed_at, changed_by FROM setting_changes"
    params: list = []
    if name is not None:
        sql += " WHERE name = ?"
        params.append(name)
    sql += " ORDER BY change_id DESC"
    keys = ("change_id", "name", "old_value", "new_value", "changed_at", "changed_by")
    return [dict(zip(keys, row)) for row in db.fetchall(sql, params, name="setting history")]


def rule_parameter_name(code: str, parameter: str) -> str:
    return f"{RULE_PREFIX}{code}.{parameter}"


def _validate(name: str, value: Any) -> str:
    if not name.startswith(RULE_PREFIX):
        return validate_setting(name, value)
    from tracker.rules import resolve_parameters

    code, _, parameter = name[len(RULE_PREFIX):].partition(".")
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError as exc:
        raise ConfigError("config.bad_value", name=name, value=value, reason="a number ≥ 0") from exc
    resolved = resolve_parameters({code: {parameter: int(number) if number.is_integer() else number}})
    stored = resolved[code][parameter]
    return str(stored)


def _default_text(name: str) -> str | None:
    if not name.startswith(RULE_PREFIX):
        return SETTING_DEFAULTS.get(name)
    from tracker.rules import RULES_BY_CODE

    code, _, parameter = name[len(RULE_PREFIX):].partition(".")
    return str(RULES_BY_CODE[code].defaults()[parameter])
