"""The transfer workflow (docs/transfers.md): every path and every refusal, checked in the core."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest

from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.casework.transfers import TransferRefused
from tracker.ingest.uploads import commit_upload
from tracker.store.assignments import holdings
from tracker.text.errors import ScopeError

ASSETS = """\
asset_id,agency_code,category,model,purchase_cost,in_service_date,status,disposal_date
LAP-1,A1,laptop,ThinkPad T14,6000,2022-01-01,in_use,
LAP-2,A1,laptop,ThinkPad T14,6000,2022-01-01,in_use,
LAP-OLD,A1,laptop,ThinkPad X1,6000,2010-01-01,in_use,
LAP-NODATE,A1,laptop,,6000,,in_use,
LAP-GONE,A1,laptop,,6000,2020-01-01,disposed,2024-06-30
PR-3,A3,printer,,1100,2023-01-01,in_use,
"""
EFFECTIVE = date(2025, 1, 1)
ADMIN = User("root", "admin", None, None)
FINANCE = User("fin", "finance", None, None)
AUDITOR = User("aud", "auditor", None, None)
A1 = User("agency-a1", "agency", "A1", None)
A2 = User("agency-a2", "agency", "A2", None)
A3 = User("agency-a3", "agency", "A3", None)


@pytest.fixture
def reg(db):
    data = ASSETS.encode()
    assert commit_upload(db, io.BytesIO(data), "assets.csv", "assets", size_bytes=len(data), actor="tester").committed
    db.execute("INSERT INTO agencies (agency_code) VALUES ('A2')")
    return db


def _propose(db, user=FINANCE, assets=("LAP-1",), **kw):
    kw.setdefault("from_agency", "A1")
    kw.setdefault("to_agency", "A2")
    kw.setdefault("effective_date", EFFECTIVE)
    return tr.create_transfer(db, user, list(assets), kw.pop("from_agency"), kw.pop("to_agency"), kw.pop("effective_date"), **kw)


def _audit(db, transfer_id=None):
    rows = db.fetchall(
        "SELECT actor, target, CAST(details AS VARCHAR) FROM audit_log WHERE action = 'transfer' ORDER BY entry_id"
    )
    return [(a, t, json.loads(d)) for a, t, d in rows if transfer_id is None or t == str(transfer_id)]


def test_the_whole_path_moves_the_device_from_the_effective_date(reg):
    tid = _propose(reg, A2, ("LAP-1", "LAP-NODATE"), request_id="REQ-7", proposal_ref="P-3")
    assert tr.accept(reg, A1, tid).state == "proposed"
    assert tr.accept(reg, A2, tid).state == "accepted"
    done = tr.approve(reg, FINANCE, tid)
    assert done.state == "approved"
    assert [s["step"] for s in done.steps] == ["created", "giving_accepted", "receiving_accepted", "approved"]
    assert [(s["actor"], s["role"], s["agency_code"]) for s in done.steps] == [
        ("agency-a2", "agency", "A2"),
        ("agency-a1", "agency", "A1"),
        ("agency-a2", "agency", "A2"),
        ("fin", "finance", None),
    ]
    assert [(h["agency_code"], h["valid_from"], h["valid_to"], h["transfer_id"]) for h in holdings(reg, "LAP-1")] == [
        ("A1", None, EFFECTIVE, None),
        ("A2", EFFECTIVE, None, tid),
    ]
    assert reg.fetchall("SELECT asset_id, agency_code FROM assets WHERE asset_id IN ('LAP-1', 'LAP-2') ORDER BY 1") == [
        ("LAP-1", "A2"),
        ("LAP-2", "A1"),
    ]
    assert [d["step"] for _, _, d in _audit(reg, tid)] == ["created", "giving_accepted", "receiving_accepted", "approved"]
    header = done.header
    assert (header["request_id"], header["proposal_ref"]) == ("REQ-7", "P-3")


def test_book_value_on_the_effective_date_and_unknown_without_a_date(reg):
    tid = _propose(reg, assets=("LAP-1", "LAP-OLD", "LAP-NODATE"))
    values = {a["asset_id"]: a["book_value"] for a in tr.get_transfer(reg, FINANCE, tid).assets}
    # 3 years of a 6-year life: 1096 days / 365.25 = 3.0007 years
    assert values["LAP-1"] == Decimal("2999.32")  # 6000 × (1 − 3.000684 / 6)
    assert values["LAP-OLD"] == Decimal("0.00")  # past its life: nothing left, not negative
    assert values["LAP-NODATE"] is None  # unknown, never 0


def test_acceptances_in_either_order_and_admin_names_the_side(reg):
    tid = _propose(reg)
    with pytest.raises(ScopeError) as exc:
        tr.accept(reg, ADMIN, tid)
    assert exc.value.key == "transfer.name_the_side"
    tr.accept(reg, ADMIN, tid, "receiving")
    assert tr.accept(reg, ADMIN, tid, "giving").state == "accepted"


@pytest.mark.parametrize("user", [FINANCE, AUDITOR])
def test_only_agencies_and_administrators_accept(reg, user):
    tid = _propose(reg)
    with pytest.raises(ScopeError) as exc:
        tr.accept(reg, user, tid, "giving")
    assert exc.value.key == "transfer.not_allowed"
    assert _audit(reg, tid)[-1][2]["outcome"] == "denied"


def test_an_agency_accepts_only_for_its_own_side(reg):
    tid = _propose(reg)
    with pytest.raises(ScopeError) as exc:
        tr.accept(reg, A1, tid, "receiving")
    assert exc.value.key == "transfer.not_your_agency"
    with pytest.raises(ScopeError):
        tr.accept(reg, A3, tid)  # not a party at all: it cannot even see it
    assert tr.get_transfer(reg, ADMIN, tid).accepted_by() == set()
    denied = [d for _, _, d in _audit(reg, tid) if d.get("outcome") == "denied"]
    assert [(d["step"], d["agency"]) for d in denied] == [("accept", "A1"), ("accept", "A3")]


def test_accepting_twice_is_refused(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    with pytest.raises(TransferRefused) as exc:
        tr.accept(reg, A1, tid)
    assert exc.value.key == "transfer.already_accepted"


def test_approval_waits_for_both_acceptances_and_needs_finance(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    with pytest.raises(TransferRefused) as exc:
        tr.approve(reg, FINANCE, tid)
    assert exc.value.key == "transfer.wrong_state"
    assert "proposed" in exc.value.text("en") and "待确认" in exc.value.text("zh")
    tr.accept(reg, A2, tid)
    for user in (A1, A2, AUDITOR):
        with pytest.raises(ScopeError):
            tr.approve(reg, user, tid)
    assert tr.get_transfer(reg, ADMIN, tid).state == "accepted"
    assert [h["agency_code"] for h in holdings(reg, "LAP-1")] == ["A1"]


def test_a_refusal_needs_a_reason_ends_the_transfer_and_frees_the_device(reg):
    tid = _propose(reg)
    with pytest.raises(TransferRefused) as exc:
        tr.refuse(reg, A1, tid, "   ")
    assert exc.value.key == "transfer.reason_required"
    done = tr.refuse(reg, A1, tid, "still needed by the finance office")
    assert done.state == "refused" and done.steps[-1]["reason"] == "still needed by the finance office"
    assert _audit(reg, tid)[-1][2]["reason"] == "still needed by the finance office"
    for step in (
        lambda: tr.accept(reg, A2, tid),
        lambda: tr.approve(reg, FINANCE, tid),
        lambda: tr.refuse(reg, FINANCE, tid, "x"),
    ):
        with pytest.raises(TransferRefused) as exc:
            step()
        assert exc.value.key == "transfer.wrong_state"
    assert _propose(reg) > tid  # the device may be proposed again


def test_who_may_refuse(reg):
    tid = _propose(reg)
    with pytest.raises(ScopeError):
        tr.refuse(reg, AUDITOR, tid, "no")
    with pytest.raises(ScopeError):
        tr.refuse(reg, A3, tid, "no")
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    with pytest.raises(ScopeError):  # both accepted: the decision is the approver's
        tr.refuse(reg, A2, tid, "changed our mind")
    assert tr.refuse(reg, FINANCE, tid, "over the year's budget for moves").state == "refused"


def test_approved_transfers_cannot_be_approved_or_refused_again(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    tr.approve(reg, FINANCE, tid)
    for step in (lambda: tr.approve(reg, FINANCE, tid), lambda: tr.refuse(reg, FINANCE, tid, "late")):
        with pytest.raises(TransferRefused) as exc:
            step()
        assert exc.value.key == "transfer.wrong_state"
    assert len(holdings(reg, "LAP-1")) == 2


@pytest.mark.parametrize(
    ("user", "to_agency", "key"),
    [(AUDITOR, "A2", "transfer.not_allowed"), (A1, "A2", "transfer.not_your_agency"), (A3, "A2", "transfer.not_your_agency")],
)
def test_who_may_propose(reg, user, to_agency, key):
    with pytest.raises(ScopeError) as exc:
        _propose(reg, user, to_agency=to_agency)
    assert exc.value.key == key
    assert reg.scalar("SELECT count(*) FROM transfers") == 0
    assert _audit(reg)[-1][2] == {
        "step": "create",
        "outcome": "denied",
        "reason": key,
        "role": user.role,
        "agency": user.agency_code,
    }


@pytest.mark.parametrize(
    ("assets", "kw", "key"),
    [
        (("LAP-GONE",), {}, "transfer.disposed"),
        (("NOPE",), {}, "transfer.unknown_asset"),
        (("PR-3",), {}, "transfer.not_held_by"),
        ((), {}, "transfer.no_assets"),
        (("LAP-1",), {"to_agency": "A1"}, "transfer.same_agency"),
        (("LAP-1",), {"to_agency": "ZZ"}, "transfer.unknown_agency"),
        (("LAP-1",), {"effective_date": "2025-01-01"}, "transfer.bad_date"),
        (("LAP-1",), {"note": "x" * 501}, "transfer.too_long"),
    ],
)
def test_unsuitable_proposals_are_refused_and_nothing_is_stored(reg, assets, kw, key):
    with pytest.raises(TransferRefused) as exc:
        _propose(reg, FINANCE, assets, **kw)
    assert exc.value.key == key
    assert exc.value.text("zh") != exc.value.text("en")
    assert reg.scalar("SELECT count(*) FROM transfers") == 0
    assert reg.scalar("SELECT count(*) FROM transfer_assets") == 0


def test_a_device_in_an_open_transfer_is_not_proposed_again(reg):
    first = _propose(reg, assets=("LAP-1",))
    with pytest.raises(TransferRefused) as exc:
        _propose(reg, assets=("LAP-2", "LAP-1"), to_agency="A3")
    assert exc.value.key == "transfer.already_open" and str(first) in exc.value.text("en")
    assert reg.scalar("SELECT count(*) FROM transfers") == 1  # LAP-2 was not proposed either


def test_the_effective_date_must_follow_the_current_holding(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    tr.approve(reg, FINANCE, tid)
    with pytest.raises(TransferRefused) as exc:
        _propose(reg, A3, from_agency="A2", to_agency="A3", effective_date=date(2024, 12, 31))
    assert exc.value.key == "transfer.effective_too_early"
    back = _propose(reg, A3, from_agency="A2", to_agency="A3", effective_date=date(2025, 3, 1))
    assert tr.get_transfer(reg, A2, back).state == "proposed"


def test_a_device_disposed_after_the_proposal_is_not_moved(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    reg.execute("UPDATE assets SET status = 'disposed', disposal_date = DATE '2025-02-01' WHERE asset_id = 'LAP-1'")
    with pytest.raises(TransferRefused) as exc:
        tr.approve(reg, FINANCE, tid)
    assert exc.value.key == "transfer.disposed"
    assert tr.get_transfer(reg, ADMIN, tid).state == "accepted"
    assert [h["agency_code"] for h in holdings(reg, "LAP-1")] == ["A1"]


def test_agencies_see_only_their_own_transfers(reg):
    mine = _propose(reg)
    reg.execute("INSERT INTO agencies (agency_code) VALUES ('A4')")
    other = _propose(reg, FINANCE, ("PR-3",), from_agency="A3", to_agency="A4")
    assert [t["transfer_id"] for t in tr.list_transfers(reg, A1)] == [mine]
    assert [t["transfer_id"] for t in tr.list_transfers(reg, A3)] == [other]
    assert [t["transfer_id"] for t in tr.list_transfers(reg, AUDITOR)] == [other, mine]
    with pytest.raises(ScopeError):
        tr.get_transfer(reg, A1, other)
    with pytest.raises(TransferRefused) as exc:
        tr.get_transfer(reg, A1, 999)
    assert exc.value.key == "transfer.unknown"


def test_what_each_user_may_do_next(reg):
    tid = _propose(reg)
    t = tr.get_transfer(reg, ADMIN, tid)
    assert tr.next_steps(A1, t) == ["accept:giving", "refuse"]
    assert tr.next_steps(FINANCE, t) == ["refuse"]
    assert tr.next_steps(AUDITOR, t) == []
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    t = tr.get_transfer(reg, ADMIN, tid)
    assert tr.next_steps(A1, t) == [] and tr.next_steps(FINANCE, t) == ["approve", "refuse"]


def test_an_approved_transfer_is_a_new_data_version(reg):
    from tracker.engine.snapshots import data_version

    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    before = data_version(reg)
    tr.approve(reg, FINANCE, tid)
    assert data_version(reg) != before  # the dashboard recomputes its figures


def test_a_register_upload_cannot_undo_an_approved_transfer(reg):
    tid = _propose(reg)
    tr.accept(reg, A1, tid)
    tr.accept(reg, A2, tid)
    tr.approve(reg, FINANCE, tid)
    data = ASSETS.encode()  # the old register still names A1 for LAP-1
    result = commit_upload(reg, io.BytesIO(data), "assets.csv", "assets", size_bytes=len(data), actor="tester")
    assert not result.committed
    problems = [e for e in result.errors if e.code == "row.transferred_elsewhere"]
    assert [(e.row_number, e.value, e.other) for e in problems] == [(2, "A1", "A2")]
    assert "transferred to agency A2" in problems[0].text("en") and "调拨至单位 A2" in problems[0].text("zh")
    assert [h["agency_code"] for h in holdings(reg, "LAP-1")] == ["A1", "A2"]
    fixed = ASSETS.replace("LAP-1,A1", "LAP-1,A2").encode()
    assert commit_upload(reg, io.BytesIO(fixed), "assets.csv", "assets", size_bytes=len(fixed), actor="tester").committed
