"""Equipment standards as an administrator changes them: the jurisdiction in force, and a new version.

Only an administrator may (the `settings` action, checked here in the core, whatever calls it: the
Settings page, the command line). A version is checked as a whole (tracker.store.standards.check_version)
and nothing is written while any of its values is refused; every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pyarrow as pa

from tracker.access.auth import User, acting
from tracker.domain.standards import DEFAULT_STANDARDS, Standard, in_force
from tracker.store.config import SETTING_DEFAULTS, validate_setting
from tracker.store.db import Database
from tracker.store.settings import load_settings, write_setting
from tracker.store.standards import check_version, jurisdictions, load_standards, save_version
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

SETTING = "standards_jurisdiction"
LISTING_SCHEMA = pa.schema(
    [
        ("jurisdiction", pa.string()),
        ("version", pa.string()),
        ("effective_from", pa.date32()),
        ("category", pa.string()),
        ("price_cap", pa.decimal128(18, 2)),
        ("min_service_years", pa.int64()),
        ("min_copies", pa.int64()),
        ("built_in", pa.bool_()),
        ("in_force", pa.bool_()),
    ]
)


def check_jurisdiction(db: Database, value: Any) -> str:
    """The jurisdiction code to store, or ConfigError: its form, and that at least one version of it exists."""
    text = validate_setting(SETTING, value)
    known = jurisdictions(load_standards(db))
    if text not in known:
        raise ConfigError("config.bad_value", name=SETTING, value=value, reason=reason("jurisdiction_unknown", choices=known))
    return text


def set_jurisdiction(db: Database, actor: User | str, value: Any) -> str:
    """Make `value` the jurisdiction whose standards the rules apply; administrators only, audited. Returns it."""
    name = acting(actor, "settings")
    text = check_jurisdiction(db, value)
    write_setting(db, SETTING, text, SETTING_DEFAULTS[SETTING], name)
    return text


def add_version(
    db: Database,
    actor: User | str,
    *,
    jurisdiction: Any,
    version: Any,
    effective_from: Any,
    rows: Mapping[str, Mapping[str, Any]],
) -> tuple[list[Standard], list[ConfigError]]:
    """Check a new version as a whole and store it when nothing is refused; administrators only, audited.

    Returns (rows stored, problems): every problem found, and nothing stored while there is one.
    """
    name = acting(actor, "settings")
    found, problems = check_version(load_standards(db), jurisdiction, version, effective_from, rows)
    if problems:
        return [], problems
    save_version(db, found, actor=name)
    return found, []


def standards_listing(db: Database) -> pa.Table:
    """Every version of every jurisdiction, oldest first per jurisdiction and category; whether built in, whether in force today."""
    standards = load_standards(db)
    chosen = load_settings(db).standards_jurisdiction
    today = date.today()
    current = {(s.jurisdiction, s.category): in_force(standards, s.jurisdiction, s.category, today) for s in standards}
    rows = [
        {
            "jurisdiction": s.jurisdiction,
            "version": s.version,
            "effective_from": s.effective_from,
            "category": s.category,
            "price_cap": s.price_cap,
            "min_service_years": s.min_service_years,
            "min_copies": s.min_copies,
            "built_in": s in DEFAULT_STANDARDS,
            "in_force": s.jurisdiction == chosen and current[(s.jurisdiction, s.category)] == s,
        }
        for s in sorted(standards, key=lambda s: (s.jurisdiction, s.effective_from, s.version, s.category))
    ]
    return pa.Table.from_pylist(rows, schema=LISTING_SCHEMA)
