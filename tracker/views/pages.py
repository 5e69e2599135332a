"""Which dashboard pages a signed-in user may open, and what to tell them at the address of one they may not.

The role check itself is tracker.access.roles.ROLE_PAGES; this module only words its answer: a
person who follows a link to a page of another role is told whose page it is, who they are
signed in as, and which pages they can use, instead of being sent elsewhere without a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.access.roles import PAGES, ROLE_PAGES, ROLES, User
from tracker.text.i18n import text


@dataclass(frozen=True)
class PageRefusal:
    """A page the user's role may not open: the roles that may, and the pages the user can use instead."""

    page: str
    role: str
    agency: str | None
    for_roles: tuple[str, ...]  # in ROLES order
    usable: tuple[str, ...]  # in PAGES order

    def text(self, lang: str) -> str:
        """ "This page is for finance officers and auditors; you are signed in as an agency data officer of agency A001." """
        roles = join_words([text(f"trustui.roles.{role}", lang) for role in self.for_roles], lang)
        role = text(f"trustui.role.{self.role}", lang)
        if self.agency:
            return text("trustui.refused.for_roles_agency", lang, roles=roles, role=role, agency=self.agency)
        return text("trustui.refused.for_roles", lang, roles=roles, role=role)


def usable_pages(user: User) -> tuple[str, ...]:
    """The pages the user's role may open, in the navigation's order."""
    allowed = ROLE_PAGES.get(user.role, frozenset())
    return tuple(page for page in PAGES if page in allowed)


def refusal(user: User, page: str) -> PageRefusal | None:
    """None when the user may open `page`; else what to tell them."""
    if page in ROLE_PAGES.get(user.role, frozenset()):
        return None
    for_roles = tuple(role for role in ROLES if page in ROLE_PAGES[role])
    agency = user.agency_code if user.role == "agency" else None
    return PageRefusal(page, user.role, agency, for_roles, usable_pages(user))


def join_words(words: list[str], lang: str) -> str:
    """ "a", "a and b", "a, b and c"; Chinese: "甲", "甲和乙", "甲、乙和丙"."""
    if len(words) <= 1:
        return "".join(words)
    head = ("、" if lang == "zh" else ", ").join(words[:-1])
    return head + text("trustui.and", lang) + words[-1]
