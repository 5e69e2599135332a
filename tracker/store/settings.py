"""Stored settings: read with defaults, written with who and when.

General settings are declared in tracker.store.config.Settings; `load_settings` returns one,
typed. A stored value that fails validation (written by hand, or by an older version) never
stops a page: its default is used, and `general_setting_problems` lists it for administrators.
Rule parameters are stored here too, under "rule.CODE.parameter" (e.g. "rule.IDLE.idle_days"),
but only the engine knows the rule catalogue: it validates them (tracker.engine.parameters) before calling `write_setting`. Every
change is appended to `setting_changes` and to the audit log in the same transaction; writing a
value equal to the current one records nothing.
"""

from __future__ import annotations

from tracker.store import audit
from tracker.store.config import SettingProblem, Settings, settings_from_stored
from tracker.store.db import Database

RULE_PREFIX = "rule."


def load_settings(db: Database) -> Settings:
    """The general settings in force, typed: the default where nothing valid is stored.

    Rule parameters: tracker.engine.parameters.load_rule_parameters.
    """
    return settings_from_stored(stored_general_values(db))[0]


def general_setting_problems(db: Database) -> list[SettingProblem]:
    """Stored general settings that are not used because they fail validation (their default applies)."""
    return settings_from_stored(stored_general_values(db))[1]


def stored_general_values(db: Database) -> dict[str, str]:
    """General settings as stored, {name: text}, unvalidated (a name not stored is absent)."""
    rows = db.fetchall("SELECT name, value FROM settings WHERE NOT starts_with(name, ?)", [RULE_PREFIX], name="load settings")
    return dict(rows)


def stored_rule_values(db: Database) -> dict[str, dict[str, str]]:
    """Rule parameters as stored, {rule code: {parameter: text}}, unvalidated."""
    stored: dict[str, dict[str, str]] = {}
    for name, value in db.fetchall(
        "SELECT name, value FROM settings WHERE starts_with(name, ?)", [RULE_PREFIX], name="load rule parameters"
    ):
        code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
        stored.setdefault(code, {})[parameter] = value
    return stored


def write_setting(db: Database, name: str, value: str, default: str | None, actor: str) -> bool:
    """Store an already validated value; record the change. Returns False when the value is unchanged."""
    with audit.transaction(db):
        old = db.scalar("SELECT value FROM settings WHERE name = ?", [name], name="read setting")
        if old == value:
            return False
        previous = old if old is not None else default
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
    return True


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
