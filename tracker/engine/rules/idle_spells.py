"""Idle spells: the days on which a device had no use in the look-back before, from its days of use, once per run.

A device is idle on a day D, for a look-back of L days, when it has no usage row with hours in
[D - L, D). Between two consecutive days of use p < n that is the days p + L + 1 .. n (none when
n - p <= L); before its first day of use f, every day up to f; after its last day of use l, every
day from l + L + 1 on. A device without any day of use is idle on every day.

`use_edges` reads the usage rows once (one aggregation into blocks of days per device, then a window
over the blocks) and keeps only what can open or close a spell: a device's first and last day of
use and each day of use after a gap longer than the shortest look-back of the rules that read it.
That table is small (about two rows per device) and cached once per run; AVOIDABLE_PURCHASE and
BOUGHT_DESPITE_IDLE_STOCK read their spells from it (`idle_spells`) instead of joining the raw
usage rows.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from tracker.engine.rules.model import RuleContext
from tracker.store.usage_months import TABLE as USAGE_MONTHS

FAR_FUTURE = date(9999, 12, 31)
EPOCH = date(1970, 1, 1)  # day numbers for folding days of use into blocks
MAX_MONTH_SPAN_DAYS = 31  # k whole months span at most 31 k days: two days of use in them are < 31 k apart
SPELLS = ibis.schema({"asset_id": "string", "idle_from": "date", "idle_until": "date"})
# the rules that judge idleness on a day before an order, and the parameter naming their look-back
LOOKBACK_RULES = ("AVOIDABLE_PURCHASE", "BOUGHT_DESPITE_IDLE_STOCK")


def use_edges(backend, min_gap_days: int) -> ir.Table:
    """(asset_id, prev_use, first_use, last_use, next_use): the stretches of use that can open or close an idle spell.

    The days with hours are first folded per device into blocks (first and last day of use in each)
    in which two days of use are at most `min_gap_days` apart, so a gap longer than that lies between
    two blocks, from one block's last day of use to the next block's first. A block is k whole months
    of the monthly roll-ups when k ≥ 1 months fit (k months span at most 31 k days: k = (gap + 1) // 31),
    else `min_gap_days` + 1 calendar days of the daily rows. The window then runs over the blocks (a few per device),
    not over the usage rows. Kept: a device's first block (prev_use NULL), its last (next_use NULL)
    and every block after a gap longer than `min_gap_days` (prev_use the last day of use before it).
    """
    months_per_block = (min_gap_days + 1) // MAX_MONTH_SPAN_DAYS
    if months_per_block:  # whole months fit in a block: fold the monthly roll-ups, not the daily rows
        m = backend.table(USAGE_MONTHS)  # a stored table, or a view over a lake
        m = m.filter(m.active_first.notnull())
        block = (m.month.year() * 12 + m.month.month() - 1) // months_per_block
        blocks = m.group_by(m.asset_id, block=block).aggregate(first_use=m.active_first.min(), last_use=m.active_last.max())
    else:
        usage = backend.table("usage_daily")
        used = usage.filter(usage.hours_used > 0)
        block = used.usage_date.delta(ibis.literal(EPOCH), unit="day") // (min_gap_days + 1)
        blocks = used.group_by(used.asset_id, block=block).aggregate(
            first_use=used.usage_date.min(), last_use=used.usage_date.max()
        )
    w = ibis.window(group_by=blocks.asset_id, order_by=blocks.block)
    day = dt.Date(nullable=True)  # a window's lag and lead are NULL at a device's edges, whatever the column
    blocks = blocks.select(
        "asset_id",
        "first_use",
        "last_use",
        prev_use=blocks.last_use.lag().over(w).cast(day),
        next_use=blocks.first_use.lead().over(w).cast(day),
    )
    return blocks.filter(
        blocks.prev_use.isnull() | blocks.next_use.isnull() | (blocks.first_use.delta(blocks.prev_use, unit="day") > min_gap_days)
    )


def min_lookback(params) -> int:
    """The shortest look-back of the rules reading the spells: the gaps `use_edges` must keep."""
    return min(params[code]["lookback_days"] for code in LOOKBACK_RULES)


def edges_of(ctx: RuleContext, lookback_days: int) -> ir.Table:
    """The run's cached use_edges, or (a rule built on its own, or a look-back the cache cannot serve) computed here."""
    if ctx.use_edges is not None and ctx.use_edges_gap <= lookback_days:
        return ctx.use_edges
    return use_edges(ctx.backend, lookback_days)


def idle_spells(ctx: RuleContext, lookback_days: int, first_judged: date) -> ir.Table:
    """(asset_id, idle_from, idle_until): each device with a day of use, the days it was idle, from `first_judged` on.

    Spells are disjoint per device, so a day lies in at most one of a device's spells. A device
    without any day of use has no spell here: it is idle on every day (see `used_assets`).
    """
    e = edges_of(ctx, lookback_days)
    before = e.filter(e.prev_use.isnull() | (e.first_use.delta(e.prev_use, unit="day") > lookback_days))
    before = before.select(
        "asset_id",
        idle_from=ibis.ifelse(
            before.prev_use.isnull(),
            ibis.literal(first_judged),
            (before.prev_use + ibis.interval(days=lookback_days + 1)).cast("date"),
        ),
        idle_until="first_use",
    )
    after = e.filter(e.next_use.isnull())
    after = after.select(
        "asset_id",
        idle_from=(after.last_use + ibis.interval(days=lookback_days + 1)).cast("date"),
        idle_until=ibis.literal(FAR_FUTURE),
    )
    spells = ibis.union(before.cast(SPELLS), after.cast(SPELLS), distinct=False)
    spells = spells.filter(spells.idle_until >= first_judged)
    return spells.mutate(idle_from=ibis.greatest(spells.idle_from, ibis.literal(first_judged))).filter(
        lambda s: s.idle_from <= s.idle_until
    )


def used_assets(ctx: RuleContext, lookback_days: int) -> ir.Table:
    """(asset_id): the devices with at least one day of use (each once)."""
    e = edges_of(ctx, lookback_days)
    return e.filter(e.prev_use.isnull()).select("asset_id")
