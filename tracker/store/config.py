"""Settings: where the database lives and the values every computation shares, each declared once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from tracker.text.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "tracker.duckdb"
DB_ENV_VAR = "TRACKER_DB"


@dataclass(frozen=True)
class SettingSpec:
    """One stored setting: its name, default and the help shown to administrators."""

    name: str
    default: str
    help: str


# Settings stored in the database (table `settings`), editable by administrators.
SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("currency", "CNY", "ISO 4217 code of amounts without a currency column, and of values at stake."),
    SettingSpec("country", "CN", "Country whose public holidays and adjusted workdays define available days."),
    SettingSpec(
        "fiscal_year_start_month",
        "1",
        "Month (1-12) in which the fiscal year starts: 1 in China, 10 for US federal, 4 in the UK.",
    ),
    SettingSpec(
        "timezone",
        "Asia/Shanghai",
        "Time zone that session timestamps with an offset are converted to before they are split into days.",
    ),
    SettingSpec("max_upload_mb", "1024", "Largest file accepted by an upload, in megabytes; checked before parsing."),
    SettingSpec("max_upload_rows", "50000000", "Most data rows accepted in one upload."),
)
SETTING_DEFAULTS: dict[str, str] = {s.name: s.default for s in SETTINGS}


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `--db`, else `$TRACKER_DB`, else `data/tracker.duckdb` in the project."""
    if cli_value:
        return Path(cli_value)
    env_value = os.environ.get(DB_ENV_VAR)
    if env_value:
        return Path(env_value)
    return DEFAULT_DB_PATH


def validate_setting(name: str, value: str) -> str:
    """Return the normalised value of a stored setting, or raise ConfigError."""
    if name not in SETTING_DEFAULTS:
        raise ConfigError("config.bad_value", name=name, value=value, reason="unknown setting")
    value = str(value).strip()
    if name == "currency":
        if len(value) != 3 or not value.isalpha():
            raise ConfigError("config.bad_value", name=name, value=value, reason="three-letter ISO 4217 code")
        return value.upper()
    if name == "fiscal_year_start_month":
        if not value.isdigit() or not 1 <= int(value) <= 12:
            raise ConfigError("config.bad_value", name=name, value=value, reason="a month number 1-12")
        return str(int(value))
    if name in ("max_upload_mb", "max_upload_rows"):
        if not value.isdigit() or int(value) <= 0:
            raise ConfigError("config.bad_value", name=name, value=value, reason="a positive whole number")
        return str(int(value))
    if name == "country":
        if value.upper() not in holidays.list_supported_countries():
            raise ConfigError("config.bad_value", name=name, value=value, reason="not a country known to the holidays calendar")
        return value.upper()
    if name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError("config.bad_value", name=name, value=value, reason="unknown time zone") from exc
        return value
    return value
