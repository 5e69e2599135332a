"""What an upload of usage changed since an earlier snapshot: which uploads, and which agencies' findings.

Agencies send usage month by month, each on its own day. Only the first upload of a new month moves
the latest day, and with it every finding's window. The uploads after it, such as an agency sending
the same month late, correcting a month or adding a source, leave the window where it was. For those,
the snapshot keeps what their rows cannot have changed and recomputes the rest (`Earlier` in
tracker.engine.rules.run):

- the findings of the rules that read no usage (purchase lines, the register, spend, standards);
- the asset rules' findings of the agencies that held none of the devices the uploads wrote;
- the procurement lines.

Per-asset utilisation, telemetry coverage and the rules that read usage across agencies (idle stock,
the reallocation pool) are computed again. The result equals a full recompute, which the tests
check on every kind of change.

The earlier snapshot is reused only when nothing but usage changed. Another upload kind, a setting,
a profile, a transfer, a pool action, a standard, a deleted upload, a moved window or an earlier
first day of usage each means a full recompute.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.store.db import Database

USAGE_KIND = "usage"


@dataclass(frozen=True)
class UsageChange:
    """The uploads since an earlier data version, all of usage, and the agencies whose findings they may change."""

    uploads: tuple[int, ...]
    devices: int  # devices with a row written by those uploads
    agencies: frozenset[str]  # every agency that held, or holds, one of those devices


def parse_version(text: str) -> tuple | None:
    """A data version from its stored text ("12-12-0-3-0-0-5"); None when it cannot be read."""
    try:
        return tuple(int(part) for part in text.split("-"))
    except ValueError:
        return None


def usage_change(db: Database, before: tuple, now: tuple) -> UsageChange | None:
    """What changed from data version `before` to `now` when it was uploads of usage only, else None.

    A data version is (latest upload id, number of uploads, then the other changes: settings,
    profiles, transfers, pool actions, standards; tracker.engine.snapshots.data_version).
    """
    if len(before) != len(now) or before[2:] != now[2:] or now[0] <= before[0]:
        return None
    uploads = db.fetchall(
        "SELECT upload_id, kind FROM uploads WHERE upload_id > ? ORDER BY upload_id", [before[0]], name="uploads since"
    )
    if len(uploads) != now[1] - before[1] or any(kind != USAGE_KIND for _, kind in uploads):
        return None  # another kind of upload, or an upload removed since
    ids = [upload_id for upload_id, _ in uploads]
    devices, agencies = db.fetchone(
        """WITH touched AS (SELECT DISTINCT asset_id FROM usage_daily WHERE list_contains(?, upload_id)),
                held AS (SELECT agency_code FROM assets SEMI JOIN touched USING (asset_id)
                         UNION SELECT agency_code FROM asset_assignments SEMI JOIN touched USING (asset_id))
           SELECT (SELECT count(*) FROM touched), (SELECT list(DISTINCT agency_code) FROM held)""",
        [ids],
        name="agencies an upload of usage touched",
    )
    return UsageChange(tuple(ids), devices, frozenset(agencies or ()))
