"""Settings and rule parameters as the engine reads and changes them.

General settings are validated by tracker.store.config; a rule parameter ("rule.CODE.parameter")
against its Parameter in the rule catalogue (type and range). `set_settings` validates every value
before it writes any, so a save is all or nothing. Reading never fails on a stored value: one that
fails validation (written by hand, or by an older version) is left out, so its default applies,
and `settings_problems` lists it for administrators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.engine.rules.model import parameter_text
from tracker.engine.rules.stored import default_parameter_text, load_rule_parameters, parse_parameter, rule_parameter_problems
from tracker.store import audit
from tracker.store.config import SETTING_DEFAULTS, SettingProblem, validate_setting
from tracker.store.db import Database
from tracker.store.settings import RULE_PREFIX, general_setting_problems, write_setting

__all__ = ["default_text", "load_rule_parameters", "set_setting", "set_settings", "settings_problems", "validate_value"]


def settings_problems(db: Database) -> list[SettingProblem]:
    """Every stored setting and rule parameter that is not used, with its stored value and why; defaults apply instead."""
    return general_setting_problems(db) + rule_parameter_problems(db)


def validate_value(name: str, value: Any) -> str:
    """The text to store for a setting or rule parameter, or ConfigError."""
    if not name.startswith(RULE_PREFIX):
        return validate_setting(name, value)
    return parameter_text(parse_parameter(name, value))


def default_text(name: str) -> str | None:
    if not name.startswith(RULE_PREFIX):
        return SETTING_DEFAULTS.get(name)
    return default_parameter_text(name)


def set_setting(db: Database, name: str, value: Any, actor: str) -> str:
    """Validate and store one setting or rule parameter; returns the stored value as text."""
    text = _known(db, name, validate_value(name, value))
    write_setting(db, name, text, default_text(name), actor)
    return text


def set_settings(db: Database, values: Mapping[str, Any], actor: str) -> dict[str, str]:
    """Validate every value first (ConfigError naming the first bad one), then store them all in one transaction."""
    texts = {name: _known(db, name, validate_value(name, value)) for name, value in values.items()}
    with audit.transaction(db):
        for name, text in texts.items():
            write_setting(db, name, text, default_text(name), actor)
    return texts


def _known(db: Database, name: str, text: str) -> str:
    """The jurisdiction of the equipment standards must have a version (tracker.engine.standards_admin)."""
    if name == "standards_jurisdiction":
        from tracker.engine.standards_admin import check_jurisdiction

        return check_jurisdiction(db, text)
    return text
