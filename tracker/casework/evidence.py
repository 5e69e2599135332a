"""The evidence pack: reviewed findings with everything needed to check them, as one XLSX or a ZIP of CSVs.

Sheets (docs/data-path.md, the evidence pack): Summary (as-of date, window, thresholds, counts and value by rule and
by agency, who exported and when, the data fingerprint), Findings (the columns of `flags`, review status and
note), Rules (definitions and the parameters in force), Assets and Purchase lines behind the
findings, Reallocation (the idle-pool devices proposed for planned purchases, the devices approved transfers moved,
and the savings proposed and realised, docs/reallocation.md).
The files themselves are written by tracker.casework.pack_files.

The fingerprint is a SHA-256 over what the numbers were computed from: the sequence of committed
uploads (kind, file SHA-256, scope, outcome), a content digest of each stored table, the settings,
rule parameters and category profiles, and the window. The same data and settings give the same
fingerprint on any machine; any change to them gives another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tracker.access.auth import acting
from tracker.casework.pack_files import pack_xlsx, pack_zip
from tracker.casework.pack_words import filters_text, localised, rule_rows
from tracker.domain.calendar import fiscal_year
from tracker.engine.parameters import load_rule_parameters
from tracker.engine.snapshots import Snapshot, SnapshotCache
from tracker.reallocation.savings import reallocation
from tracker.reallocation.sheet import SHEET_COLUMNS, sheet_rows
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.profiles import profiles_table
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.i18n import text

SHEETS = ("summary", "findings", "rules", "assets", "purchase_lines", "reallocation")
FINDING_COLUMNS = (
    "flag_id",
    "rule",
    "severity",
    "agency_code",
    "asset_id",
    "po_number",
    "line_no",
    "category",
    "utilisation",
    "days_idle",
    "value_at_stake",
    "evidence",
    "review_status",
    "review_reason",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "reopened_because",
    "title",
    "subject",
    "fiscal_year",
    "ocid",
    "window_start",
    "as_of",
    "year_end_idle_purchase",
)
ASSET_COLUMNS = (
    "asset_id",
    "agency_code",
    "category",
    "status",
    "standby",
    "in_service_date",
    "disposal_date",
    "purchase_cost",
    "net_book_value",
    "available_days",
    "available_hours",
    "used_hours",
    "utilisation",
    "active_days",
    "last_used",
    "days_idle",
    "line_po_number",
    "line_line_no",
    "supplier",
)
REALLOCATION_COLUMNS = SHEET_COLUMNS
LINE_COLUMNS = (
    "agency_code",
    "ocid",
    "po_number",
    "line_no",
    "item_description",
    "supplier",
    "category",
    "quantity",
    "unit_price",
    "total_amount",
    "currency",
    "order_date",
    "delivery_date",
    "fiscal_year",
)

DEFAULT_COLUMNS = {
    "findings": FINDING_COLUMNS,
    "assets": ASSET_COLUMNS,
    "purchase_lines": LINE_COLUMNS,
    "summary": ("item", "value"),
    "rules": ("code", "title", "severity", "subject", "rationale", "parameters"),
    "reallocation": REALLOCATION_COLUMNS,
}


@dataclass(frozen=True)
class EvidencePack:
    """An evidence pack in both file forms, and what it rests on."""

    xlsx: bytes
    zip: bytes
    fingerprint: str
    findings: int
    value_at_stake: float


# -- fingerprint ---------------------------------------------------------------------------------

_TABLE_DIGESTS = {
    "procurement_lines": "agency_code, ocid, po_number, line_no, item_description, category, supplier, quantity, "
    "unit_price, total_amount, currency, order_date, delivery_date",
    "assets": "asset_id, agency_code, category, ocid, po_number, line_no, purchase_cost, purchase_date, "
    "in_service_date, status, disposal_date, standby",
    "usage_daily": "asset_id, usage_date, source, hours_used",
}


def data_fingerprint(db: Database, *, as_of: date, window_days: int) -> str:
    """SHA-256 of the uploads, the stored records' content, settings, thresholds, profiles and the window."""
    uploads = db.fetchall(
        "SELECT kind, sha256, coalesce(scope_agency, ''), status, rows_accepted FROM uploads "
        "WHERE status <> 'unchanged' ORDER BY upload_id",
        name="fingerprint uploads",
    )
    digests = {}
    for table, columns in _TABLE_DIGESTS.items():
        count, digest = db.fetchone(
            f"SELECT count(*), coalesce(sum(hash({columns}) % 1000000007), 0) FROM {table}", name=f"digest {table}"
        )
        digests[table] = [int(count), int(digest)]
    profiles = profiles_table(db).drop_columns(["changed_at", "changed_by"]).to_pylist()
    document = {
        "uploads": [list(u) for u in uploads],
        "tables": digests,
        "settings": load_settings(db).as_text(),
        "rule_parameters": load_rule_parameters(db),
        "profiles": profiles,
        "as_of": as_of.isoformat(),
        "window_days": window_days,
    }
    text = json.dumps(document, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


# -- building the pack ---------------------------------------------------------------------------


def build_pack(
    db: Database,
    flags: pa.Table,
    *,
    as_of: date,
    window_days: int,
    actor: str,
    lang: str = "en",
    filters: Mapping[str, Iterable] | None = None,
    exported_at: datetime | None = None,
    snapshot: Snapshot | None = None,
) -> EvidencePack:
    """The pack for `flags` (a flags table with review columns, already filtered as the reader sees it).

    `actor`: a signed-in User (whose role must allow exports) or, from the command line, a name.
    `snapshot`: the snapshot of this window when the caller holds it (the dashboard); else it is
    read from the snapshot store, or computed.
    """
    actor = acting(actor, "export")

    snap = snapshot
    if snap is None or (snap.window.as_of, snap.window.window_days) != (as_of, window_days):
        snap = SnapshotCache().snapshot(db, as_of, window_days)
    fingerprint = data_fingerprint(db, as_of=as_of, window_days=window_days)
    exported_at = exported_at or datetime.now().replace(microsecond=0)
    zh = lang == "zh"
    findings = _findings_rows(flags, zh)
    stake = float(sum(r["value_at_stake"] or 0.0 for r in findings))
    sheets = {
        "summary": _summary_rows(
            db,
            flags,
            snap,
            fingerprint=fingerprint,
            actor=actor,
            exported_at=exported_at,
            filters=filters or {},
            zh=zh,
            stake=stake,
        ),
        "findings": findings,
        "rules": rule_rows(db, snap, lang),
        "assets": _asset_rows(snap, flags),
        "purchase_lines": _line_rows(db, flags, snap),
        "reallocation": reallocation_rows(db, snap, (filters or {}).get("agencies") or (), "zh" if zh else "en"),
    }
    sheets = localised(sheets, lang)
    pack = EvidencePack(
        pack_xlsx(sheets, zh, SHEETS, DEFAULT_COLUMNS),
        pack_zip(sheets, zh, SHEETS, DEFAULT_COLUMNS),
        fingerprint,
        len(findings),
        stake,
    )
    audit.record(
        db,
        actor,
        "export",
        "evidence pack",
        {
            "fingerprint": fingerprint,
            "findings": pack.findings,
            "value_at_stake": round(stake, 2),
            "as_of": as_of,
            "window_days": window_days,
            "lang": lang,
            "filters": {name: [str(v) for v in values] for name, values in (filters or {}).items() if values},
        },
    )
    return pack


def _findings_rows(flags: pa.Table, zh: bool) -> list[dict]:
    rows = []
    for flag in flags.to_pylist():
        row = {name: flag.get(name) for name in FINDING_COLUMNS}
        row["evidence"] = flag["evidence_zh"] if zh else flag["evidence"]
        row["title"] = flag["title_zh"] if zh else flag["title_en"]
        if zh:
            row["reopened_because"] = flag.get("reopened_because_zh")
        row["review_status"] = flag.get("review_status") or "open"
        rows.append(row)
    return rows


def _summary_rows(
    db: Database,
    flags: pa.Table,
    snap,
    *,
    fingerprint: str,
    actor: str,
    exported_at: datetime,
    filters: Mapping[str, Iterable],
    zh: bool,
    stake: float,
) -> list[dict]:
    lang = "zh" if zh else "en"

    def item(what: str, value: Any) -> dict:
        return {"item": text(f"pack.summary.{what}", lang) if what else "", "value": value}

    settings = load_settings(db)
    window = snap.window if snap else None
    rows = [
        item("title", ""),
        item("as_of", window.as_of if window else None),
        item("window_start", window.start if window else None),
        item("window_days", window.window_days if window else None),
        item("exported_by", actor),
        item("exported_at", exported_at),
        item("fingerprint", fingerprint),
        item("currency", settings.currency),
        item("country", settings.country),
        item("fiscal_year_start_month", settings.fiscal_year_start_month),
        item("filters", filters_text(filters, lang) or text("pack.summary.no_filters", lang)),
        item("findings", flags.num_rows),
        item("value_at_stake", round(stake, 2)),
    ]
    for by, column in (("by_rule", "rule"), ("by_agency", "agency_code"), ("by_review_status", "review_status")):
        rows.append(item("", ""))
        rows.append(item(by, text("pack.summary.findings_value_at_stake", lang)))
        if flags.num_rows and column in flags.column_names:
            grouped = flags.group_by(column).aggregate([("flag_id", "count"), ("value_at_stake", "sum")])
            for group in sorted(grouped.to_pylist(), key=lambda g: -(g["value_at_stake_sum"] or 0)):
                rows.append(
                    {
                        "item": str(group[column]),
                        "value": f"{formatting.count(group['flag_id_count'])} · {formatting.money_exact(group['value_at_stake_sum'], settings.currency)}",
                    }
                )
    return rows


def _asset_ids_behind(flags: pa.Table, snap) -> set[str]:
    """Assets a finding is about, and the assets registered against a flagged purchase line."""
    ids = {a for a in flags.column("asset_id").to_pylist() if a}
    if snap is not None:
        lines = {(f["agency_code"], f["po_number"], f["line_no"]) for f in flags.to_pylist() if f["subject"] == "po_line"}
        assets = snap.assets
        for agency, po, line, asset in zip(
            assets.column("agency_code").to_pylist(),
            assets.column("line_po_number").to_pylist(),
            assets.column("line_line_no").to_pylist(),
            assets.column("asset_id").to_pylist(),
        ):
            if (agency, po, line) in lines:
                ids.add(asset)
    return ids


def _asset_rows(snap, flags: pa.Table) -> list[dict]:
    if snap is None or not flags.num_rows:
        return []
    ids = _asset_ids_behind(flags, snap)
    assets = snap.assets.filter(pc.is_in(snap.assets.column("asset_id"), value_set=pa.array(sorted(ids), pa.string())))
    return [{name: row.get(name) for name in ASSET_COLUMNS} for row in assets.to_pylist()]


def _line_rows(db: Database, flags: pa.Table, snap) -> list[dict]:
    keys = {(f["agency_code"], f["po_number"], f["line_no"]) for f in flags.to_pylist() if f["po_number"]}
    ids = sorted({a for a in flags.column("asset_id").to_pylist() if a})
    if snap is not None and ids:  # the lines of the flagged assets, read from those assets' rows only
        flagged = snap.assets.filter(pc.is_in(snap.assets.column("asset_id"), value_set=pa.array(ids, pa.string())))
        for row in flagged.select(["agency_code", "line_po_number", "line_line_no"]).to_pylist():
            if row["line_po_number"]:
                keys.add((row["agency_code"], row["line_po_number"], row["line_line_no"]))
    if not keys:
        return []
    rows = db.fetchall(
        f"SELECT {', '.join(LINE_COLUMNS[:-1])} FROM procurement_lines ORDER BY agency_code, po_number, line_no",
        name="lines behind findings",
    )
    start_month = snap.fiscal_year_start_month if snap else 1
    out = []
    for values in rows:
        row = dict(zip(LINE_COLUMNS[:-1], values))
        if (row["agency_code"], row["po_number"], row["line_no"]) in keys:
            order = row["order_date"]
            row["fiscal_year"] = fiscal_year(order, start_month)
            out.append(row)
    return out


# -- writing -------------------------------------------------------------------------------------


def reallocation_rows(db: Database, snap: Snapshot | None, agencies: Iterable[str], lang: str) -> list[dict]:
    """Proposals, devices moved by approved transfers and both savings (to the pack's agencies when limited to some)."""
    return sheet_rows(reallocation(db, snap, None, lang), agencies)
