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

from tracker.domain.calendar import MAX_WINDOW_DAYS
from tracker.engine.rules.expressions import (
    asset_rule,
    bought_despite_idle_stock,
    idle_purchase,
    no_telemetry,
    unregistered_units,
    year_end_surge,
)
from tracker.engine.rules.model import Parameter, Rule
from tracker.engine.rules.reallocation import avoidable_purchase, early_replacement
from tracker.engine.rules.standards import over_price_cap
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, reason

MAX_ASSETS = 1_000_000
MAX_AMOUNT = 10**15  # beyond any agency's yearly spend, in any currency


def _days(name, default, *, minimum=0):
    """A number of days: whole, at least `minimum`, at most the longest window (ten years)."""
    return Parameter(name, default, "days", minimum=minimum, maximum=MAX_WINDOW_DAYS)


RULES: tuple[Rule, ...] = (
    Rule("NEVER_USED", "high", "asset", (_days("grace_days", 60),), asset_rule("NEVER_USED")),
    # the idle horizon is a window of its own: at least a day
    Rule("IDLE", "high", "asset", (_days("idle_days", 90, minimum=1),), asset_rule("IDLE")),
    Rule("LOW_UTILISATION", "medium", "asset", (_days("min_available_days", 60),), asset_rule("LOW_UTILISATION")),
    Rule("NO_TELEMETRY", "info", "agency_category", (), no_telemetry),
    Rule("IDLE_PURCHASE", "high", "po_line", (Parameter("min_share", 0.5, "share", minimum=0, maximum=1),), idle_purchase),
    Rule("UNREGISTERED_UNITS", "medium", "po_line", (_days("grace_days", 60),), unregistered_units),
    Rule(
        "BOUGHT_DESPITE_IDLE_STOCK",
        "high",
        "po_line",
        (
            Parameter("min_idle_assets", 3, "assets", minimum=1, maximum=MAX_ASSETS),
            _days("in_service_days", 90),
            _days("lookback_days", 90, minimum=1),
        ),
        bought_despite_idle_stock,
    ),
    Rule(
        "YEAR_END_SURGE",
        "medium",
        "agency_fiscal_year",
        (
            # below 1 the last month would be under the average (a negative value at stake); above 12
            # nothing can be flagged: a year spent wholly in its last month is 12 × the monthly average
            Parameter("min_ratio", 2.0, "ratio", minimum=1, maximum=12),
            Parameter("min_year_spend", 100_000, "currency", minimum=0, maximum=MAX_AMOUNT),
        ),
        year_end_surge,
    ),
    # the caps of the equipment standards in force on the order date (docs/reallocation.md, standards)
    Rule("OVER_PRICE_CAP", "medium", "po_line", (), over_price_cap),
    # warehouse first (docs/reallocation.md): the pool of every agency, and the minimum service lives
    Rule(
        "AVOIDABLE_PURCHASE",
        "high",
        "po_line",
        (
            Parameter("min_units", 1, "assets", minimum=1, maximum=MAX_ASSETS),
            _days("in_service_days", 90),
            _days("lookback_days", 90, minimum=1),
        ),
        avoidable_purchase,
    ),
    Rule("EARLY_REPLACEMENT", "medium", "po_line", (_days("lookback_days", 365, minimum=1),), early_replacement),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
PARAMETERS: dict[str, dict[str, Parameter]] = {rule.code: {p.name: p for p in rule.parameters} for rule in RULES}


def resolve_parameters(parameters: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Every rule's parameters, defaults overridden by `parameters` ({rule code: {name: value}}).

    Each value is checked against its Parameter (type and range); the first bad one raises ConfigError.
    """
    resolved = {rule.code: rule.defaults() for rule in RULES}
    for code, values in (parameters or {}).items():
        if code not in resolved:
            raise ConfigError("config.bad_value", name="rule", value=code, reason=reason("one_of", choices=list(RULES_BY_CODE)))
        for name, value in values.items():
            if name not in resolved[code]:
                raise ConfigError(
                    "config.bad_value", name=f"{code}.{name}", value=value, reason=Message("reason.unknown_parameter")
                )
            resolved[code][name] = PARAMETERS[code][name].checked(value, f"{code}.{name}")
    return resolved
