"""The flag catalogue of docs/rules.md: hand-made cases per rule (positive, negative, boundary), ids, ranking, the demo tier.

as_of is 2025-12-31 and the window the 365 days 2025-01-01..2025-12-31 (every test passes as_of).
Counted by hand: as_of − 60 days = 2025-11-01, as_of − 90 days = 2025-10-02; a 24 h/day server in
service all window has 8,760 available hours (threshold 0.10 → 876 h); one in service from
2025-11-02 has 60 available days, from 2025-11-03 59.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import assert_no_control_flagged

from tracker.engine.parameters import load_rule_parameters, set_setting
from tracker.engine.rules.catalogue import RULES
from tracker.engine.rules.model import ASSET_STATE_RULES, FLAG_COLUMNS
from tracker.engine.rules.run import compute_flags
from tracker.ingest.pipeline import ingest_file
from tracker.store.assignments import move_holding
from tracker.store.db import Database
from tracker.store.settings import setting_history
from tracker.text.errors import ConfigError

AS_OF = date(2025, 12, 31)
WELL_USED = "well"  # usage: 8 h every day of 2025 (24 h for servers)

PROCUREMENT_CSV = """\
po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date,delivery_date
PO-IP,1,A1,Lenovo,Laptop,laptop,4,6000,2024-09-25,
PO-IP,2,A1,Lenovo,Laptop,laptop,3,6000,2024-03-10,
PO-PRJ,1,A1,Epson,Projector,projector,2,4000,2024-03-10,
PO-UR,1,A1,Lenovo,Laptop,laptop,3,5000,2025-10-20,2025-11-01
PO-UR,2,A1,Lenovo,Laptop,laptop,3,5000,2025-10-20,2025-11-02
PO-UR,3,A1,Lenovo,Laptop,laptop,2,5000,2025-01-20,2025-02-01
PO-BD,1,A1,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD2,1,A2,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD3,1,A3,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD4,1,A4,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD5,1,A5,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD6,1,A6,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD7,1,A7,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD8,1,A8,Dell,Desktop,desktop,2,4000,2025-09-01,
PO-BD9,1,A9,Dell,Desktop,desktop,5,4000,2025-04-01,
PO-BD9,2,A9,Dell,Desktop,desktop,5,4000,2025-03-31,
PO-CAP,1,A1,Lenovo,Laptop,laptop,2,7000.01,2025-03-01,
PO-CAP,2,A1,Lenovo,Laptop,laptop,2,7000,2025-03-01,
PO-CAP,3,A1,Apple,Tablet,tablet,1,20000,2025-03-01,
PO-S1,1,S1,X,Goods,other,1,100000,2023-10-15,
PO-S1,2,S1,X,Goods,other,1,60000,2024-09-20,
PO-S2,1,S2,X,Goods,other,1,100000,2023-10-15,
PO-S2,2,S2,X,Goods,other,1,20000,2024-09-20,
PO-S3,1,S3,X,Goods,other,1,100000,2023-10-15,
PO-S3,2,S3,X,Goods,other,1,20100,2024-09-20,
PO-S4,1,S4,X,Goods,other,1,40000,2023-10-15,
PO-S4,2,S4,X,Goods,other,1,50000,2024-09-20,
PO-IP3,1,B1,Lenovo,Laptop,laptop,4,6000,2024-08-15,
PO-BD10,1,A10,Dell,Desktop,desktop,5,4000,2025-09-01,
PO-BD11,1,A11,Dell,Desktop,desktop,5,4000,2025-09-01,
"""

# asset_id, agency, category, po_number, line_no, cost, in_service_date, status, disposal_date, standby, usage
ASSETS = [
    ("LAP-USED", "A1", "laptop", "", "", 6000, "2024-01-01", "in_use", "", "false", WELL_USED),
    ("NEVER-60", "A1", "laptop", "", "", 6000, "2025-11-01", "in_use", "", "false", None),
    ("NEVER-59", "A1", "laptop", "", "", 6000, "2025-11-02", "in_use", "", "false", None),
    ("IDLE-90", "A1", "laptop", "", "", 6000, "2024-01-01", "in_use", "", "false", "2025-10-02"),
    ("IDLE-89", "A1", "laptop", "", "", 6000, "2024-01-01", "in_use", "", "false", "2025-10-03"),
    ("LAP-STANDBY", "A1", "laptop", "", "", 6000, "2024-01-01", "standby", "", "true", None),
    ("LAP-DISPOSED", "A1", "laptop", "", "", 6000, "2024-01-01", "disposed", "2025-06-01", "false", "2025-05-01"),
    ("PRJ-1", "A1", "projector", "PO-PRJ", 1, 4000, "2024-04-01", "in_use", "", "false", None),
    ("PRJ-2", "A1", "projector", "PO-PRJ", 1, 4000, "2024-04-01", "in_use", "", "false", None),
    ("SRV-875", "A1", "server", "", "", 50000, "2024-01-01", "in_use", "", "false", 875),
    ("SRV-877", "A1", "server", "", "", 50000, "2024-01-01", "in_use", "", "false", 877),
    ("SRV-60D", "A1", "server", "", "", 50000, "2025-11-02", "in_use", "", "false", 10),
    ("SRV-59D", "A1", "server", "", "", 50000, "2025-11-03", "in_use", "", "false", 10),
    ("IP1-A", "A1", "laptop", "PO-IP", 1, 6000, "2024-10-01", "in_use", "", "false", None),
    ("IP1-B", "A1", "laptop", "PO-IP", 1, 6000, "2024-10-01", "in_use", "", "false", None),
    ("IP1-C", "A1", "laptop", "PO-IP", 1, 6000, "2024-10-01", "in_use", "", "false", WELL_USED),
    ("IP1-D", "A1", "laptop", "PO-IP", 1, 6000, "2024-10-01", "in_use", "", "false", WELL_USED),
    ("IP2-A", "A1", "laptop", "PO-IP", 2, 6000, "2024-04-01", "in_use", "", "false", None),
    ("IP2-B", "A1", "laptop", "PO-IP", 2, 6000, "2024-04-01", "in_use", "", "false", WELL_USED),
    ("IP2-C", "A1", "laptop", "PO-IP", 2, 6000, "2024-04-01", "in_use", "", "false", WELL_USED),
    ("UR1-A", "A1", "laptop", "PO-UR", 1, 5000, "2025-11-01", "in_use", "", "false", WELL_USED),
    ("UR1-B", "A1", "laptop", "PO-UR", 1, 5000, "2025-11-01", "in_use", "", "false", WELL_USED),
    ("UR3-A", "A1", "laptop", "PO-UR", 3, 5000, "2025-02-01", "in_use", "", "false", WELL_USED),
    ("UR3-B", "A1", "laptop", "PO-UR", 3, 5000, "2025-02-01", "in_use", "", "false", WELL_USED),
    # idle stock on 2025-09-01 (look-back 2025-06-03..2025-08-31): A1 holds 3 unused desktops, A2 only 2
    ("DSK-1", "A1", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-2", "A1", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-3", "A1", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-4", "A1", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", WELL_USED),
    ("DSK-STANDBY", "A1", "desktop", "", "", 4000, "2025-01-01", "standby", "", "true", None),
    ("A2-DSK-1", "A2", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("A2-DSK-2", "A2", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("A2-DSK-3", "A2", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-03"),
    ("A2-DSK-4", "A2", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", WELL_USED),
    # the edges of BOUGHT_DESPITE_IDLE_STOCK, one agency each (DSK-1 and DSK-2 idle, DSK-4 well used, DSK-3 on the edge):
    # A3 used DSK-3 only on the order date itself (not part of the look-back), A4 on its last day 2025-08-31
    *[
        (f"{a}-DSK-{n}", a, "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02")
        for a in ("A3", "A4", "A5", "A6", "A7", "A8")
        for n in (1, 2)
    ],
    *[
        (f"{a}-DSK-4", a, "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", WELL_USED)
        for a in ("A3", "A4", "A5", "A6", "A7", "A8", "A9")
    ],
    ("A3-DSK-3", "A3", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", ("2025-06-02", "2025-09-01")),
    ("A4-DSK-3", "A4", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", ("2025-06-02", "2025-08-31")),
    # A5's DSK-3 went into service exactly 90 days before the order (counts), A6's 89 days before (does not)
    ("A5-DSK-3", "A5", "desktop", "", "", 4000, "2025-06-03", "in_use", "", "false", None),
    ("A6-DSK-3", "A6", "desktop", "", "", 4000, "2025-06-04", "in_use", "", "false", None),
    # A7's DSK-3 was disposed of on the order date (no longer held), A8's the day after (still held)
    ("A7-DSK-3", "A7", "desktop", "", "", 4000, "2025-01-01", "disposed", "2025-09-01", "false", "2025-06-02"),
    ("A8-DSK-3", "A8", "desktop", "", "", 4000, "2025-01-01", "disposed", "2025-09-02", "false", "2025-06-02"),
    # A9: three units never used since 2024; usage data starts 2025-01-01, so an order is judged from 2025-04-01 (+90 days)
    *[(f"A9-DSK-{n}", "A9", "desktop", "", "", 4000, "2024-06-01", "in_use", "", "false", None) for n in (1, 2, 3)],
    ("SRV-876", "A1", "server", "", "", 50000, "2024-01-01", "in_use", "", "false", 876),
    # a line whose flagged units meet each asset rule once: never used, idle, under-used (and one well used)
    ("IP3-A", "B1", "laptop", "PO-IP3", 1, 6000, "2024-09-01", "in_use", "", "false", None),
    ("IP3-B", "B1", "laptop", "PO-IP3", 1, 6000, "2024-09-01", "in_use", "", "false", "2025-06-02"),
    ("IP3-C", "B1", "laptop", "PO-IP3", 1, 6000, "2024-09-01", "in_use", "", "false", 100),
    ("IP3-D", "B1", "laptop", "PO-IP3", 1, 6000, "2024-09-01", "in_use", "", "false", WELL_USED),
    # usage hours at the edge of "used" in the look-back: A10's DSK-3 used half an hour (not idle), A11's has a 0-hour row (idle)
    *[
        (f"{a}-DSK-{n}", a, "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", "2025-06-02")
        for a in ("A10", "A11")
        for n in (1, 2)
    ],
    *[(f"{a}-DSK-4", a, "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", WELL_USED) for a in ("A10", "A11")],
    ("A10-DSK-3", "A10", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", ("2025-06-02", ("2025-07-01", 0.5))),
    ("A11-DSK-3", "A11", "desktop", "", "", 4000, "2025-01-01", "in_use", "", "false", ("2025-06-02", ("2025-07-01", 0))),
    # tablets without usage: A3 has one in service (NO_TELEMETRY), A2 only one disposed of in the window (nothing to judge)
    ("A3-TAB-1", "A3", "tablet", "", "", 3000, "2024-01-01", "in_use", "", "false", None),
    ("A2-TAB-GONE", "A2", "tablet", "", "", 3000, "2024-01-01", "disposed", "2025-03-01", "false", None),
]


def _usage_rows(asset_id: str, category: str, usage) -> list[str]:
    """Usage as the ASSETS table describes it: WELL_USED, a last-used date (well used until then), a tuple of the
    only days used (a day, or a (day, hours) pair), or total hours."""
    if usage is None:
        return []
    hours_per_day = 24 if category == "server" else 8
    if isinstance(usage, tuple):
        days = [day if isinstance(day, tuple) else (day, hours_per_day) for day in usage]
        return [f"{asset_id},{day},{hours},agent" for day, hours in days]
    if usage == WELL_USED or isinstance(usage, str):
        last = AS_OF if usage == WELL_USED else date.fromisoformat(usage)
        days = (last - date(2025, 1, 1)).days + 1
        return [f"{asset_id},{date(2025, 1, 1) + timedelta(days=i)},{hours_per_day},agent" for i in range(days)]
    rows, remaining, day = [], float(usage), AS_OF  # total hours, in 24 h days ending at as_of
    while remaining > 0:
        rows.append(f"{asset_id},{day},{min(24.0, remaining)},agent")
        remaining -= 24.0
        day -= timedelta(days=1)
    return rows


def _write_inputs(directory) -> dict[str, object]:
    directory.mkdir(parents=True, exist_ok=True)
    assets = ["asset_id,agency_code,category,po_number,line_no,purchase_cost,in_service_date,status,disposal_date,standby"]
    usage = ["asset_id,usage_date,hours_used,source"]
    for asset_id, agency, category, po, line, cost, in_service, status, disposal, standby, use in ASSETS:
        assets.append(f"{asset_id},{agency},{category},{po},{line},{cost},{in_service},{status},{disposal},{standby}")
        usage.extend(_usage_rows(asset_id, category, use))
    paths = {"procurement": directory / "procurement.csv", "assets": directory / "assets.csv", "usage": directory / "usage.csv"}
    paths["procurement"].write_text(PROCUREMENT_CSV, encoding="utf-8")
    paths["assets"].write_text("\n".join(assets) + "\n", encoding="utf-8")
    paths["usage"].write_text("\n".join(usage) + "\n", encoding="utf-8")
    return paths


def _three_files(directory, procurement: str, assets: list[str], usage: list[str]) -> dict[str, object]:
    """Procurement text, and asset and usage lines, written as the three files of an ingest."""
    paths = {"procurement": directory / "p.csv", "assets": directory / "a.csv", "usage": directory / "u.csv"}
    paths["procurement"].write_text(procurement, encoding="utf-8")
    paths["assets"].write_text("\n".join(assets) + "\n", encoding="utf-8")
    paths["usage"].write_text("\n".join(usage) + "\n", encoding="utf-8")
    return paths


def _ingest_all(database: Database, paths) -> None:
    for kind in ("procurement", "assets", "usage"):
        report = ingest_file(database, kind, paths[kind])
        assert report.committed and report.rows_rejected == 0, report.errors


@pytest.fixture
def inputs(tmp_path):
    return _write_inputs(tmp_path / "inputs")


@pytest.fixture
def loaded(db, inputs):
    _ingest_all(db, inputs)
    return db


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory):
    """The same data loaded once per module, for the tests that only read it."""
    folder = tmp_path_factory.mktemp("rules")
    database = Database.open(folder / "tracker.duckdb")
    _ingest_all(database, _write_inputs(folder / "inputs"))
    yield database
    database.close()


def _rule_flags(database, *rules: str, **kwargs) -> list[dict]:
    """The flags of only the rules a test judges, computed in the test (the data is loaded once per module): the
    mutation run attributes to a test only the code that runs during it, and a surviving mutant is run against
    only the tests of its rule."""
    return _flags(database, rules=list(rules), **kwargs)


def _flags(database, **kwargs) -> list[dict]:
    return compute_flags(database, as_of=AS_OF, **kwargs).to_pylist()


def _subjects(rows, rule: str) -> dict:
    found = {}
    for row in rows:
        if row["rule"] != rule:
            continue
        if row["subject"] == "asset":
            key = row["asset_id"]
        elif row["subject"] == "po_line":
            key = (row["agency_code"], row["po_number"], row["line_no"])
        elif row["subject"] == "agency_category":
            key = (row["agency_code"], row["category"])
        else:
            key = (row["agency_code"], row["fiscal_year"])
        found[key] = row
    return found


# -- the catalogue as data ---------------------------------------------------------------------


def test_catalogue_order_and_defaults_follow_design():
    assert [r.code for r in RULES] == [
        "NEVER_USED",
        "IDLE",
        "LOW_UTILISATION",
        "NO_TELEMETRY",
        "IDLE_PURCHASE",
        "UNREGISTERED_UNITS",
        "BOUGHT_DESPITE_IDLE_STOCK",
        "YEAR_END_SURGE",
        "OVER_PRICE_CAP",
        "AVOIDABLE_PURCHASE",
        "EARLY_REPLACEMENT",
    ]
    defaults = {r.code: r.defaults() for r in RULES}
    assert defaults["NEVER_USED"] == {"grace_days": 60}
    assert defaults["IDLE"] == {"idle_days": 90}
    assert defaults["LOW_UTILISATION"] == {"min_available_days": 60}
    assert defaults["IDLE_PURCHASE"] == {"min_share": 0.5}
    assert defaults["UNREGISTERED_UNITS"] == {"grace_days": 60}
    assert defaults["BOUGHT_DESPITE_IDLE_STOCK"] == {"min_idle_assets": 3, "in_service_days": 90, "lookback_days": 90}
    assert defaults["YEAR_END_SURGE"] == {"min_ratio": 2.0, "min_year_spend": 100_000}
    assert defaults["AVOIDABLE_PURCHASE"] == {"min_units": 1, "in_service_days": 90, "lookback_days": 90}
    assert defaults["EARLY_REPLACEMENT"] == {"lookback_days": 365}
    for rule in RULES:
        assert rule.severity in ("high", "medium", "low", "info")
        assert rule.subject in ("asset", "po_line", "agency_category", "agency_fiscal_year")
        assert rule.title_en and rule.title_zh and rule.rationale_en and rule.rationale_zh
        for p in rule.parameters:
            assert p.unit and p.description_en and p.description_zh


# -- asset rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asset_id, rule",
    [
        ("NEVER-60", "NEVER_USED"),  # in service exactly 60 days, never used
        ("NEVER-59", None),  # 59 days: still in its grace
        ("IDLE-90", "IDLE"),  # last used 90 days before as_of
        ("IDLE-89", None),  # 89 days
        ("LAP-USED", None),
        ("LAP-STANDBY", None),  # standby: exempt though never used
        ("LAP-DISPOSED", None),  # disposed: exempt though unused since
        ("PRJ-1", None),  # the agency reports no projector usage: NO_TELEMETRY instead
        ("SRV-875", "LOW_UTILISATION"),  # 875 / 8,760 h = 0.0999 < 0.10
        ("SRV-876", None),  # 876 / 8,760 h = exactly the 0.10 threshold: not below it
        ("SRV-877", None),  # 877 / 8,760 h = 0.1001
        ("SRV-60D", "LOW_UTILISATION"),  # 60 available days, 10 h of 1,440
        ("SRV-59D", None),  # 59 available days: too few to judge
        ("IP1-A", "NEVER_USED"),
    ],
)
def test_asset_rules(loaded_once, asset_id, rule):
    rows = [r for r in _rule_flags(loaded_once, *ASSET_STATE_RULES) if r["asset_id"] == asset_id]
    assert [r["rule"] for r in rows] == ([rule] if rule else [])


def test_asset_flag_values_and_evidence(loaded_once):
    rows = _rule_flags(loaded_once, *ASSET_STATE_RULES)
    idle = _subjects(rows, "IDLE")["IDLE-90"]
    assert idle["days_idle"] == 90 and idle["severity"] == "high"
    assert "IDLE-90" in idle["evidence"] and "90 days since 2025-10-02" in idle["evidence"]
    assert "自 2025-10-02 起已 90 天未使用" in idle["evidence_zh"] and "笔记本电脑" in idle["evidence_zh"]
    bought = _subjects(rows, "NEVER_USED")["IP1-A"]  # an asset's finding names the purchase line it came from
    assert (bought["agency_code"], bought["po_number"], bought["line_no"], bought["category"]) == ("A1", "PO-IP", 1, "laptop")
    never = _subjects(rows, "NEVER_USED")["NEVER-60"]
    assert never["value_at_stake"] == pytest.approx(6000 * (1 - 60 / 365.25 / 6), abs=0.01)
    low = _subjects(rows, "LOW_UTILISATION")["SRV-875"]
    assert low["utilisation"] == pytest.approx(875 / 8760, abs=1e-6)
    nbv = 50000 * (1 - (AS_OF - date(2024, 1, 1)).days / 365.25 / 6)
    assert low["value_at_stake"] == pytest.approx(nbv * (1 - (875 / 8760) / 0.10), abs=0.01)
    assert "875.0 of 8,760.0 available hours" in low["evidence"]


def test_no_telemetry_pairs(loaded_once):
    pairs = _subjects(_rule_flags(loaded_once, "NO_TELEMETRY"), "NO_TELEMETRY")
    # A3's one tablet in service is enough to name the gap; A2's tablet was disposed of in the window: none in service
    assert set(pairs) == {("A1", "projector"), ("A3", "tablet")}
    flag = pairs[("A1", "projector")]
    assert flag["severity"] == "info" and flag["value_at_stake"] is None and flag["asset_id"] is None
    assert flag["evidence"].startswith("Projector: agency A1 has 2 assets in service") and "2 台投影仪" in flag["evidence_zh"]


# -- purchase-line rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, line, expected_value",
    [
        ("IDLE_PURCHASE", ("A1", "PO-IP", 1), 12000.0),  # 2 of 4 registered units never used: 50 %
        ("IDLE_PURCHASE", ("A1", "PO-IP", 2), None),  # 1 of 3: 33 %
        ("IDLE_PURCHASE", ("A1", "PO-PRJ", 1), None),  # both units unused, but no projector telemetry
        ("IDLE_PURCHASE", ("B1", "PO-IP3", 1), 18000.0),  # 3 of 4: one never used, one idle, one under-used
        ("UNREGISTERED_UNITS", ("A1", "PO-UR", 1), 5000.0),  # 2 of 3 registered, delivered 60 days ago
        ("UNREGISTERED_UNITS", ("A1", "PO-UR", 2), None),  # none registered, but delivered 59 days ago
        ("UNREGISTERED_UNITS", ("A1", "PO-UR", 3), None),  # fully registered
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A1", "PO-BD", 1), 12000.0),  # 3 idle desktops: 3 × 4,000, under the 20,000 total
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A2", "PO-BD2", 1), None),  # one was used on the first look-back day: 2 idle
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A3", "PO-BD3", 1), 12000.0),  # DSK-3 used on the order date only: still idle
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A4", "PO-BD4", 1), None),  # DSK-3 used the day before the order: 2 idle
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A5", "PO-BD5", 1), 12000.0),  # DSK-3 in service exactly 90 days: counts
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A6", "PO-BD6", 1), None),  # 89 days: does not count
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A7", "PO-BD7", 1), None),  # DSK-3 disposed of on the order date
        (
            "BOUGHT_DESPITE_IDLE_STOCK",
            ("A8", "PO-BD8", 1),
            8000.0,
        ),  # disposed the day after: held; the 8,000 total caps 3 × 4,000
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A9", "PO-BD9", 1), 12000.0),  # ordered 90 days after the usage data starts
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A9", "PO-BD9", 2), None),  # 89 days: the look-back is not all in the data
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A10", "PO-BD10", 1), None),  # DSK-3 used half an hour in the look-back: 2 idle
        ("BOUGHT_DESPITE_IDLE_STOCK", ("A11", "PO-BD11", 1), 12000.0),  # DSK-3's 0-hour row is no use: 3 idle
        ("UNREGISTERED_UNITS", ("A1", "PO-CAP", 1), 14000.02),  # none registered at all: both units missing
        ("OVER_PRICE_CAP", ("A1", "PO-CAP", 1), 0.02),  # 7,000.01 > 7,000, 2 units
        ("OVER_PRICE_CAP", ("A1", "PO-CAP", 2), None),  # at the cap
        ("OVER_PRICE_CAP", ("A1", "PO-CAP", 3), None),  # tablets have no cap
    ],
)
def test_line_rules(loaded_once, rule, line, expected_value):
    found = _subjects(_rule_flags(loaded_once, rule), rule)
    if expected_value is None:
        assert line not in found
    else:
        assert found[line]["value_at_stake"] == pytest.approx(expected_value)
        assert found[line]["asset_id"] is None and found[line]["category"]


@pytest.mark.parametrize(
    "rule, subject, evidence",
    [
        (
            "NEVER_USED",
            "NEVER-60",
            "Laptop NEVER-60 has no usage since it entered service on 2025-11-01, 60 days ago (grace period 60 days); "
            "net book value ¥5,835.73.",
        ),
        (
            "IDLE",
            "IDLE-90",
            "Laptop IDLE-90 has not been used in the 90 days since 2025-10-02 (threshold 90 days); net book value ¥4,001.37.",
        ),
        (
            "LOW_UTILISATION",
            "SRV-60D",  # in service 2025-11-02: 60 days × 24 h, 59 days of depreciation on 50,000 over six years
            "Server SRV-60D was used 10.0 of 1,440.0 available hours over 60 available days: utilisation 0.7 %, "
            "below the threshold of 10.0 %; value at stake ¥45,275.15 of net book value ¥48,653.89.",
        ),
        (
            "NO_TELEMETRY",
            ("A3", "tablet"),
            "Tablet: agency A3 has 1 asset in service, none with usage reported from 2025-10-03 to 2025-12-31; "
            "idleness cannot be judged there.",
        ),
        (
            "IDLE_PURCHASE",
            ("B1", "PO-IP3", 1),
            "3 of the 4 registered units of line PO-IP3/1 (Laptop, ordered 2024-08-15) are never used (1), idle (1) or "
            "under-used (1): 75.0 % (threshold 50.0 %); their cost ¥18,000.00.",
        ),
        (
            "UNREGISTERED_UNITS",
            ("A1", "PO-UR", 1),
            "Line PO-UR/1 (Laptop) bought 3 units, received 2025-11-01, of which 2 are registered: "
            "1 missing × ¥5,000.00 = ¥5,000.00.",
        ),
        (
            "BOUGHT_DESPITE_IDLE_STOCK",
            ("A8", "PO-BD8", 1),
            "On 2025-09-01 agency A8 ordered 2 units of Desktop (line PO-BD8/1) while 3 units in service at least 90 days "
            "had no usage since 2025-06-03 (A8-DSK-1, A8-DSK-2, A8-DSK-3; the rule needs 3); value at stake ¥8,000.00.",
        ),
        (
            "OVER_PRICE_CAP",
            ("A1", "PO-CAP", 1),
            "Line PO-CAP/1 (Laptop): unit price ¥7,000.01 is above the cap of ¥7,000.00 (财资〔2016〕27号); "
            "2 units → ¥0.02 over the cap.",
        ),
    ],
    ids=[
        "NEVER_USED",
        "IDLE",
        "LOW_UTILISATION",
        "NO_TELEMETRY",
        "IDLE_PURCHASE",
        "UNREGISTERED_UNITS",
        "BOUGHT_DESPITE_IDLE_STOCK",
        "OVER_PRICE_CAP",
    ],
)
def test_evidence_quotes_the_numbers_behind_each_finding(loaded_once, rule, subject, evidence):
    assert _subjects(_rule_flags(loaded_once, rule), rule)[subject]["evidence"] == evidence


def test_bought_despite_idle_stock_names_the_idle_units(loaded_once):
    flag = _subjects(_rule_flags(loaded_once, "BOUGHT_DESPITE_IDLE_STOCK"), "BOUGHT_DESPITE_IDLE_STOCK")[("A1", "PO-BD", 1)]
    assert "DSK-1, DSK-2, DSK-3" in flag["evidence"] and "DSK-4" not in flag["evidence"]
    assert "DSK-STANDBY" not in flag["evidence"] and "2025-06-03" in flag["evidence"]


def test_bought_despite_idle_stock_threshold_is_a_parameter(loaded_once):
    found = _subjects(
        _rule_flags(loaded_once, "BOUGHT_DESPITE_IDLE_STOCK", parameters={"BOUGHT_DESPITE_IDLE_STOCK": {"min_idle_assets": 2}}),
        "BOUGHT_DESPITE_IDLE_STOCK",
    )
    assert ("A2", "PO-BD2", 1) in found


# -- year-end surge with a fiscal year starting in October -------------------------------------


@pytest.mark.parametrize(
    "agency, surge",
    [
        ("S1", True),  # September 60,000 of 160,000: 4.5× the monthly average
        ("S2", False),  # 20,000 of 120,000: exactly 2.0×, the rule needs more
        ("S3", True),  # 20,100 of 120,100: 2.008×
        ("S4", False),  # 50,000 of 90,000: high ratio, below the 100,000 minimum
    ],
)
def test_year_end_surge_october_fiscal_year(loaded, agency, surge):
    set_setting(loaded, "fiscal_year_start_month", "10", "test")
    found = _subjects(_rule_flags(loaded, "YEAR_END_SURGE"), "YEAR_END_SURGE")
    assert ((agency, 2024) in found) is surge
    if agency == "S1":
        assert found[("S1", 2024)]["value_at_stake"] == pytest.approx(60000 - 160000 / 12, abs=0.01)
        assert found[("S1", 2024)]["evidence"] == (
            "Agency S1 spent ¥60,000.00 in the last month of fiscal year 2024: 4.50× the monthly average of ¥13,333.33 "
            "(year spend ¥160,000.00; threshold 2.00×, minimum year spend ¥100,000.00); ¥46,666.67 above the average."
        )


def test_year_end_surge_follows_the_fiscal_year_setting(loaded):
    # calendar fiscal years split S1's spend over 2023 and 2024: no year reaches the minimum
    assert not [k for k in _subjects(_rule_flags(loaded, "YEAR_END_SURGE"), "YEAR_END_SURGE") if k[0] == "S1"]


def test_idle_purchase_inside_a_surge_ranks_first(loaded):
    set_setting(loaded, "fiscal_year_start_month", "10", "test")
    rows = _flags(loaded, parameters={"YEAR_END_SURGE": {"min_year_spend": 0}})
    assert (rows[0]["rule"], rows[0]["po_number"], rows[0]["line_no"]) == ("IDLE_PURCHASE", "PO-IP", 1)
    assert rows[0]["year_end_idle_purchase"] and not any(r["year_end_idle_purchase"] for r in rows[1:])
    rest = [r["value_at_stake"] or 0.0 for r in rows[1:]]
    assert rest == sorted(rest, reverse=True) and rest[0] > rows[0]["value_at_stake"]


# -- output shape, ids, options ----------------------------------------------------------------


def test_columns_and_window(loaded_once):
    table = compute_flags(loaded_once, as_of=AS_OF)
    assert tuple(table.column_names) == FLAG_COLUMNS
    assert set(table.column("window_start").to_pylist()) == {date(2025, 1, 1)}
    assert len(set(table.column("flag_id").to_pylist())) == table.num_rows


def test_flag_ids_survive_recomputation_and_reupload(loaded, inputs, tmp_path):
    first = {r["flag_id"]: r["rule"] for r in _flags(loaded)}
    assert {r["flag_id"]: r["rule"] for r in _flags(loaded)} == first
    for kind in ("procurement", "assets", "usage"):
        assert ingest_file(loaded, kind, inputs[kind]).status == "unchanged"  # the same files again change nothing
    assert {r["flag_id"]: r["rule"] for r in _flags(loaded)} == first
    other = Database.open(tmp_path / "other.duckdb")
    try:
        _ingest_all(other, _write_inputs(tmp_path / "copy"))
        assert {r["flag_id"]: r["rule"] for r in _flags(other)} == first
    finally:
        other.close()
    shorter = {r["flag_id"] for r in _flags(loaded, window_days=364)}
    assert not shorter & set(first)


def test_rule_and_agency_filters(loaded_once):
    rows = _flags(loaded_once, rules=["OVER_PRICE_CAP", "IDLE"])
    assert {r["rule"] for r in rows} == {"OVER_PRICE_CAP", "IDLE"}
    assert {r["agency_code"] for r in _flags(loaded_once, agency="A2")} == {"A2"}


def test_bad_rule_and_parameter_are_refused(loaded_once):
    with pytest.raises(ConfigError):
        compute_flags(loaded_once, as_of=AS_OF, rules=["NOPE"])
    with pytest.raises(ConfigError):
        compute_flags(loaded_once, as_of=AS_OF, parameters={"IDLE": {"idle_weeks": 3}})


def test_idle_days_parameter_moves_the_edge(loaded_once):
    assert "IDLE-89" in _subjects(_rule_flags(loaded_once, "IDLE", parameters={"IDLE": {"idle_days": 89}}), "IDLE")


def test_stored_rule_parameters_apply_and_are_recorded(loaded):
    assert "IDLE-89" not in _subjects(_rule_flags(loaded, "IDLE"), "IDLE")
    set_setting(loaded, "rule.IDLE.idle_days", "89", "alice")
    assert load_rule_parameters(loaded) == {"IDLE": {"idle_days": 89}}
    assert "IDLE-89" in _subjects(_rule_flags(loaded, "IDLE"), "IDLE")
    # an argument still overrides what is stored
    assert "IDLE-89" not in _subjects(_rule_flags(loaded, "IDLE", parameters={"IDLE": {"idle_days": 90}}), "IDLE")
    set_setting(loaded, "rule.IDLE.idle_days", "89", "bob")  # unchanged: nothing recorded
    history = setting_history(loaded, "rule.IDLE.idle_days")
    assert [(h["old_value"], h["new_value"], h["changed_by"]) for h in history] == [("90", "89", "alice")]


@pytest.mark.parametrize(
    "name, value",
    [
        ("rule.IDLE.idle_days", "-1"),
        ("rule.IDLE.idle_days", "12.5"),
        ("rule.IDLE.idle_days", "ninety"),
        ("rule.IDLE.idle_weeks", "3"),
        ("rule.NOPE.idle_days", "3"),
        ("fiscal_year_start_month", "13"),
    ],
)
def test_bad_stored_parameters_are_refused_and_nothing_is_written(loaded, name, value):
    with pytest.raises(ConfigError) as refused:
        set_setting(loaded, name, value, "alice")
    assert name.split(".")[-1] in refused.value.text("en") or name.split(".")[1] in refused.value.text("en")
    assert loaded.scalar("SELECT count(*) FROM settings") == 0
    assert setting_history(loaded) == []


def test_fractional_parameter_is_stored_as_a_number(loaded):
    set_setting(loaded, "rule.IDLE_PURCHASE.min_share", "0.75", "alice")
    assert load_rule_parameters(loaded) == {"IDLE_PURCHASE": {"min_share": 0.75}}


# -- acceptance on the small demo tier ---------------------------------------------------------


def _truth_key(rule: str, entry: dict) -> tuple:
    if rule in ASSET_STATE_RULES:
        return (rule, entry["asset_id"])
    if rule == "NO_TELEMETRY":
        return (rule, entry["agency_code"], entry["category"])
    if rule == "YEAR_END_SURGE":
        return (rule, entry["agency_code"], entry["fiscal_year"])
    return (rule, entry["agency_code"], entry["po_number"], entry["line_no"])


def test_demo_small_every_planted_case_is_flagged_and_no_control(demo_small):
    database, truth = demo_small
    rows = compute_flags(database).to_pylist()  # as_of defaults to the latest usage date
    assert {r["as_of"].isoformat() for r in rows} == {truth["as_of"]}
    flagged = {_truth_key(r["rule"], r) for r in rows}
    planted = {_truth_key(e["rule"], e) for e in truth["planted"]}
    assert sorted(planted - flagged, key=str) == []
    assert_no_control_flagged(
        truth,
        assets={r["asset_id"] for r in rows if r["asset_id"]},
        lines={(r["agency_code"], r["po_number"], r["line_no"]) for r in rows if r["po_number"]},
        years={(r["agency_code"], r["fiscal_year"]) for r in rows if r["rule"] == "YEAR_END_SURGE"},
    )
    # nothing beyond the planted cases either
    assert sorted(flagged - planted, key=str) == []


def test_idle_purchase_needs_at_least_one_flagged_unit(loaded_once):
    found = _subjects(_rule_flags(loaded_once, "IDLE_PURCHASE", parameters={"IDLE_PURCHASE": {"min_share": 0}}), "IDLE_PURCHASE")
    assert ("A1", "PO-IP", 2) in found  # 1 of 3 units is enough when no share is required
    assert ("A1", "PO-UR", 1) not in found and ("A1", "PO-UR", 3) not in found  # none flagged: never a finding


def test_idle_purchase_counts_the_units_the_agency_holds_on_the_as_of_date(loaded):
    """A unit handed to another agency after the as-of date (a transfer effective 2026-01-10) is still its buyer's
    on 2025-12-31: line PO-IP/1 keeps its 4 registered units, 2 never used, and stays a finding."""
    with loaded.transaction():
        move_holding(loaded, "IP1-A", "A2", date(2026, 1, 10), transfer_id=1)
    found = _subjects(_rule_flags(loaded, "IDLE_PURCHASE"), "IDLE_PURCHASE")
    assert found[("A1", "PO-IP", 1)]["value_at_stake"] == pytest.approx(12000.0)
    assert "2 of the 4 registered units" in found[("A1", "PO-IP", 1)]["evidence"]


def test_an_asset_finding_on_powered_on_time_says_so_and_names_its_ocds_process(tmp_path):
    """A desktop known only from its System event log (3 h powered on) is judged on that upper bound of its use,
    and the finding carries the OCDS process the register names for it."""
    (tmp_path / "a.csv").write_text(
        "asset_id,agency_code,category,purchase_cost,in_service_date,ocid\n"
        "P-1,A001,desktop,6000,2024-01-01,ocds-213czf-000-00001\n"
        "U-1,A001,desktop,6000,2024-01-01,\n",
        encoding="utf-8",
    )
    usage = "".join(f"U-1,2025-{m:02d}-{d:02d},8,usage,agent\n" for m in range(1, 7) for d in range(1, 29))
    (tmp_path / "u.csv").write_text(
        "asset_id,usage_date,hours_used,evidence,source\nP-1,2025-06-02,3,powered_on,windows-system-log\n" + usage,
        encoding="utf-8",
    )
    with Database.open(tmp_path / "t.duckdb") as database:
        for kind, name in (("assets", "a.csv"), ("usage", "u.csv")):
            assert ingest_file(database, kind, tmp_path / name).committed
        rows = compute_flags(database, as_of=date(2025, 6, 30), rules=list(ASSET_STATE_RULES)).to_pylist()
    assert [(r["rule"], r["asset_id"], r["ocid"]) for r in rows] == [("LOW_UTILISATION", "P-1", "ocds-213czf-000-00001")]
    assert rows[0]["evidence"].endswith(
        "It was powered on 3.0 h in the window according to its System event log (an upper bound of its use)."
    )
    assert "was used — of 1,984.0 available hours" in rows[0]["evidence"]  # its hours of use are unknown, not 0


def test_idle_stock_is_judged_only_where_the_agency_reports_usage_of_the_category(tmp_path):
    """Z1 holds three desktops without a single usage row, and no desktop of Z1 reports usage: its unused stock
    cannot be told from missing telemetry, so its order is not judged. Z2 reports its desktops: the same stock
    there is idle, and its order is a finding."""
    assets = ["asset_id,agency_code,category,purchase_cost,in_service_date"]
    usage = ["asset_id,usage_date,hours_used"]
    for agency in ("Z1", "Z2"):
        assets.extend(f"{agency}-{n},{agency},desktop,4000,2025-01-01" for n in (1, 2, 3))
    assets.append("Z2-4,Z2,desktop,4000,2025-01-01")  # Z2's one desktop in use, every day of 2025
    usage.extend(f"Z2-4,{date(2025, 1, 1) + timedelta(days=i)},8" for i in range(365))
    procurement = (
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-Z1,1,Z1,Desktop,desktop,1,4000,2025-09-01\n"
        "PO-Z2,1,Z2,Desktop,desktop,1,4000,2025-09-01\n"
    )
    paths = _three_files(tmp_path, procurement, assets, usage)
    with Database.open(tmp_path / "z.duckdb") as database:
        _ingest_all(database, paths)
        found = _subjects(_flags(database, rules=["BOUGHT_DESPITE_IDLE_STOCK"]), "BOUGHT_DESPITE_IDLE_STOCK")
        assert set(found) == {("Z2", "PO-Z2", 1)}
        # a register row stored without an in-service date (a lake written elsewhere, or a row kept from before
        # in-service dates were filled at ingest) is in service from its purchase date: still stock
        database.execute("UPDATE assets SET in_service_date = NULL, purchase_date = DATE '2025-01-01' WHERE agency_code = 'Z2'")
        assert set(_subjects(_flags(database, rules=["BOUGHT_DESPITE_IDLE_STOCK"]), "BOUGHT_DESPITE_IDLE_STOCK")) == {
            ("Z2", "PO-Z2", 1)
        }


def test_year_end_surge_edges_of_spend_and_of_the_fiscal_year(loaded):
    set_setting(loaded, "fiscal_year_start_month", "10", "test")
    # S3 spent 120,100 in fiscal year 2024: judged at a minimum of exactly that, not one more
    assert ("S3", 2024) in _subjects(_flags(loaded, parameters={"YEAR_END_SURGE": {"min_year_spend": 120_100}}), "YEAR_END_SURGE")
    assert ("S3", 2024) not in _subjects(
        _flags(loaded, parameters={"YEAR_END_SURGE": {"min_year_spend": 120_101}}), "YEAR_END_SURGE"
    )
    # fiscal year 2024 ends on 2024-09-30: complete (judged) on that day, not the day before
    on_last_day = compute_flags(loaded, as_of=date(2024, 9, 30), rules=["YEAR_END_SURGE"]).to_pylist()
    assert ("S1", 2024) in _subjects(on_last_day, "YEAR_END_SURGE")
    day_before = compute_flags(loaded, as_of=date(2024, 9, 29), rules=["YEAR_END_SURGE"]).to_pylist()
    assert not [k for k in _subjects(day_before, "YEAR_END_SURGE") if k[1] == 2024]
    # and still judged the next day, the first of fiscal year 2025 (the last complete year is the one just ended)
    day_after = compute_flags(loaded, as_of=date(2024, 10, 1), rules=["YEAR_END_SURGE"]).to_pylist()
    assert ("S1", 2024) in _subjects(day_after, "YEAR_END_SURGE")


def test_a_price_cap_in_yuan_judges_only_lines_priced_in_yuan(tmp_path):
    """The caps are yuan: a line in another currency is not held to them (no exchange rate is assumed)."""
    csv = tmp_path / "procurement.csv"
    csv.write_text(
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,currency,order_date\n"
        "PO-Y,1,A1,Laptop,laptop,1,7000.01,CNY,2025-03-01\n"
        "PO-G,1,A1,Laptop,laptop,1,3500000,PYG,2025-03-01\n",
        encoding="utf-8",
    )
    with Database.open(tmp_path / "cap.duckdb") as db:
        assert ingest_file(db, "procurement", csv).committed
        flags = compute_flags(db, as_of=date(2025, 6, 30), rules=["OVER_PRICE_CAP"]).to_pylist()
    assert [(f["po_number"], f["value_at_stake"]) for f in flags] == [("PO-Y", pytest.approx(0.01))]


def test_idle_stock_moves_with_a_transfer_on_the_order_date(tmp_path):
    """A device handed from T1 to T2 on 2025-09-01 is T2's stock on that day's order, and no longer T1's.

    T2-5 is marked disposed without a disposal date: never stock, though unused since February."""
    assets = ["asset_id,agency_code,category,purchase_cost,in_service_date,status", "T2-5,T2,desktop,4000,2025-01-01,disposed"]
    usage = ["asset_id,usage_date,hours_used"]
    for agency, units in (("T1", (1, 2, 3)), ("T2", (1, 2))):
        for n in (*units, 4):  # 1-3 last used 2025-02-01, 4 every day (the agency reports usage)
            assets.append(f"{agency}-{n},{agency},desktop,4000,2025-01-01,in_use")
            last = AS_OF if n == 4 else date(2025, 2, 1)
            usage.extend(
                f"{agency}-{n},{date(2025, 1, 1) + timedelta(days=i)},8" for i in range((last - date(2025, 1, 1)).days + 1)
            )
    procurement = (
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-T1,1,T1,Desktop,desktop,1,4000,2025-09-01\n"
        "PO-T1,2,T1,Desktop,desktop,1,4000,2025-08-31\n"
        "PO-T2,1,T2,Desktop,desktop,1,4000,2025-09-01\n"
        "PO-T2,2,T2,Desktop,desktop,1,4000,2025-08-31\n"  # the day before T1-3 arrives: T2 holds two idle
    )
    paths = _three_files(tmp_path, procurement, assets, usage)
    with Database.open(tmp_path / "t.duckdb") as database:
        _ingest_all(database, paths)
        database.execute("DELETE FROM asset_assignments")  # as stored before holdings were kept: the register's agency
        before = _subjects(_flags(database, rules=["BOUGHT_DESPITE_IDLE_STOCK"]), "BOUGHT_DESPITE_IDLE_STOCK")
        assert set(before) == {("T1", "PO-T1", 1), ("T1", "PO-T1", 2)}
        with database.transaction():
            move_holding(database, "T1-3", "T2", date(2025, 9, 1), transfer_id=1)
        found = _subjects(_flags(database, rules=["BOUGHT_DESPITE_IDLE_STOCK"]), "BOUGHT_DESPITE_IDLE_STOCK")
    # T1 held three the day before, two on the day; T2's order of the day before counts only its own two
    assert set(found) == {("T1", "PO-T1", 2), ("T2", "PO-T2", 1)}
    assert "(T1-3, T2-1, T2-2;" in found[("T2", "PO-T2", 1)]["evidence"]
    assert "(T1-1, T1-2, T1-3;" in found[("T1", "PO-T1", 2)]["evidence"]
    # a device with a counter reading is judged by its counter, not by missing usage rows: T1-1 is not idle stock
    with Database.open(tmp_path / "t.duckdb") as database:
        database.execute(
            "INSERT INTO meter_readings (asset_id, meter, read_at, value, upload_id) "
            "VALUES ('T1-1', 'pages_total', TIMESTAMP '2025-12-01 09:00:00', 10, 0)"
        )
        metered = _subjects(_flags(database, rules=["BOUGHT_DESPITE_IDLE_STOCK"]), "BOUGHT_DESPITE_IDLE_STOCK")
    assert set(metered) == {("T2", "PO-T2", 1)}


def test_year_end_surge_of_a_tiny_or_empty_year(tmp_path):
    """At the loosest parameters (ratio above 1, any spend) a year without last-month spend, or without any spend,
    is no surge; a year spent wholly in its last month is, whatever its size."""
    csv = tmp_path / "procurement.csv"
    csv.write_text(
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-Z1,1,Z1,Goods,other,1,10,2024-03-01\n"
        "PO-Z0,1,Z0,Goods,other,1,0,2024-03-01\n"
        "PO-Z12,1,Z12,Goods,other,1,12,2024-12-01\n",
        encoding="utf-8",
    )
    loosest = {"YEAR_END_SURGE": {"min_ratio": 1, "min_year_spend": 0}}
    with Database.open(tmp_path / "surge.duckdb") as database:
        assert ingest_file(database, "procurement", csv).committed
        found = _subjects(
            compute_flags(database, as_of=date(2025, 6, 30), rules=["YEAR_END_SURGE"], parameters=loosest).to_pylist(),
            "YEAR_END_SURGE",
        )
    assert set(found) == {("Z12", 2024)}
    assert found[("Z12", 2024)]["value_at_stake"] == pytest.approx(11.0)  # 12 spent, 1 a month on average


def test_idle_stock_is_not_judged_without_any_usage_rows(tmp_path):
    """Counter readings alone (no usage file) report the agency's printers, but no look-back of usage rows lies in the data."""
    files = {
        "assets": "asset_id,agency_code,category,purchase_cost,in_service_date\n"
        + "".join(f"M-{n},M1,printer,2600,2024-01-01\n" for n in (1, 2, 3, 4)),
        "meters": "asset_id,read_at,meter,value\nM-4,2025-06-01,pages_total,100\nM-4,2025-12-01,pages_total,900\n",
        "procurement": "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-M,1,M1,Printer,printer,1,2600,2025-09-01\n",
    }
    with Database.open(tmp_path / "m.duckdb") as database:
        for kind, body in files.items():
            path = tmp_path / f"{kind}.csv"
            path.write_text(body, encoding="utf-8")
            assert ingest_file(database, kind, path).committed
        flags = compute_flags(database, as_of=AS_OF).to_pylist()
    assert not [f for f in flags if f["rule"] == "BOUGHT_DESPITE_IDLE_STOCK"]
    assert ("M1", "printer") not in _subjects(flags, "NO_TELEMETRY")  # the readings do report the category


def test_a_device_only_seen_on_is_not_judged_on_hours_it_has_none_of(tmp_path):
    """Q-2 is only ever seen on (an inventory agent's check-ins, no hours): its use is unknown, so it is neither
    under-used nor idle nor never used, though its agency reports usage. Q-3 has no record at all since it came
    into service 30 days ago: within the grace period, and its use unknown, it is not under-used either."""
    assets = [
        "asset_id,agency_code,category,purchase_cost,in_service_date",
        "Q-1,Q,desktop,4000,2025-01-01",
        "Q-2,Q,desktop,4000,2025-01-01",
        "Q-3,Q,desktop,4000,2025-12-01",
    ]
    usage = ["asset_id,usage_date,hours_used,evidence"]
    usage.extend(f"Q-1,{date(2025, 1, 1) + timedelta(days=i)},8,usage" for i in range(365))
    usage.extend(f"Q-2,{date(2025, 1, 1) + timedelta(days=i)},,seen" for i in range(0, 365, 7))
    procurement = (
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-Q,1,Q,Desktop,desktop,1,4000,2024-12-01\n"
    )
    paths = _three_files(tmp_path, procurement, assets, usage)
    with Database.open(tmp_path / "q.duckdb") as database:
        _ingest_all(database, paths)
        flags = _rule_flags(database, "NEVER_USED", "IDLE", "LOW_UTILISATION")
    assert not [f for f in flags if f["asset_id"] in ("Q-2", "Q-3")], [(f["asset_id"], f["rule"]) for f in flags]
