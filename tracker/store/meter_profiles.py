"""A metered category's meter and capacity as an administrator sets them (docs/meters.md), each change dated.

Stored in `category_profiles.meter` and `meter_capacity` (NULL: the default of
tracker.domain.meters), recorded in `category_profile_changes` and the audit log like the other
profile fields, so every figure computed afterwards follows the new value.
"""

from __future__ import annotations

import math
from dataclasses import replace

from tracker.domain.meters import CATEGORY_METERS, DEFAULT_METER_PROFILES, MeterProfile, normalise_meter
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.text.errors import ConfigError

CAPACITY_MAX = 1e9


def load_meter_profiles(db: Database) -> dict[str, MeterProfile]:
    """Each metered category's profile: the default, with the stored meter and capacity where set."""
    profiles = dict(DEFAULT_METER_PROFILES)
    rows = db.fetchall(
        "SELECT category, meter, meter_capacity FROM category_profiles WHERE meter IS NOT NULL OR meter_capacity IS NOT NULL",
        name="stored meter profiles",
    )
    for category, meter, capacity in rows:
        if category in profiles:
            default = profiles[category]
            profiles[category] = replace(default, meter=meter or default.meter, capacity=capacity or default.capacity)
    return profiles


def set_meter_profile(
    db: Database, category: str, actor: str, *, meter: str | None = None, capacity=None, note: str | None = None
) -> MeterProfile:
    """Store a metered category's meter and/or capacity, recording each change; returns the profile in force."""
    if category not in DEFAULT_METER_PROFILES:
        raise ConfigError("config.unknown_category", value=category, choices=list(DEFAULT_METER_PROFILES))
    changes: dict[str, object] = {}
    if meter is not None:
        changes["meter"] = validate_meter_value(category, "meter", meter)
    if capacity is not None:
        changes["meter_capacity"] = validate_meter_value(category, "meter_capacity", capacity)
    ensure_default_profiles(db)
    current = load_meter_profiles(db)[category]
    old = {"meter": current.meter, "meter_capacity": current.capacity}
    changed = {k: v for k, v in changes.items() if old[k] != v}
    if not changed:
        return current
    with audit.transaction(db):
        for field, value in changed.items():
            column = {"meter": "meter", "meter_capacity": "meter_capacity"}[field]  # fixed names, never input
            db.execute(
                f"UPDATE category_profiles SET {column} = ?, changed_at = now(), changed_by = ? WHERE category = ?",
                [value, actor, category],
                name="set meter profile",
            )
            db.execute(
                "INSERT INTO category_profile_changes (category, field, old_value, new_value, changed_at, changed_by, note) "
                "VALUES (?, ?, ?, ?, now(), ?, ?)",
                [category, field, _text(old[field]), _text(value), actor, note],
                name="record meter profile change",
            )
            audit.record(
                db,
                actor,
                "profile_changed",
                category,
                {"field": field, "old": _text(old[field]), "new": _text(value), "note": note},
            )
    return load_meter_profiles(db)[category]


def _text(value) -> str:
    """How a value is written in the history: an integral capacity as "2000", not "2000.0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and math.isnan(value))


def validate_meter_value(category: str, field: str, value):
    """The normalised meter name ("meter") or capacity ("meter_capacity") of a category, or ConfigError.

    A category without a meter (its evidence is hours) takes no meter and no capacity: empty is
    accepted for it (None), anything else refused. A metered category needs one of its known meters
    and a capacity above 0 (at most CAPACITY_MAX).
    """
    metered = category in DEFAULT_METER_PROFILES
    if field == "meter":
        if _empty(value):
            if metered:
                raise ConfigError("config.profile_meter_required", category=category, choices=list(CATEGORY_METERS[category]))
            return None
        if not metered:
            raise ConfigError("config.profile_meter_unmetered", category=category, value=value)
        name = normalise_meter(str(value))
        if name not in CATEGORY_METERS[category]:
            raise ConfigError("config.profile_meter", category=category, value=value, choices=list(CATEGORY_METERS[category]))
        return name
    if field == "meter_capacity":
        if _empty(value) and not metered:
            return None
        if not metered:
            raise ConfigError("config.profile_capacity_unmetered", category=category, value=value)
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number) or not 0 < number <= CAPACITY_MAX:
            raise ConfigError("config.profile_meter_capacity", category=category, value="" if value is None else value)
        return number
    raise ConfigError("config.unknown_profile_field", value=field, choices=["meter", "meter_capacity"])
