"""Equipment standards per jurisdiction: the version in force on the order date, its price caps and minimum lives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.access.auth import User
from tracker.cli.main import main
from tracker.domain.standards import Standard
from tracker.engine.parameters import set_setting
from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.engine.rules.run import compute_flags
from tracker.engine.rules.standards import FAR_FUTURE, standard_periods
from tracker.engine.standards_admin import add_version, set_jurisdiction, standards_listing
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.store.settings import load_settings
from tracker.store.standards import load_standards
from tracker.text.errors import ConfigError, ScopeError

AS_OF = date(2025, 12, 31)
ADMIN = User("ada", "admin", None, None)
FINANCE = User("fin", "finance", None, None)
AGENCY = User("amy", "agency", "A1", None)
LINES = """\
po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date
PO-BEFORE,1,A1,X,Desktop,desktop,2,5500,2025-06-30
PO-ON,1,A1,X,Desktop,desktop,2,5500,2025-07-01
PO-PROJECTOR,1,A1,X,Projector,projector,1,99000,2025-03-01
PO-SCANNER,1,A1,X,Scanner,scanner,1,45000,2025-03-01
PO-COPIER,1,B1,X,Copier,copier,1,36000,2025-03-01
PO-LAPTOP,1,B1,X,Laptop,laptop,1,7000,2025-03-01
"""
ASSETS = """\
asset_id,agency_code,category,model,purchase_cost,in_service_date,status,disposal_date
D-OLD,A1,desktop,M,6000,2019-01-01,disposed,2024-07-01
"""
NEW_CENTRAL = {"desktop": {"price_cap": 6000, "min_service_years": 5}}


@pytest.fixture
def db(tmp_path):
    database = Database.open(tmp_path / "t.duckdb")
    (tmp_path / "p.csv").write_text(LINES, encoding="utf-8")
    (tmp_path / "a.csv").write_text(ASSETS, encoding="utf-8")
    assert ingest_file(database, "procurement", tmp_path / "p.csv").committed
    assert ingest_file(database, "assets", tmp_path / "a.csv").committed
    yield database
    database.close()


def _flags(db, rule) -> dict[str, dict]:
    return {f["po_number"]: f for f in compute_flags(db, as_of=AS_OF, rules=[rule]).to_pylist()}


def test_the_central_2016_caps_apply_by_default_and_an_empty_cap_judges_nothing(db):
    flags = _flags(db, "OVER_PRICE_CAP")
    assert set(flags) == {"PO-BEFORE", "PO-ON", "PO-COPIER"}  # 5,500 > 5,000; 36,000 > 35,000; laptop at 7,000 is not above
    assert flags["PO-BEFORE"]["value_at_stake"] == 2 * 500.0
    assert "财资〔2016〕27号" in flags["PO-BEFORE"]["evidence"]
    # projector and scanner: no cap in the central standard, whatever the price
    assert "PO-PROJECTOR" not in flags and "PO-SCANNER" not in flags
    rule = RULES_BY_CODE["OVER_PRICE_CAP"]
    assert "vary by province" in rule.rationale("en") and "因省而异" in rule.rationale("zh")


def test_a_new_version_applies_from_its_effective_date_and_not_the_day_before(db):
    stored, problems = add_version(
        db, ADMIN, jurisdiction="CN-central", version="central 2025", effective_from=date(2025, 7, 1), rows=NEW_CENTRAL
    )
    assert problems == [] and len(stored) == 1
    caps = _flags(db, "OVER_PRICE_CAP")
    assert "PO-BEFORE" in caps and caps["PO-BEFORE"]["value_at_stake"] == 1000.0  # 2025-06-30: the 2016 cap of 5,000
    assert "PO-ON" not in caps  # 2025-07-01: the new cap of 6,000
    assert "PO-COPIER" in caps  # a category the new version does not name keeps its version in force


def test_a_lower_cap_from_the_order_date_judges_that_days_line_by_it(db):
    add_version(
        db,
        ADMIN,
        jurisdiction="CN-central",
        version="central 2025",
        effective_from="2025-07-01",
        rows={"desktop": {"price_cap": 5200}},
    )
    caps = _flags(db, "OVER_PRICE_CAP")
    assert caps["PO-ON"]["value_at_stake"] == 2 * 300.0
    assert caps["PO-ON"]["evidence"] == (
        "Line PO-ON/1 (Desktop): unit price ¥5,500.00 is above the cap of ¥5,200.00 (central 2025); 2 units → ¥600.00 over the cap."
    )
    assert caps["PO-BEFORE"]["value_at_stake"] == 2 * 500.0 and "(财资〔2016〕27号)" in caps["PO-BEFORE"]["evidence"]


def _standard(version, effective_from, category="desktop", cap=None, years=None, jurisdiction="CN-44"):
    return Standard(jurisdiction, version, effective_from, category, None if cap is None else Decimal(cap), years)


def test_each_version_is_in_force_until_the_day_before_the_next():
    periods = standard_periods(
        [
            _standard("c", date(2020, 6, 1), cap=5400, years=5),
            _standard("b", date(2020, 1, 1), cap=5000, years=6),
            _standard("d", date(2020, 6, 2), years=0),  # no cap, and 0 years is no minimum life
            _standard("a", date(2020, 1, 1), cap=6000, years=8),  # the same day as b: the later name, b, is in force
            _standard("L", date(2016, 1, 1), category="laptop", cap=7000, years=6),
            _standard("x", date(2019, 1, 1), cap=1, years=1, jurisdiction="CN-11"),  # another jurisdiction's
        ],
        "CN-44",
    )
    assert periods.to_pylist() == [
        {
            "std_category": "desktop",
            "std_version": "b",
            "std_from": date(2020, 1, 1),
            "std_until": date(2020, 5, 31),
            "cap": 5000.0,
            "min_years": 6,
        },
        # in force for one day: from 2020-06-01 until the day before d
        {
            "std_category": "desktop",
            "std_version": "c",
            "std_from": date(2020, 6, 1),
            "std_until": date(2020, 6, 1),
            "cap": 5400.0,
            "min_years": 5,
        },
        {
            "std_category": "desktop",
            "std_version": "d",
            "std_from": date(2020, 6, 2),
            "std_until": FAR_FUTURE,
            "cap": None,
            "min_years": None,
        },
        {
            "std_category": "laptop",
            "std_version": "L",
            "std_from": date(2016, 1, 1),
            "std_until": FAR_FUTURE,
            "cap": 7000.0,
            "min_years": 6,
        },
    ]
    assert standard_periods([], "CN-44").num_rows == 0 and standard_periods([], "CN-44").schema == periods.schema


def test_a_line_ordered_on_the_as_of_date_is_judged_and_one_ordered_after_it_is_not(tmp_path):
    csv = tmp_path / "procurement.csv"
    csv.write_text(
        "po_number,line_no,agency_code,item_description,category,quantity,unit_price,order_date\n"
        "PO-LAST,1,A1,Desktop,desktop,1,5000.01,2025-12-31\n"
        "PO-NEXT,1,A1,Desktop,desktop,1,5000.01,2026-01-01\n",
        encoding="utf-8",
    )
    with Database.open(tmp_path / "edge.duckdb") as database:
        assert ingest_file(database, "procurement", csv).committed
        assert set(_flags(database, "OVER_PRICE_CAP")) == {"PO-LAST"}


def test_early_replacement_reads_the_minimum_life_in_force_on_the_order_date(db):
    # D-OLD served 2019-01-01 to 2024-07-01: 5.5 years, under six, over five
    assert set(_flags(db, "EARLY_REPLACEMENT")) == {"PO-BEFORE", "PO-ON"}
    add_version(db, ADMIN, jurisdiction="CN-central", version="central 2025", effective_from="2025-07-01", rows=NEW_CENTRAL)
    early = _flags(db, "EARLY_REPLACEMENT")
    assert set(early) == {"PO-BEFORE"}  # the day before: six years; on the day: five
    assert "6 years" in early["PO-BEFORE"]["evidence"]


def test_the_jurisdiction_setting_chooses_whose_standards_apply(db):
    rows = {"desktop": {"price_cap": 4000, "min_service_years": 8}, "projector": {"price_cap": 8000}}
    add_version(db, ADMIN, jurisdiction="CN-44", version="province 2016", effective_from=date(2016, 1, 1), rows=rows)
    assert set(_flags(db, "OVER_PRICE_CAP")) == {"PO-BEFORE", "PO-ON", "PO-COPIER"}  # still central
    assert set_jurisdiction(db, ADMIN, "CN-44") == "CN-44"
    assert load_settings(db).standards_jurisdiction == "CN-44"
    flags = _flags(db, "OVER_PRICE_CAP")
    assert set(flags) == {"PO-BEFORE", "PO-ON", "PO-PROJECTOR"}  # the province caps projectors, names no copier cap
    assert flags["PO-PROJECTOR"]["value_at_stake"] == 91000.0
    changes = db.fetchall("SELECT actor, action FROM audit_log WHERE target = 'standards_jurisdiction'")
    assert changes == [("ada", "setting_changed")]


def test_an_unknown_or_malformed_jurisdiction_is_refused_and_nothing_changes(db):
    for value in ("CN-99", "bad juris!", ""):
        with pytest.raises(ConfigError) as info:
            set_jurisdiction(db, ADMIN, value)
        assert "standards_jurisdiction" in info.value.text("en")
    with pytest.raises(ConfigError) as info:
        set_setting(db, "standards_jurisdiction", "CN-99", "tester")  # the general settings path checks it too
    assert "CN-central" in info.value.text("en") and "辖区" in info.value.text("zh")
    assert load_settings(db).standards_jurisdiction == "CN-central"


def test_a_version_is_checked_as_a_whole_and_nothing_is_written_while_one_value_is_wrong(db):
    before = load_standards(db)
    stored, problems = add_version(
        db,
        ADMIN,
        jurisdiction="CN-44",
        version="p1",
        effective_from="2025-02-30",
        rows={"desktop": {"price_cap": -1, "min_service_years": 6}, "laptop": {"price_cap": 7000, "min_service_years": 2.5}},
    )
    assert stored == []
    names = [p.message.params["name"] for p in problems]
    assert names == ["effective_from", "desktop.price_cap", "laptop.min_service_years"]
    assert problems[0].text("en") == 'In force from has an invalid value "2025-02-30": a date'
    assert "施行日期" in problems[0].text("zh") and "日期" in problems[0].text("zh")
    assert problems[1].text("en").startswith('Desktop · Price cap (yuan) has an invalid value "-1": an amount of at least 0')
    assert "台式机的价格上限（元）" in problems[1].text("zh") and "不小于 0" in problems[1].text("zh")
    assert load_standards(db) == before
    _, duplicate = add_version(
        db, ADMIN, jurisdiction="CN-central", version="财资〔2016〕27号", effective_from="2020-01-01", rows=NEW_CENTRAL
    )
    assert [p.message.params["name"] for p in duplicate] == ["version"] and "already has" in duplicate[0].text("en")
    _, empty = add_version(db, ADMIN, jurisdiction="CN-44", version="p2", effective_from="2020-01-01", rows={"desktop": {}})
    assert [p.message.params["name"] for p in empty] == ["categories"]


def test_only_an_administrator_changes_standards(db):
    for user in (FINANCE, AGENCY):
        with pytest.raises(ScopeError):
            add_version(db, user, jurisdiction="CN-44", version="p1", effective_from="2020-01-01", rows=NEW_CENTRAL)
        with pytest.raises(ScopeError):
            set_jurisdiction(db, user, "CN-central")
    assert {s.jurisdiction for s in load_standards(db)} == {"CN-central"}


def test_a_stored_version_is_audited_and_listed(db):
    add_version(db, ADMIN, jurisdiction="CN-44", version="p1", effective_from="2020-01-01", rows=NEW_CENTRAL)
    entry = db.fetchall("SELECT actor, action, target FROM audit_log WHERE target LIKE 'standard:%'")
    assert entry == [("ada", "setting_changed", "standard:CN-44:p1")]
    listing = standards_listing(db).to_pylist()
    province = [r for r in listing if r["jurisdiction"] == "CN-44"]
    assert [(r["category"], r["min_service_years"], r["built_in"], r["in_force"]) for r in province] == [
        ("desktop", 5, False, False)
    ]
    central_desktop = next(r for r in listing if r["jurisdiction"] == "CN-central" and r["category"] == "desktop")
    assert central_desktop["built_in"] and central_desktop["in_force"]


def test_the_command_line_lists_and_sets_standards(db, tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "t.duckdb")
    db.close()
    monkeypatch.delenv("TRACKER_USER", raising=False)
    assert (
        main(["--db", path, "standards", "set", "CN-44", "p1", "2020-01-01", "desktop=5500/6", "projector=8000/", "--use"]) == 0
    )
    assert "Stored version p1 of CN-44" in capsys.readouterr().err
    assert main(["--db", path, "standards", "list"]) == 0
    out = capsys.readouterr().out
    assert "CN-44,p1,2020-01-01,projector,8000.00,,,False,True" in out
    assert main(["--db", path, "--lang", "zh", "standards", "set", "CN-44", "p2", "soon", "desktop=-1/6"]) == 1
    refused = capsys.readouterr().err
    assert "施行日期的值“soon”无效：应为日期" in refused and "台式机的价格上限（元）的值“-1”无效" in refused
    assert main(["--db", path, "standards", "use", "CN-99"]) == 1
    with Database.open(path) as again:
        assert load_settings(again).standards_jurisdiction == "CN-44"
        assert {s.version for s in load_standards(again) if s.jurisdiction == "CN-44"} == {"p1"}


def test_a_profile_cap_an_administrator_had_set_moves_to_the_standards(tmp_path):
    path = tmp_path / "m.duckdb"
    with Database.open(path) as db:
        ensure_default_profiles(db)
        db.execute("UPDATE category_profiles SET price_cap = 6000 WHERE category = 'desktop'")
        db.execute("UPDATE category_profiles SET price_cap = 900 WHERE category = 'tablet'")
        # as a database made before the move (and before the migrations after it)
        db.execute("DELETE FROM schema_migrations WHERE version >= 14")
        db.execute("DROP TABLE usage_months")
    with Database.open(path) as db:
        rows = {s.category: s for s in load_standards(db) if s.jurisdiction == "CN-central"}
    assert (rows["desktop"].price_cap, rows["desktop"].min_service_years) == (6000, 6)
    assert (rows["tablet"].price_cap, rows["tablet"].min_service_years) == (900, None)
    assert rows["laptop"].price_cap == 7000 and rows["copier"].price_cap == 35000  # untouched: the built-in rows
