"""End to end: single sign-on through a local OpenID Connect provider (oidc-provider-mock), in Chromium.

`streamlit run app.py` with an [auth] section in .streamlit/secrets.toml pointing at the provider;
the browser follows the real redirects: the sign-in button, the provider's authorisation form, the
callback. A known e-mail signs in with its account's role and agency, an unknown one is refused and
audited, and signing out ends both the tracker's session and the organisation sign-in.
"""

from __future__ import annotations

import secrets

import pytest
from conftest import ROOT, free_port, streamlit_app

from tracker.access import auth
from tracker.store.db import Database

KNOWN = "li.wei@agency.gov.cn"
UNKNOWN = "stranger@example.org"

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def _settle(tab) -> None:
    tab.wait_for_selector("[data-testid='stApp']")
    tab.wait_for_timeout(500)
    tab.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=90_000)
    tab.wait_for_timeout(800)


def _authorise(tab, email: str) -> None:
    """On the provider's authorisation form: sign in as `email` (the mock's subject is its e-mail claim)."""
    tab.wait_for_selector("input[name='sub']", timeout=60_000)
    tab.fill("input[name='sub']", email)
    tab.click("button[type='submit']:has-text('Authorize')")
    tab.wait_for_url("http://127.0.0.1:*/**", timeout=60_000)
    _settle(tab)


@pytest.fixture
def provider():
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def test_single_sign_on_through_the_provider(provider, tmp_path, browser):
    db_path = tmp_path / "tracker.duckdb"
    with Database.open(db_path) as db:
        auth.create_user(db, "admin", "admin-pass-123", "admin", actor="test")
        auth.create_user(db, KNOWN, secrets.token_urlsafe(16), "agency", agency="A001", display_name="Li Wei", actor="test")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "tracker"\n'
        'client_secret = "tracker-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    log_path = tmp_path / "streamlit.log"
    # Streamlit reads .streamlit/secrets.toml from the directory it runs in
    with streamlit_app(db_path, cwd=tmp_path, env={"PYTHONPATH": str(ROOT)}, log_path=log_path, port=port):
        context = browser.new_context()
        tab = context.new_page()
        sso_button = "button:has-text('Sign in with your organisation account')"

        # a known e-mail: signed in with its account's role and agency
        tab.goto(f"{url}/?lang=en")
        _settle(tab)
        tab.click(sso_button)
        _authorise(tab, KNOWN)
        sidebar = tab.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Signed in as").wait_for(timeout=60_000)
        assert "Li Wei" in sidebar.inner_text() and "agency data officer · A001" in sidebar.inner_text()
        assert tab.get_by_text("Settings").count() == 0  # an agency account has no admin pages

        # the sign-in lasts like a local one: a reload and a second tab stay signed in, by the session cookie
        assert [c["httpOnly"] for c in tab.context.cookies() if c["name"] == "tracker_session"] == [True]
        tab.reload()
        _settle(tab)
        tab.locator("[data-testid='stSidebar']").get_by_text("Signed in as").wait_for(timeout=60_000)
        second = tab.context.new_page()
        second.goto(f"{url}/explore?lang=en")
        _settle(second)
        second.locator("[data-testid='stSidebar']").get_by_text("Signed in as").wait_for(timeout=60_000)
        second.close()

        # signing out ends both: a reload does not sign in again through the provider's session
        sidebar.get_by_role("button", name="Sign out").click()
        # the organisation sign-in ends at the provider (RP-initiated logout), which then sends the browser back
        tab.wait_for_selector("button:has-text('End session')", timeout=60_000)
        tab.click("button:has-text('End session')")
        tab.wait_for_url("http://127.0.0.1:*/**", timeout=60_000)
        _settle(tab)
        tab.goto(f"{url}/?lang=en")
        _settle(tab)
        assert tab.locator(sso_button).count() == 1
        assert tab.get_by_text("Signed in as").count() == 0

        # an unknown e-mail: refused, with the reason, and not signed in
        tab.click(sso_button)
        _authorise(tab, UNKNOWN)
        tab.get_by_text("has no account here").wait_for(timeout=60_000)
        assert tab.get_by_text("Signed in as").count() == 0
        assert tab.locator("[data-testid='stException']").count() == 0
        context.close()
    assert "Traceback" not in log_path.read_text(encoding="utf-8")

    with Database.open(db_path) as db:
        rows = db.fetchall(
            "SELECT actor, action, CAST(details AS VARCHAR) FROM audit_log WHERE action IN ('login', 'login_failed', 'logout') "
            "ORDER BY entry_id",
            name="sso audit",
        )
    assert [(actor, action) for actor, action, _ in rows] == [(KNOWN, "login"), (KNOWN, "logout"), (UNKNOWN, "login_failed")]
    assert '"oidc"' in rows[0][2] and "sso_unknown" in rows[2][2]
