"""Category profiles stored in the database: the default profiles written once, edits validated and dated.

Owns the tables `category_profiles` (current values) and `category_profile_changes` (append-only
history, one row per changed field). The defaults themselves live in `tracker.domain.categories`; a
category without a stored row reads as its default, so reading never needs a write.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from tracker.domain.categories import CATEGORIES, DEFAULT_PROFILES, CategoryProfile
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError, DatabaseError

SYSTEM_ACTOR = "system"

# Editable fields, in table order; SQL below names only these, never anything from input.
PROFILE_FIELDS: tuple[str, ...] = ("hours_per_day", "days", "low_threshold", "life_years", "price_cap")
DAYS_CHOICES: tuple[str, ...] = ("workdays", "all")
LIFE_YEARS_MAX = 50
_PRICE_CAP_LIMIT = Decimal("1e16")  # DECIMAL(18, 2) holds 16 digits before the point

_DEFAULTS: dict[str, CategoryProfile] = {p.category: p for p in DEFAULT_PROFILES}
_COLUMNS = "category, " + ", ".join(PROFILE_FIELDS) + ", changed_at, changed_by"
_UPDATE_SQL: dict[str, str] = {
    field: f"UPDATE category_profiles SET {field} = ?, changed_at = now(), changed_by = ? WHERE category = ?"
    for field in PROFILE_FIELDS
}

PROFILES_SCHEMA = pa.schema(
    [
        ("category", pa.string()),
        ("hours_per_day", pa.float64()),
        ("days", pa.string()),
        ("low_threshold", pa.float64()),
        ("life_years", pa.int32()),
        ("price_cap", pa.decimal128(18, 2)),
        ("changed_at", pa.timestamp("us")),
        ("changed_by", pa.string()),
    ]
)


# -- defaults ----------------------------------------------------------------------------------
def ensure_default_profiles(db: Database) -> int:
    """Store the default profile of every category that has no row yet; returns how many were added.

    Cheap when nothing is missing (one SELECT, no transaction), so callers may run it on every start.
    """
    if not _missing_categories(db):
        return 0
    try:
        with db.transaction():
            missing = _missing_categories(db)
            for category in missing:
                _insert_default(db, category)
    except DatabaseError:
        # another session stored the same defaults at the same moment: fine if nothing is missing now
        if _missing_categories(db):
            raise
        return 0
    return len(missing)


def _missing_categories(db: Database) -> list[str]:
    stored = {row[0] for row in db.fetchall("SELECT category FROM category_profiles", name="stored profile categories")}
    return [c for c in CATEGORIES if c not in stored]


def _insert_default(db: Database, category: str) -> None:
    default = _DEFAULTS[category]
    db.execute(
        f"INSERT INTO category_profiles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, now(), ?)",
        [
            category,
            float(default.hours_per_day),
            default.days,
            float(default.low_threshold),
            int(default.life_years),
            default.price_cap_cny,
            SYSTEM_ACTOR,
        ],
        name="insert default profile",
    )
    _record_change(db, category, "*", None, "default", SYSTEM_ACTOR, None)


# -- reading -----------------------------------------------------------------------------------
def load_profiles(db: Database) -> dict[str, CategoryProfile]:
    """Every category's profile, in the default profiles' order: stored values, else the default."""
    return {category: profile for category, (profile, _, _) in _load_rows(db).items()}


def _load_rows(db: Database) -> dict[str, tuple[CategoryProfile, Any, str | None]]:
    """category -> (profile, changed_at, changed_by); unstored categories carry (default, None, None)."""
    stored = {row[0]: row for row in db.fetchall(f"SELECT {_COLUMNS} FROM category_profiles", name="load profiles")}
    rows: dict[str, tuple[CategoryProfile, Any, str | None]] = {}
    for category in CATEGORIES:
        default = _DEFAULTS[category]
        row = stored.get(category)
        if row is None:
            rows[category] = (default, None, None)
            continue
        _, hours_per_day, days, low_threshold, life_years, price_cap, changed_at, changed_by = row
        profile = replace(
            default,
            hours_per_day=float(hours_per_day),
            days=days,
            low_threshold=float(low_threshold),
            life_years=int(life_years),
            price_cap_cny=None if price_cap is None else Decimal(price_cap),
        )
        rows[category] = (profile, changed_at, changed_by)
    return rows


def profiles_table(db: Database) -> pa.Table:
    """One row per category with the stored columns (defaults where unstored), for the engine to join."""
    rows = _load_rows(db)
    columns: dict[str, list] = {name: [] for name in PROFILES_SCHEMA.names}
    for category, (profile, changed_at, changed_by) in rows.items():
        columns["category"].append(category)
        columns["hours_per_day"].append(profile.hours_per_day)
        columns["days"].append(profile.days)
        columns["low_threshold"].append(profile.low_threshold)
        columns["life_years"].append(profile.life_years)
        columns["price_cap"].append(profile.price_cap_cny)
        columns["changed_at"].append(changed_at)
        columns["changed_by"].append(changed_by)
    return pa.table(columns, schema=PROFILES_SCHEMA)


def profile_history(db: Database, category: str | None = None) -> list[dict]:
    """Recorded changes, newest first, of one category or of all."""
    sql = "SELECT change_id, category, field, old_value, new_value, changed_at, changed_by, note FROM category_profile_changes "
    params: list[Any] = []
    if category is not None:
        sql += "WHERE category = ? "
        params.append(category)
    sql += "ORDER BY changed_at DESC, change_id DESC"
    keys = ("change_id", "category", "field", "old_value", "new_value", "changed_at", "changed_by", "note")
    return [dict(zip(keys, row)) for row in db.fetchall(sql, params, name="profile history")]


# -- editing -----------------------------------------------------------------------------------
def set_profile_value(
    db: Database, category: str, field: str, value: Any, actor: str, note: str | None = None
) -> CategoryProfile:
    """Validate and store one field of one category's profile, recording the change; returns the profile.

    A value equal to the current one changes nothing and records nothing.
    """
    if category not in _DEFAULTS:
        raise ConfigError("config.unknown_category", value=category, choices=list(CATEGORIES))
    if field not in PROFILE_FIELDS:
        raise ConfigError("config.unknown_profile_field", value=field, choices=list(PROFILE_FIELDS))
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("a profile change needs the acting user's name")
    new_value = validate_profile_value(category, field, value)
    note = (note.strip() or None) if isinstance(note, str) else None

    with audit.transaction(db):
        current = load_profiles(db)[category]
        old_value = _current_value(current, field)
        if old_value == new_value:
            return current
        if category in _missing_categories(db):
            _insert_default(db, category)
        db.execute(_UPDATE_SQL[field], [new_value, actor, category], name="set profile value")
        _record_change(db, category, field, _as_text(old_value), _as_text(new_value), actor, note)
        audit.record(
            db,
            actor,
            "profile_changed",
            category,
            {"field": field, "old": _as_text(old_value), "new": _as_text(new_value), "note": note},
        )
    return load_profiles(db)[category]


def validate_profile_value(category: str, field: str, value: Any) -> Any:
    """The normalised value of one profile field (float, str, int, Decimal or None), or ConfigError."""
    if field == "days":
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in DAYS_CHOICES:
            raise ConfigError("config.profile_days", category=category, value=value)
        return text
    if field == "price_cap":
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        amount = _decimal(value)
        if amount is None or amount < 0 or amount >= _PRICE_CAP_LIMIT or amount.as_tuple().exponent < -2:
            raise ConfigError("config.profile_price_cap", category=category, value=value)
        return amount.quantize(Decimal("0.01")) if amount else Decimal("0.00")  # no "-0.00"
    number = _decimal(value)
    if field == "hours_per_day":
        if number is None or not 0 < number <= 24:
            raise ConfigError("config.profile_hours", category=category, value=value)
        return float(number)
    if field == "low_threshold":
        if number is None or not 0 < number <= 1:
            raise ConfigError("config.profile_threshold", category=category, value=value)
        return float(number)
    if field == "life_years":
        if number is None or not 1 <= number <= LIFE_YEARS_MAX or number != number.to_integral_value():
            raise ConfigError("config.profile_life", category=category, value=value)
        return int(number)
    raise ConfigError("config.unknown_profile_field", value=field, choices=list(PROFILE_FIELDS))


def _decimal(value: Any) -> Decimal | None:
    """A finite number from an int, float, Decimal or numeric text; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)  # the shortest text that round-trips, not the binary expansion
    if isinstance(value, (int, str, Decimal)):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    return None


def _current_value(profile: CategoryProfile, field: str) -> Any:
    if field == "price_cap":
        return None if profile.price_cap_cny is None else Decimal(profile.price_cap_cny).quantize(Decimal("0.01"))
    return getattr(profile, field)


def _as_text(value: Any) -> str | None:
    """How a value is written in the history: integral hours as "8", amounts as "7000.00", None as NULL."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _record_change(
    db: Database, category: str, field: str, old_value: str | None, new_value: str | None, actor: str, note: str | None
) -> None:
    db.execute(
        "INSERT INTO category_profile_changes (category, field, old_value, new_value, changed_at, changed_by, note) "
        "VALUES (?, ?, ?, ?, now(), ?, ?)",
        [category, field, old_value, new_value, actor, note],
        name="record profile change",
    )
