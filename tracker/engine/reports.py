"""Utilisation tables over the stored data, per asset or rolled up, as the command line prints them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, check_window_days
from tracker.engine.metrics import Window, asset_utilisation, default_as_of, ibis_backend, utilisation_by
from tracker.store.db import Database, run_expr
from tracker.store.profiles import load_profiles
from tracker.store.settings import load_settings
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

UTILISATION_BY = ("asset", "agency", "category", "supplier", "po_line", "fiscal_year")


@dataclass(frozen=True)
class UtilisationReport:
    """A utilisation table and the window it was computed for."""

    window: Window
    by: str
    table: pa.Table


def utilisation_report(
    db: Database, *, as_of: date | None = None, window_days: int = DEFAULT_WINDOW_DAYS, by: str = "asset"
) -> UtilisationReport:
    """Utilisation per asset or rolled up, for the window ending at `as_of` (default: the latest usage date)."""
    if by not in UTILISATION_BY:
        raise ConfigError("config.bad_value", name="--by", value=by, reason=reason("one_of", choices=list(UTILISATION_BY)))
    check_window_days(window_days, "--window-days")
    as_of = as_of or default_as_of(db)
    if as_of is None:
        raise ConfigError("report.no_usage")
    settings = load_settings(db)
    window = Window(as_of=as_of, window_days=window_days)
    backend = ibis_backend(db)
    common = {"country": settings.country, "profiles": load_profiles(db)}
    if by == "asset":
        expr = asset_utilisation(backend, window, **common).order_by("agency_code", "asset_id")
    else:
        expr = utilisation_by(backend, window, by, fiscal_year_start_month=settings.fiscal_year_start_month, **common)
    return UtilisationReport(window, by, rounded(run_expr(expr, name=f"utilisation by {by}")))


def rounded(table: pa.Table) -> pa.Table:
    """Hours and money to 2 decimals, ratios to 4: what a reader can use, without float noise."""
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if not pa.types.is_floating(column.type):
            continue
        digits = 4 if ("utilisation" in name or name.endswith("_rate") or name == "age_years") else 2
        table = table.set_column(i, name, pc.round(column, digits))
    return table
