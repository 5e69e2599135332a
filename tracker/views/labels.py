"""Settings, rule thresholds and category profile fields named as the Settings page names them, in either language.

Messages shown on the dashboard name these by their labels ("Idle · Days without usage after which a
used asset is idle", "Laptop"), never by their internal names (`rule.IDLE.idle_days`, `laptop`); the
command line keeps the internal names, which are what its `settings set NAME VALUE` takes.
"""

from __future__ import annotations

from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.store.settings import RULE_PREFIX
from tracker.text.i18n import MESSAGES, category_name, text

PROFILE_FIELD_KEYS = {
    "hours_per_day": "settings.label.hours_per_day",
    "days": "settings.label.available_days",
    "low_threshold": "settings.label.low_utilisation_threshold",
    "life_years": "settings.label.useful_life_years",
    "price_cap": "settings.label.price_cap_per_unit",
    "meter": "settings.label.meter",
    "capacity": "settings.label.capacity",
    "meter_capacity": "settings.label.capacity",
    "*": "settings.label.all_fields_defaults",
}
DAYS_KEYS = {"workdays": "settings.label.workdays", "all": "settings.label.every_day"}


def setting_label(name: str, lang: str) -> str:
    """A general setting's label, or a rule threshold as "rule title · what it means"; `name` as stored
    (`currency`, `rule.IDLE.idle_days`) or as a rule names its own parameter (`IDLE.idle_days`)."""
    key = f"setting.{name}.label"
    if key in MESSAGES:
        return text(key, lang)
    code, _, parameter = name.removeprefix(RULE_PREFIX).partition(".")
    rule = RULES_BY_CODE.get(code)
    if rule is not None and parameter:
        described = next((p for p in rule.parameters if p.name == parameter), None)
        label = described.description(lang).rstrip(".。") if described is not None else parameter
        return f"{rule.title(lang)} · {label}"
    return name


def profile_field_label(field: str, lang: str) -> str:
    key = PROFILE_FIELD_KEYS.get(field)
    return text(key, lang) if key else field


def days_label(days: str, lang: str) -> str:
    key = DAYS_KEYS.get(days)
    return text(key, lang) if key else days


def category_label(category: str, lang: str) -> str:
    return category_name(category, lang)
