"""Deterministic demo data with planted anomalies, in tiers (docs/rules.md; docs/architecture.md, demo data).

`generate` writes procurement lines (Chinese headers), the asset register and daily usage logs for
a set of fictional agencies, plus `ground_truth.json`: every case a correct rule engine must flag
for as_of 2025-12-31, the clean controls it must not flag, and the exempt assets. Everything comes
from one seeded numpy generator, so the same tier and seed always give byte-identical files.

How the data stays exact: apart from the planted cases, every asset is used on most available days
and until the last week, every agency spends evenly over the year, every capped line is at or below
its cap, and every line is fully registered. Idle assets are kept to at most two per agency and
category, except in "designated" pairs that host one planted IDLE_PURCHASE or BOUGHT_DESPITE_IDLE_STOCK
line and receive no other order once usage data starts; so BOUGHT_DESPITE_IDLE_STOCK fires only where
planted. Pairs without telemetry receive no order once usage data starts either.

The static reference data lives in `tracker.demo.catalogue`, the regular world (agencies, orders, assets) in
`tracker.demo.world`, the planted cases in `tracker.demo.plant` and the file writers in `tracker.demo.files`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from tracker.demo.catalogue import PROFILES
from tracker.demo.files import (
    ASSET_COLUMNS,
    PROCUREMENT_HEADERS,
    asset_rows,
    procurement_rows,
    workdays,
    write_table,
    write_usage,
)
from tracker.demo.plant import Builder
from tracker.demo.reallocation import planned_purchases, reallocation_cases, write_requests
from tracker.demo.world import AS_OF, IDLE_HORIZON_START, TIERS, WINDOW_START, TierSpec
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, reason, render


@dataclass(frozen=True)
class DemoFiles:
    """The files one `generate` call wrote, and their row counts."""

    procurement: Path
    assets: Path
    usage: Path
    ground_truth: Path
    agencies: int
    procurement_rows: int
    asset_rows: int
    usage_rows: int
    planted: int
    requests: Path | None = None  # planned purchases the pool can cover (tracker.demo.reallocation)


def _utilisation_notes(b: Builder, hours_in_window: np.ndarray, last_day: np.ndarray) -> None:
    """Put the measured utilisation into the notes of planted LOW_UTILISATION cases."""
    workday = workdays(WINDOW_START, (AS_OF - WINDOW_START).days + 1)
    index = {a.asset_id: i for i, a in enumerate(b.assets)}
    for entry in b.planted:
        if entry["rule"] != "LOW_UTILISATION":
            continue
        i = index[entry["asset_id"]]
        asset = b.assets[i]
        profile = PROFILES[asset.category]
        first = max(0, (asset.in_service - WINDOW_START).days)
        days = workday[first:].sum() if profile.days == "workdays" else len(workday) - first
        utilisation = hours_in_window[i] / (days * profile.hours_per_day)
        last = b.tier.usage_start + timedelta(days=int(last_day[i]))
        entry["note"] += f" (utilisation {utilisation:.3f} vs threshold {profile.low_threshold}; last used {last})"


def _sort_key(entry: dict) -> tuple:
    return tuple(
        "" if entry.get(k) is None else str(entry[k]).zfill(6) if k in ("line_no", "fiscal_year") else str(entry[k])
        for k in ("rule", "agency_code", "asset_id", "po_number", "line_no", "fiscal_year", "category")
    )


def generate(
    out_dir: Path,
    scale: str | TierSpec = "small",
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    lang: str = "en",
) -> DemoFiles:
    """Write one demo data set into out_dir; the same scale and seed always give the same bytes.
    `progress` is told what is being written, in `lang`."""
    tier = scale if isinstance(scale, TierSpec) else TIERS.get(scale)
    if tier is None:
        raise ConfigError("config.bad_value", name="scale", value=str(scale), reason=reason("demo_scale"))

    def say(key: str, **params: object) -> None:
        if progress is not None:
            progress(render(Message(f"cli.demo.{key}", params), lang))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = Builder(tier, seed, say)
    builder.build()
    ext = "csv" if tier.file_format == "csv" else "parquet"
    paths = {name: out_dir / f"{name}.{ext}" for name in ("procurement", "assets", "usage")}
    procurement = procurement_rows(builder)
    say("writing_lines", file=paths["procurement"].name, lines=len(procurement))
    write_table(paths["procurement"], PROCUREMENT_HEADERS, procurement, (8, 9), tier.file_format)
    assets = asset_rows(builder)
    say("writing_assets", file=paths["assets"].name, assets=len(assets))
    write_table(paths["assets"], ASSET_COLUMNS, assets, (8,), tier.file_format)
    usage_rows, hours_in_window, last_day = write_usage(builder, paths["usage"], tier.file_format)
    _utilisation_notes(builder, hours_in_window, last_day)
    cases, controls = reallocation_cases(
        procurement, assets, last_day, tier.usage_start, AS_OF, IDLE_HORIZON_START, builder.planted
    )
    builder.planted += cases
    builder.controls += controls
    requests = out_dir / "requests.csv"
    write_requests(requests, planned_purchases(builder.planted, list(builder.codes), AS_OF))
    planted = sorted(builder.planted, key=_sort_key)
    counts = {
        "agencies": tier.agencies,
        "procurement_lines": len(procurement),
        "purchase_orders": len(builder.pos),
        "assets": len(assets),
        "usage_rows": usage_rows,
        "planted": len(planted),
        "planted_by_rule": {rule: sum(e["rule"] == rule for e in planted) for rule in sorted({e["rule"] for e in planted})},
        "clean_controls": len(builder.controls),
        "exempt": len(builder.exempt),
    }
    truth = {
        "scale": tier.name,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "window_start": WINDOW_START.isoformat(),
        "idle_horizon_start": IDLE_HORIZON_START.isoformat(),
        "usage_start": tier.usage_start.isoformat(),
        "agencies": [
            {"agency_code": code, "agency_name": name, "telemetry": role}
            for code, name, role in zip(builder.codes, builder.names, builder.roles)
        ],
        "planted": planted,
        "clean_controls": sorted(builder.controls, key=_sort_key),
        "exempt": sorted(builder.exempt, key=_sort_key),
        "no_telemetry": builder.no_telemetry,
        "counts": counts,
        "assumptions": ASSUMPTIONS,
    }
    ground_truth = out_dir / "ground_truth.json"
    ground_truth.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say("done", rows=usage_rows, planted=len(planted))
    return DemoFiles(
        paths["procurement"],
        paths["assets"],
        paths["usage"],
        ground_truth,
        tier.agencies,
        len(procurement),
        len(assets),
        usage_rows,
        len(planted),
        requests,
    )


ASSUMPTIONS = [
    "Spend is counted in the month and fiscal year (calendar year) of the order date.",
    "idle_horizon_start is the first of the 90 days ending at as_of; an asset is IDLE when its last use is before it.",
    "BOUGHT_DESPITE_IDLE_STOCK can only be judged for orders whose 90-day look-back lies inside the usage data "
    "(order date >= usage_start + 90 days) and whose agency reports usage for the category; earlier orders have no evidence either way.",
    "Standby and disposed assets, and assets in service for less than the look-back, never count as idle stock.",
    "Planted asset cases name only the asset; their purchase line is in the asset register.",
]
