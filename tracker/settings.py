"""Stored settings: read with defaults, changed with who and when."""

from __future__ import annotations

from tracker.config import SETTING_DEFAULTS, validate_setting
from tracker.db import Database


def load_settings(db: Database) -> dict[str, str]:
    """Every stored setting, defaults filled in."""
    values = dict(SETTING_DEFAULTS)
    values.update(dict(db.fetchall("SELECT name, value FROM settings", name="load settings")))
    return values


def set_setting(db: Database, name: str, value: str, actor: str) -> str:
    """Validate and store one setting; returns the stored value."""
    value = validate_setting(name, value)
    db.execute(
        "INSERT INTO settings (name, value, changed_at, changed_by) VALUES (?, ?, now(), ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at, "
        "changed_by = excluded.changed_by",
        [name, value, actor],
        name="set setting",
    )
    return value
