"""Utilisation, roll-ups and telemetry coverage of docs/rules.md (utilisation): hand-made assets with numbers counted by hand.

The window of most tests is 2025-09-27..2025-10-11 (as_of 2025-10-11, 15 days), around China's
National Day break. Counted with tracker.domain.calendar.is_workday:
  Sat 09-27 off | Sun 09-28 WORK (make-up day) | Mon 09-29, Tue 09-30 work | Wed 10-01 .. Wed 10-08 off
  (holiday) | Thu 10-09, Fri 10-10 work | Sat 10-11 WORK (make-up day)
so the window has 6 workdays (48 h for an 8 h/day laptop) and 15 days (360 h for a 24 h server).
The idle horizon (90 days ending at as_of) starts on 2025-07-14.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow.compute as pc
import pytest

from tracker.domain.calendar import is_workday
from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.engine.metrics import (
    ASSET_COLUMNS,
    ROLLUP_COLUMNS,
    Window,
    asset_utilisation,
    default_as_of,
    ibis_backend,
    telemetry_coverage,
    utilisation_by,
)
from tracker.ingest.pipeline import ingest_file
from tracker.text.errors import ConfigError

AS_OF = date(2025, 10, 11)
WINDOW = Window(AS_OF, window_days=15)

PROCUREMENT_CSV = """\
po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date
PO-L1,1,A1,Lenovo,ThinkPad laptop,laptop,2,6000,2023-09-20
PO-L1,2,A1,Lenovo,ThinkPad laptop,laptop,1,6500,2024-02-10
PO-S1,1,A1,Inspur,Rack server,server,1,50000,2019-12-01
PO-C1,1,A2,Canon,Camera,camera,1,3000,2023-12-01
"""

# MON-IDLE has only a purchase date (in service from it); CAM-OLDUSE names its PO without a line (line 1);
# CAM-EDGE names a PO number of another agency (no line of its own agency: no supplier).
ASSETS_CSV = """\
asset_id,agency_code,category,po_number,line_no,purchase_cost,purchase_date,in_service_date,status,disposal_date,standby
LAP-FULL,A1,laptop,PO-L1,1,6000,2023-09-25,2023-10-11,in_use,,false
SRV-1,A1,server,PO-S1,1,50000,2019-12-20,2020-01-01,in_use,,false
LAP-MID,A1,laptop,PO-L1,1,7000,2025-09-20,2025-10-01,in_use,,false
DSK-DISP,A1,desktop,,,4000,2021-12-20,2022-01-01,disposed,2025-10-09,false
PRJ-NEVER,A1,projector,,,5000,2025-05-20,2025-06-01,in_use,,false
LAP-CAP,A1,laptop,PO-L1,2,6500,2024-02-20,2024-03-01,in_use,,false
LAP-OUT,A1,laptop,,,5500,2024-08-20,2024-09-02,in_use,,false
DSK-OLD,A1,desktop,PO-MISSING,1,4800,2015-02-20,2015-03-01,in_use,,false
LAP-FUTURE,A1,laptop,,,6800,2025-10-05,2025-11-01,in_storage,,false
DSK-GONE,A1,desktop,,,4500,2021-05-01,2021-05-10,disposed,2025-09-01,false
MON-IDLE,A1,monitor,,,1200,2024-01-01,,in_use,,false
LAP-STANDBY,A1,laptop,,,6000,2023-12-20,2024-01-01,standby,,true
CAM-OLDUSE,A2,camera,PO-C1,,3000,2023-12-20,2024-01-01,in_use,,false
CAM-EDGE,A3,camera,PO-C1,1,3000,2023-12-20,2024-01-01,in_use,,false
"""

USAGE_CSV = """\
asset_id,usage_date,hours_used,source
LAP-FULL,2025-09-27,2,agent
LAP-FULL,2025-09-28,6,agent
LAP-FULL,2025-09-29,8,agent
LAP-FULL,2025-10-03,1,agent
LAP-FULL,2025-10-10,4,agent
SRV-1,2025-09-27,24,meter
SRV-1,2025-10-01,12,meter
SRV-1,2025-10-11,12,meter
LAP-MID,2025-09-30,5,agent
LAP-MID,2025-10-09,8,agent
LAP-MID,2025-10-10,4,agent
DSK-DISP,2025-09-29,6,agent
DSK-DISP,2025-10-09,8,agent
PRJ-NEVER,2025-10-10,0,meter
LAP-CAP,2025-09-29,20,agent
LAP-CAP,2025-09-29,10,login-log
LAP-CAP,2025-09-30,8,agent
LAP-OUT,2025-09-26,8,agent
LAP-OUT,2025-10-12,8,agent
DSK-OLD,2025-10-09,3,agent
DSK-GONE,2025-08-15,5,agent
MON-IDLE,2025-06-01,4,agent
CAM-OLDUSE,2025-07-13,2,agent
CAM-EDGE,2025-07-14,2,agent
"""


def _ingest(db, tmp_path, kind: str, text: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    report = ingest_file(db, kind, path)
    assert report.committed and report.rows_rejected == 0, report.errors


@pytest.fixture
def backend(db, tmp_path):
    _ingest(db, tmp_path, "procurement", PROCUREMENT_CSV)
    _ingest(db, tmp_path, "assets", ASSETS_CSV)
    _ingest(db, tmp_path, "usage", USAGE_CSV)
    return ibis_backend(db)


def _rows_by(table, key: str) -> dict:
    return {row[key]: row for row in table.to_pylist()}


def test_the_window_counts_china_national_day_as_the_docstring_says():
    workdays = [
        date(2025, 9, 28),
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    ]
    assert WINDOW.start == date(2025, 9, 27) and WINDOW.idle_start == date(2025, 7, 14)
    days = [date.fromordinal(WINDOW.start.toordinal() + i) for i in range(15)]
    assert [d for d in days if is_workday(d, "CN")] == workdays


# asset, available_days, available_hours, used_hours, utilisation, active_days, last_used, days_idle, net_book_value
NBV_NOTE = "NBV = cost × max(0, 1 − (days since in service / 365.25) / life), life 6 years (projector, camera 5)"
CASES = [
    # laptop in service all window: Sat 09-27 (2 h) and holiday 10-03 (1 h) count as used hours and active days
    ("LAP-FULL", 6, 48.0, 21.0, 21 / 48, 5, date(2025, 10, 10), 1, 3998.63),  # 731 days: 6000 × (1 − 2.00137/6)
    # server: every day available, 24 h
    ("SRV-1", 15, 360.0, 48.0, 48 / 360, 3, date(2025, 10, 11), 0, 1859.46),  # 2110 days
    # in service 2025-10-01 (mid-holiday): 10-09, 10-10, 10-11; usage on 09-30 is before its active period
    ("LAP-MID", 3, 24.0, 12.0, 0.5, 2, date(2025, 10, 10), 1, 6968.06),  # 10 days
    # disposed 2025-10-09: the disposal day is excluded (its 8 h too); last_used still sees it
    ("DSK-DISP", 3, 24.0, 6.0, 0.25, 1, date(2025, 10, 9), 2, 1483.00),
    # never used (a 0-hour row is no use): days idle counted from in service 2025-06-01
    ("PRJ-NEVER", 6, 48.0, 0.0, 0.0, 0, None, 132, 4638.60),  # 132 days, life 5
    # two sources on 09-29: 20 h + 10 h capped at 24 h, then 8 h on 09-30
    ("LAP-CAP", 6, 48.0, 32.0, 32 / 48, 2, date(2025, 9, 30), 11, 4753.02),
    # usage the day before the window and the day after as_of: no used hours; last_used is the day before
    ("LAP-OUT", 6, 48.0, 0.0, 0.0, 0, date(2025, 9, 26), 15, 4486.08),
    # fully depreciated: in service 2015-03-01, 10.6 years > 6
    ("DSK-OLD", 6, 48.0, 3.0, 3 / 48, 1, date(2025, 10, 9), 2, 0.0),
    # in service after as_of: nothing available, utilisation empty, not idle, worth its cost
    ("LAP-FUTURE", 0, 0.0, 0.0, None, 0, None, None, 6800.00),
    # disposed before the window: nothing available
    ("DSK-GONE", 0, 0.0, 0.0, None, 0, date(2025, 8, 15), 57, 1183.78),
    # no in-service date: in service from its purchase date 2024-01-01 (649 days)
    ("MON-IDLE", 6, 48.0, 0.0, 0.0, 0, date(2025, 6, 1), 132, 844.63),
]


@pytest.mark.parametrize(
    (
        "asset_id",
        "available_days",
        "available_hours",
        "used_hours",
        "utilisation",
        "active_days",
        "last_used",
        "days_idle",
        "net_book_value",
    ),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_asset_utilisation_by_hand(
    backend, asset_id, available_days, available_hours, used_hours, utilisation, active_days, last_used, days_idle, net_book_value
):
    row = _rows_by(asset_utilisation(backend, WINDOW).to_pyarrow(), "asset_id")[asset_id]
    assert row["available_days"] == available_days
    assert row["available_hours"] == pytest.approx(available_hours)
    assert row["used_hours"] == pytest.approx(used_hours)
    if utilisation is None:
        assert row["utilisation"] is None and row["active_day_rate"] is None
    else:
        assert row["utilisation"] == pytest.approx(utilisation)
        assert row["active_day_rate"] == pytest.approx(active_days / available_days)
    assert row["active_days"] == active_days
    assert row["last_used"] == last_used
    assert row["days_idle"] == days_idle
    assert row["net_book_value"] == pytest.approx(net_book_value, abs=0.01), NBV_NOTE


def test_every_asset_has_one_row_with_its_period_and_profile(backend):
    table = asset_utilisation(backend, WINDOW).to_pyarrow()
    assert table.column_names == list(ASSET_COLUMNS)
    assert table.num_rows == 14 and len(set(table["asset_id"].to_pylist())) == 14
    rows = _rows_by(table, "asset_id")
    assert (rows["LAP-MID"]["active_start"], rows["LAP-MID"]["active_end"]) == (date(2025, 10, 1), date(2025, 10, 12))
    assert (rows["DSK-DISP"]["active_start"], rows["DSK-DISP"]["active_end"]) == (date(2025, 9, 27), date(2025, 10, 9))
    assert rows["MON-IDLE"]["in_service_date"] == date(2024, 1, 1)
    assert rows["SRV-1"]["hours_per_day"] == 24.0 and rows["SRV-1"]["low_threshold"] == 0.10
    assert rows["PRJ-NEVER"]["low_threshold"] == 0.15
    assert rows["LAP-FULL"]["purchase_cost"] == Decimal("6000.00")
    assert rows["LAP-FULL"]["age_years"] == pytest.approx(731 / 365.25)
    assert [a for a, r in rows.items() if not r["in_service_on_as_of"]] == ["DSK-DISP", "LAP-FUTURE", "DSK-GONE"]


def test_profiles_and_country_are_parameters(backend):
    profiles = {p.category: p for p in DEFAULT_PROFILES if p.category in ("other", "server")}
    profiles["laptop"] = CategoryProfile("laptop", 4, "all", 0.5, 3, None, ())
    rows = _rows_by(asset_utilisation(backend, WINDOW, profiles=profiles).to_pyarrow(), "asset_id")
    assert rows["LAP-FULL"]["available_hours"] == 15 * 4.0 and rows["LAP-FULL"]["low_threshold"] == 0.5
    assert rows["PRJ-NEVER"]["hours_per_day"] == 8.0 and rows["PRJ-NEVER"]["low_threshold"] == 0.25  # "other"
    # United States: Mon-Fri 09-29..10-10, no holiday in between (Columbus Day is 10-13)
    us = _rows_by(asset_utilisation(backend, WINDOW, country="US").to_pyarrow(), "asset_id")
    assert us["LAP-FULL"]["available_days"] == 10 and us["SRV-1"]["available_days"] == 15


@pytest.mark.parametrize(
    ("asset_id", "idle_candidate"),
    [
        ("PRJ-NEVER", True),  # never used, in service 132 days >= 60
        ("MON-IDLE", True),  # last used 132 days ago >= 90
        ("CAM-OLDUSE", True),  # last used 2025-07-13: exactly 90 days
        ("CAM-EDGE", False),  # last used 2025-07-14: 89 days
        ("LAP-STANDBY", False),  # never used, but standby equipment
        ("DSK-GONE", False),  # disposed
        ("LAP-FUTURE", False),  # not yet in service
        ("LAP-FULL", False),
    ],
)
def test_idle_candidates(backend, asset_id, idle_candidate):
    row = _rows_by(asset_utilisation(backend, WINDOW).to_pyarrow(), "asset_id")[asset_id]
    assert row["idle_candidate"] is idle_candidate


def test_a_never_used_asset_in_service_less_than_60_days_is_not_idle(backend):
    short = Window(date(2025, 7, 20), window_days=30)  # PRJ-NEVER in service 49 days
    row = _rows_by(asset_utilisation(backend, short).to_pyarrow(), "asset_id")["PRJ-NEVER"]
    assert row["days_idle"] == 49 and row["idle_candidate"] is False


def test_default_as_of_is_the_latest_usage_date_not_the_clock(backend, db):
    assert default_as_of(db) == date(2025, 10, 12)  # LAP-OUT's row after the evaluation date above


def test_default_as_of_without_usage_is_none(db):
    assert default_as_of(db) is None


def test_roll_up_by_agency_adds_up(backend):
    per_asset = asset_utilisation(backend, WINDOW).to_pyarrow()
    by_agency = utilisation_by(backend, WINDOW, "agency").to_pyarrow()
    assert by_agency.column_names == ["agency_code", *ROLLUP_COLUMNS]
    rows = _rows_by(by_agency, "agency_code")
    assert sorted(rows) == ["A1", "A2", "A3"]
    assert sum(r["used_hours"] for r in rows.values()) == pytest.approx(pc.sum(per_asset["used_hours"]).as_py())
    assert sum(r["assets"] for r in rows.values()) == per_asset.num_rows
    a1 = rows["A1"]
    # used: 21 + 48 + 12 + 6 + 32 + 3; available: 8 laptops/desktops/projector/monitor at 48 h, 2 at 24 h, server 360 h
    assert a1["assets"] == 12 and a1["assets_with_usage"] == 6
    assert a1["used_hours"] == pytest.approx(122.0) and a1["available_hours"] == pytest.approx(744.0)
    assert a1["utilisation"] == pytest.approx(122 / 744)  # ratio of sums, not mean of ratios
    assert a1["idle_nbv"] == pytest.approx(4638.60 + 844.63, abs=0.01)  # PRJ-NEVER + MON-IDLE
    assert a1["purchase_cost"] == Decimal("107300.00")
    assert rows["A2"]["idle_nbv"] == pytest.approx(1933.88, abs=0.01) and rows["A3"]["idle_nbv"] == 0.0
    for code, row in rows.items():
        mine = [r for r in per_asset.to_pylist() if r["agency_code"] == code]
        assert row["net_book_value"] == pytest.approx(sum(r["net_book_value"] for r in mine))


def test_roll_up_by_category_has_the_median_of_asset_utilisations(backend):
    rows = _rows_by(utilisation_by(backend, WINDOW, "category").to_pyarrow(), "category")
    laptop = rows["laptop"]
    # FULL 0.4375, MID 0.5, CAP 0.6667, OUT 0, STANDBY 0, FUTURE empty (ignored)
    assert laptop["assets"] == 6 and laptop["median_utilisation"] == pytest.approx(0.4375)
    assert laptop["utilisation"] == pytest.approx((21 + 12 + 32) / (48 + 24 + 48 + 48 + 48))
    assert rows["camera"]["median_utilisation"] == 0.0
    assert rows["server"]["utilisation"] == pytest.approx(48 / 360)


def test_roll_up_by_supplier_and_po_line_joins_the_procurement_line(backend):
    suppliers = _rows_by(utilisation_by(backend, WINDOW, "supplier").to_pyarrow(), "supplier")
    assert set(suppliers) == {"Lenovo", "Inspur", "Canon", None}
    assert suppliers["Lenovo"]["assets"] == 3  # LAP-FULL, LAP-MID, LAP-CAP
    assert suppliers["Lenovo"]["utilisation"] == pytest.approx((21 + 12 + 32) / (48 + 24 + 48))
    assert suppliers["Canon"]["assets"] == 1  # CAM-OLDUSE (no line number: line 1); CAM-EDGE is of another agency
    assert suppliers[None]["assets"] == 9
    lines = utilisation_by(backend, WINDOW, "po_line").to_pyarrow().to_pylist()
    counts = {(r["agency_code"], r["ocid"], r["po_number"], r["line_no"]): r["assets"] for r in lines}
    assert counts == {
        ("A1", "", "PO-L1", 1): 2,
        ("A1", "", "PO-L1", 2): 1,
        ("A1", "", "PO-S1", 1): 1,
        ("A2", "", "PO-C1", 1): 1,
        (None, None, None, None): 9,
    }


def test_roll_up_by_fiscal_year_of_in_service_with_october_start(backend):
    rows = _rows_by(utilisation_by(backend, WINDOW, "fiscal_year", fiscal_year_start_month=10).to_pyarrow(), "fiscal_year")
    assets = {fy: r["assets"] for fy, r in rows.items()}
    # FY2024 = 2023-10-01..2024-09-30: LAP-FULL (2023-10-11), LAP-CAP, LAP-OUT (2024-09-02), MON-IDLE, LAP-STANDBY, 2 cameras
    assert assets == {2015: 1, 2020: 1, 2021: 1, 2022: 1, 2024: 7, 2025: 1, 2026: 2}
    assert rows[2026]["used_hours"] == pytest.approx(12.0)  # LAP-MID (2025-10-01) and LAP-FUTURE
    calendar_years = {r["fiscal_year"] for r in utilisation_by(backend, WINDOW, "fiscal_year").to_pyarrow().to_pylist()}
    assert calendar_years == {2015, 2020, 2021, 2022, 2023, 2024, 2025}


def test_roll_ups_of_one_cached_asset_table_match(backend):
    per_asset = asset_utilisation(backend, WINDOW).cache()
    try:
        for by in ("agency", "category", "supplier", "po_line", "fiscal_year"):
            direct = utilisation_by(backend, WINDOW, by).to_pyarrow()
            cached = utilisation_by(backend, WINDOW, by, per_asset=per_asset).to_pyarrow()
            assert direct.num_rows == cached.num_rows
            assert pc.sum(direct["used_hours"]).as_py() == pytest.approx(pc.sum(cached["used_hours"]).as_py())
    finally:
        per_asset.release()


@pytest.mark.parametrize(
    ("agency_code", "category", "assets_in_service", "assets_with_usage_in_horizon", "reports_usage"),
    [
        ("A1", "laptop", 5, 4, True),  # LAP-FUTURE not yet in service; LAP-OUT's 09-26 is in the horizon
        ("A1", "projector", 1, 0, False),  # laptops report, projectors do not (a 0-hour row is no usage)
        ("A1", "desktop", 1, 3, True),  # DSK-DISP and DSK-GONE are disposed, but their usage in the horizon counts
        ("A1", "monitor", 1, 0, False),  # used 2025-06-01 only, before the horizon
        ("A1", "server", 1, 1, True),
        ("A2", "camera", 1, 0, False),  # used 2025-07-13: the day before the horizon
        ("A3", "camera", 1, 1, True),  # used 2025-07-14: its first day
    ],
)
def test_telemetry_coverage(backend, agency_code, category, assets_in_service, assets_with_usage_in_horizon, reports_usage):
    rows = {(r["agency_code"], r["category"]): r for r in telemetry_coverage(backend, WINDOW).to_pyarrow().to_pylist()}
    assert len(rows) == 7
    row = rows[(agency_code, category)]
    assert row["assets_in_service"] == assets_in_service
    assert row["assets_with_usage_in_horizon"] == assets_with_usage_in_horizon
    assert row["reports_usage"] is reports_usage


@pytest.mark.parametrize("bad", [{"window_days": 0}, {"idle_days": -1}, {"window_days": 1.5}])
def test_window_refuses_bad_lengths(bad):
    with pytest.raises(ConfigError):
        Window(AS_OF, **bad)


def test_unknown_roll_up_and_bad_fiscal_month_are_refused(backend):
    with pytest.raises(ConfigError):
        utilisation_by(backend, WINDOW, "department")
    with pytest.raises(ConfigError):
        utilisation_by(backend, WINDOW, "fiscal_year", fiscal_year_start_month=13)


# -- the small demo tier ---------------------------------------------------------------------------


def test_demo_small_tier_utilisation(demo_small):
    database, truth = demo_small
    as_of = default_as_of(database)
    assert as_of.isoformat() == truth["as_of"]
    window = Window(as_of)
    assert window.start.isoformat() == truth["window_start"] and window.idle_start.isoformat() == truth["idle_horizon_start"]
    rows = _rows_by(asset_utilisation(ibis_backend(database), window).to_pyarrow(), "asset_id")
    assert len(rows) == truth["counts"]["assets"]
    for row in rows.values():
        if row["utilisation"] is not None:
            assert 0 <= row["utilisation"] <= 24 / row["hours_per_day"], row["asset_id"]
    low = [e["asset_id"] for e in truth["planted"] if e["rule"] == "LOW_UTILISATION"]
    controls = [e["asset_id"] for e in truth["clean_controls"] if e["asset_id"] is not None]
    assert low and controls
    for asset_id in low:
        assert rows[asset_id]["utilisation"] < rows[asset_id]["low_threshold"], asset_id
    for asset_id in controls:
        assert rows[asset_id]["utilisation"] > rows[asset_id]["low_threshold"], asset_id
