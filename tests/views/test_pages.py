"""What a user is told at the address of a page their role may not open (tracker.views.pages)."""

from __future__ import annotations

from tracker.access.roles import PAGES, ROLE_PAGES, ROLES, User
from tracker.views import pages

AGENCY = User("agency-a001", "agency", "A001", None)


def test_a_page_of_the_role_is_not_refused():
    for role in ROLES:
        user = User(role, role, "A001" if role == "agency" else None, None)
        for page in ROLE_PAGES[role]:
            assert pages.refusal(user, page) is None


def test_the_agency_user_is_told_whose_page_it_is_and_which_pages_they_can_use():
    refusal = pages.refusal(AGENCY, "findings")
    assert refusal.for_roles == ("admin", "finance", "auditor")
    assert refusal.usable == ("overview", "explore", "reallocation", "upload", "transfers")
    assert refusal.text("en") == (
        "This page is for administrators, finance officers and auditors; "
        "you are signed in as an agency data officer of agency A001."
    )
    assert refusal.text("zh") == "此页面仅供管理员、财务人员和审计人员使用；您当前以单位 A001 的单位数据员身份登录。"


def test_a_page_for_one_role_names_that_role_only():
    refusal = pages.refusal(User("finance", "finance", None, None), "settings")
    assert refusal.text("en") == "This page is for administrators; you are signed in as a finance officer."
    assert refusal.text("zh") == "此页面仅供管理员使用；您当前以财务人员身份登录。"


def test_every_page_refused_to_some_role_is_open_to_another():
    for role in ROLES:
        user = User(role, role, "A001" if role == "agency" else None, None)
        for page in set(PAGES) - ROLE_PAGES[role]:
            refusal = pages.refusal(user, page)
            assert refusal.for_roles and role not in refusal.for_roles
