"""Monthly roll-ups of daily usage, kept with the rows they sum (docs/data-path.md, "Usage roll-ups").

One row per device and calendar month in which it has any usage row. What every reader of usage
needs from a month is here, so that utilisation, telemetry coverage and the idle spells read some
13 rows per device and year instead of ~250:

- use_hours, use_days: the hours of use (usage files and sign-ins, hours > 0) summed per day over
  the device's sources, each day capped at 24 h, and the number of such days;
- use_first, use_last, usage_last: the first and last day of use, and the last one with an
  hours-of-use row (evidence 'usage') rather than a sign-in;
- active_first, active_last: the first and last day with hours of any kind (powered-on included);
- on_first, on_last: the first and last day with hours or a sighting (what telemetry coverage counts).

A month is the grain because every window the tracker judges spans months: a month counts whole
when its days of use lie inside the range asked, and only the other months (with use on both sides
of a window's edge, a device's first or last day in service, a transfer) are read from the daily
rows, which keeps every figure exact.

The definition is one Ibis expression (`month_rollup`): a lake registers it as a view over its usage
files, and the database keeps it as a table, refreshed inside each usage upload's transaction for the
(device, month) pairs the upload touched (`refresh`), from all the stored rows of those pairs, so a
re-upload that replaces rows, a partial upload or a second source on the same days give the same
table as computing it afresh.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tracker.text.errors import DatabaseError

if TYPE_CHECKING:
    import ibis.expr.types as ir

TABLE = "usage_months"
MIGRATION = 15  # the schema migration that adds the table (015_usage_months.sql)
MAX_HOURS_PER_DAY = 24.0
USE_EVIDENCE = ("usage", "signed_in")  # rows whose hours are hours of use
USAGE_SCHEMA = {  # the columns of usage_daily the roll-up reads
    "asset_id": "!string",
    "usage_date": "!date",
    "source": "!string",
    "hours_used": "float64",
    "evidence": "!string",
}
COLUMNS = (
    "asset_id",
    "month",
    "next_month",
    "use_hours",
    "use_days",
    "use_first",
    "use_last",
    "usage_last",
    "active_first",
    "active_last",
    "on_first",
    "on_last",
)


def month_number(day: ir.DateValue) -> ir.IntegerValue:
    """Months since the year 0: year × 12 + month − 1."""
    return day.year() * 12 + day.month() - 1


def month_rollup(usage: ir.Table, *, several_sources: bool = True) -> ir.Table:
    """COLUMNS of `usage` (usage_daily's rows): one row per asset and month with any row.

    A month with one source has one row per day, so it is summed in one pass; only months with
    several sources are summed per day first, to cap each day at 24 h. `several_sources=False`: the
    rows are known to come from one source (one row per device and day), so no month is looked for.
    """
    import ibis

    hours = usage.hours_used
    use = usage.evidence.isin(USE_EVIDENCE) & (hours > 0)
    active = hours > 0
    # months as whole numbers while grouping the rows (cheaper than a date per row), as dates once grouped
    sources = dict(first_source=usage.source.min(), last_source=usage.source.max()) if several_sources else {}
    per_month = usage.group_by(usage.asset_id, month_number=month_number(usage.usage_date)).aggregate(
        **sources,
        row_hours=ibis.least(hours, MAX_HOURS_PER_DAY).sum(where=use),
        row_days=usage.asset_id.count(where=use),
        use_first=usage.usage_date.min(where=use),
        use_last=usage.usage_date.max(where=use),
        usage_last=usage.usage_date.max(where=use & (usage.evidence == "usage")),
        active_first=usage.usage_date.min(where=active),
        active_last=usage.usage_date.max(where=active),
        on_first=usage.usage_date.min(where=active | (usage.evidence == "seen")),
        on_last=usage.usage_date.max(where=active | (usage.evidence == "seen")),
    )
    if not several_sources:
        return _with_dates(per_month, per_month.row_hours.fill_null(0.0), per_month.row_days)
    several = per_month.filter(per_month.first_source != per_month.last_source).select("asset_id", "month_number")
    used = usage.filter(use)
    used = used.select("asset_id", "usage_date", "hours_used", month_number=month_number(used.usage_date))
    used = used.semi_join(several, ["asset_id", "month_number"])
    days = used.group_by("asset_id", "month_number", "usage_date").aggregate(day_hours=used.hours_used.sum())
    days = days.group_by("asset_id", "month_number").aggregate(
        day_hours=ibis.least(days.day_hours, MAX_HOURS_PER_DAY).sum(), day_count=days.usage_date.count()
    )
    t = per_month.left_join(days, ["asset_id", "month_number"])
    return _with_dates(t, t.day_hours.fill_null(t.row_hours).fill_null(0.0), t.day_count.fill_null(t.row_days))


def _with_dates(t: ir.Table, use_hours: ir.FloatingValue, use_days: ir.IntegerValue) -> ir.Table:
    """COLUMNS of a table grouped by asset and month number: the month's first day and the next month's, made once
    grouped, then its hours and days of use and the other columns as grouped."""
    import ibis

    number = t.month_number
    return t.select(
        t.asset_id,
        month=ibis.date(number // 12, number % 12 + 1, 1),
        next_month=ibis.date((number + 1) // 12, (number + 1) % 12 + 1, 1),
        use_hours=use_hours,
        use_days=use_days.cast("int64"),
        **{column: t[column] for column in COLUMNS[5:]},
    )


@functools.cache
def _rollup_sql(several_sources: bool = True) -> str:
    """month_rollup of the rows in `usage_months_input` as DuckDB SQL (compiled once per process)."""
    import ibis

    rows = ibis.table(ibis.schema(USAGE_SCHEMA), name="usage_months_input")
    return str(ibis.to_sql(month_rollup(rows, several_sources=several_sources), dialect="duckdb"))


def refresh(db, touched: str, *, new_rows: str | None = None) -> None:
    """Recompute the months named by `touched` (SQL giving asset_id and usage_date) from all their stored rows.

    Runs inside the caller's transaction, on its connection (an upload's rows are not visible to
    another connection before it commits). `new_rows`: SQL giving the upload's own rows, when they
    are all the rows of their days (the direct write checks that no stored row shares a device and a
    day range with them): their months are rolled up from them alone, and kept as they are when none
    of those months had a roll-up before (a new month, a first load); otherwise the months are
    recomputed from the whole table.
    """
    if new_rows is not None:
        _roll_up_into(db, "usage_months_new", f"SELECT asset_id, usage_date, source, hours_used, evidence FROM ({new_rows})")
        try:
            stored = db.scalar(
                f"SELECT count(*) FROM {TABLE} AS m SEMI JOIN usage_months_new AS n USING (asset_id, month)",
                name="stored usage months touched",
            )
            if not stored:
                columns = ", ".join(COLUMNS)
                db.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM usage_months_new", name="write usage months")
                return
        finally:
            _drop(db, "TABLE", "usage_months_new")
    pairs = f"(SELECT DISTINCT asset_id, CAST(date_trunc('month', usage_date) AS DATE) AS month FROM ({touched}))"
    db.execute(f"CREATE OR REPLACE TEMP TABLE usage_months_touched AS {pairs}", name="usage months touched")
    try:
        db.execute(
            f"DELETE FROM {TABLE} AS m USING usage_months_touched AS t WHERE m.asset_id = t.asset_id AND m.month = t.month",
            name="drop touched usage months",
        )
        rows = """SELECT u.asset_id, u.usage_date, u.source, u.hours_used, u.evidence FROM usage_daily AS u
           SEMI JOIN usage_months_touched AS t
             ON u.asset_id = t.asset_id AND CAST(date_trunc('month', u.usage_date) AS DATE) = t.month"""
        _roll_up_into(db, TABLE, rows)
    finally:
        _drop(db, "TABLE", "usage_months_touched")


def _roll_up_into(db, table: str, rows: str) -> None:
    """Insert month_rollup of `rows` (SQL with usage_daily's columns) into `table` (a new temporary table unless it
    is the roll-up table itself)."""
    db.execute(f"CREATE OR REPLACE TEMP VIEW usage_months_input AS {rows}", name="usage rows to roll up")
    try:
        # one source among the rows (the common case, a few milliseconds to tell): no month can have a day twice
        sources = db.scalar("SELECT count(DISTINCT source) FROM usage_months_input", name="usage sources to roll up")
        select = f"SELECT {', '.join(COLUMNS)} FROM ({_rollup_sql(sources > 1)})"
        if table == TABLE:
            db.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {select}", name="write usage months")
        else:
            db.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {select}", name="roll up new usage rows")
    finally:
        _drop(db, "VIEW", "usage_months_input")


def _drop(db, kind: str, name: str) -> None:
    """Drop a temporary table or view of the refresh; after a failed statement the transaction refuses any
    statement (and its rollback drops them), so a failure here must not hide the first one."""
    try:
        db.execute(f"DROP {kind} IF EXISTS {name}", name="drop usage months scratch")
    except DatabaseError:
        pass


def rebuild(db) -> None:
    """Recompute every month from the stored rows (the migration that adds the table)."""
    db.execute(f"DELETE FROM {TABLE}", name="empty usage months")
    _roll_up_into(db, TABLE, "SELECT asset_id, usage_date, source, hours_used, evidence FROM usage_daily")
