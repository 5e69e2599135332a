"""The rules as data: code, severity, subject, parameters and the expression that computes each.

What a rule says (title, rationale, evidence template, what each parameter means) is in the
translation table, tracker.text.rules. Evidence templates name their numbers by suffix, so
formatting is one rule for all (see tracker.engine.rules.sentences): `*_amount` money in the
settings currency, `*_share` a percentage, `*_ratio` a multiple, `*_hours` one decimal, ints with
thousands separators, dates ISO; `{category}` names the row's category in the template's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.engine.rules.expressions import (
    asset_rule,
    bought_despite_idle_stock,
    idle_purchase,
    no_telemetry,
    over_price_cap,
    unregistered_units,
    year_end_surge,
)
from tracker.engine.rules.model import Parameter, Rule
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason


def _days(name, default):
    return Parameter(name, default, "days")


RULES: tuple[Rule, ...] = (
    Rule("NEVER_USED", "high", "asset", (_days("grace_days", 60),), asset_rule("NEVER_USED")),
    Rule("IDLE", "high", "asset", (_days("idle_days", 90),), asset_rule("IDLE")),
    Rule("LOW_UTILISATION", "medium", "asset", (_days("min_available_days", 60),), asset_rule("LOW_UTILISATION")),
    Rule("NO_TELEMETRY", "info", "agency_category", (), no_telemetry),
    Rule("IDLE_PURCHASE", "high", "po_line", (Parameter("min_share", 0.5, "share"),), idle_purchase),
    Rule("UNREGISTERED_UNITS", "medium", "po_line", (_days("grace_days", 60),), unregistered_units),
    Rule(
        "BOUGHT_DESPITE_IDLE_STOCK",
        "high",
        "po_line",
        (
            Parameter("min_idle_assets", 3, "assets"),
            _days("in_service_days", 90),
            _days("lookback_days", 90),
        ),
        bought_despite_idle_stock,
    ),
    Rule(
        "YEAR_END_SURGE",
        "medium",
        "agency_fiscal_year",
        (
            Parameter("min_ratio", 2.0, "ratio"),
            Parameter("min_year_spend", 100_000, "currency"),
        ),
        year_end_surge,
    ),
    Rule("OVER_PRICE_CAP", "medium", "po_line", (), over_price_cap),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def resolve_parameters(parameters: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Every rule's parameters, defaults overridden by `parameters` ({rule code: {name: value}})."""
    resolved = {rule.code: rule.defaults() for rule in RULES}
    for code, values in (parameters or {}).items():
        if code not in resolved:
            raise ConfigError("config.bad_value", name="rule", value=code, reason=reason("one_of", choices=list(RULES_BY_CODE)))
        for name, value in values.items():
            if name not in resolved[code]:
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason=reason("unknown_parameter"))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason=reason("number_at_least_zero"))
            if isinstance(resolved[code][name], int) and not float(value).is_integer():
                raise ConfigError("config.bad_value", name=f"{code}.{name}", value=value, reason=reason("whole_number"))
            resolved[code][name] = type(resolved[code][name])(value)
    return resolved
