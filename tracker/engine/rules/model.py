"""What a rule, its parameters and its flags are: the flag table's columns, severities, subjects."""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from tracker.domain.categories import CategoryProfile
from tracker.domain.standards import CENTRAL, DEFAULT_STANDARDS, Standard
from tracker.engine.metrics import Window
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, template, text
from tracker.text.plural import fill

SEVERITIES = ("high", "medium", "low", "info")
SUBJECTS = ("asset", "po_line", "agency_category", "agency_fiscal_year")
ASSET_STATE_RULES = ("NEVER_USED", "IDLE", "LOW_UTILISATION")
# rules that read no usage, no telemetry coverage and no idle spell: purchase lines, the register, disposals,
# standards and spend only. An upload of usage leaves their findings as they were (tracker.engine.incremental).
USAGE_FREE_RULES = ("UNREGISTERED_UNITS", "YEAR_END_SURGE", "OVER_PRICE_CAP", "EARLY_REPLACEMENT")

FLAG_COLUMNS = (
    "flag_id",
    "rule",
    "severity",
    "agency_code",
    "asset_id",
    "po_number",
    "line_no",
    "category",
    "utilisation",
    "days_idle",
    "value_at_stake",
    "evidence",
    "evidence_zh",
    "title_en",
    "title_zh",
    "subject",
    "fiscal_year",
    "ocid",
    "window_start",
    "as_of",
    "year_end_idle_purchase",
)
FLAGS_SCHEMA = pa.schema(
    [
        ("flag_id", pa.string()),
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("agency_code", pa.string()),
        ("asset_id", pa.string()),
        ("po_number", pa.string()),
        ("line_no", pa.int32()),
        ("category", pa.string()),
        ("utilisation", pa.float64()),
        ("days_idle", pa.int64()),
        ("value_at_stake", pa.float64()),
        ("evidence", pa.string()),
        ("evidence_zh", pa.string()),
        ("title_en", pa.string()),
        ("title_zh", pa.string()),
        ("subject", pa.string()),
        ("fiscal_year", pa.int32()),
        ("ocid", pa.string()),
        ("window_start", pa.date32()),
        ("as_of", pa.date32()),
        ("year_end_idle_purchase", pa.bool_()),
    ]
)
UTILISATION_DIGITS = 6  # float sums differ in the last bits between runs and engines; 6 digits do not
KEY_COLUMNS = ("agency_code", "asset_id", "ocid", "po_number", "line_no", "category", "fiscal_year")


@dataclass(frozen=True)
class Parameter:
    """One tunable threshold of a rule: its default, unit and the range of values that make sense.

    A parameter whose default is an int takes whole numbers only. `checked` is the one validation
    of a value, whether entered on the Settings page, stored, or passed to compute_flags.
    """

    name: str
    default: int | float
    unit: str
    minimum: int | float = 0
    maximum: int | float = 10**15
    rule: str = ""  # the code of the rule it belongs to, set by the rule

    def description(self, lang: str) -> str:
        """What the threshold means (`rule.<CODE>.param.<name>` of the translation table)."""
        return text(f"rule.{self.rule}.param.{self.name}", lang)

    @property
    def description_en(self) -> str:
        return self.description("en")

    @property
    def description_zh(self) -> str:
        return self.description("zh")

    @property
    def whole(self) -> bool:
        return isinstance(self.default, int)

    def checked(self, value: Any, label: str) -> int | float:
        """`value` as this parameter's type, or ConfigError naming `label` (e.g. "IDLE.idle_days")."""
        if self.whole:
            reason = Message("reason.whole_range", {"low": self.minimum, "high": self.maximum})
        else:
            reason = Message("reason.number_range", {"low": _plain(self.minimum), "high": _plain(self.maximum)})
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or not math.isfinite(value):
            raise ConfigError("config.bad_value", name=label, value=value, reason=reason)
        if self.whole and not float(value).is_integer():
            raise ConfigError("config.bad_value", name=label, value=value, reason=Message("reason.whole"))
        if not self.minimum <= value <= self.maximum:
            raise ConfigError("config.bad_value", name=label, value=value, reason=reason)
        return int(value) if self.whole else float(value) + 0.0  # + 0.0: -0.0 becomes 0.0


def parameter_text(value: int | float) -> str:
    """A parameter value as stored and shown: 90, 0.5, 2 (never 2.0 or -0.0)."""
    return _plain(value)


def _plain(value: int | float) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class RuleContext:
    """What every rule expression may read: the backend, the window, shared tables and resolved parameters."""

    backend: Any
    window: Window
    per_asset: ir.Table  # asset_utilisation(...), cached
    coverage: ir.Table  # telemetry_coverage(...), cached
    states: ir.Table  # asset_states(...), cached: per_asset with the asset rule each asset meets
    asset_lines: ir.Table  # asset_lines(...), cached: each asset's matched procurement line
    profiles: Mapping[str, CategoryProfile]
    fiscal_year_start_month: int
    usage_start: date | None  # first usage date in the data
    params: Mapping[str, Mapping[str, Any]]  # rule code -> parameter name -> value
    standards: tuple[Standard, ...] = DEFAULT_STANDARDS  # equipment standards, every version (tracker.domain.standards)
    surplus: pa.Table | None = None  # periods devices were declared surplus (reallocation.surplus_periods)
    jurisdiction: str = CENTRAL  # whose standards apply (the standards_jurisdiction setting)
    use_edges: ir.Table | None = None  # idle_spells.use_edges(...), cached: the days of use opening or closing idle spells
    use_edges_gap: int = 0  # the gap use_edges was computed for (it serves look-backs at least that long)


@dataclass(frozen=True)
class Rule:
    """A flag rule: what it means (data shown in the UI and exports) and how it is computed (one expression)."""

    code: str
    severity: str
    subject: str
    parameters: tuple[Parameter, ...]
    build: Callable[[RuleContext], ir.Table]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(replace(p, rule=self.code) for p in self.parameters))

    # What the rule says is in the translation table (tracker.text.rules), by the rule's code.
    def title(self, lang: str) -> str:
        return text(f"rule.{self.code}.title", lang)

    def rationale(self, lang: str) -> str:
        return text(f"rule.{self.code}.rationale", lang)

    def evidence_template(self, lang: str) -> str:
        return template(f"rule.{self.code}.evidence", lang)

    def evidence(self, params: Mapping[str, Any], lang: str) -> str:
        """The evidence sentence of one finding; `params` as EvidenceFormats.evidence_params gives them."""
        localised = {"category": params[f"category_{lang}"], "evidence_note": params.get(f"evidence_note_{lang}", "")}
        return fill(self.evidence_template(lang), ChainMap(localised, params))

    @property
    def title_en(self) -> str:
        return self.title("en")

    @property
    def title_zh(self) -> str:
        return self.title("zh")

    @property
    def rationale_en(self) -> str:
        return self.rationale("en")

    @property
    def rationale_zh(self) -> str:
        return self.rationale("zh")

    @property
    def evidence_en(self) -> str:
        return self.evidence_template("en")

    @property
    def evidence_zh(self) -> str:
        return self.evidence_template("zh")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}
