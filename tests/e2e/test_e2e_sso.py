"""End to end: single sign-on through a local OpenID Connect provider (oidc-provider-mock), in Chromium.

`streamlit run app.py` with an [auth] section in .streamlit/secrets.toml pointing at the provider;
the browser follows the real redirects: the sign-in button, the provider's authorisation form, the
callback. A known e-mail signs in with its account's role and agency, an unknown one is refused and
audited, and signing out ends both the tracker's session and the organisation sign-in.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from test_e2e import wait_for_health

from tracker.access import auth
from tracker.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
KNOWN = "li.wei@agency.gov.cn"
UNKNOWN = "stranger@example.org"

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def test_single_sign_on_through_the_provider(provider, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: bin/test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    db_path = tmp_path / "tracker.duckdb"
    with Database.open(db_path) as db:
        auth.create_user(db, "admin", "admin-pass-123", "admin", actor="test")
        auth.create_user(db, KNOWN, secrets.token_urlsafe(16), "agency", agency="A001", display_name="Li Wei", actor="test")
    port = _free_port()
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
    log = open(log_path, "w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        + ["--server.fileWatcherType", "none"],
        cwd=tmp_path,  # Streamlit reads .streamlit/secrets.toml from the directory it runs in
        env=dict(os.environ, TRACKER_DB=str(db_path), PYTHONPATH=str(ROOT)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_health(url, process, log_path)

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            )
            tab = browser.new_context().new_page()
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
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    assert "Traceback" not in log_path.read_text(encoding="utf-8")

    with Database.open(db_path) as db:
        rows = db.fetchall(
            "SELECT actor, action, CAST(details AS VARCHAR) FROM audit_log WHERE action IN ('login', 'login_failed', 'logout') "
            "ORDER BY entry_id",
            name="sso audit",
        )
    assert [(actor, action) for actor, action, _ in rows] == [(KNOWN, "login"), (KNOWN, "logout"), (UNKNOWN, "login_failed")]
    assert '"oidc"' in rows[0][2] and "sso_unknown" in rows[2][2]
