"""Running the catalogue on any Ibis backend: shared tables once, each rule a small query, stable ids, ranking."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS
from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.domain.standards import CENTRAL, DEFAULT_STANDARDS, Standard
from tracker.engine.compiled_sql import save_for
from tracker.engine.meter_evidence import add_evidence_notes, meter_evidence
from tracker.engine.meters import latest_reading_day
from tracker.engine.metrics import Window, asset_utilisation, ibis_backend, telemetry_coverage
from tracker.engine.rules.catalogue import RULES_BY_CODE, resolve_parameters
from tracker.engine.rules.expressions import asset_flags, asset_lines, asset_states
from tracker.engine.rules.idle_spells import LOOKBACK_RULES, min_lookback
from tracker.engine.rules.idle_spells import use_edges as idle_use_edges
from tracker.engine.rules.model import (
    ASSET_STATE_RULES,
    FLAGS_SCHEMA,
    KEY_COLUMNS,
    USAGE_FREE_RULES,
    UTILISATION_DIGITS,
    Rule,
    RuleContext,
)
from tracker.engine.rules.reallocation import surplus_periods
from tracker.engine.rules.sentences import EvidenceFormats
from tracker.engine.rules.stored import load_rule_parameters
from tracker.store.db import Database, cache_expr, engine_errors, run_expr
from tracker.store.profiles import load_profiles
from tracker.store.settings import load_settings
from tracker.store.standards import load_standards
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason


@dataclass(frozen=True)
class Earlier:
    """The whole catalogue's findings on the same window and settings, before uploads of usage only.

    `agencies`: every agency that held, or holds, a device whose usage those uploads wrote. A run
    given `earlier` keeps the findings that cannot have changed: those of the rules that read no
    usage (USAGE_FREE_RULES), and the asset rules' findings of the other agencies (a device's state
    reads its own usage and its holding agency's telemetry coverage only). It computes the rest:
    the asset rules for `agencies`, and the rules that read usage across devices or agencies.
    """

    flags: pa.Table
    agencies: frozenset[str]


def flag_id(rule: str, subject_key: str, window_days: int, as_of: date) -> str:
    """Stable id: the same rule, subject and window always give the same id, whatever the upload history."""
    text = "\x1f".join((rule, subject_key, str(window_days), as_of.isoformat()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def subject_key(subject: str, row: Mapping[str, Any]) -> str:
    if subject == "asset":
        parts = (row["asset_id"],)
    elif subject == "po_line":
        parts = (row["agency_code"], row["ocid"], row["po_number"], row["line_no"])
    elif subject == "agency_category":
        parts = (row["agency_code"], row["category"])
    else:
        parts = (row["agency_code"], row["fiscal_year"])
    return "|".join("" if part is None else str(part) for part in parts)


def compute_flags(
    db: Database,
    *,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rules: Iterable[str] | None = None,
    agency: str | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    per_asset: pa.Table | None = None,
    coverage: pa.Table | None = None,
    links: pa.Table | None = None,
    earlier: Earlier | None = None,
) -> pa.Table:
    """Run the catalogue (or the named rules) on the database, with its stored settings and profiles.

    `parameters` overrides the stored rule parameters (`load_rule_parameters`),
    which override the catalogue's defaults. `per_asset`, `coverage` and `links`: asset_utilisation's,
    telemetry_coverage's and asset_lines' tables for the same window and settings, when the caller
    already has them. `earlier`: see Earlier (the whole catalogue only).
    """

    settings = load_settings(db)
    stored = load_rule_parameters(db)
    for code, values in (parameters or {}).items():
        stored.setdefault(code, {}).update(values)
    backend = ibis_backend(db)
    flags = compute_flags_on(
        backend,
        as_of=as_of,
        window_days=window_days,
        rules=rules,
        agency=agency,
        parameters=stored,
        country=settings.country,
        fiscal_year_start_month=settings.fiscal_year_start_month,
        currency=settings.currency,
        profiles=load_profiles(db) or None,
        per_asset=_given(backend, per_asset, "asset utilisation"),
        coverage=_given(backend, coverage, "telemetry coverage"),
        links=_given(backend, links, "asset purchase lines"),
        standards=load_standards(db),
        jurisdiction=settings.standards_jurisdiction,
        surplus=surplus_periods(db.fetchall("SELECT asset_id, action, acted_on FROM pool_actions", name="pool actions")),
        earlier=earlier,
    )
    save_for(db.path)  # for the next process on this database
    return flags


def compute_flags_on(
    backend,
    *,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rules: Iterable[str] | None = None,
    agency: str | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    country: str = "CN",
    fiscal_year_start_month: int = 1,
    currency: str = "CNY",
    profiles: Mapping[str, CategoryProfile] | None = None,
    per_asset: ir.Table | None = None,
    coverage: ir.Table | None = None,
    links: ir.Table | None = None,
    standards: tuple[Standard, ...] = DEFAULT_STANDARDS,
    surplus: pa.Table | None = None,
    jurisdiction: str = CENTRAL,
    earlier: Earlier | None = None,
) -> pa.Table:
    """Run the catalogue on any Ibis backend holding the tracker's tables; flags highest value at stake first.

    A purchase line that is IDLE_PURCHASE and bought in the last month of a YEAR_END_SURGE fiscal
    year of its agency (年底突击花钱 → 闲置) ranks first, whether or not surges were asked for.
    The shared tables (per-asset utilisation, telemetry coverage, asset states) are computed once
    and cached, so each rule is a small query over them. `per_asset` passes an asset_utilisation
    already computed for the same window (e.g. a memtable of the dashboard's snapshot); `coverage` and
    `links` likewise telemetry_coverage's and asset_lines'.
    """
    if earlier is not None and (rules is not None or agency is not None):
        raise ValueError("earlier findings are those of the whole catalogue: no rule or agency may be named")
    codes = list(RULES_BY_CODE) if rules is None else check_rule_codes(rules)
    params = resolve_parameters(parameters)
    usage_start, usage_end = _usage_span(backend)
    as_of = as_of or _default_as_of(backend, usage_end)
    if as_of is None:
        return FLAGS_SCHEMA.empty_table()
    profiles = profiles or {p.category: p for p in DEFAULT_PROFILES}
    window = Window(
        as_of, window_days, idle_days=params["IDLE"]["idle_days"], never_used_min_days=max(1, params["NEVER_USED"]["grace_days"])
    )
    if per_asset is None:
        per_asset = cache_expr(asset_utilisation(backend, window, country=country, profiles=profiles), name="asset utilisation")
    if coverage is None:
        coverage = cache_expr(telemetry_coverage(backend, window), name="telemetry coverage")
    states = cache_expr(asset_states(per_asset, coverage, params), name="asset states")
    lines = links
    if lines is None and {"IDLE_PURCHASE", "UNREGISTERED_UNITS"} & set(codes):
        lines = cache_expr(asset_lines(backend), name="asset purchase lines")
    edges_gap = min_lookback(params)
    use_edges = (
        cache_expr(idle_use_edges(backend, edges_gap), name="days of use opening idle spells")
        if usage_start is not None and set(LOOKBACK_RULES) & set(codes)
        else None
    )
    ctx = RuleContext(
        backend,
        window,
        per_asset,
        coverage,
        states,
        lines,
        profiles,
        fiscal_year_start_month,
        usage_start,
        params,
        standards=standards,
        surplus=surplus,
        jurisdiction=jurisdiction,
        use_edges=use_edges,
        use_edges_gap=edges_gap,
    )
    formats = EvidenceFormats(currency)
    surge = RULES_BY_CODE["YEAR_END_SURGE"]
    kept = _kept(earlier)
    if earlier is None:
        surge_rows = _rule_rows(surge, ctx, agency)
    else:  # the usage-free rules' findings are kept, the surges among them
        codes = [code for code in codes if code not in USAGE_FREE_RULES]
        surge_rows = [r for r in kept if r["rule"] == surge.code]
    surge_years = {(r["agency_code"], r["fiscal_year"]) for r in surge_rows}
    # the asset rules in one query, split by the rule each asset meets
    asset_codes = [code for code in codes if code in ASSET_STATE_RULES]
    by_state: dict[str, list[dict]] = {code: [] for code in asset_codes}
    if asset_codes and (earlier is None or earlier.agencies):
        flagged = _filtered(asset_flags(ctx, asset_codes), agency)
        if earlier is not None:
            flagged = flagged.filter(flagged.agency_code.isin(sorted(earlier.agencies)))
        for row in run_expr(flagged, name="asset rules").to_pylist():
            by_state[row.pop("state")].append(row)
        add_evidence_notes(backend, window, (r for rs in by_state.values() for r in rs), country=country, profiles=profiles)
    rows: list[dict] = []
    for code in codes:
        rule = RULES_BY_CODE[code]
        if code in by_state:
            rule_rows = by_state[code]
        else:
            rule_rows = surge_rows if rule is surge else _rule_rows(rule, ctx, agency)
        rows.extend(_flag_rows(rule, rule_rows, ctx, formats))
    last_month = 12 if fiscal_year_start_month == 1 else fiscal_year_start_month - 1
    for row in rows:
        order_date = row.pop("order_date", None)
        row["year_end_idle_purchase"] = bool(
            row["rule"] == "IDLE_PURCHASE"
            and order_date is not None
            and order_date.month == last_month
            and (row["agency_code"], row["fiscal_year"]) in surge_years
        )
    rows.extend(kept)
    rows.sort(key=lambda r: (not r["year_end_idle_purchase"], -(r["value_at_stake"] or 0.0), r["rule"], r["flag_id"]))
    return pa.Table.from_pylist(rows, schema=FLAGS_SCHEMA)


def _given(backend, table: pa.Table | None, name: str) -> ir.Table | None:
    """A table the caller computed, held by the run's backend like its own cached tables (None: not given)."""
    if table is None:
        return None
    with engine_errors(name):
        return backend.create_table(ibis.util.gen_name("given"), obj=table, temp=True)


def check_rule_codes(rules: Iterable[str]) -> list[str]:
    """The rule codes asked for, once each in their order; ConfigError naming the first that is not in the catalogue."""
    codes = list(dict.fromkeys(rules))
    for code in codes:
        if code not in RULES_BY_CODE:
            raise ConfigError("config.bad_value", name="rule", value=code, reason=reason("one_of", choices=list(RULES_BY_CODE)))
    return codes


def flags_as_of(db: Database) -> date | None:
    """The day a run without an as-of date judges at: the latest usage, else the latest counter reading, else the latest order."""
    backend = ibis_backend(db)
    return _default_as_of(backend, _usage_span(backend)[1])


def _default_as_of(backend, usage_end: date | None) -> date | None:
    return usage_end or latest_reading_day(backend) or _latest_order_date(backend)


def _kept(earlier: Earlier | None) -> list[dict]:
    """The earlier findings that an upload of usage by `earlier.agencies` cannot have changed."""
    if earlier is None:
        return []
    rule, agency = earlier.flags.column("rule").to_pylist(), earlier.flags.column("agency_code").to_pylist()
    keep = [
        i
        for i, (code, held_by) in enumerate(zip(rule, agency))
        if code in USAGE_FREE_RULES or (code in ASSET_STATE_RULES and held_by not in earlier.agencies)
    ]
    return earlier.flags.take(keep).to_pylist()


def _usage_span(backend) -> tuple[date | None, date | None]:
    """First and last usage dates in the data (None, None without usage)."""
    usage = backend.table("usage_daily")
    span = run_expr(usage.aggregate(first=usage.usage_date.min(), last=usage.usage_date.max()), name="usage period")
    span = span.to_pylist()[0]
    return span["first"], span["last"]


def _latest_order_date(backend) -> date | None:
    return run_expr(backend.table("procurement_lines").order_date.max(), name="latest order date").as_py()


def _filtered(expr: ir.Table, agency: str | None) -> ir.Table:
    return expr if agency is None else expr.filter(expr.agency_code == agency)


def _rule_rows(rule: Rule, ctx: RuleContext, agency: str | None) -> list[dict]:
    rows = run_expr(_filtered(rule.build(ctx), agency), name=f"rule {rule.code}").to_pylist()
    for row in rows:
        row.pop("state", None)
    return rows


def _flag_rows(rule: Rule, rule_rows: list[dict], ctx: RuleContext, formats: "EvidenceFormats") -> list[dict]:
    flags = []
    for row in rule_rows:
        params = formats.evidence_params(row, ctx.params[rule.code])
        value = row["value_at_stake"]
        flags.append(
            {
                "flag_id": flag_id(rule.code, subject_key(rule.subject, row), ctx.window.window_days, ctx.window.as_of),
                "rule": rule.code,
                "severity": rule.severity,
                **{k: row.get(k) for k in KEY_COLUMNS},
                "utilisation": None if row["utilisation"] is None else round(row["utilisation"], UTILISATION_DIGITS),
                "days_idle": row["days_idle"],
                "value_at_stake": None if value is None else float(value),
                "evidence": meter_evidence(rule.code, row, params, "en") or rule.evidence(params, "en"),
                "evidence_zh": meter_evidence(rule.code, row, params, "zh") or rule.evidence(params, "zh"),
                "title_en": rule.title_en,
                "title_zh": rule.title_zh,
                "subject": rule.subject,
                "window_start": ctx.window.start,
                "as_of": ctx.window.as_of,
                "order_date": row.get("order_date"),
            }
        )
    return flags
