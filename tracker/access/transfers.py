"""Who may take each step of a transfer between agencies (docs/transfers.md), checked by the core.

- propose: a finance officer, an administrator, or an agency user for its own agency as the receiver;
  from a reallocation proposal likewise: the proposal's requesting agency is the receiver;
- accept: an agency user for its own agency's side (giving or receiving); an administrator may
  record either side's acceptance, naming it;
- refuse: whoever may take the step the transfer waits for (a party while it is proposed, a finance
  officer or administrator at any open step);
- approve: a finance officer or an administrator;
- see: finance officers, auditors and administrators every transfer; an agency user those its
  agency gives or receives.

Each check raises ScopeError with what was refused, in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.access.auth import User
from tracker.text.errors import ScopeError
from tracker.text.i18n import Message

STEP_ROLES: dict[str, frozenset[str]] = {
    "create": frozenset({"admin", "finance", "agency"}),
    "accept": frozenset({"admin", "agency"}),
    "refuse": frozenset({"admin", "finance", "agency"}),
    "approve": frozenset({"admin", "finance"}),
}
SIDES = ("giving", "receiving")


def _refuse_role(user: User, step: str) -> ScopeError:
    return ScopeError(
        "transfer.not_allowed", role=Message(f"role.{user.role}", {}), action=Message(f"transfer.action.{step}", {})
    )


def _refuse_agency(agency: str, step: str) -> ScopeError:
    return ScopeError("transfer.not_your_agency", agency=agency, action=Message(f"transfer.action.{step}", {}))


def check_create(user: User, to_agency: str) -> None:
    """A finance officer or administrator proposes any transfer; an agency user only one its agency receives."""
    if user.role not in STEP_ROLES["create"]:
        raise _refuse_role(user, "create")
    if user.role == "agency" and user.agency_code != to_agency:
        raise _refuse_agency(to_agency, "create")


def check_from_proposal(user: User, proposal: Mapping[str, Any]) -> None:
    """Starting a transfer from a reallocation proposal (request_id, to_agency, asset_id, from_agency): a finance
    officer or an administrator for any request; an agency user only for its own agency's request."""
    check_create(user, proposal["to_agency"])


def accepting_side(user: User, transfer: Mapping[str, Any], side: str | None) -> str:
    """The side ("giving" or "receiving") this user's acceptance is for; ScopeError when it may not accept."""
    if user.role not in STEP_ROLES["accept"]:
        raise _refuse_role(user, "accept")
    agencies = {"giving": transfer["from_agency"], "receiving": transfer["to_agency"]}
    if side is not None and side not in SIDES:
        raise ValueError(f"unknown side {side!r}")
    if user.role == "agency":
        own = [s for s in SIDES if agencies[s] == user.agency_code]
        if not own or (side is not None and side not in own):
            raise _refuse_agency(agencies[side] if side else transfer["from_agency"], "accept")
        return side or own[0]
    if side is None:
        raise ScopeError("transfer.name_the_side", from_agency=agencies["giving"], to_agency=agencies["receiving"])
    return side


def check_refuse(user: User, transfer: Mapping[str, Any]) -> None:
    """A party agency refuses while the transfer is proposed; a finance officer or administrator at any open step."""
    if user.role not in STEP_ROLES["refuse"]:
        raise _refuse_role(user, "refuse")
    if user.role == "agency":
        if user.agency_code not in (transfer["from_agency"], transfer["to_agency"]):
            raise _refuse_agency(transfer["from_agency"], "refuse")
        if transfer["state"] != "proposed":  # both agencies have accepted: the decision is the approver's now
            raise _refuse_role(user, "refuse")


def check_approve(user: User) -> None:
    if user.role not in STEP_ROLES["approve"]:
        raise _refuse_role(user, "approve")


def visible_agency(user: User) -> str | None:
    """The agency whose transfers (given or received) this user sees; None: every transfer."""
    return user.agency_code if user.role == "agency" else None


def check_read(user: User, transfer: Mapping[str, Any]) -> None:
    agency = visible_agency(user)
    if agency is not None and agency not in (transfer["from_agency"], transfer["to_agency"]):
        raise _refuse_agency(transfer["from_agency"], "read")
