"""Agency codes for buyers that OCDS files name without an id, kept in the database and reused by every upload."""

from __future__ import annotations

import re

from tracker.ingest.ocds import derive_code, name_key
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError

_CODE = re.compile(r"[^\x00-\x1f\x7f=+\-@][^\x00-\x1f\x7f]{0,99}")


def load_agency_map(db: Database) -> dict[str, str]:
    """Folded buyer name -> agency code."""
    return dict(db.fetchall("SELECT name_key, agency_code FROM ocds_agency_codes", name="agency-code mapping"))


def list_agency_map(db: Database) -> list[tuple[str, str, str, str]]:
    """(buyer name, agency code, changed by, changed at) of every mapping, by name."""
    return db.fetchall(
        "SELECT buyer_name, agency_code, changed_by, strftime(changed_at, '%Y-%m-%d %H:%M') FROM ocds_agency_codes "
        "ORDER BY buyer_name",
        name="list agency-code mapping",
    )


def set_agency_code(db: Database, buyer_name: str, code: str, actor: str) -> tuple[str, str, int]:
    """Map a buyer's name to an agency code (replacing any earlier code), audited; (name, code, lines moved).

    Lines already stored under the buyer's derived (or earlier mapped) code move to the new code, so
    uploading the file again replaces them instead of adding them a second time.
    """
    name = (buyer_name or "").strip()
    code = (code or "").strip()
    if not name or len(name) > 1000 or not name_key(name):
        raise ConfigError("agencies.bad_name")
    if not _CODE.fullmatch(code):
        raise ConfigError("agencies.bad_code", code=code)
    key = name_key(name)
    with audit.transaction(db):
        before = db.scalar("SELECT agency_code FROM ocds_agency_codes WHERE name_key = ?", [key], name="mapped code")
        db.execute(
            """INSERT INTO ocds_agency_codes (name_key, buyer_name, agency_code, changed_at, changed_by)
               VALUES (?, ?, ?, now(), ?)
               ON CONFLICT (name_key) DO UPDATE SET buyer_name = excluded.buyer_name,
                   agency_code = excluded.agency_code, changed_at = excluded.changed_at, changed_by = excluded.changed_by""",
            [key, name, code, actor],
            name="map buyer to agency code",
        )
        moved = _move_stored_lines(db, key, {derive_code(name), before} - {None, code}, code, name)
        details = {"mapping": "ocds_agency_codes", "buyer_name": name, "before": before, "after": code, "lines_moved": moved}
        audit.record(db, actor, "setting_changed", f"agency code of buyer {name}", details)
    return name, code, moved


def _move_stored_lines(db: Database, key: str, old_codes: set[str], code: str, name: str) -> int:
    """Give the buyer's stored lines (under its derived or earlier code) the new code; the number of lines moved."""
    if not old_codes:
        return 0
    codes = sorted(old_codes)
    found = db.fetchall(
        "SELECT agency_code, agency_name, count(*) FROM procurement_lines WHERE list_contains(?, agency_code) GROUP BY ALL",
        [codes],
        name="lines under the buyer's old code",
    )
    moved = 0
    for old_code, agency_name, count in found:
        if agency_name is None or name_key(agency_name) != key:
            continue
        db.execute(
            "UPDATE procurement_lines SET agency_code = ? WHERE agency_code = ? AND agency_name = ?",
            [code, old_code, agency_name],
            name="move lines to the mapped code",
        )
        moved += count
    if moved:
        db.execute(
            "INSERT INTO agencies (agency_code, agency_name) VALUES (?, ?) ON CONFLICT (agency_code) DO NOTHING",
            [code, name],
            name="mapped agency",
        )
        db.execute(
            """DELETE FROM agencies WHERE list_contains(?, agency_code)
                 AND agency_code NOT IN (SELECT agency_code FROM procurement_lines)
                 AND agency_code NOT IN (SELECT agency_code FROM assets)""",
            [codes],
            name="drop the unused old code",
        )
    return moved
