"""Sign-in, the first administrator, and what each role is shown and allowed, through app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.access import auth
from tracker.store.db import Database
from tracker.text.errors import AuthError
from tracker.ui import common

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _pages(at: AppTest) -> set[str]:
    """The url paths of the pages offered in the navigation; the default page (overview, or the login) is served at "/".

    The pages of other roles are registered too, hidden, to say whose page they are (tracker.ui.refused_page):
    the navigation offers what app.py keeps in tracker.ui.common.PAGES.
    """
    if at.text_input and any(t.key == "login_username" or t.key == "first_username" for t in at.text_input):
        return {"login"}
    return {path or "overview" for path in common.PAGES}


def test_signed_out_reader_sees_only_the_login_and_the_demo_accounts(demo_db):
    at = _app().run()
    assert not at.exception
    assert _pages(at) == {"login"}
    assert [s.value for s in at.subheader] == ["Sign in"]
    accounts = at.dataframe[0].value
    assert set(accounts["Username"]) == {a[0] for a in auth.demo_accounts()}


def test_wrong_password_is_refused_and_the_right_one_signs_in(demo_db):
    at = _app().run()
    at.text_input(key="login_username").input("auditor")
    at.text_input(key="login_password").input("not the password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong username or password."]
    at.text_input(key="login_username").input("auditor")
    at.text_input(key="login_password").input("demo-auditor-pass")
    at.button[0].click().run()
    assert not at.exception
    assert _pages(at) == {"overview", "explore", "findings", "reallocation", "transfers"}
    with Database.open(demo_db) as database:
        actions = [r[0] for r in database.fetchall("SELECT action FROM audit_log ORDER BY entry_id")]
    assert actions[-2:] == ["login_failed", "login"]


def test_a_new_database_asks_for_the_first_administrator(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Database.open(path).close()
    monkeypatch.setenv("TRACKER_DB", str(path))
    at = _app().run()
    assert [s.value for s in at.subheader] == ["Create the first administrator"]
    at.text_input(key="first_username").input("chief")
    at.text_input(key="first_password").input("a long enough secret")
    at.text_input(key="first_password_again").input("a long enough secret")
    at.button[0].click().run()
    assert not at.exception
    assert "settings" in _pages(at) and "audit" in _pages(at)
    with Database.open(path) as database:
        assert database.fetchall("SELECT username, role FROM users") == [("chief", "admin")]


@pytest.mark.parametrize("role", auth.ROLES)
def test_each_role_is_shown_its_pages(demo_db, role):
    at = sign_in_as(_app(), role, agency="A001" if role == "agency" else None).run()
    assert not at.exception
    assert _pages(at) == set(auth.ROLE_PAGES[role])


def test_an_agency_user_sees_only_their_agency(demo_db):
    at = sign_in_as(_app(), "agency", username="agency-a001", agency="A001").run()
    assert not at.exception
    assets = {m.label: m.value for m in at.metric}["Assets"]
    with Database.open(demo_db) as database:
        # the devices A001 held in the window (2025): the demo's laptop it gave on 2025-10-02 included, its share
        own = database.scalar(
            "SELECT count(DISTINCT asset_id) FROM asset_assignments WHERE agency_code = 'A001'"
            " AND (valid_to IS NULL OR valid_to > DATE '2025-01-01')"
        )
    assert assets == f"{own:,}"
    assert not [m for m in at.multiselect if m.key == "f_agencies"]  # no agency choice to make
    switch_to(at, "explore").run()
    assert {a.split(" · ")[0] for a in at.dataframe[0].value["agency"]} == {"A001"}  # "A001 · its name"
    at = sign_in_as(_app(agency="A002"), "agency", agency="A001").run()
    switch_to(at, "explore").run()
    assert not at.exception
    said = [m.value for m in (*at.error, *at.warning, *at.info)]
    assert "A002 is not your agency: you see the figures of your own agency only." in said
    assert all(
        {a.split(" · ")[0] for a in frame.value["agency"]} == {"A001"} for frame in at.dataframe
    )  # nothing of A002, whatever the address asks


def test_finance_reads_findings_but_cannot_review(demo_db):
    at = sign_in_as(_app(), "finance").run()
    switch_to(at, "findings").run()
    from tracker.views.filters import Filters
    from tracker.views.findings import findings
    from tracker.views.source import Source

    with Database.open(demo_db) as database:
        src = Source(database)
        first = findings(src, src.snapshot(Filters()), Filters()).column("flag_id")[0].as_py()
    at.session_state["flag_selected"] = first
    at.run()
    assert not [b for b in at.button if b.label == "Record review"]
    assert any("auditors record reviews" in c.value for c in at.caption)


def test_signing_out_returns_to_the_login(demo_db):
    at = sign_in_as(_app(), "admin").run()
    at.button(key="sign_out").click().run()
    assert _pages(at) == {"login"}


def test_single_sign_on_is_offered_when_configured(demo_db):
    at = _app()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "tracker",
        "client_secret": "s",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button][:1] == ["Sign in with your organisation account"]
    assert at.text_input(key="login_username")  # local accounts keep working beside it


# -- the demo accounts last only while the database is a demo ----------------------------------------
def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_a_database_at_a_new_path_starts_empty_and_asks_for_the_first_administrator(tmp_path, monkeypatch):
    path = tmp_path / "brand-new.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    at = _app().run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Create the first administrator"]
    assert not at.dataframe and "demo-admin-pass" not in str([m.value for m in at.markdown])
    with Database.open(path) as database:
        assert database.scalar("SELECT count(*) FROM uploads") == 0 and not auth.has_users(database)


def test_a_real_upload_retires_the_demo_accounts_and_their_panel(demo_db, tmp_path):
    from tracker.ingest.pipeline import ingest_file

    assets = tmp_path / "assets.csv"
    assets.write_text("asset_id,agency_code,category,purchase_cost\nREAL-1,A001,laptop,5000\n", encoding="utf-8")
    with Database.open(demo_db) as database:
        assert ingest_file(database, "assets", assets, actor="li.wei").committed
    at = _app().run()
    assert not at.exception
    assert not at.dataframe  # no demo passwords on screen
    assert [s.value for s in at.subheader] == ["Create the first administrator"]  # no administrator can sign in now
    with Database.open(demo_db) as database:
        assert database.fetchall("SELECT DISTINCT disabled FROM users") == [(True,)]
        with pytest.raises(AuthError) as refused:
            auth.authenticate(database, "admin", "demo-admin-pass", sleep=lambda s: None)
        assert refused.value.key == "auth.disabled"


def test_disabling_one_demo_account_keeps_the_others_listed_as_they_still_sign_in(demo_db):
    with Database.open(demo_db) as database:
        auth.disable_user(database, "finance", actor="admin")
    at = _app().run()
    assert set(at.dataframe[0].value["Username"]) == {"admin", "auditor", "agency-a001"}
    at = _sign_in(at, "admin", "demo-admin-pass")
    assert not at.exception and "settings" in _pages(at)


def test_the_first_account_a_person_creates_retires_the_demo_accounts(demo_db):
    at = sign_in_as(_app(), "admin").run()
    with Database.open(demo_db) as database:
        auth.create_user(database, "chief", "a long enough secret", "admin", actor="admin")
    at = _app().run()
    assert not at.dataframe and [s.value for s in at.subheader] == ["Sign in"]
    at = _sign_in(at, "admin", "demo-admin-pass")
    assert [e.value for e in at.error] == ["This account is disabled. Ask an administrator."]
    at = _sign_in(at, "chief", "a long enough secret")
    assert not at.exception and "settings" in _pages(at)


# -- no traceback on a page --------------------------------------------------------------------------
def test_an_unexpected_error_shows_a_message_with_an_id_and_logs_the_traceback(demo_db, monkeypatch, caplog):
    import re

    from tracker.views import overview

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail: SELECT password_hash FROM users")

    monkeypatch.setattr(overview, "kpis", broken)
    monkeypatch.delenv("TRACKER_PAGE_ERRORS")  # as in production
    for lang, words in (("en", "error id"), ("zh", "编号")):
        caplog.clear()
        at = sign_in_as(_app(lang=lang), "admin").run()
        assert not at.exception
        [message] = [e.value for e in at.error]
        assert words in message
        error_id = re.search(r"[0-9a-f]{8}", message).group(0)
        shown = " ".join(str(element.value) for element in [*at.error, *at.markdown, *at.caption, *at.code])
        assert "Traceback" not in shown and "secret detail" not in shown and "RuntimeError" not in shown
        [record] = [r for r in caplog.records if error_id in r.getMessage()]
        assert record.exc_info and "secret detail" in str(record.exc_info[1])
    monkeypatch.setenv("TRACKER_PAGE_ERRORS", "raise")  # what the other tests run with: the error is not hidden
    at = sign_in_as(_app(), "admin").run()
    assert at.exception and "secret detail" in at.exception[0].message
