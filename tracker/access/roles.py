"""Roles and what each may do: the pages it sees, the actions the core lets it take, the agency it is limited to.

Roles are data: ROLE_PAGES (the dashboard pages a role sees) and ACTIONS (what the core lets it
do, checked by `require`). Hiding a page is not the protection: the core checks, and queries of an
agency user are limited to `agency_scope(user)`. A signed-in person and an API token both act as
a `User` (a token's name is `token:<name>`), so one set of checks serves the dashboard and the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.text.errors import AuthError, ScopeError
from tracker.text.i18n import Message

ROLES: tuple[str, ...] = ("admin", "finance", "auditor", "agency")
PAGES: tuple[str, ...] = ("overview", "explore", "findings", "reallocation", "upload", "settings", "data", "audit", "transfers")
ROLE_PAGES: dict[str, frozenset[str]] = {  # transfers: each role sees and acts within tracker.access.transfers' limits
    "admin": frozenset(PAGES),
    "finance": frozenset({"overview", "explore", "findings", "reallocation", "data", "transfers"}),
    "auditor": frozenset({"overview", "explore", "findings", "reallocation", "transfers"}),
    "agency": frozenset({"overview", "explore", "reallocation", "upload", "transfers"}),
}
# reallocation (docs/reallocation.md): pool_declare offers a device to the pool, pool_withdraw takes one out
# with a reason, request enters a planned purchase; an agency user does the first and last for its own agency
ALL_ACTIONS: tuple[str, ...] = (
    "upload",
    "review",
    "export",
    "settings",
    "users",
    "audit",
    "pool_declare",
    "pool_withdraw",
    "request",
)
ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ALL_ACTIONS),
    "finance": frozenset({"export", "pool_withdraw"}),
    "auditor": frozenset({"review", "export"}),
    "agency": frozenset({"upload", "pool_declare", "request"}),
}


@dataclass(frozen=True)
class User:
    """A signed-in user: who they are and what their role limits them to."""

    username: str
    role: str
    agency_code: str | None
    display_name: str | None


def can(user: User, action: str) -> bool:
    """Whether the user's role may perform `action` (one of ALL_ACTIONS)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in ACTIONS[user.role]


def require(user: User, action: str) -> None:
    """Refuse with ScopeError unless the user's role may perform `action`."""
    if not can(user, action):
        raise ScopeError("auth.not_allowed", role=role_name(user.role), action=Message(f"action.{action}", {}))


def acting(actor: "str | User", action: str) -> str:
    """The name to record for `actor`; a signed-in User must also be allowed `action` (ScopeError if not).

    Core functions that change data take either a User (the dashboard: the role is enforced here,
    not only by the page) or a plain actor name (the command line, run by whoever owns the file).
    """
    if isinstance(actor, User):
        require(actor, action)
        return actor.username
    return actor


def upload_agency(actor: "str | User", agency: str | None) -> str | None:
    """The agency an upload is limited to: an agency user's own, whatever was asked; else `agency`."""
    if isinstance(actor, User) and actor.role == "agency":
        if agency not in (None, actor.agency_code):
            raise ScopeError("auth.not_your_agency", agency=agency)
        return actor.agency_code
    return agency


def agency_scope(user: User) -> str | None:
    """The one agency whose data this user may see and change; None means every agency."""
    return user.agency_code if user.role == "agency" else None


def role_name(role: str) -> Message | str:
    return Message(f"role.{role}", {}) if role in ROLES else role


def role_and_agency(role: str, agency: str | None) -> str | None:
    """An account's or a token's role checked, and its agency: required for the agency role, refused for others."""
    if role not in ROLES:
        raise AuthError("auth.bad_role", role=role, choices=list(ROLES))
    agency = (agency or "").strip() or None
    if role == "agency" and agency is None:
        raise AuthError("auth.agency_required")
    if role != "agency" and agency is not None:
        raise AuthError("auth.agency_not_allowed", role=role_name(role))
    return agency
