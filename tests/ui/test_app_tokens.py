"""The Stored data page's API tokens section: an administrator creates a token (shown once) and revokes it."""

from __future__ import annotations

from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.access import tokens
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _data_page(role: str) -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role).run()
    return switch_to(at, "data").run()


def test_an_administrator_creates_a_token_shown_once_and_revokes_it(tmp_path, monkeypatch):
    path = tmp_path / "tokens.duckdb"
    Database.open(path).close()
    monkeypatch.setenv("TRACKER_DB", str(path))
    at = _data_page("admin")
    assert not at.exception
    at.text_input(key="api_token_name").input("a001-nightly")
    at.text_input(key="api_token_agency").input("A001")
    at.button[0].click().run()  # the form's submit button comes first on the page
    assert not at.exception
    [shown] = [c.value for c in at.code]
    assert shown.startswith("trk_1_") and any("shown this once" in s.value for s in at.success)
    at.run()
    assert not at.code  # once
    at.button(key="api_token_revoke_button").click().run()
    assert not at.exception
    at.session_state["user"]  # still signed in
    with Database.open(path) as db:
        assert tokens.check_token(db, shown).reason == "revoked"
        assert [t["created_by"] for t in tokens.list_tokens(db)] == ["admin"]


def test_the_section_is_for_administrators_only(tmp_path, monkeypatch):
    path = tmp_path / "tokens.duckdb"
    Database.open(path).close()
    monkeypatch.setenv("TRACKER_DB", str(path))
    at = _data_page("finance")
    assert not at.exception
    assert not [e for e in at.expander if "API tokens" in e.label]
