"""Transfers of devices between agencies (调拨, docs/transfers.md): proposed, accepted by both agencies, approved.

A transfer names its devices, the giving and the receiving agency, an effective date, and optionally
the purchase request it meets and the reallocation proposal it came from. Its state moves
proposed → accepted (both agencies have accepted, in either order) → approved, or to refused at any
open step (with a reason). Each step is a row of `transfer_steps` (who, in which role and agency,
when, why) and an entry of the audit log, written in one transaction with the change. Who may take
a step is checked here through tracker.access.transfers, whatever the caller.

On approval each device's open holding ends on the effective date and the receiving agency's
begins (tracker.store.assignments), and the register's agency follows: the metrics then count the
device's days before the effective date for the giving agency and from it for the receiving one.

A device is in at most one open transfer, and a disposed device is never transferred. The book value
of each device on the effective date (straight-line over its category's service life, as the
metrics compute it; unknown without a date of service) is kept with the transfer when it is proposed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tracker.access.auth import User
from tracker.access.transfers import accepting_side, check_approve, check_create, check_read, check_refuse, visible_agency
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.store import audit
from tracker.store.assignments import current_holding, move_holding
from tracker.store.db import Database
from tracker.store.profiles import load_profiles
from tracker.text.errors import ScopeError, TrackerError
from tracker.text.i18n import Message

OPEN_STATES = ("proposed", "accepted")
MAX_TEXT = 500  # a reason, note, request or proposal reference
MAX_ASSETS = 1000
DAYS_PER_YEAR = 365.25
TRANSFER_COLUMNS = (
    "transfer_id",
    "from_agency",
    "to_agency",
    "request_id",
    "proposal_ref",
    "effective_date",
    "state",
    "note",
    "created_by",
    "created_at",
)
ASSET_COLUMNS = ("asset_id", "category", "model", "purchase_cost", "book_value")
STEP_COLUMNS = ("step", "actor", "role", "agency_code", "reason", "at")


class TransferRefused(TrackerError):
    """A transfer step that cannot be taken: wrong state, unknown or unsuitable device, missing reason."""


@dataclass(frozen=True)
class Transfer:
    """One transfer with its devices and steps (oldest first)."""

    header: dict[str, Any]
    assets: list[dict[str, Any]]
    steps: list[dict[str, Any]]

    @property
    def transfer_id(self) -> int:
        return self.header["transfer_id"]

    @property
    def state(self) -> str:
        return self.header["state"]

    def accepted_by(self) -> set[str]:
        """The sides ("giving", "receiving") that have accepted."""
        return {s["step"].removesuffix("_accepted") for s in self.steps if s["step"].endswith("_accepted")}


# -- proposing -------------------------------------------------------------------------------------


def create_transfer(
    db: Database,
    user: User,
    asset_ids: Iterable[str],
    from_agency: str,
    to_agency: str,
    effective_date: date,
    *,
    request_id: str | None = None,
    proposal_ref: str | None = None,
    note: str | None = None,
) -> int:
    """Propose moving `asset_ids` from `from_agency` to `to_agency` from `effective_date`; returns its id."""
    from_agency, to_agency = _clean(from_agency, "from_agency"), _clean(to_agency, "to_agency")
    _guarded(db, user, "create", None, lambda: check_create(user, to_agency or ""))
    if not isinstance(effective_date, date) or isinstance(effective_date, datetime):
        raise TransferRefused("transfer.bad_date", value=effective_date)
    ids = list(dict.fromkeys(a.strip() for a in asset_ids if isinstance(a, str) and a.strip()))
    if not ids:
        raise TransferRefused("transfer.no_assets")
    if len(ids) > MAX_ASSETS:
        raise TransferRefused("transfer.too_long", field="asset_ids", limit=MAX_ASSETS)
    if not from_agency or not to_agency:
        raise TransferRefused("transfer.unknown_agency", agency=from_agency or to_agency or "")
    if from_agency == to_agency:
        raise TransferRefused("transfer.same_agency", agency=from_agency)
    texts = {"request_id": request_id, "proposal_ref": proposal_ref, "note": note}
    texts = {k: _clean(v, k) for k, v in texts.items()}
    with audit.transaction(db):
        for agency in (from_agency, to_agency):
            if db.scalar("SELECT count(*) FROM agencies WHERE agency_code = ?", [agency], name="known agency") == 0:
                raise TransferRefused("transfer.unknown_agency", agency=agency)
        devices = [_check_device(db, asset_id, from_agency, effective_date) for asset_id in ids]
        transfer_id = db.scalar(
            "INSERT INTO transfers (from_agency, to_agency, request_id, proposal_ref, effective_date, state, note, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, 'proposed', ?, ?, ?) RETURNING transfer_id",
            [
                from_agency,
                to_agency,
                texts["request_id"],
                texts["proposal_ref"],
                effective_date,
                texts["note"],
                user.username,
                datetime.now(),
            ],
            name="propose transfer",
        )
        life = _life_years(db)
        for device in devices:
            db.execute(
                "INSERT INTO transfer_assets (transfer_id, asset_id, category, model, purchase_cost, book_value) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    transfer_id,
                    device["asset_id"],
                    device["category"],
                    device["model"],
                    device["purchase_cost"],
                    book_value(device["purchase_cost"], device["in_service_date"], effective_date, life(device["category"])),
                ],
                name="transfer device",
            )
        _step(
            db,
            user,
            transfer_id,
            "created",
            None,
            {"assets": ids, "from_agency": from_agency, "to_agency": to_agency, "effective_date": effective_date, **texts},
        )
    return transfer_id


def _check_device(db: Database, asset_id: str, from_agency: str, effective_date: date) -> dict[str, Any]:
    row = db.fetchone(
        "SELECT asset_id, agency_code, category, model, purchase_cost, coalesce(in_service_date, purchase_date), status, "
        "disposal_date FROM assets WHERE asset_id = ?",
        [asset_id],
        name="device to transfer",
    )
    if row is None:
        raise TransferRefused("transfer.unknown_asset", asset_id=asset_id)
    device = dict(
        zip(("asset_id", "agency_code", "category", "model", "purchase_cost", "in_service_date", "status", "disposal_date"), row)
    )
    if device["status"] == "disposed" or device["disposal_date"] is not None:
        raise TransferRefused("transfer.disposed", asset_id=asset_id)
    holding = current_holding(db, asset_id)
    agency, since = holding if holding is not None else (device["agency_code"], None)
    if agency != from_agency:
        raise TransferRefused("transfer.not_held_by", asset_id=asset_id, agency=from_agency)
    if since is not None and effective_date <= since:
        raise TransferRefused(
            "transfer.effective_too_early", effective_date=effective_date, since=since, agency=from_agency, asset_id=asset_id
        )
    open_transfer = db.scalar(
        "SELECT min(t.transfer_id) FROM transfer_assets a JOIN transfers t USING (transfer_id) "
        "WHERE a.asset_id = ? AND list_contains(?, t.state)",
        [asset_id, list(OPEN_STATES)],
        name="open transfer of a device",
    )
    if open_transfer is not None:
        raise TransferRefused("transfer.already_open", asset_id=asset_id, transfer_id=open_transfer)
    return device


def book_value(cost: Decimal | None, in_service: date | None, on: date, life_years: float) -> Decimal | None:
    """Straight-line net book value on `on`, as the metrics compute it; None when cost or date is unknown."""
    if cost is None or in_service is None or not life_years > 0:
        return None
    age_years = (on - in_service).days / DAYS_PER_YEAR
    fraction = max(0.0, min(1.0, 1.0 - age_years / life_years))
    return (Decimal(cost) * Decimal(repr(fraction))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _life_years(db: Database):
    profiles = load_profiles(db) or {p.category: p for p in DEFAULT_PROFILES}
    fallback = profiles.get("other")

    def life(category: str | None) -> float:
        profile = profiles.get(category or "", fallback)
        return float(profile.life_years) if profile is not None else 0.0

    return life


# -- the steps after it ----------------------------------------------------------------------------


def accept(db: Database, user: User, transfer_id: int, side: str | None = None) -> Transfer:
    """Record the giving or receiving agency's acceptance; both make the transfer `accepted`."""
    transfer = _load(db, user, transfer_id, "accept")
    side = _guarded(db, user, "accept", transfer_id, lambda: accepting_side(user, transfer.header, side))
    with audit.transaction(db):
        transfer = _read(db, transfer_id)
        _require_state(transfer, ("proposed",), "accept")
        agency = transfer.header["from_agency" if side == "giving" else "to_agency"]
        if side in transfer.accepted_by():
            raise TransferRefused("transfer.already_accepted", transfer_id=transfer_id, agency=agency)
        _step(db, user, transfer_id, f"{side}_accepted", None, {"agency": agency})
        if transfer.accepted_by() | {side} == {"giving", "receiving"}:
            db.execute("UPDATE transfers SET state = 'accepted' WHERE transfer_id = ?", [transfer_id], name="transfer accepted")
    return get_transfer(db, user, transfer_id)


def refuse(db: Database, user: User, transfer_id: int, reason: str) -> Transfer:
    """Refuse an open transfer, with a reason: it ends there and no device moves."""
    transfer = _load(db, user, transfer_id, "refuse")
    _guarded(db, user, "refuse", transfer_id, lambda: check_refuse(user, transfer.header))
    with audit.transaction(db):
        transfer = _read(db, transfer_id)
        _require_state(transfer, OPEN_STATES, "refuse")
        text = _clean(reason, "reason")
        if not text:
            raise TransferRefused("transfer.reason_required")
        _step(db, user, transfer_id, "refused", text, {})
        db.execute("UPDATE transfers SET state = 'refused' WHERE transfer_id = ?", [transfer_id], name="transfer refused")
    return get_transfer(db, user, transfer_id)


def approve(db: Database, user: User, transfer_id: int) -> Transfer:
    """Approve an accepted transfer: each device belongs to the receiving agency from the effective date."""
    _load(db, user, transfer_id, "approve")
    _guarded(db, user, "approve", transfer_id, lambda: check_approve(user))
    with audit.transaction(db):
        transfer = _read(db, transfer_id)
        _require_state(transfer, ("accepted",), "approve")
        header = transfer.header
        for device in transfer.assets:  # the register may have changed since it was proposed
            _check_device_unchanged(db, device["asset_id"], header)
        for device in transfer.assets:
            move_holding(db, device["asset_id"], header["to_agency"], header["effective_date"], transfer_id)
        _step(db, user, transfer_id, "approved", None, {"assets": [d["asset_id"] for d in transfer.assets]})
        db.execute("UPDATE transfers SET state = 'approved' WHERE transfer_id = ?", [transfer_id], name="transfer approved")
    return get_transfer(db, user, transfer_id)


def _check_device_unchanged(db: Database, asset_id: str, header: dict[str, Any]) -> None:
    row = db.fetchone("SELECT status, disposal_date FROM assets WHERE asset_id = ?", [asset_id], name="device to move")
    if row is None:
        raise TransferRefused("transfer.unknown_asset", asset_id=asset_id)
    if row[0] == "disposed" or row[1] is not None:
        raise TransferRefused("transfer.disposed", asset_id=asset_id)
    holding = current_holding(db, asset_id)
    agency = holding[0] if holding else db.scalar("SELECT agency_code FROM assets WHERE asset_id = ?", [asset_id], name="agency")
    if agency != header["from_agency"]:
        raise TransferRefused("transfer.not_held_by", asset_id=asset_id, agency=header["from_agency"])
    if holding is not None and holding[1] is not None and header["effective_date"] <= holding[1]:
        raise TransferRefused(
            "transfer.effective_too_early",
            effective_date=header["effective_date"],
            since=holding[1],
            agency=header["from_agency"],
            asset_id=asset_id,
        )


# -- reading ---------------------------------------------------------------------------------------


def list_transfers(db: Database, user: User, *, state: str | None = None) -> list[dict[str, Any]]:
    """The transfers this user may see, newest first, with their device count and total book value."""
    agency = visible_agency(user)
    rows = db.fetchall(
        f"""SELECT {", ".join("t." + c for c in TRANSFER_COLUMNS)}, count(a.asset_id) AS devices, sum(a.book_value) AS book_value
            FROM transfers t LEFT JOIN transfer_assets a USING (transfer_id)
            WHERE ($agency IS NULL OR t.from_agency = $agency OR t.to_agency = $agency) AND ($state IS NULL OR t.state = $state)
            GROUP BY ALL ORDER BY t.transfer_id DESC""",
        {"agency": agency, "state": state},
        name="list transfers",
    )
    return [dict(zip((*TRANSFER_COLUMNS, "devices", "book_value"), r)) for r in rows]


def get_transfer(db: Database, user: User, transfer_id: int) -> Transfer:
    """One transfer with its devices and steps; ScopeError when the user's agency is not a party."""
    transfer = _read(db, transfer_id)
    check_read(user, transfer.header)
    return transfer


def _read(db: Database, transfer_id: Any) -> Transfer:
    if not isinstance(transfer_id, int) or isinstance(transfer_id, bool):
        raise TransferRefused("transfer.unknown", transfer_id=transfer_id)
    row = db.fetchone(
        f"SELECT {', '.join(TRANSFER_COLUMNS)} FROM transfers WHERE transfer_id = ?", [transfer_id], name="transfer"
    )
    if row is None:
        raise TransferRefused("transfer.unknown", transfer_id=transfer_id)
    assets = db.fetchall(
        f"SELECT {', '.join(ASSET_COLUMNS)} FROM transfer_assets WHERE transfer_id = ? ORDER BY asset_id",
        [transfer_id],
        name="transfer devices",
    )
    steps = db.fetchall(
        'SELECT step, actor, role, agency_code, reason, "at" FROM transfer_steps WHERE transfer_id = ? ORDER BY "at", rowid',
        [transfer_id],
        name="transfer steps",
    )
    return Transfer(
        dict(zip(TRANSFER_COLUMNS, row)),
        [dict(zip(ASSET_COLUMNS, r)) for r in assets],
        [dict(zip(STEP_COLUMNS, r)) for r in steps],
    )


def next_steps(user: User, transfer: Transfer) -> list[str]:
    """What this user may do on the transfer now: "accept:giving", "accept:receiving", "refuse", "approve"."""
    possible: list[str] = []
    if transfer.state == "proposed":
        for side in ("giving", "receiving"):
            if side in transfer.accepted_by():
                continue
            try:
                accepting_side(user, transfer.header, side)
            except ScopeError:
                continue
            possible.append(f"accept:{side}")
    if transfer.state == "accepted" and user.role in ("admin", "finance"):
        possible.append("approve")
    if transfer.state in OPEN_STATES:
        try:
            check_refuse(user, transfer.header)
            possible.append("refuse")
        except ScopeError:
            pass
    return possible


# -- helpers ---------------------------------------------------------------------------------------


def _load(db: Database, user: User, transfer_id: Any, step: str) -> Transfer:
    transfer = _read(db, transfer_id)
    _guarded(db, user, step, transfer_id, lambda: check_read(user, transfer.header))
    return transfer


def _guarded(db: Database, user: User, step: str, transfer_id: int | None, check):
    """Run an access check; a refusal is written to the audit log (outside any failed transaction) and raised."""
    try:
        return check()
    except ScopeError as exc:
        audit.record(
            db,
            user.username,
            "transfer",
            None if transfer_id is None else str(transfer_id),
            {"step": step, "outcome": "denied", "reason": exc.key, "role": user.role, "agency": user.agency_code},
        )
        raise


def _require_state(transfer: Transfer, states: tuple[str, ...], step: str) -> None:
    if transfer.state not in states:
        raise TransferRefused(
            "transfer.wrong_state",
            transfer_id=transfer.transfer_id,
            state=Message(f"transfer.state.{transfer.state}", {}),
            action=Message(f"transfer.done.{step}", {}),
        )


def _step(db: Database, user: User, transfer_id: int, step: str, reason: str | None, details: dict[str, Any]) -> None:
    db.execute(
        'INSERT INTO transfer_steps (transfer_id, step, actor, role, agency_code, reason, "at") VALUES (?, ?, ?, ?, ?, ?, ?)',
        [transfer_id, step, user.username, user.role, user.agency_code, reason, datetime.now()],
        name="transfer step",
    )
    audit.record(db, user.username, "transfer", str(transfer_id), {"step": step, "role": user.role, "reason": reason, **details})


def _clean(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise TransferRefused("transfer.too_long", field=field, limit=MAX_TEXT)
    return value or None
