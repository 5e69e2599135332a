"""The Transfers page: each role sees the transfers it may, and takes only its own steps through the core."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FINANCE = User("finance", "finance", None, None)


@pytest.fixture
def proposed(demo_db) -> tuple[int, str]:
    """One transfer of an A001 device to A002, proposed by the finance officer."""
    with Database.open(demo_db) as db:
        asset_id = db.scalar(
            "SELECT min(asset_id) FROM assets WHERE agency_code = 'A001' AND status <> 'disposed' AND disposal_date IS NULL"
        )
        tid = tr.create_transfer(db, FINANCE, [asset_id], "A001", "A002", date(2025, 6, 1), request_id="REQ-9")
    return tid, asset_id


def _open(role: str, agency: str | None = None, lang: str = "en") -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role, agency=agency)
    at.session_state["lang"] = lang
    at.run()
    at = switch_to(at, "transfers").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_the_giving_agency_accepts_and_the_finance_officer_approves(demo_db, proposed):
    tid, asset_id = proposed
    at = _open("agency", "A001")
    assert at.title[0].value == "Transfers"
    accept = [b for b in at.button if b.label.startswith("Accept")]
    assert [b.label for b in accept] == ["Accept · accepted by the giving agency (A001)"]
    accept[0].click().run()
    assert not at.exception
    with Database.open(demo_db) as db:
        t = tr.get_transfer(db, FINANCE, tid)
        assert t.accepted_by() == {"giving"} and t.steps[-1]["actor"] == "agency"
        tr.accept(db, User("agency-a002", "agency", "A002", None), tid)
    at = _open("finance")
    assert "Approve" in _buttons(at) and not any(label.startswith("Accept") for label in _buttons(at))
    next(b for b in at.button if b.label == "Approve").click().run()
    assert not at.exception
    with Database.open(demo_db) as db:
        assert tr.get_transfer(db, FINANCE, tid).state == "approved"
        assert db.scalar("SELECT agency_code FROM assets WHERE asset_id = ?", [asset_id]) == "A002"


def test_an_agency_not_party_sees_nothing_and_an_auditor_only_reads(demo_db, proposed):
    at = _open("agency", "A004")  # the demo's transfers are between A001, A002 and A003
    assert [i.value for i in at.info] == ["No transfers yet."]
    at = _open("auditor")
    assert len(at.dataframe) >= 2  # the list, the devices, the steps
    assert not any(label in ("Approve", "Refuse") or label.startswith("Accept") for label in _buttons(at))
    assert "Nothing for you to do on this transfer." in [c.value for c in at.caption]


def test_a_refusal_without_a_reason_is_refused_in_chinese(demo_db, proposed):
    tid, _ = proposed
    at = _open("agency", "A002", lang="zh")
    assert at.title[0].value == "调拨"
    next(b for b in at.button if b.label == "拒绝").click().run()
    assert [e.value for e in at.error] == ["拒绝时必须填写理由。"]
    at.text_input(key=f"transfer_reason_{tid}").input("本单位暂不需要")
    next(b for b in at.button if b.label == "拒绝").click().run()
    with Database.open(demo_db) as db:
        t = tr.get_transfer(db, FINANCE, tid)
        assert t.state == "refused" and t.steps[-1]["reason"] == "本单位暂不需要"
