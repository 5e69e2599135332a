"""The lake's format: its tables and files, its manifest, and the settings it carries (docs/architecture.md, the lake).

Shared by writing a lake (tracker.engine.lake.export_lake) and opening one on DuckDB or Spark.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.domain.standards import CENTRAL, DEFAULT_STANDARDS, Standard
from tracker.engine.parameters import load_rule_parameters
from tracker.store.config import parse_setting
from tracker.store.db import Database
from tracker.store.profiles import load_profiles
from tracker.store.settings import load_settings
from tracker.store.standards import stored_standards, with_defaults
from tracker.text.errors import TrackerError

LAKE_TABLES = ("procurement_lines", "assets", "usage_daily", "asset_assignments")
# tables a lake exported by an earlier version may lack, with the columns of their empty stand-in
OPTIONAL_TABLES = {
    "asset_assignments": pa.schema(
        [
            ("asset_id", pa.string()),
            ("agency_code", pa.string()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
            ("transfer_id", pa.int64()),
        ]
    )
}
SETTINGS_FILE = "settings.json"
MANIFEST_FILE = "manifest.json"
LAKE_ENTRIES = (*LAKE_TABLES, SETTINGS_FILE, MANIFEST_FILE)
LAKE_FORMAT = "tracker-lake"
LAKE_FORMAT_VERSION = 1
PARTITION_COLUMNS = ("year", "month")
ENGINES = ("duckdb", "spark")
_PROFILE_DEFAULTS = {p.category: p for p in DEFAULT_PROFILES}


class LakeError(TrackerError):
    """A lake cannot be written or read, or its engine is not available; the message says what to do."""


@dataclass(frozen=True)
class LakeSettings:
    """What the rules need besides the records: the exported settings, rule parameters, profiles, standards
    and the idle pool's declarations (a lake exported before these had none: the built-in standards apply)."""

    country: str
    currency: str
    fiscal_year_start_month: int
    rule_parameters: dict[str, dict[str, Any]]
    profiles: dict[str, CategoryProfile]
    jurisdiction: str = CENTRAL
    standards: tuple[Standard, ...] = DEFAULT_STANDARDS
    pool_actions: tuple[tuple[str, str, date], ...] = ()  # (asset_id, declare_surplus | withdraw, day it takes effect)


def settings_document(db: Database) -> dict[str, Any]:
    """settings.json: the database's general settings, stored rule parameters, every category profile, the stored
    equipment standards and the idle pool's declarations and withdrawals (pool_actions)."""
    profiles = [
        {
            "category": p.category,
            "hours_per_day": p.hours_per_day,
            "days": p.days,
            "low_threshold": p.low_threshold,
            "life_years": p.life_years,
            "price_cap": None if p.price_cap_cny is None else str(p.price_cap_cny),
        }
        for p in load_profiles(db).values()
    ]
    standards = [
        {
            "jurisdiction": s.jurisdiction,
            "version": s.version,
            "effective_from": s.effective_from.isoformat(),
            "category": s.category,
            "price_cap": None if s.price_cap is None else str(s.price_cap),
            "min_service_years": s.min_service_years,
            "min_copies": s.min_copies,
        }
        for s in stored_standards(db)
    ]
    actions = db.fetchall("SELECT asset_id, action, acted_on FROM pool_actions ORDER BY action_id", name="pool actions")
    return {
        "settings": load_settings(db).as_text(),
        "rule_parameters": load_rule_parameters(db),
        "profiles": profiles,
        "standards": standards,
        "pool_actions": [[asset_id, action, day.isoformat()] for asset_id, action, day in actions],
    }


def parse_settings_document(document: Mapping[str, Any]) -> LakeSettings:
    """LakeSettings from settings.json; Chinese category names come from the tracker's defaults."""
    try:
        general = document["settings"]
        profiles = {}
        for entry in document["profiles"]:
            category, cap = entry["category"], entry.get("price_cap")
            default = _PROFILE_DEFAULTS.get(category)
            profiles[category] = CategoryProfile(
                category,
                hours_per_day=float(entry["hours_per_day"]),
                days=entry["days"],
                low_threshold=float(entry["low_threshold"]),
                life_years=int(entry["life_years"]),
                price_cap_cny=None if cap is None else Decimal(cap),
                names_zh=default.names_zh if default else (),
            )
        return LakeSettings(
            country=parse_setting("country", general["country"]),
            currency=parse_setting("currency", general["currency"]),
            fiscal_year_start_month=parse_setting("fiscal_year_start_month", general["fiscal_year_start_month"]),
            rule_parameters={code: dict(values) for code, values in document.get("rule_parameters", {}).items()},
            profiles=profiles,
            jurisdiction=parse_setting("standards_jurisdiction", general.get("standards_jurisdiction", CENTRAL)),
            standards=with_defaults(tuple(_standard(entry) for entry in document.get("standards", []))),
            pool_actions=tuple(
                (str(asset_id), str(action), date.fromisoformat(day))
                for asset_id, action, day in document.get("pool_actions", [])
            ),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise LakeError("lake.settings_damaged", name=SETTINGS_FILE, detail=f"{type(exc).__name__}: {exc}") from exc


def _standard(entry: Mapping[str, Any]) -> Standard:
    cap, years, copies = entry.get("price_cap"), entry.get("min_service_years"), entry.get("min_copies")
    return Standard(
        str(entry["jurisdiction"]),
        str(entry["version"]),
        date.fromisoformat(entry["effective_from"]),
        str(entry["category"]),
        None if cap is None else Decimal(cap),
        None if years is None else int(years),
        None if copies is None else int(copies),
    )


def checked_manifest(text: str, location: str) -> dict[str, Any]:
    manifest = json.loads(text)
    if manifest.get("format") != LAKE_FORMAT or not isinstance(manifest.get("rows"), dict):
        raise LakeError("lake.not_a_lake", path=location, name=MANIFEST_FILE)
    if manifest.get("format_version", 0) > LAKE_FORMAT_VERSION:
        raise LakeError("lake.newer_format", path=location, version=manifest["format_version"])
    return manifest
