"""Settings: where the database lives and the values every computation shares, each declared once.

- `Settings`: every general setting stored in the database (table `settings`), with its type,
  default, bounds and help text. tracker.store.settings.load_settings returns one, typed.
- `ENVIRONMENT`: every environment variable the tracker reads, with its meaning and default;
  read them with `env(name)`.

Rule parameters ("rule.CODE.parameter") are declared with their rules (tracker.engine.rules).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from tracker.domain.standards import CENTRAL
from tracker.text.errors import ConfigError, TrackerError
from tracker.text.i18n import Message

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
PROJECT_ROOT = PACKAGE_ROOT.parent
# A checkout (pyproject.toml beside the package) keeps its database in its own data/; an installed
# package (site-packages holds no pyproject.toml) uses data/ under the directory it is run from.
IS_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "tracker.duckdb"
DB_ENV_VAR = "TRACKER_DB"
# The upload templates are package data, so an installed package finds them too.
TEMPLATE_DIR = PACKAGE_ROOT / "ingest" / "template_files"


def default_db_path() -> Path:
    """`data/tracker.duckdb` of the checkout, or of the current directory for an installed package."""
    return DEFAULT_DB_PATH if IS_CHECKOUT else Path.cwd() / "data" / "tracker.duckdb"


# -- environment variables -----------------------------------------------------------------------


@dataclass(frozen=True)
class EnvVar:
    """One environment variable the tracker reads: its name, what it means and what applies without it."""

    name: str
    meaning: str
    default: str


ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar("TRACKER_DB", "database file, when `--db` is not given (the dashboard reads it too)", "data/tracker.duckdb"),
    EnvVar("TRACKER_LANG", "language of command-line messages, en or zh, when `--lang` is not given", "$LANG, else en"),
    EnvVar(
        "TRACKER_USER", "who the command line records as making its changes", "cli:USER, USER being the operating-system user"
    ),
    EnvVar("TRACKER_PROGRESS", "1 shows an ingest's phase timings when standard error is not a terminal", "0"),
    EnvVar(
        "TRACKER_PASSWORD",
        "the password of `users add` and `users set-password`, for scripts (never an argument)",
        "asked twice at a prompt",
    ),
    EnvVar(
        "TRACKER_AUDIT_KEY_FILE",
        "the file holding the key of the audit log's hash chain, kept outside the database",
        "beside the database: `data/tracker.audit-key` for `data/tracker.duckdb`",
    ),
    EnvVar("TRACKER_API_RATE", "calls an API token may make in any minute; more are answered 429", "60"),
    EnvVar(
        "TRACKER_PAGE_ERRORS",
        "`raise` makes an unexpected page error raise after it is logged (tests); otherwise a page shows a message with an error id",
        "unset",
    ),
)
ENVIRONMENT_BY_NAME: dict[str, EnvVar] = {v.name: v for v in ENVIRONMENT}


def env(name: str) -> str | None:
    """The value of a declared environment variable, None when it is not set."""
    if name not in ENVIRONMENT_BY_NAME:
        raise KeyError(f"{name} is not declared in tracker.store.config.ENVIRONMENT")
    return os.environ.get(name)


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `--db`, else `$TRACKER_DB`, else `data/tracker.duckdb` (see default_db_path)."""
    if cli_value:
        return Path(cli_value)
    env_value = env(DB_ENV_VAR)
    if env_value:
        return Path(env_value)
    return default_db_path()


# -- stored settings -----------------------------------------------------------------------------


def _bad(name: str, value: Any, reason: Message) -> ConfigError:
    return ConfigError("config.bad_value", name=name, value=value, reason=reason)


def _currency_code(name: str, text: str) -> str:
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise _bad(name, text, Message("reason.currency_code"))
    return text.upper()


def _country_code(name: str, text: str) -> str:
    if text.upper() not in holidays.list_supported_countries():
        raise _bad(name, text, Message("reason.country"))
    return text.upper()


def _time_zone(name: str, text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise _bad(name, text, Message("reason.timezone")) from exc
    return text


_JURISDICTION = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _jurisdiction(name: str, text: str) -> str:
    """A jurisdiction code as the equipment standards name it (CN-central, CN-44); whether it has versions is checked on saving."""
    if not _JURISDICTION.fullmatch(text):
        raise _bad(name, text, Message("reason.jurisdiction"))
    return text


def _setting(
    default: Any,
    help: str,  # noqa: A002  (the field's help text)
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    normalise: Callable[[str, str], str] | None = None,
) -> Any:
    return field(default=default, metadata={"help": help, "minimum": minimum, "maximum": maximum, "normalise": normalise})


@dataclass(frozen=True)
class Settings:
    """The general settings in force: each one's type, default, bounds and help are declared here, once."""

    currency: str = _setting(
        "CNY", "ISO 4217 code of amounts without a currency column, and of values at stake.", normalise=_currency_code
    )
    country: str = _setting(
        "CN", "Country whose public holidays and adjusted workdays define available days.", normalise=_country_code
    )
    fiscal_year_start_month: int = _setting(
        1,
        "Month (1-12) in which the fiscal year starts: 1 in China, 10 for US federal, 4 in the UK.",
        minimum=1,
        maximum=12,
    )
    timezone: str = _setting(
        "Asia/Shanghai",
        "Time zone that session timestamps with an offset are converted to before they are split into days.",
        normalise=_time_zone,
    )
    max_upload_mb: int = _setting(
        1024, "Largest file accepted by an upload, in megabytes; checked before parsing.", minimum=1, maximum=1_000_000
    )
    max_upload_rows: int = _setting(50_000_000, "Most data rows accepted in one upload.", minimum=1, maximum=10_000_000_000)
    standards_jurisdiction: str = _setting(
        CENTRAL,
        "Jurisdiction whose equipment standards (price caps, minimum service lives) the rules apply; "
        "CN-central is the central standard of 2016.",
        normalise=_jurisdiction,
    )

    def as_text(self) -> dict[str, str]:
        """Every setting as the text stored in the database (the form exports and the data fingerprint use)."""
        return {spec.name: str(getattr(self, spec.name)) for spec in SETTINGS}


@dataclass(frozen=True)
class SettingSpec:
    """One stored setting: its name, type, default, bounds (numbers) and the help shown to administrators."""

    name: str
    type: type
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None
    normalise: Callable[[str, str], str] | None = None

    @property
    def default_text(self) -> str:
        return str(self.default)


def _specs() -> tuple[SettingSpec, ...]:
    hints = get_type_hints(Settings)
    specs = []
    for f in fields(Settings):
        assert f.default is not MISSING
        specs.append(SettingSpec(f.name, hints[f.name], f.default, **f.metadata))
    return tuple(specs)


SETTINGS: tuple[SettingSpec, ...] = _specs()
SETTINGS_BY_NAME: dict[str, SettingSpec] = {s.name: s for s in SETTINGS}
SETTING_DEFAULTS: dict[str, str] = {s.name: s.default_text for s in SETTINGS}
_WHOLE = re.compile(r"[+-]?\d{1,30}")


def parse_setting(name: str, value: Any) -> Any:
    """The typed value of a general setting from what was entered or stored, or ConfigError."""
    spec = SETTINGS_BY_NAME.get(name)
    if spec is None:
        raise _bad(name, value, Message("reason.unknown_setting"))
    if spec.type is int:
        return _whole(spec, value)
    text = str(value).strip()
    return spec.normalise(name, text) if spec.normalise else text


def _whole(spec: SettingSpec, value: Any) -> int:
    if spec.name == "fiscal_year_start_month":
        reason = Message("reason.month")
    else:
        reason = Message("reason.whole_range", {"low": spec.minimum, "high": spec.maximum})
    if isinstance(value, bool):
        raise _bad(spec.name, value, reason)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _WHOLE.fullmatch(text):
            raise _bad(spec.name, value, reason)
        number = int(text)
    if not spec.minimum <= number <= spec.maximum:
        raise _bad(spec.name, value, reason)
    return number


def validate_setting(name: str, value: Any) -> str:
    """The normalised text to store for a general setting, or ConfigError."""
    return str(parse_setting(name, value))


@dataclass(frozen=True)
class SettingProblem:
    """A stored value that is not used (it fails validation): the default applies in its place."""

    name: str
    value: str
    default: str
    error: TrackerError

    def text(self, lang: str = "en") -> str:
        from tracker.text.i18n import render

        reason = self.error.message.params.get("reason", self.error.message)
        message = Message(
            "config.stored_value_ignored", {"name": self.name, "value": self.value, "default": self.default, "reason": reason}
        )
        return render(message, lang)


def settings_from_stored(stored: Mapping[str, str]) -> tuple[Settings, list[SettingProblem]]:
    """The settings in force given the stored texts: a value that fails validation is replaced by its default."""
    values: dict[str, Any] = {}
    problems: list[SettingProblem] = []
    for name, text in sorted(stored.items()):
        try:
            values[name] = parse_setting(name, text)
        except ConfigError as exc:
            default = SETTING_DEFAULTS.get(name, "—")
            problems.append(SettingProblem(name, text, default, exc))
    return Settings(**values), problems
