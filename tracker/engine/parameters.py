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

from tracker.engine.rules.catalogue import PARAMETERS, RULES_BY_CODE
from tracker.engine.rules.model import parameter_text
from tracker.store import audit
from tracker.store.config import SETTING_DEFAULTS, SettingProblem, validate_setting
from tracker.store.db import Database
from tracker.store.settings import RULE_PREFIX, general_setting_problems, stored_rule_values, write_setting
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message


def load_rule_parameters(db: Database) -> dict[str, dict[str, Any]]:
    """Stored rule parameters in force, {rule code: {parameter: value}}; one not stored, or not valid, is absent (its default applies)."""
    return _stored_parameters(db)[0]


def rule_parameter_problems(db: Database) -> list[SettingProblem]:
    """Stored rule parameters that are not used because they fail validation (their default applies)."""
    return _stored_parameters(db)[1]


def settings_problems(db: Database) -> list[SettingProblem]:
    """Every stored setting and rule parameter that is not used, with its stored value and why; defaults apply instead."""
    return general_setting_problems(db) + rule_parameter_problems(db)


def _stored_parameters(db: Database) -> tuple[dict[str, dict[str, Any]], list[SettingProblem]]:
    values: dict[str, dict[str, Any]] = {}
    problems: list[SettingProblem] = []
    for code, stored in sorted(stored_rule_values(db).items()):
        for parameter, text in sorted(stored.items()):
            name = f"{RULE_PREFIX}{code}.{parameter}"
            try:
                values.setdefault(code, {})[parameter] = parse_parameter(name, text)
            except ConfigError as exc:
                problems.append(SettingProblem(name, text, default_text(name) or "—", exc))
    return values, problems


def parse_parameter(name: str, value: Any) -> int | float:
    """The typed value of a rule parameter "rule.CODE.parameter" (a number, or its text), or ConfigError."""
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    if code not in RULES_BY_CODE:
        raise ConfigError(
            "config.bad_value", name=name, value=value, reason=Message("reason.rule_code", {"codes": list(RULES_BY_CODE)})
        )
    if parameter not in PARAMETERS[code]:
        raise ConfigError("config.bad_value", name=name, value=value, reason=Message("reason.unknown_parameter"))
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = value  # refused by the parameter's own check, which names the range
    try:
        return PARAMETERS[code][parameter].checked(number, f"{code}.{parameter}")
    except ConfigError as exc:  # name the value as it was written ("1e308"), not as it was read (1e+308)
        reason = exc.message.params["reason"]
        raise ConfigError("config.bad_value", name=f"{code}.{parameter}", value=value, reason=reason) from None


def validate_value(name: str, value: Any) -> str:
    """The text to store for a setting or rule parameter, or ConfigError."""
    if not name.startswith(RULE_PREFIX):
        return validate_setting(name, value)
    return parameter_text(parse_parameter(name, value))


def default_text(name: str) -> str | None:
    if not name.startswith(RULE_PREFIX):
        return SETTING_DEFAULTS.get(name)
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    known = PARAMETERS.get(code, {}).get(parameter)
    return None if known is None else parameter_text(known.default)


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
