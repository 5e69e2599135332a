"""The rules that hold a purchase line to the equipment standards: OVER_PRICE_CAP, and the minimum lives EARLY_REPLACEMENT reads.

The standards are versioned data (tracker.domain.standards): for each category of the jurisdiction
in force (the `standards_jurisdiction` setting, by default the central standard of 2016), a
version applies from its `effective_from` until the day before the category's next version. A line
is judged by the version in force on its order date; a category whose version has no cap (projector
and scanner by default: their caps vary by province) is not judged, and neither is a line ordered
before the jurisdiction's first version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tracker.domain.standards import Standard
from tracker.engine.metrics import round_to_cent
from tracker.engine.rules.expressions import _line_columns, _lines
from tracker.engine.rules.model import RuleContext

FAR_FUTURE = date(9999, 12, 31)
CAP_CURRENCY = "CNY"  # the currency of the standards' price caps
STANDARD_PERIODS = pa.schema(
    [
        ("std_category", pa.string()),
        ("std_version", pa.string()),
        ("std_from", pa.date32()),
        ("std_until", pa.date32()),
        ("cap", pa.float64()),
        ("min_years", pa.int64()),
    ]
)


def standard_periods(standards: Iterable[Standard], jurisdiction: str) -> pa.Table:
    """Per category of `jurisdiction`, each version's cap and minimum life and the days it was in force."""
    by_category: dict[str, list[Standard]] = {}
    for s in standards:
        if s.jurisdiction == jurisdiction:
            by_category.setdefault(s.category, []).append(s)
    rows = []
    for category, versions in sorted(by_category.items()):
        versions.sort(key=lambda s: (s.effective_from, s.version))
        for i, s in enumerate(versions):
            nxt = versions[i + 1] if i + 1 < len(versions) else None
            until = FAR_FUTURE if nxt is None else nxt.effective_from - timedelta(days=1)
            if until < s.effective_from:  # two versions from the same day: the later name is in force
                continue
            rows.append(
                {
                    "std_category": category,
                    "std_version": s.version,
                    "std_from": s.effective_from,
                    "std_until": until,
                    "cap": None if s.price_cap is None else float(s.price_cap),
                    "min_years": s.min_service_years or None,
                }
            )
    return pa.Table.from_pylist(rows, schema=STANDARD_PERIODS)


def standards_on_order_date(ctx: RuleContext, keys: ir.Table, column: str) -> ir.Table:
    """`keys` (with category and order_date) joined to the version in force on the order date where `column` is set."""
    periods = standard_periods(ctx.standards, ctx.jurisdiction)
    std = ibis.memtable(periods.filter(pc.is_valid(periods.column(column))))
    return keys.join(
        std, [keys.category == std.std_category, std.std_from <= keys.order_date, std.std_until >= keys.order_date]
    ).drop("std_category")


def over_price_cap(ctx: RuleContext) -> ir.Table:
    lines = _lines(ctx)
    # the caps are in yuan: a line priced in another currency cannot be held to them without an exchange
    # rate, so it is not judged (a Paraguayan guaraní price above 5,000 is not over a 5,000-yuan cap)
    t = standards_on_order_date(ctx, lines.filter(lines.currency == CAP_CURRENCY), "cap")
    unit_price = t.unit_price.cast("float64")
    t = t.filter(unit_price > t.cap)
    value = round_to_cent((unit_price - t.cap) * t.quantity)
    return t.select(
        **_line_columns(
            t,
            ctx,
            value_at_stake=value,
            quantity=t.quantity,
            unit_price_amount=unit_price,
            cap_amount=t.cap,
            standard_version=t.std_version,
            value_amount=value,
        )
    )
