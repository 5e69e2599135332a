"""Usage over any per-device range of days, read from the monthly roll-ups and the days of the months it cuts.

A range [lo, hi) of days is split into its whole months [full_from, full_to), read from
`usage_months` (tracker.store.usage_months), and at most two stretches of days at its edges,
[lo, least(full_from, hi)) and [greatest(full_from, full_to), hi), read from the daily rows. A range
inside one month is all edge. So every sum, count and last day is exactly what the daily rows
give, while the engine reads one row per device and month plus the days of the edge months.

The expressions here are portable Ibis (DuckDB, and Spark over a lake, whose `usage_months` is a
view computing the same roll-up from its usage files).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from tracker.store.usage_months import TABLE, month_start, next_month_start


def months(backend) -> ir.Table:
    """The roll-up table (a stored table in the database, a view over a lake)."""
    return backend.table(TABLE)


def full_months(lo: ir.DateValue, hi: ir.DateValue) -> tuple[ir.DateValue, ir.DateValue]:
    """(full_from, full_to): the whole months inside [lo, hi) are those with month >= full_from and next_month <= full_to."""
    full_from = ibis.ifelse(lo == month_start(lo), lo, next_month_start(lo))
    return full_from, month_start(hi)


def in_edges(day: ir.DateValue, lo: ir.DateValue, hi: ir.DateValue, full_from: ir.DateValue, full_to: ir.DateValue):
    """Whether `day` lies in [lo, hi) outside its whole months (the days read from the daily rows)."""
    head = (day >= lo) & (day < ibis.least(full_from, hi))
    tail = (day >= ibis.greatest(full_from, full_to)) & (day < hi)
    return head | tail


def in_full(month: ir.DateValue, next_month: ir.DateValue, full_from: ir.DateValue, full_to: ir.DateValue):
    """Whether a roll-up month lies whole inside the range."""
    return (month >= full_from) & (next_month <= full_to)


def edge_days_from(window_start: date) -> date:
    """The first day any edge read needs: the first of the window's first month (ranges start in the window)."""
    return window_start.replace(day=1)


def window_edges(start: date, end_exclusive: date) -> tuple[date, date]:
    """(head_to, tail_from): the days of [start, end_exclusive) outside its whole months are [start, head_to) and
    [tail_from, end_exclusive) (the same split as full_months, in Python for a window's literal dates)."""
    head_to = start if start.day == 1 else _next_month(start)
    tail_from = max(end_exclusive.replace(day=1), head_to)
    return min(head_to, end_exclusive), tail_from


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
