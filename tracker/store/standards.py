"""Equipment standards stored in the database (`equipment_standards`), with the built-in defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.domain.categories import CATEGORIES
from tracker.domain.standards import DEFAULT_STANDARDS, Standard
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason


def load_standards(db: Database) -> tuple[Standard, ...]:
    """The built-in defaults and every stored version (a stored row of the same key replaces a default)."""
    rows = db.fetchall(
        "SELECT jurisdiction, version, effective_from, category, price_cap, min_service_years, min_copies "
        "FROM equipment_standards ORDER BY jurisdiction, effective_from, version, category",
        name="load standards",
    )
    stored = [Standard(*row) for row in rows]
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
            name="store standard",
        )
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
