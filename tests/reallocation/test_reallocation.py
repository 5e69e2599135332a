"""Reallocation before purchase (docs/reallocation.md): the pool, matching, the two rules, scope, on hand-made cases.

as_of 2025-12-31; usage from 2024-06-01. Agency A1 and B1 report laptop usage (L-USED-A, L-USED-B are used
every day), so silence of their other laptops is idleness; agency C1 reports none.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.access.auth import User
from tracker.casework.review import review
from tracker.engine.rules.run import compute_flags
from tracker.engine.snapshots import SnapshotCache
from tracker.ingest.pipeline import ingest_file
from tracker.reallocation.matching import cover_text, load_requests, match, proposals_for
from tracker.reallocation.pool import PRIVATE_COLUMNS, declare_surplus, idle_pool, pool_for, withdraw
from tracker.reallocation.requests import enter_request
from tracker.reallocation.savings import reallocation
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError, ScopeError

AS_OF = date(2025, 12, 31)
USAGE_START = date(2024, 6, 1)
ADMIN = User("ada", "admin", None, None)
FINANCE = User("fin", "finance", None, None)
AUDITOR = User("aud", "auditor", None, None)
AGENCY_A = User("amy", "agency", "A1", None)
AGENCY_C = User("cal", "agency", "C1", None)

# asset_id, agency, category, in_service, status, standby, disposal, last use (None: never; "all": every day)
ASSETS = [
    ("L-USED-A", "A1", "laptop", "2024-01-01", "in_use", "false", "", "all"),
    ("L-USED-B", "B1", "laptop", "2024-01-01", "in_use", "false", "", "all"),
    ("L-IDLE-A", "A1", "laptop", "2023-01-01", "in_use", "false", "", "2025-01-10"),  # older: less life left
    ("L-IDLE-B", "B1", "laptop", "2025-01-01", "in_use", "false", "", None),  # newer, never used
    ("L-DISMISSED", "B1", "laptop", "2025-01-01", "in_use", "false", "", None),
    ("L-STANDBY", "B1", "laptop", "2025-01-01", "standby", "true", "", None),
    ("L-REGISTER-IDLE", "C1", "laptop", "2024-06-01", "idle", "false", "", None),  # C1 sends no usage
    ("D-USED-A", "A1", "desktop", "2019-01-01", "in_use", "false", "", "all"),
    ("D-EARLY", "A1", "desktop", "2019-06-01", "disposed", "false", "2025-05-31", "2025-05-30"),
    ("D-ON-TIME", "B1", "desktop", "2019-06-01", "disposed", "false", "2025-06-01", "2025-05-30"),
    ("D-USED-B", "B1", "desktop", "2019-01-01", "in_use", "false", "", "all"),
]
LINES = """\
po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date
PO-EARLY-LAPTOP,1,A1,X,Laptop,laptop,2,6000,2025-03-01
PO-AFTER-IDLE,1,C1,X,Laptop,laptop,5,6000,2025-05-01
PO-DESK-A,1,A1,X,Desktop,desktop,1,4500,2025-07-01
PO-DESK-B,1,B1,X,Desktop,desktop,1,4500,2025-07-01
"""


def _usage_rows() -> list[str]:
    rows = []
    days = [USAGE_START + timedelta(days=i) for i in range((AS_OF - USAGE_START).days + 1)]
    for asset_id, _, _, start, _, _, _, last in ASSETS:
        if last is None:
            continue
        end = AS_OF if last == "all" else date.fromisoformat(last)
        first = max(USAGE_START, date.fromisoformat(start))
        rows += [f"{asset_id},{d},6" for d in days if first <= d <= end]
    return rows


@pytest.fixture
def db(tmp_path):
    database = Database.open(tmp_path / "t.duckdb")
    (tmp_path / "p.csv").write_text(LINES, encoding="utf-8")
    header = "asset_id,agency_code,category,model,purchase_cost,in_service_date,status,standby,disposal_date\n"
    body = "".join(f"{a},{g},{c},Model {a},6000,{s},{st},{sb},{dd}\n" for a, g, c, s, st, sb, dd, _ in ASSETS)
    (tmp_path / "a.csv").write_text(header + body, encoding="utf-8")
    (tmp_path / "u.csv").write_text("asset_id,usage_date,hours_used\n" + "\n".join(_usage_rows()) + "\n", encoding="utf-8")
    for kind, name in (("procurement", "p.csv"), ("assets", "a.csv"), ("usage", "u.csv")):
        assert ingest_file(database, kind, tmp_path / name).committed
    yield database
    database.close()


def _pool(db) -> dict[str, dict]:
    snap = SnapshotCache().snapshot(db, AS_OF, 365)
    return {r["asset_id"]: r for r in idle_pool(db, snap).to_pylist()}


def _request(request_id, agency, quantity, needed_by=date(2026, 3, 1), category="laptop", budget=6500):
    return {
        "request_id": request_id,
        "agency_code": agency,
        "category": category,
        "quantity": quantity,
        "needed_by": needed_by,
        "unit_budget": budget,
        "justification": None,
    }


# -- the pool ------------------------------------------------------------------------------------
def test_the_pool_holds_idle_never_used_and_register_idle_devices_never_standby_or_disposed(db):
    pool = _pool(db)
    assert pool["L-IDLE-A"]["reason"] == "IDLE" and pool["L-IDLE-B"]["reason"] == "NEVER_USED"
    assert pool["L-REGISTER-IDLE"]["reason"] == "register_idle"  # no telemetry, but its register says 闲置
    assert "L-STANDBY" not in pool and "D-EARLY" not in pool and "L-USED-A" not in pool
    idle = pool["L-IDLE-A"]
    assert idle["idle_days"] == (AS_OF - date(2025, 1, 10)).days and idle["evidence"]
    assert idle["remaining_life_years"] == pytest.approx(6 - (AS_OF - date(2023, 1, 1)).days / 365.25, abs=0.01)
    assert pool["L-IDLE-B"]["remaining_life_years"] > idle["remaining_life_years"]


def test_a_dismissed_finding_keeps_a_device_out_of_the_pool(db):
    assert "L-DISMISSED" in _pool(db)
    flag = next(f for f in compute_flags(db, as_of=AS_OF, rules=["NEVER_USED"]).to_pylist() if f["asset_id"] == "L-DISMISSED")
    review(db, flag, "dismissed", AUDITOR, reason="kept for the new project team")
    assert "L-DISMISSED" not in _pool(db)
    review(db, flag, "open", AUDITOR)
    assert "L-DISMISSED" in _pool(db)


def test_a_standby_device_is_never_offered_even_declared_surplus(db):
    declare_surplus(db, ADMIN, "L-STANDBY", on=date(2025, 6, 1))
    assert "L-STANDBY" not in _pool(db)


def test_withdrawal_needs_a_reason_and_a_finance_officer_or_administrator_and_is_audited(db):
    with pytest.raises(ConfigError):
        withdraw(db, FINANCE, "L-IDLE-A", "  ")
    for refused in (AUDITOR, AGENCY_A):
        with pytest.raises(ScopeError):
            withdraw(db, refused, "L-IDLE-A", "needed")
    with pytest.raises(ConfigError):
        withdraw(db, FINANCE, "NO-SUCH-ASSET", "needed")
    withdraw(db, FINANCE, "L-IDLE-A", "reserved for the audit team", on=date(2025, 12, 1))
    assert "L-IDLE-A" not in _pool(db)
    entry = db.fetchone("SELECT actor, action, target FROM audit_log ORDER BY entry_id DESC LIMIT 1")
    assert entry == ("fin", "pool_changed", "L-IDLE-A") and audit.verify(db) == []
    declare_surplus(db, ADMIN, "L-IDLE-A", on=date(2025, 12, 15))  # a later declaration puts it back
    assert _pool(db)["L-IDLE-A"]["reason"] == "declared_surplus"


def test_an_agency_declares_only_its_own_devices_surplus(db):
    with pytest.raises(ScopeError):
        declare_surplus(db, AGENCY_A, "L-USED-B")
    for refused in (AUDITOR, FINANCE):
        with pytest.raises(ScopeError):
            declare_surplus(db, refused, "L-USED-A")
    declare_surplus(db, AGENCY_A, "L-USED-A", on=date(2025, 12, 1))
    assert _pool(db)["L-USED-A"]["reason"] == "declared_surplus"


# -- matching ------------------------------------------------------------------------------------
def test_the_own_agency_device_is_preferred_over_another_agency_with_more_life_left(db):
    pool = idle_pool(db, SnapshotCache().snapshot(db, AS_OF, 365))
    proposals, _ = match([_request("R-A", "A1", 1)], pool)
    assert proposals.to_pylist()[0]["asset_id"] == "L-IDLE-A"
    proposals, _ = match([_request("R-C", "C1", 1)], pool)  # C1's own register-idle laptop first
    assert proposals.to_pylist()[0]["asset_id"] == "L-REGISTER-IDLE"
    proposals, _ = match([_request("R-B", "B1", 2)], pool)  # B1's own, the longest life left first
    assert [p["asset_id"] for p in proposals.to_pylist()][:1] in (["L-IDLE-B"], ["L-DISMISSED"])
    assert {p["from_agency"] for p in proposals.to_pylist()} == {"B1"}


def test_a_device_is_never_proposed_to_two_requests_and_partial_cover_is_said(db):
    pool = idle_pool(db, SnapshotCache().snapshot(db, AS_OF, 365))
    requests = [_request("R-1", "A1", 5, date(2026, 1, 1)), _request("R-2", "C1", 5, date(2026, 2, 1))]
    proposals, cover = match(requests, pool)
    ids = [p["asset_id"] for p in proposals.to_pylist()]
    assert len(ids) == len(set(ids)) == 4  # four laptops in the pool, each proposed once
    first, second = cover.to_pylist()
    assert (first["covered"], second["covered"]) == (4, 0)
    assert cover_text(first) == "4 of 5 Laptop can come from the pool"
    assert cover_text(first, "zh") == "5 台笔记本电脑中有 4 台可从公物仓调剂"  # the category named in Chinese too
    assert first["avoidable_amount"] == 4 * 6500.0 and second["avoidable_amount"] == 0.0


def test_requests_upload_and_page_entry_feed_the_matching(db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("申请编号,单位代码,类别,数量,需用日期,预算单价\nSQ-1,A1,笔记本电脑,3,2026-03-01,6500\n", encoding="utf-8")
    assert ingest_file(db, "requests", path).committed
    enter_request(
        db, AGENCY_C, request_id="SQ-2", agency_code="", category="laptop", quantity=1, unit_budget="7000", justification="新入职"
    )
    assert [(r["request_id"], r["agency_code"], r["source"], r["justification"]) for r in load_requests(db)] == [
        ("SQ-1", "A1", "upload", None),
        ("SQ-2", "C1", "page", "新入职"),
    ]
    assert [r["request_id"] for r in load_requests(db, "C1")] == ["SQ-2"]
    result = reallocation(db, SnapshotCache().snapshot(db, AS_OF, 365))
    assert result.savings.units_requested == 4 and result.savings.units_covered == 4
    assert result.savings.requests_met == 2 and result.savings.purchases_avoided == 3 * 6500 + 7000


def test_a_bad_upload_of_requests_stores_nothing_and_names_the_row(db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("request_id,agency_code,category,quantity\nSQ-1,A1,laptop,2\nSQ-2,A1,laptop,lots\n", encoding="utf-8")
    report = ingest_file(db, "requests", path)
    assert not report.committed and "quantity" in report.errors[0].text("en")
    assert db.scalar("SELECT count(*) FROM purchase_requests") == 0


@pytest.mark.parametrize(
    "field, value",
    [("quantity", 0), ("quantity", "3"), ("category", "  "), ("unit_budget", "-1"), ("request_id", " "), ("needed_by", "soon")],
)
def test_a_bad_request_entered_on_the_page_is_refused_with_its_field(db, field, value):
    values = {"request_id": "SQ-9", "agency_code": "A1", "category": "laptop", "quantity": 1, field: value}
    with pytest.raises(ConfigError) as refused:
        enter_request(db, AGENCY_A, **values)
    assert field in refused.value.text("en")
    assert db.scalar("SELECT count(*) FROM purchase_requests") == 0


def test_an_agency_enters_requests_only_for_itself_and_an_auditor_not_at_all(db):
    with pytest.raises(ScopeError):
        enter_request(db, AGENCY_A, request_id="SQ-1", agency_code="B1", category="laptop", quantity=1)
    with pytest.raises(ScopeError):
        enter_request(db, AUDITOR, request_id="SQ-1", agency_code="A1", category="laptop", quantity=1)
    enter_request(db, AGENCY_A, request_id="SQ-1", agency_code="A1", category="笔记本电脑", quantity=1)
    with pytest.raises(ConfigError):  # the same id twice
        enter_request(db, AGENCY_A, request_id="SQ-1", agency_code="A1", category="laptop", quantity=2)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'request_entered'") == 1


# -- what an agency user sees --------------------------------------------------------------------
def test_an_agency_user_sees_other_agencies_devices_without_usage_or_findings(db):
    pool = idle_pool(db, SnapshotCache().snapshot(db, AS_OF, 365))
    seen = {r["asset_id"]: r for r in pool_for(AGENCY_A, pool).to_pylist()}
    assert set(seen) == {r["asset_id"] for r in pool.to_pylist()}
    other, own = seen["L-IDLE-B"], seen["L-IDLE-A"]
    assert other["agency_code"] == "B1" and other["model"] and other["book_value"] is not None and other["age_years"] is not None
    assert all(other[c] is None for c in PRIVATE_COLUMNS)
    assert own["evidence"] and own["idle_days"] is not None
    assert pool_for(FINANCE, pool).to_pylist() == pool.to_pylist()


def test_an_agency_user_sees_only_its_own_requests_and_not_why_another_agencys_device_is_idle(db):
    pool = idle_pool(db, SnapshotCache().snapshot(db, AS_OF, 365))
    proposals, cover = match([_request("R-A", "A1", 2), _request("R-C", "C1", 1)], pool)
    mine, my_cover = proposals_for(AGENCY_A, proposals, cover)
    assert {p["to_agency"] for p in mine.to_pylist()} == {"A1"} and [c["request_id"] for c in my_cover.to_pylist()] == ["R-A"]
    from_other = [p for p in mine.to_pylist() if p["from_agency"] != "A1"]
    assert from_other and all(p["idle_days"] is None and "idle" not in p["reason"] for p in from_other)
    result = reallocation(db, SnapshotCache().snapshot(db, AS_OF, 365), AGENCY_C)
    assert result.cover.num_rows == 0 and result.pool.num_rows == pool.num_rows


# -- the rules -----------------------------------------------------------------------------------
def _lines_flagged(db, rule, **kw) -> set[str]:
    return {f["po_number"] for f in compute_flags(db, as_of=AS_OF, rules=[rule], **kw).to_pylist()}


def test_avoidable_purchase_fires_when_the_pool_had_cover_on_the_order_date_and_not_before(db):
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE"]).to_pylist()}
    # L-IDLE-A, last used 2025-01-10, is in the pool from 2025-04-11, and the never-used L-IDLE-B and L-DISMISSED
    # from 2025-04-01 (90 days in service): C1's order of 5 on 2025-05-01 could have taken 3 of them
    assert "PO-AFTER-IDLE" in flags
    assert flags["PO-AFTER-IDLE"]["value_at_stake"] == 3 * 6000.0
    assert all(a in flags["PO-AFTER-IDLE"]["evidence"] for a in ("L-IDLE-A", "L-IDLE-B", "L-DISMISSED"))
    assert (
        "held 3 devices of this category, 3 of them in other agencies (L-DISMISSED, L-IDLE-A, L-IDLE-B); "
        "3 units could have come from the pool"
    ) in flags["PO-AFTER-IDLE"]["evidence"]
    assert "L-STANDBY" not in flags["PO-AFTER-IDLE"]["evidence"]
    # on 2025-03-01 it was still in use, and the never-used laptops entered service on 2025-01-01 (90 days)
    assert "PO-EARLY-LAPTOP" not in flags


def test_avoidable_purchase_counts_a_declared_device_only_from_its_declaration(db):
    declare_surplus(db, ADMIN, "L-USED-B", on=date(2025, 3, 1))
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE"]).to_pylist()}
    assert "PO-EARLY-LAPTOP" in flags and "L-USED-B" in flags["PO-EARLY-LAPTOP"]["evidence"]
    withdraw(db, FINANCE, "L-USED-B", "in use again", on=date(2025, 3, 1))
    assert "PO-EARLY-LAPTOP" not in _lines_flagged(db, "AVOIDABLE_PURCHASE")


def test_avoidable_purchase_counts_each_pool_device_once_and_the_buyers_own_apart(db):
    declare_surplus(db, ADMIN, "L-REGISTER-IDLE", on=date(2025, 4, 1))  # C1's own: in the pool, not another agency's
    declare_surplus(db, ADMIN, "L-IDLE-B", on=date(2025, 4, 1))  # idle and declared on the order date: counted once
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE"]).to_pylist()}
    assert (
        "held 4 devices of this category, 3 of them in other agencies "
        "(L-DISMISSED, L-IDLE-A, L-IDLE-B, L-REGISTER-IDLE); 4 units could have come from the pool"
    ) in flags["PO-AFTER-IDLE"]["evidence"]
    assert flags["PO-AFTER-IDLE"]["value_at_stake"] == 4 * 6000.0


def test_early_replacement_at_the_service_life_boundary(db):
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["EARLY_REPLACEMENT"]).to_pylist()}
    # D-EARLY: 2019-06-01 to 2025-05-31 is 2,191 days, under six years; D-ON-TIME: 2,192 days, six years
    assert set(flags) == {"PO-DESK-A"}
    expected = round(6000 * (1 - 2191 / 365.25 / 6), 2)
    assert flags["PO-DESK-A"]["value_at_stake"] == pytest.approx(expected, abs=0.01)
    assert "D-EARLY" in flags["PO-DESK-A"]["evidence"]
    assert "PO-DESK-A" not in _lines_flagged(db, "EARLY_REPLACEMENT", parameters={"EARLY_REPLACEMENT": {"lookback_days": 30}})


def test_the_evidence_pack_has_the_reallocation_sheet(db):
    import io
    import zipfile

    from openpyxl import load_workbook

    from tracker.casework.evidence import build_pack
    from tracker.casework.review import with_reviews

    enter_request(db, ADMIN, request_id="SQ-1", agency_code="C1", category="laptop", quantity=2, unit_budget=6500)
    flags = with_reviews(db, compute_flags(db, as_of=AS_OF))
    pack = build_pack(db, flags, as_of=AS_OF, window_days=365, actor="ada", lang="zh")
    book = load_workbook(io.BytesIO(pack.xlsx))
    sheet = book["调剂"]
    rows = list(sheet.iter_rows(values_only=True))
    # a header, the two devices proposed to SQ-1, the proposed and the realised totals; headers in Chinese
    assert len(rows) == 5 and rows[1][:3] == ("proposed", "SQ-1", "C1") and rows[0][:3] == ("行类型", "申请编号", "调入单位")
    assert [r[0] for r in rows[-2:]] == ["total_proposed", "total_realised"]
    assert "reallocation.csv" in zipfile.ZipFile(io.BytesIO(pack.zip)).namelist()


# -- matching on its own: a pool written out, each rule of the order and every figure of the cover ------------


def _device(asset_id, agency, *, life=3.0, idle=200, book=1234.56, cost=6000.0, reason="IDLE", category="laptop"):
    return {
        "asset_id": asset_id,
        "agency_code": agency,
        "category": category,
        "model": f"model {asset_id}",
        "age_years": 2.0,
        "book_value": book,
        "purchase_cost": cost,
        "idle_days": idle,
        "remaining_life_years": life,
        "reason": reason,
    }


def _pool_of(*devices):
    import pyarrow as pa

    return pa.Table.from_pylist(list(devices))


def test_devices_of_unknown_life_or_idleness_come_after_those_known_however_short():
    """Ranking inside one agency: the most life left first, then the longest idle; an unknown life or idleness
    counts as less than any known one (never as the most)."""
    pool = _pool_of(
        _device("L-UNKNOWN", "B1", life=None),
        _device("L-SHORT", "B1", life=0.1),
        _device("I-UNKNOWN", "B1", life=5.0, idle=None),
        _device("I-SHORT", "B1", life=5.0, idle=0),  # idle 0 days (used on the as-of date) still before unknown
    )
    proposals, _ = match([_request("R", "A1", 4)], pool)
    assert proposals.column("asset_id").to_pylist() == ["I-SHORT", "I-UNKNOWN", "L-SHORT", "L-UNKNOWN"]
    assert proposals.column("idle_days").to_pylist() == [0, None, 200, 200]  # each proposal says its device's
    # the same life left: the longest idle first, whatever the names' order
    longest, _ = match([_request("R", "A1", 2)], _pool_of(_device("I-A", "B1", idle=10), _device("I-B", "B1", idle=300)))
    assert longest.column("asset_id").to_pylist() == ["I-B", "I-A"]


def test_an_agency_with_no_request_sees_empty_tables_with_every_column():
    """An agency user whose agency asked for nothing gets tables without rows, not tables without columns."""
    proposals, cover = match([_request("R", "A1", 1)], _pool_of(_device("D-1", "B1")))
    mine, own = proposals_for(User("c1", "agency", "C1", None), proposals, cover)
    assert mine.num_rows == 0 and mine.schema == proposals.schema
    assert own.num_rows == 0 and own.schema == cover.schema


def test_the_cover_adds_the_book_value_and_cost_to_the_cent_and_keeps_what_the_request_said():
    pool = _pool_of(_device("D-1", "B1", book=1234.56, cost=6000.25), _device("D-2", "B1", book=0.01, cost=0.5))
    request = {**_request("R-1", "A1", 3, budget=None), "justification": "new staff", "source": "page"}
    proposals, cover = match([request], pool)
    (row,) = cover.to_pylist()
    assert row["covered"] == 2 and row["quantity"] == 3 and row["transferred"] == 0
    assert row["book_value"] == pytest.approx(1234.57, abs=1e-9) and row["purchase_cost"] == pytest.approx(6000.75)
    assert row["unit_budget"] is None and row["avoidable_amount"] is None  # no budget: the amount is unknown, not 0
    assert row["justification"] == "new staff" and row["source"] == "page"
    unknown = _pool_of(_device("D-3", "B1", book=None))
    assert match([_request("R-2", "A1", 1)], unknown)[1].to_pylist()[0]["book_value"] is None


def test_a_device_held_by_an_open_transfer_stays_proposed_to_its_request_first():
    """D-HELD is in an open transfer for A1's R-1: it is R-1's first proposal even though D-BEST ranks higher, and
    no other request is offered it."""
    from tracker.reallocation.moves import Commitments

    pool = _pool_of(_device("D-HELD", "B1", life=0.5), _device("D-BEST", "A1", life=9.0), _device("D-OTHER", "B1"))
    held = Commitments({"D-HELD": ("A1", "R-1")}, {})
    proposals, _ = match([_request("R-0", "C1", 3, needed_by=date(2026, 1, 1)), _request("R-1", "A1", 2)], pool, commitments=held)
    by_request = {}
    for row in proposals.to_pylist():
        by_request.setdefault(row["request_id"], []).append(row["asset_id"])
    assert by_request == {"R-0": ["D-BEST", "D-OTHER"], "R-1": ["D-HELD"]}


def test_why_a_device_is_proposed_reads_in_the_readers_language():
    pool = _pool_of(_device("D-OWN", "A1", reason="NEVER_USED"), _device("D-FAR", "B1", reason="declared_surplus", life=0.1))
    proposals, _ = match([_request("R", "A1", 2)], pool, lang="zh")
    assert proposals.column("reason").to_pylist() == ["从未使用，本单位设备", "单位申报为富余，其他单位设备"]
    english, _ = match([_request("R", "A1", 2)], pool)
    assert english.column("reason").to_pylist() == [
        "never used, in the requesting agency",
        "declared surplus by its agency, from another agency",
    ]
    mine, _ = proposals_for(User("a1", "agency", "A1", None), *match([_request("R", "A1", 2)], pool, lang="zh"), lang="zh")
    assert mine.column("reason").to_pylist() == ["从未使用，本单位设备", "其他单位公物仓设备"]


@pytest.mark.parametrize(("disposed_on", "in_pool"), [("2025-03-01", False), ("2025-03-02", True)])
def test_a_device_disposed_of_on_the_order_date_is_no_longer_in_the_pool(db, tmp_path, disposed_on, in_pool):
    """L-GONE, B1's never-used laptop, is in the pool until the day before its disposal: an order on its disposal
    date could not have taken it, an order the day before could."""
    register = tmp_path / "gone.csv"
    register.write_text(
        "asset_id,agency_code,category,model,purchase_cost,in_service_date,status,disposal_date\n"
        f"L-GONE,B1,laptop,Model L-GONE,6000,2024-01-01,disposed,{disposed_on}\n",
        encoding="utf-8",
    )
    assert ingest_file(db, "assets", register).committed
    assert ("PO-EARLY-LAPTOP" in _lines_flagged(db, "AVOIDABLE_PURCHASE")) is in_pool  # ordered 2025-03-01


def test_a_device_declared_surplus_shortly_before_an_order_counts_as_replaced_early(db):
    """A1 hands its one-year-old laptop to the pool on 2025-02-15 and orders a laptop on 2025-03-01: the new one
    replaces a device well short of its service life, as a disposal would."""
    assert "PO-EARLY-LAPTOP" not in _lines_flagged(db, "EARLY_REPLACEMENT")
    declare_surplus(db, ADMIN, "L-USED-A", on=date(2025, 2, 15))
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["EARLY_REPLACEMENT"]).to_pylist()}
    assert "PO-EARLY-LAPTOP" in flags and "L-USED-A" in flags["PO-EARLY-LAPTOP"]["evidence"]


def test_an_order_smaller_than_the_pool_could_have_been_covered_only_for_its_own_quantity(db, tmp_path):
    """On 2025-05-01 the pool held 3 laptops: an order of 1 that day has 1 unit at stake, not 3."""
    more = tmp_path / "more.csv"
    more.write_text(LINES.splitlines()[0] + "\nPO-ONE,1,C1,X,Laptop,laptop,1,6000,2025-05-01\n", encoding="utf-8")
    assert ingest_file(db, "procurement", more).committed
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE"]).to_pylist()}
    assert flags["PO-ONE"]["value_at_stake"] == 6000.0
    assert "1 unit could have come from the pool" in flags["PO-ONE"]["evidence"]
    # a rule that asks for at least 2 units covered judges the order by what it could have taken: 1, not the pool's 3
    at_least_two = {"AVOIDABLE_PURCHASE": {"min_units": 2}}
    assert _lines_flagged(db, "AVOIDABLE_PURCHASE", parameters=at_least_two) == {"PO-AFTER-IDLE"}


def test_without_any_usage_the_pool_rules_find_nothing_and_say_nothing_wrong(tmp_path):
    """A database with purchases and a register but no usage yet: no device is known idle, so no purchase was
    avoidable; the rules run without error."""
    with Database.open(tmp_path / "empty.duckdb") as database:
        (tmp_path / "p.csv").write_text(LINES, encoding="utf-8")
        header = "asset_id,agency_code,category,model,purchase_cost,in_service_date,status,standby,disposal_date\n"
        body = "".join(f"{a},{g},{c},Model {a},6000,{s},{st},{sb},{dd}\n" for a, g, c, s, st, sb, dd, _ in ASSETS)
        (tmp_path / "a.csv").write_text(header + body, encoding="utf-8")
        for kind, name in (("procurement", "p.csv"), ("assets", "a.csv")):
            assert ingest_file(database, kind, tmp_path / name).committed
        flags = compute_flags(database, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE", "BOUGHT_DESPITE_IDLE_STOCK"]).to_pylist()
    assert flags == []


@pytest.mark.parametrize(("ordered_on", "in_pool"), [("2025-04-10", False), ("2025-04-11", True)])
def test_a_device_last_used_enters_the_pool_the_day_after_its_whole_look_back_without_use(db, tmp_path, ordered_on, in_pool):
    """L-IDLE-A was last used on 2025-01-10: with a look-back of 90 days, an order on 2025-04-10 still sees that use
    (2025-01-10 is in [order - 90, order)), an order on 2025-04-11 does not."""
    more = tmp_path / "more.csv"
    more.write_text(LINES.splitlines()[0] + f"\nPO-EDGE,1,C1,X,Laptop,laptop,5,6000,{ordered_on}\n", encoding="utf-8")
    assert ingest_file(db, "procurement", more).committed
    flags = {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE"]).to_pylist()}
    assert ("L-IDLE-A" in flags["PO-EDGE"]["evidence"]) is in_pool
