"""Rule parameters as stored: read, each checked against its Parameter; a value that fails is left out and reported.

Used by the rule run (tracker.engine.rules.run) and by the settings service (tracker.engine.parameters).
"""

from __future__ import annotations

from typing import Any

from tracker.engine.rules.catalogue import PARAMETERS, RULES_BY_CODE
from tracker.engine.rules.model import parameter_text
from tracker.store.config import SettingProblem
from tracker.store.db import Database
from tracker.store.settings import RULE_PREFIX, stored_rule_values
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, reason


def load_rule_parameters(db: Database) -> dict[str, dict[str, Any]]:
    """Stored rule parameters in force, {rule code: {parameter: value}}; one not stored, or not valid, is absent (its default applies)."""
    return _stored_parameters(db)[0]


def rule_parameter_problems(db: Database) -> list[SettingProblem]:
    """Stored rule parameters that are not used because they fail validation (their default applies)."""
    return _stored_parameters(db)[1]


def _stored_parameters(db: Database) -> tuple[dict[str, dict[str, Any]], list[SettingProblem]]:
    values: dict[str, dict[str, Any]] = {}
    problems: list[SettingProblem] = []
    for code, stored in sorted(stored_rule_values(db).items()):
        for parameter, text in sorted(stored.items()):
            name = f"{RULE_PREFIX}{code}.{parameter}"
            try:
                values.setdefault(code, {})[parameter] = parse_parameter(name, text)
            except ConfigError as exc:
                problems.append(SettingProblem(name, text, default_parameter_text(name) or "—", exc))
    return values, problems


def parse_parameter(name: str, value: Any) -> int | float:
    """The typed value of a rule parameter "rule.CODE.parameter" (a number, or its text), or ConfigError."""
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    if code not in RULES_BY_CODE:
        raise ConfigError("config.bad_value", name=name, value=value, reason=reason("one_of", choices=list(RULES_BY_CODE)))
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
        why = exc.message.params["reason"]
        raise ConfigError("config.bad_value", name=f"{code}.{parameter}", value=value, reason=why) from None


def default_parameter_text(name: str) -> str | None:
    """The default of a rule parameter "rule.CODE.parameter" as stored text; None for an unknown one."""
    code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
    known = PARAMETERS.get(code, {}).get(parameter)
    return None if known is None else parameter_text(known.default)
