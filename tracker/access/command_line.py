"""Who the command line acts as: `cli:<operating-system user>`, or the account $TRACKER_USER names.

Whoever can open the database file acts as its owner; naming an account records the action under
it, and then the account must be active, its role allowed the action and, for an agency account,
the upload limited to its agency. Every refusal is audited.
"""

from __future__ import annotations

from tracker.access.auth import _account, _normalised_name
from tracker.access.roles import ACTIONS, ALL_ACTIONS, User, role_name, upload_agency
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ScopeError
from tracker.text.i18n import Message


def command_line_agency(db: Database, actor: str, agency: str | None, *, command: str) -> str | None:
    """The agency a command-line upload is limited to: an agency account's own (ScopeError, audited, for another)."""
    account = _account(db, _normalised_name(actor))
    if account is None or account["role"] != "agency":
        return agency
    user = User(_normalised_name(actor), "agency", account["agency_code"], account["display_name"])
    try:
        return upload_agency(user, agency)
    except ScopeError:
        audit.record(db, user.username, "command_refused", command, {"action": "upload", "reason": "agency", "agency": agency})
        raise


def command_line_actor(db: Database, claimed: str | None, os_user: str, action: str, *, command: str) -> str:
    """The name the command line records an action under, or ScopeError (itself audited).

    Without $TRACKER_USER that is `cli:<operating-system user>`: whoever can open the database file
    acts as its owner. $TRACKER_USER records the action under another name; when that name is an
    account, the account must be active and its role allowed `action` (one of ALL_ACTIONS).
    """
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not claimed:
        return f"cli:{os_user}"
    name = _normalised_name(claimed)
    account = _account(db, name)
    if account is None:
        return claimed
    refusal: ScopeError | None = None
    if account["disabled"]:
        refusal = ScopeError("auth.cli_account_disabled", username=name)
    elif action not in ACTIONS[account["role"]]:
        refusal = ScopeError("auth.not_allowed", role=role_name(account["role"]), action=Message(f"action.{action}", {}))
    if refusal is not None:
        audit.record(
            db,
            name,
            "command_refused",
            command,
            {"action": action, "reason": "disabled" if account["disabled"] else "role", "os_user": os_user},
        )
        raise refusal
    return name
