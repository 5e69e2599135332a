"""The transfer slip (调拨单, docs/transfers.md): one XLSX in the reader's language.

Three sheets: the transfer (agencies, effective date, request and proposal, state, totals, who printed
it and when), its devices with their original cost and book value on the effective date, and its
steps (who accepted, refused or approved, in which role and agency, when, why). Written through
tracker.text.tables: every text cell a string, never a formula; an unknown book value says so.
Each slip written is an export in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from tracker.access.auth import User
from tracker.casework.transfers import Transfer, get_transfer
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.i18n import MESSAGES, text
from tracker.text.tables import tables_to_xlsx_bytes


def transfer_slip(db: Database, user: User, transfer_id: int, lang: str = "en") -> bytes:
    """The slip of one transfer the user may see, as XLSX bytes; the export is audited."""
    transfer = get_transfer(db, user, transfer_id)
    currency = load_settings(db).currency
    names = dict(db.fetchall("SELECT agency_code, agency_name FROM agencies", name="agency names"))
    data = tables_to_xlsx_bytes(
        {
            text("transfer.slip.sheet_summary", lang): _summary(transfer, names, currency, user, lang),
            text("transfer.slip.sheet_devices", lang): _devices(transfer, lang),
            text("transfer.slip.sheet_approvals", lang): _steps(transfer, lang),
        },
        missing=text("transfer.slip.unknown", lang),
    )
    audit.record(
        db,
        user.username,
        "export",
        "transfer_slip",
        {"transfer_id": transfer_id, "format": "xlsx", "rows": len(transfer.assets), "lang": lang},
    )
    return data


def _agency(code: str, names: dict[str, str | None]) -> str:
    name = names.get(code)
    return f"{code} {name}" if name else code


def _summary(transfer: Transfer, names: dict, currency: str, user: User, lang: str) -> pa.Table:
    h = transfer.header
    values = [a["book_value"] for a in transfer.assets]
    costs = [a["purchase_cost"] for a in transfer.assets]
    unknown = text("transfer.slip.unknown", lang)
    total_value = unknown if any(v is None for v in values) else formatting.money_exact(sum(values, Decimal(0)), currency)
    total_cost = unknown if any(c is None for c in costs) else formatting.money_exact(sum(costs, Decimal(0)), currency)
    rows: list[tuple[str, Any]] = [
        ("transfer.slip.title", f"#{h['transfer_id']}"),
        ("transfer.col.state", text(f"transfer.state.{h['state']}", lang)),
        ("transfer.col.from_agency", _agency(h["from_agency"], names)),
        ("transfer.col.to_agency", _agency(h["to_agency"], names)),
        ("transfer.col.effective_date", h["effective_date"].isoformat()),
        ("transfer.col.request_id", h["request_id"]),
        ("transfer.col.proposal_ref", h["proposal_ref"]),
        ("transfer.col.note", h["note"]),
        ("transfer.col.devices", str(len(transfer.assets))),
        ("transfer.slip.total_cost", total_cost),
        ("transfer.slip.total_book_value", total_value),
        ("transfer.slip.currency", currency),
        ("transfer.col.created_by", h["created_by"]),
        ("transfer.col.created_at", _when(h["created_at"])),
        ("transfer.slip.printed_by", user.username),
        ("transfer.slip.printed_at", _when(datetime.now())),
    ]
    return pa.table(
        {
            text("transfer.slip.field", lang): pa.array([text(k, lang) for k, _ in rows], pa.string()),
            text("transfer.slip.value", lang): pa.array([v if v is None else str(v) for _, v in rows], pa.string()),
        }
    )


def _devices(transfer: Transfer, lang: str) -> pa.Table:
    a = transfer.assets
    return pa.table(
        {
            text("transfer.col.asset_id", lang): pa.array([d["asset_id"] for d in a], pa.string()),
            text("transfer.col.category", lang): pa.array([_category(d["category"], lang) for d in a], pa.string()),
            text("transfer.col.model", lang): pa.array([d["model"] for d in a], pa.string()),
            text("transfer.col.purchase_cost", lang): pa.array([_amount(d["purchase_cost"]) for d in a], pa.float64()),
            text("transfer.col.book_value", lang): pa.array([_amount(d["book_value"]) for d in a], pa.float64()),
        }
    )


def _steps(transfer: Transfer, lang: str) -> pa.Table:
    s = transfer.steps
    return pa.table(
        {
            text("transfer.col.step", lang): pa.array([text(f"transfer.step.{x['step']}", lang) for x in s], pa.string()),
            text("transfer.col.actor", lang): pa.array([x["actor"] for x in s], pa.string()),
            text("transfer.col.role", lang): pa.array([_role(x["role"], lang) for x in s], pa.string()),
            text("transfer.col.agency", lang): pa.array([x["agency_code"] for x in s], pa.string()),
            text("transfer.col.at", lang): pa.array([_when(x["at"]) for x in s], pa.string()),
            text("transfer.col.reason", lang): pa.array([x["reason"] for x in s], pa.string()),
        }
    )


def _category(category: str | None, lang: str) -> str | None:
    if category is None:
        return None
    key = f"category.{category}"
    return text(key, lang) if key in MESSAGES else category


def _role(role: str | None, lang: str) -> str | None:
    key = f"role.{role}"
    return text(key, lang) if role and key in MESSAGES else role


def _amount(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M")
