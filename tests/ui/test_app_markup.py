"""Explore and Findings show hostile codes from the data and from the address as text, never as links or images."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.store.db import Database
from tracker.ui import resources
from tracker.views.filters import Filters
from tracker.views.findings import findings
from tracker.views.source import Source

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PHISH = "[Session expired - sign in again](http://host/phish)"
PIXEL = "![x](http://host/p.png)"
HOSTILE_ASSET = f"{PHISH}{PIXEL}"


def _rendered_markdown(at: AppTest) -> list[str]:
    """Every piece of Markdown the page sends to the browser: text, headings, captions, alerts, button labels."""
    shown: list[str] = []
    for kind in ("markdown", "caption", "subheader", "header", "title", "info", "warning", "error", "success"):
        shown += [str(e.value) for e in at.get(kind)]
    shown += [str(b.label) for b in at.button]
    return shown


def _assert_inert(at: AppTest) -> None:
    shown = _rendered_markdown(at)
    assert not [s for s in shown if "](http" in s or "http://" in s], shown


def _never_used_asset(path: Path) -> tuple[str, str]:
    with Database.open(path) as database:
        src = Source(database)
        rows = findings(src, src.snapshot(Filters()), Filters()).to_pylist()
    row = next(r for r in rows if r["asset_id"] and r["rule"] == "NEVER_USED")
    return row["asset_id"], row["agency_code"]


def _rename_asset(path: Path, old: str, new: str) -> None:
    with Database.open(path) as database:
        database.execute("UPDATE usage_daily SET asset_id = ? WHERE asset_id = ?", [new, old])
        database.execute("UPDATE usage_months SET asset_id = ? WHERE asset_id = ?", [new, old])
        database.execute("UPDATE assets SET asset_id = ? WHERE asset_id = ?", [new, old])
        database.execute("DELETE FROM snapshots")  # derived data, recomputed with the new id
    resources._snapshot_cache().forget()  # the dashboard process's cache: the ids changed under it


def _run(page: str, role: str, query: dict[str, str]) -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role, username="dashboard")
    at.query_params["lang"] = "en"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    switch_to(at, page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_explore_shows_a_hostile_asset_id_as_text(demo_db, lang):
    asset, agency = _never_used_asset(demo_db)
    _rename_asset(demo_db, asset, HOSTILE_ASSET)
    at = _run("explore", "admin", {"agency": agency, "po": "-", "asset": HOSTILE_ASSET, "lang": lang})
    assert any("Session expired" in s.value for s in at.subheader), [s.value for s in at.subheader]
    _assert_inert(at)


def test_explore_breadcrumb_shows_a_hostile_address_as_text(demo_db):
    at = _run("explore", "admin", {"agency": "A001", "po": PHISH, "line": "1"})
    labels = _rendered_markdown(at)
    assert any("Session expired" in s for s in labels), labels
    _assert_inert(at)


def test_findings_shows_a_hostile_asset_id_as_text(demo_db):
    asset, _ = _never_used_asset(demo_db)
    _rename_asset(demo_db, asset, HOSTILE_ASSET)
    with Database.open(demo_db) as database:
        src = Source(database)
        flag = next(
            r["flag_id"] for r in findings(src, src.snapshot(Filters()), Filters()).to_pylist() if r["asset_id"] == HOSTILE_ASSET
        )
    at = _run("findings", "admin", {})
    at.session_state["flag_selected"] = flag
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Session expired" in s.value for s in at.subheader), [s.value for s in at.subheader]
    _assert_inert(at)
