"""The session cookie's routes: set once from a ticket, HttpOnly and SameSite=Strict, cleared only for the session that ended."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tracker.access import auth, sessions
from tracker.demo.process import process_database
from tracker.service import web


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "web.duckdb"))
    db = process_database()
    user = auth.create_user(db, "alice", "correct-horse-1", "admin", actor="test")
    with TestClient(Starlette(routes=web.ROUTES), base_url="https://tracker.example") as test_client:
        yield test_client, db, user


@pytest.mark.parametrize(
    ("wanted", "safe"),
    [
        ("/explore?agency=A002", "/explore?agency=A002"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil", "/"),
        (None, "/"),
        ("", "/"),
    ],
)
def test_the_way_back_stays_on_this_site(wanted, safe):
    assert web.safe_next(wanted) == safe


def test_a_ticket_sets_a_strict_httponly_secure_cookie_once(client):
    test_client, db, user = client
    started = sessions.start(db, user)
    response = test_client.get(
        "/session/begin", params={"ticket": started.ticket, "next": "/findings?lang=zh"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/findings?lang=zh"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie and "path=/" in cookie
    value = response.cookies[sessions.COOKIE_NAME]
    assert sessions.resume(db, value).user == user
    again = test_client.get("/session/begin", params={"ticket": started.ticket}, follow_redirects=False)
    assert again.status_code == 303 and "set-cookie" not in again.headers


def test_ending_clears_only_the_cookie_of_the_session_that_ended(client):
    test_client, db, user = client
    started = sessions.start(db, user)
    test_client.get("/session/begin", params={"ticket": started.ticket}, follow_redirects=False)
    kept = test_client.get("/session/end", params={"session": "0000000000000000"}, follow_redirects=False)
    assert "set-cookie" not in kept.headers  # another tab signed in again since: its cookie stays
    cleared = test_client.get("/session/end", params={"session": started.session_id}, follow_redirects=False)
    assert sessions.COOKIE_NAME in cleared.headers["set-cookie"] and "max-age=0" in cleared.headers["set-cookie"].lower()
