"""Writing the assignment history `asset_assignments` (docs/transfers.md), inside the caller's transaction.

The asset ingest starts a new device's holding with its register agency from the beginning, and a
register correction of the agency moves the open holding with it (`start_holdings`); an approved
transfer ends the open holding on its effective date and begins the receiving agency's
(`move_holding`). What the metrics read is in tracker.engine.assignments.
"""

from __future__ import annotations

from datetime import date

from tracker.store.db import Database


def start_holdings(db: Database, final: str) -> None:
    """After an asset upload (`final`: its stored rows): new devices are held by their register agency
    from the beginning; a device whose register agency was corrected has its open holding moved with it.

    `final` is a table name the ingest generated (checked by the caller).
    """
    db.execute(
        f"""UPDATE asset_assignments AS h SET agency_code = f.agency_code
            FROM {final} AS f
            WHERE f._change = 'replaced' AND h.asset_id = f.asset_id AND h.valid_to IS NULL AND h.agency_code <> f.agency_code""",
        name="move corrected holdings",
    )
    db.execute(
        f"""INSERT INTO asset_assignments (asset_id, agency_code)
            SELECT f.asset_id, f.agency_code FROM {final} AS f
            WHERE f._change <> 'unchanged' AND f.asset_id NOT IN (SELECT asset_id FROM asset_assignments)""",
        name="start holdings",
    )


def current_holding(db: Database, asset_id: str) -> tuple[str, date | None] | None:
    """(agency_code, valid_from) of the device's open holding, or None when it has none."""
    row = db.fetchone(
        "SELECT agency_code, valid_from FROM asset_assignments WHERE asset_id = ? AND valid_to IS NULL",
        [asset_id],
        name="open holding",
    )
    return None if row is None else (row[0], row[1])


def move_holding(db: Database, asset_id: str, to_agency: str, effective: date, transfer_id: int) -> None:
    """End the device's open holding on `effective` and begin `to_agency`'s; the register's agency follows.

    The caller has checked that the open holding began before `effective`.
    """
    held = current_holding(db, asset_id)
    if held is None:  # a device stored before holdings were kept by its ingest: its register agency held it
        db.execute(
            "INSERT INTO asset_assignments (asset_id, agency_code) SELECT asset_id, agency_code FROM assets WHERE asset_id = ?",
            [asset_id],
            name="start holding",
        )
    db.execute(
        "UPDATE asset_assignments SET valid_to = ? WHERE asset_id = ? AND valid_to IS NULL",
        [effective, asset_id],
        name="end holding",
    )
    db.execute(
        "INSERT INTO asset_assignments (asset_id, agency_code, valid_from, transfer_id) VALUES (?, ?, ?, ?)",
        [asset_id, to_agency, effective, transfer_id],
        name="begin holding",
    )
    db.execute("UPDATE assets SET agency_code = ? WHERE asset_id = ?", [to_agency, asset_id], name="register agency")


def holdings(db: Database, asset_id: str) -> list[dict]:
    """The device's holdings, oldest first: agency_code, valid_from, valid_to, transfer_id."""
    rows = db.fetchall(
        "SELECT agency_code, valid_from, valid_to, transfer_id FROM asset_assignments WHERE asset_id = ? "
        "ORDER BY valid_from NULLS FIRST",
        [asset_id],
        name="holdings of a device",
    )
    return [dict(zip(("agency_code", "valid_from", "valid_to", "transfer_id"), r)) for r in rows]
