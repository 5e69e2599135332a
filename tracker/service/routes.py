"""Every HTTP route the service adds beside the dashboard: the session cookie's and the push API's."""

from __future__ import annotations

from pathlib import Path

from tracker.service import api, web

DASHBOARD_SCRIPT = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")


def service_routes() -> list:
    return list(web.ROUTES) + list(api.ROUTES)
