"""The findings report of the command line: ranked flags with each finding's latest review."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from tracker.casework.review import with_reviews
from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, check_window_days
from tracker.engine.snapshots import findings
from tracker.store.db import Database


def flags_report(
    db: Database,
    *,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rules: list[str] | None = None,
    agency: str | None = None,
) -> pa.Table:
    """The ranked flags with the README's `flags` columns first, then each finding's latest review.

    The findings are those of the data version's snapshot (tracker.engine.snapshots.findings): a second
    export of unchanged data, from the command line, the service or after the dashboard, reads them.

    The review columns come right after the evidence: `review_status` (open until reviewed; a
    dismissed finding that got materially worse is open again), reason, note, who and when.
    """
    check_window_days(window_days, "--window-days")
    table = with_reviews(db, findings(db, as_of=as_of, window_days=window_days, rules=rules or None, agency=agency))
    names = list(table.column_names)
    review = [n for n in names if n.startswith("review") or n.startswith("reopened") or n == "reviewed_by" or n == "reviewed_at"]
    rest = [n for n in names if n not in review]
    position = rest.index("evidence") + 1
    return table.select(rest[:position] + review + rest[position:])
