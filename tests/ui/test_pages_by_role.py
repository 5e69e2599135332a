"""Every page renders for every role that may see it, and is refused to the others, through app.py's routing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tracker.access import auth

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TITLES = {  # each page's heading in English, written out here independently of the pages
    "overview": "Equipment spend and utilisation",
    "explore": "Explore",
    "findings": "Findings",
    "reallocation": "Reallocation before purchase",
    "upload": "Upload data",
    "settings": "Settings",
    "data": "What the tracker holds",
    "audit": "Audit trail",
    "transfers": "Transfers",
}


def _open(at: AppTest, page: str) -> AppTest:
    """Ask for the page as its address would (`/page`): Streamlit keys a page by the hash of its url path."""
    at._page_hash = calc_hash(page)
    return at.run()


def _title(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1
    return at.title[0].value


def test_every_page_has_a_title_here():
    assert set(TITLES) == set(auth.PAGES)


@pytest.mark.parametrize("role", auth.ROLES)
def test_each_page_renders_for_the_roles_that_may_see_it_and_no_other(demo_db, role):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role, agency="A001" if role == "agency" else None).run()
    assert _title(at).startswith(TITLES["overview"])
    allowed = auth.ROLE_PAGES[role]
    for page in auth.PAGES:
        shown = _title(_open(at, page))
        if page in allowed:
            assert shown.startswith(TITLES[page]), (role, page, shown)
            assert [e.value for e in at.error] == [], (role, page)  # no refusal ("Only administrators can ...")
        else:  # the address says whose page it is and lists the reader's own pages; the page never runs
            assert shown == "This page is not available to you", (role, page, shown)
            warning = " ".join(w.value for w in at.warning)
            assert "This page is for " in warning and "you are signed in as" in warning, (role, page, warning)
            assert not at.dataframe and not at.error, (role, page)


@pytest.mark.parametrize("page", ["findings", "settings"])
def test_an_agency_user_at_another_roles_address_is_told_so_in_their_language(demo_db, page):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "agency", agency="A001")
    at.query_params["lang"] = "zh"
    at.run()
    _open(at, page)
    assert _title(at) == "您无权查看此页面"
    warning = " ".join(w.value for w in at.warning)
    roles = "管理员、财务人员和审计人员" if page == "findings" else "管理员"
    assert warning == f"此页面仅供{roles}使用；您当前以单位 A001 的单数据员身份登录。".replace("单数据员", "单位数据员")
    assert "您可以使用的页面：" in [m.value for m in at.markdown]
    links = [link.label for link in at.get("page_link")]
    assert links == ["总览", "钻取", "先调剂后采购", "上传数据", "调拨"]
