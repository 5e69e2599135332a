"""Auditors' dispositions of findings: open → confirmed / dismissed (with a reason) / resolved.

Every change is a new row of `flag_reviews` (nothing is updated or deleted), so the full history
of a finding is kept. A review belongs to the finding's `finding_key` (rule + subject), which does
not depend on the window: when the flags are recomputed — the same window again, or a later as-of
date after new uploads — the finding shows its latest review. A dismissed finding that has got
materially worse since (its value at stake at least REOPEN_FACTOR times the value when it was
dismissed) is shown open again, with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from tracker.access.auth import User, acting
from tracker.engine.rules.run import subject_key
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, render

STATUSES = ("open", "confirmed", "dismissed", "resolved")
REOPEN_FACTOR = 2.0
REVIEW_COLUMNS = (
    "review_status",
    "review_reason",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "reopened_because",
    "reopened_because_zh",
)


def finding_key(rule: str, subject_key: str) -> str:
    """The same rule on the same subject, whatever the window: how a review follows its finding."""
    return hashlib.sha256(f"{rule}\x1f{subject_key}".encode()).hexdigest()[:16]


def flag_finding_key(flag: Mapping[str, Any]) -> str:
    return finding_key(flag["rule"], subject_key(flag["subject"], flag))


@dataclass(frozen=True)
class Review:
    review_id: int
    flag_id: str
    finding_key: str
    status: str
    reason: str | None
    note: str | None
    value_at_stake: float | None
    reviewed_by: str
    reviewed_at: datetime


def review(
    db: Database, flag: Mapping[str, Any], status: str, actor: "str | User", *, reason: str | None = None, note: str | None = None
) -> Review:
    """Record a disposition of `flag` (a row of the flags table). Dismissing needs a reason.

    `actor`: a signed-in User (whose role must allow reviews) or, from the command line, a name.
    """
    actor = acting(actor, "review")

    if status not in STATUSES:
        raise ConfigError("review.bad_status", status=status, allowed=", ".join(STATUSES))
    reason = (reason or "").strip() or None
    note = (note or "").strip() or None
    if status == "dismissed" and reason is None:
        raise ConfigError("review.reason_required")
    current = current_review(db, flag)
    if current is not None and current.status == status and reason is None and note is None:
        raise ConfigError("review.unchanged", status=status)
    subject = subject_key(flag["subject"], flag)
    with audit.transaction(db):
        row = db.fetchone(
            "INSERT INTO flag_reviews (flag_id, finding_key, rule, agency_code, subject, status, reason, note, "
            "value_at_stake, as_of, window_days, reviewed_by, reviewed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) RETURNING review_id, reviewed_at",
            [
                flag["flag_id"],
                finding_key(flag["rule"], subject),
                flag["rule"],
                flag.get("agency_code"),
                subject,
                status,
                reason,
                note,
                flag.get("value_at_stake"),
                flag["as_of"],
                _window_days(flag),
                actor,
            ],
            name="record review",
        )
        audit.record(
            db,
            actor,
            "review",
            flag["flag_id"],
            {
                "review_id": row[0],
                "rule": flag["rule"],
                "agency": flag.get("agency_code"),
                "subject": subject,
                "status": status,
                "reason": reason,
                "note": note,
            },
        )
    return Review(
        row[0],
        flag["flag_id"],
        finding_key(flag["rule"], subject),
        status,
        reason,
        note,
        flag.get("value_at_stake"),
        actor,
        row[1],
    )


def _window_days(flag: Mapping[str, Any]) -> int:
    return (flag["as_of"] - flag["window_start"]).days + 1


def current_review(db: Database, flag: Mapping[str, Any]) -> Review | None:
    history = review_history(db, flag_finding_key(flag))
    return history[0] if history else None


def review_history(db: Database, key: str) -> list[Review]:
    """Every disposition of a finding, newest first."""
    rows = db.fetchall(
        "SELECT review_id, flag_id, finding_key, status, reason, note, value_at_stake, reviewed_by, reviewed_at "
        "FROM flag_reviews WHERE finding_key = ? ORDER BY review_id DESC",
        [key],
        name="review history",
    )
    return [Review(*row) for row in rows]


def with_reviews(db: Database, flags: pa.Table) -> pa.Table:
    """The flags with REVIEW_COLUMNS added from each finding's latest review (open when never reviewed)."""
    latest = {
        row[0]: row[1:]
        for row in db.fetchall(
            "SELECT finding_key, status, reason, note, value_at_stake, reviewed_by, reviewed_at FROM ("
            " SELECT *, row_number() OVER (PARTITION BY finding_key ORDER BY review_id DESC) AS n FROM flag_reviews"
            ") WHERE n = 1",
            name="latest reviews",
        )
    }
    columns: dict[str, list] = {name: [] for name in REVIEW_COLUMNS}
    for flag in flags.to_pylist():
        found = latest.get(flag_finding_key(flag))
        status, reason, note, value_then, by, at = found if found else ("open", None, None, None, None, None)
        reopened = reopened_zh = None
        value_now = flag.get("value_at_stake")
        if status == "dismissed" and value_then and value_now is not None and value_now >= REOPEN_FACTOR * value_then:
            status = "open"
            message = Message(
                "review.reopened",
                {"now": f"{value_now:,.2f}", "then": f"{value_then:,.2f}", "ratio": f"{value_now / value_then:.1f}"},
            )
            reopened, reopened_zh = render(message, "en"), render(message, "zh")
        for name, value in zip(REVIEW_COLUMNS, (status, reason, note, by, at, reopened, reopened_zh)):
            columns[name].append(value)
    types = {"reviewed_at": pa.timestamp("us")}
    for name in REVIEW_COLUMNS:
        flags = flags.append_column(name, pa.array(columns[name], types.get(name, pa.string())))
    return flags
