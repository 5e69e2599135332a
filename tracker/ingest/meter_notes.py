"""What an upload of meter readings says besides its rows: the counters that go down (docs/meters.md).

A drop (a lamp replaced, a counter reset, a board swapped) is not an error: the engine starts a new
series there. The upload report names each drop among the accepted readings and those stored for the
same device and meter, so that the agency can check it.
"""

from __future__ import annotations

from tracker.ingest.validate import assert_safe_name
from tracker.store.db import Database
from tracker.text.i18n import Message

MAX_NOTED = 10


def counter_drops(db: Database, typed: str, errors: str) -> list[Message]:
    """One note per counter drop (at most MAX_NOTED, then a count of the rest)."""
    assert_safe_name(typed)
    assert_safe_name(errors)
    rows = db.fetchall(
        f"""WITH uploaded AS (
                SELECT asset_id, meter, read_at, value FROM {typed} ANTI JOIN {errors} USING (_row)
                WHERE asset_id IS NOT NULL AND meter IS NOT NULL AND read_at IS NOT NULL AND value IS NOT NULL
            ), stored AS (
                SELECT r.asset_id, r.meter, r.read_at, r.value FROM meter_readings AS r
                SEMI JOIN (SELECT DISTINCT asset_id, meter FROM uploaded) AS u ON u.asset_id = r.asset_id AND u.meter = r.meter
                ANTI JOIN uploaded AS x ON x.asset_id = r.asset_id AND x.meter = r.meter AND x.read_at = r.read_at
            ), readings AS (
                SELECT DISTINCT * FROM (SELECT * FROM uploaded UNION ALL SELECT * FROM stored)
            ), paired AS (
                SELECT *, lag(value) OVER w AS before, lag(read_at) OVER w AS before_at
                FROM readings WINDOW w AS (PARTITION BY asset_id, meter ORDER BY read_at)
            )
            SELECT asset_id, meter, before, strftime(before_at, '%Y-%m-%d'), value, strftime(read_at, '%Y-%m-%d')
            FROM paired WHERE value < before ORDER BY asset_id, meter, read_at""",
        name="counter drops",
    )
    notes = [
        Message(
            "meters.counter_drop",
            {"asset_id": a, "meter": m, "before": _n(b), "before_date": bd, "after": _n(v), "after_date": vd},
        )
        for a, m, b, bd, v, vd in rows[:MAX_NOTED]
    ]
    if len(rows) > MAX_NOTED:
        notes.append(Message("meters.counter_drops_more", {"count": len(rows) - MAX_NOTED}))
    return notes


def _n(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
