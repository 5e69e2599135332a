"""Equipment standards stored in the database (`equipment_standards`), with the built-in defaults."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.domain.categories import CATEGORIES
from tracker.domain.standards import DEFAULT_STANDARDS, Standard
from tracker.store import audit
from tracker.store.config import parse_setting
from tracker.store.db import Database
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, reason


def load_standards(db: Database) -> tuple[Standard, ...]:
    """The built-in defaults and every stored version (a stored row of the same key replaces a default)."""
    return with_defaults(stored_standards(db))


def stored_standards(db: Database) -> tuple[Standard, ...]:
    """The versions stored in `equipment_standards` (not the built-in defaults)."""
    rows = db.fetchall(
        "SELECT jurisdiction, version, effective_from, category, price_cap, min_service_years, min_copies "
        "FROM equipment_standards ORDER BY jurisdiction, effective_from, version, category",
        name="load standards",
    )
    return tuple(Standard(*row) for row in rows)


def with_defaults(stored: tuple[Standard, ...]) -> tuple[Standard, ...]:
    """The built-in defaults a stored row does not replace (same jurisdiction, version and category), then the stored rows."""
    keys = {(s.jurisdiction, s.version, s.category) for s in stored}
    return tuple(s for s in DEFAULT_STANDARDS if (s.jurisdiction, s.version, s.category) not in keys) + tuple(stored)


def save_standard(db: Database, standard: Standard, *, actor: str) -> None:
    """Store one standard row (replacing the same jurisdiction, version and category), audited."""
    if standard.category not in CATEGORIES:
        raise ConfigError(
            "config.bad_value", name="category", value=standard.category, reason=reason("one_of", choices=list(CATEGORIES))
        )
    if not isinstance(standard.effective_from, date):
        raise ConfigError("config.bad_value", name="effective_from", value=standard.effective_from, reason=reason("date"))
    for name in ("price_cap", "min_service_years", "min_copies"):
        value = getattr(standard, name)
        if value is not None and (not isinstance(value, (int, Decimal)) or isinstance(value, bool) or value < 0):
            raise ConfigError("config.bad_value", name=name, value=value, reason=reason("number_at_least_zero"))
    with db.transaction():
        db.execute(
            "DELETE FROM equipment_standards WHERE jurisdiction = ? AND version = ? AND category = ?",
            [standard.jurisdiction, standard.version, standard.category],
            name="replace standard",
        )
        _insert(db, standard, "store standard")
        audit.record(
            db,
            actor,
            "setting_changed",
            f"standard:{standard.jurisdiction}:{standard.version}:{standard.category}",
            {
                "effective_from": standard.effective_from.isoformat(),
                "price_cap": None if standard.price_cap is None else str(standard.price_cap),
                "min_service_years": standard.min_service_years,
                "min_copies": standard.min_copies,
            },
        )


# -- a new version, checked as a whole ----------------------------------------------------------------

VERSION_MAX = 100
YEARS_MAX = 50
_CAP_LIMIT = Decimal("1e16")  # DECIMAL(18, 2) holds 16 digits before the point


def jurisdictions(standards: tuple[Standard, ...]) -> list[str]:
    """Every jurisdiction with at least one version, the built-in central one included."""
    return sorted({s.jurisdiction for s in standards})


def check_version(
    standards: tuple[Standard, ...],
    jurisdiction: Any,
    version: Any,
    effective_from: Any,
    rows: Mapping[str, Mapping[str, Any]],
) -> tuple[list[Standard], list[ConfigError]]:
    """The rows of a new version and every problem found (all of them, none written).

    `rows`: {category: {"price_cap": …, "min_service_years": …, "min_copies": …}}; an empty value is
    None (no cap, no minimum); a category whose three values are all empty is not part of the version.
    """
    problems: list[ConfigError] = []
    try:
        jurisdiction = parse_setting("standards_jurisdiction", "" if jurisdiction is None else jurisdiction)
    except ConfigError:
        problems.append(_problem("jurisdiction", jurisdiction, reason("jurisdiction")))
    version_text = version.strip() if isinstance(version, str) else ""
    if not 1 <= len(version_text) <= VERSION_MAX:
        problems.append(_problem("version", version, reason("version_name", limit=VERSION_MAX)))
    elif any(s.jurisdiction == jurisdiction and s.version == version_text for s in standards):
        problems.append(_problem("version", version, reason("version_exists")))
    day = _day(effective_from)
    if day is None:
        problems.append(_problem("effective_from", effective_from, reason("date")))
    found: list[Standard] = []
    for category, values in rows.items():
        cap = _value(values.get("price_cap"))
        years = _value(values.get("min_service_years"))
        copies = _value(values.get("min_copies"))
        if cap is None and years is None and copies is None:
            continue
        if category not in CATEGORIES:
            problems.append(_problem("category", category, reason("one_of", choices=list(CATEGORIES))))
            continue
        checked = (
            _amount(f"{category}.price_cap", cap, problems),
            _whole(f"{category}.min_service_years", years, 1, YEARS_MAX, "service_years", problems),
            _whole(f"{category}.min_copies", copies, 1, 10**12, "copies", problems),
        )
        if day is not None:
            found.append(Standard(str(jurisdiction), version_text, day, category, *checked))
    if not found and not problems:
        problems.append(_problem("categories", "—", reason("version_no_category")))
    return (found if not problems else []), problems


def save_version(db: Database, rows: list[Standard], *, actor: str) -> None:
    """Store a checked version's rows in one transaction, with one audit entry naming each category's values."""
    if not rows:
        return
    first = rows[0]
    with audit.transaction(db):
        for standard in rows:
            _insert(db, standard, "store standard version")
        audit.record(
            db,
            actor,
            "setting_changed",
            f"standard:{first.jurisdiction}:{first.version}",
            {
                "effective_from": first.effective_from.isoformat(),
                "categories": {
                    s.category: {
                        "price_cap": None if s.price_cap is None else str(s.price_cap),
                        "min_service_years": s.min_service_years,
                        "min_copies": s.min_copies,
                    }
                    for s in rows
                },
            },
        )


def _value(value: Any) -> Any:
    """None for an empty entry: None, blank text, NaN (an empty number cell)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.strip() if isinstance(value, str) else value


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _amount(name: str, value: Any, problems: list[ConfigError]) -> Decimal | None:
    if value is None:
        return None
    number = _decimal(value)
    if number is None or not number.is_finite() or number < 0 or number >= _CAP_LIMIT:
        problems.append(_problem(name, value, reason("cap_amount")))
        return None
    return number.quantize(Decimal("0.01"))


def _whole(name: str, value: Any, low: int, high: int, why: str, problems: list[ConfigError]) -> int | None:
    if value is None:
        return None
    number = _decimal(value)
    if number is None or not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        problems.append(_problem(name, value, reason(why)))
        return None
    return int(number)


def _problem(name: str, value: Any, why: Message) -> ConfigError:
    """A refused value of a new version, named in the reader's words ("Desktop · Price cap (yuan)"); `name` keeps the code."""
    category, _, field_name = name.rpartition(".")
    label = Message(f"standards.field.{field_name}")
    if category:
        label = Message("standards.field_of", {"category": Message(f"category.{category}"), "field": label})
    return ConfigError("standards.bad_value", name=name, field=label, value=value, reason=why)


def _insert(db: Database, standard: Standard, name: str) -> None:
    db.execute(
        "INSERT INTO equipment_standards VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            standard.jurisdiction,
            standard.version,
            standard.effective_from,
            standard.category,
            standard.price_cap,
            standard.min_service_years,
            standard.min_copies,
        ],
        name=name,
    )


def _decimal(value: Any) -> Decimal | None:
    """`value` as a decimal number; None for anything that is not one (a yes/no, a word)."""
    try:
        return None if isinstance(value, bool) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
