"""Settings and rule parameters as the engine reads and changes them.

General settings are validated by tracker.store.config; a rule parameter ("rule.CODE.parameter")
against the rule catalogue. `set_settings` validates every value before it writes any, so a
save is all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.engine.rules.catalogue import RULES_BY_CODE, resolve_parameters
from tracker.engine.rules.run import load_rule_parameters as load_rule_parameters  # read with the catalogue it resolves against
from tracker.store import audit
from tracker.store.config import SETTING_DEFAULTS, validate_setting
from tracker.store.db import Database
from tracker.store.settings import RULE_PREFIX, write_setting
from tracker.text.errors import ConfigError


def validate_value(name: str, value: Any) -> str:
    """The text to store for a setting or rule parameter, or ConfigError."""
    if not name.startswith(RULE_PREFIX):
        return validate_setting(name, value)
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError as exc:
        raise ConfigError("config.bad_value", name=name, value=value, reason="a number ≥ 0") from exc
    resolved = resolve_parameters({code: {parameter: int(number) if number.is_integer() else number}})
    return str(resolved[code][parameter])


def default_text(name: str) -> str | None:
    if not name.startswith(RULE_PREFIX):
        return SETTING_DEFAULTS.get(name)
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    return str(RULES_BY_CODE[code].defaults()[parameter])


def set_setting(db: Database, name: str, value: Any, actor: str) -> str:
    """Validate and store one setting or rule parameter; returns the stored value as text."""
    text = validate_value(name, value)
    write_setting(db, name, text, default_text(name), actor)
    return text


def set_settings(db: Database, values: Mapping[str, Any], actor: str) -> dict[str, str]:
    """Validate every value first (ConfigError naming the first bad one), then store them all in one transaction."""
    texts = {name: validate_value(name, value) for name, value in values.items()}
    with audit.transaction(db):
        for name, text in texts.items():
            write_setting(db, name, text, default_text(name), actor)
    return texts
