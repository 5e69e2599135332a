"""AVOIDABLE_PURCHASE and BOUGHT_DESPITE_IDLE_STOCK against a day-by-day reference, on generated cases.

The rules read each device's idle spells from its days of use (tracker.engine.rules.idle_spells) and
look the pool up once per category and order date. The reference here judges every line and device
straight from the definitions, one day at a time: a device is idle on D when it has no usage row with
hours in [D - look-back, D). The generated cases put uses on the order date itself, the day before,
and on both edges of the look-back, order dates on both sides of the first judged day, transfers
between the two reporting agencies, surplus declarations and withdrawals, disposals and standby.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from tracker.engine.rules.run import compute_flags
from tracker.ingest.pipeline import ingest_file
from tracker.reallocation.pool import declare_surplus, withdraw
from tracker.store.assignments import move_holding
from tracker.store.db import Database

USAGE_START = date(2024, 1, 1)
AS_OF = date(2025, 6, 30)
REPORTING = ("A1", "B1")  # each has a laptop and a desktop used every day: both report usage for both
SILENT = "C1"  # sends no usage at all
CATEGORIES = ("laptop", "desktop")
IN_SERVICE_DAYS = 30
AVOIDABLE = re.compile(r"held (\d+) devices? of this category, (\d+) of them in other agencies \(([^)]*)\)")
BOUGHT = re.compile(r"while (\d+) units? in service .* \(([^;]*); the rule needs")


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class Case:
    """One generated database: assets, their days of use, transfers, surplus periods and purchase lines."""

    def __init__(self, seed: int, avoidable_lookback: int, bought_lookback: int):
        rnd = random.Random(seed)
        self.lookback = {"AVOIDABLE_PURCHASE": avoidable_lookback, "BOUGHT_DESPITE_IDLE_STOCK": bought_lookback}
        self.assets: dict[str, dict] = {}
        self.uses: dict[str, set[date]] = {}
        self.zero_days: dict[str, set[date]] = {}
        for agency in REPORTING:
            for category in CATEGORIES:
                self._asset(f"{agency}-{category}-ANCHOR", agency, category, date(2023, 1, 1))
                self.uses[f"{agency}-{category}-ANCHOR"] = set(_days(USAGE_START, AS_OF))
        anchors = sorted(rnd.sample(_days(USAGE_START + timedelta(days=60), AS_OF - timedelta(days=60)), 6))
        for n in range(14):
            agency = rnd.choice((*REPORTING, *REPORTING, SILENT))
            asset_id = f"X{n:02d}"
            in_service = USAGE_START + timedelta(days=rnd.randint(-200, 400))
            a = self._asset(asset_id, agency, rnd.choice(CATEGORIES), in_service)
            if rnd.random() < 0.15:
                a["standby"] = True
            elif rnd.random() < 0.2:
                a["disposal"] = in_service + timedelta(days=rnd.randint(60, 500))
            uses: set[date] = set()
            if agency != SILENT and rnd.random() < 0.85:
                for _ in range(rnd.randint(1, 4)):  # bursts of use, some ending on the edges of a look-back
                    first = rnd.choice(_days(USAGE_START, AS_OF))
                    uses |= set(_days(first, min(AS_OF, first + timedelta(days=rnd.randint(0, 40)))))
                for anchor in rnd.sample(anchors, 2):  # single days of use near the order dates
                    lookback = rnd.choice((avoidable_lookback, bought_lookback))
                    uses.add(anchor - timedelta(days=rnd.choice((0, 1, lookback, lookback + 1))))
            self.uses[asset_id] = uses
            # rows with zero hours are no use: some on days an idle spell would otherwise end
            self.zero_days[asset_id] = {d + timedelta(days=1) for d in uses} - uses if rnd.random() < 0.5 else set()
        self.moves: list[tuple[str, str, date]] = []  # transfers between the two reporting agencies
        for asset_id in rnd.sample([a for a, v in self.assets.items() if "ANCHOR" not in a and v["agency"] != SILENT], 3):
            a = self.assets[asset_id]
            to = REPORTING[1] if a["agency"] == REPORTING[0] else REPORTING[0]
            day = max(USAGE_START, a["in_service"]) + timedelta(days=rnd.randint(1, 300))
            self.moves.append((asset_id, to, day))
        self.surplus: list[tuple[str, date, date | None]] = []  # declared on, withdrawn on (None: still)
        for asset_id in rnd.sample([a for a in self.assets if "ANCHOR" not in a], 4):
            declared = USAGE_START + timedelta(days=rnd.randint(0, 450))
            withdrawn = declared + timedelta(days=rnd.randint(1, 120)) if rnd.random() < 0.5 else None
            self.surplus.append((asset_id, declared, withdrawn))
        orders = set()
        for lookback in self.lookback.values():  # both sides of the first day judged
            orders |= {self.usage_start + timedelta(days=lookback - 1), self.usage_start + timedelta(days=lookback)}
        orders |= set(anchors) | {rnd.choice(_days(USAGE_START, AS_OF)) for _ in range(4)}
        self.lines = [
            (f"PO-{i:02d}", agency, category, day, rnd.randint(1, 3))
            for i, (day, agency, category) in enumerate(
                (d, rnd.choice((*REPORTING, SILENT)), rnd.choice(CATEGORIES)) for d in sorted(orders)
            )
        ]

    def _asset(self, asset_id: str, agency: str, category: str, in_service: date) -> dict:
        self.assets[asset_id] = {
            "agency": agency,
            "category": category,
            "in_service": in_service,
            "standby": False,
            "disposal": None,
        }
        return self.assets[asset_id]

    def load(self, db: Database, tmp_path) -> None:
        lines = "po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date\n"
        lines += "".join(f"{po},1,{g},S,Item,{c},{q},1000,{d}\n" for po, g, c, d, q in self.lines)
        assets = "asset_id,agency_code,category,model,purchase_cost,in_service_date,status,standby,disposal_date\n"
        for asset_id, a in self.assets.items():
            status = "disposed" if a["disposal"] else ("standby" if a["standby"] else "in_use")
            assets += (
                f"{asset_id},{a['agency']},{a['category']},M,1000,{a['in_service']},{status},"
                f"{str(a['standby']).lower()},{a['disposal'] or ''}\n"
            )
        usage = "asset_id,usage_date,hours_used\n" + "".join(
            f"{asset_id},{d},{3 if d in self.uses[asset_id] else 0}\n"
            for asset_id in self.uses
            for d in sorted(self.uses[asset_id] | self.zero_days.get(asset_id, set()))
            if d <= AS_OF
        )
        for kind, text in (("procurement", lines), ("assets", assets), ("usage", usage)):
            (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
            assert ingest_file(db, kind, tmp_path / f"{kind}.csv").committed
        for n, (asset_id, to, day) in enumerate(self.moves, start=1):
            move_holding(db, asset_id, to, day, transfer_id=n)
        for asset_id, declared, withdrawn in self.surplus:
            declare_surplus(db, "admin", asset_id, on=declared)
            if withdrawn is not None:
                withdraw(db, "admin", asset_id, "needed back", on=withdrawn)

    # -- the reference -------------------------------------------------------------------------------

    @property
    def usage_start(self) -> date:
        """The first day of the usage data (a row with hours or without): look-backs are judged from there."""
        return min(d for a in self.uses for d in self.uses[a] | self.zero_days.get(a, set()))

    def holder(self, asset_id: str, day: date) -> str:
        agency = self.assets[asset_id]["agency"]
        for moved, to, on in self.moves:
            if moved == asset_id and on <= day:
                agency = to
        return agency

    def register_agency(self, asset_id: str) -> str:
        return self.holder(asset_id, date.max)

    def idle(self, asset_id: str, day: date, lookback: int) -> bool:
        return not any(day - timedelta(days=lookback) <= d < day for d in self.uses[asset_id])

    def surplus_on(self, asset_id: str, day: date) -> bool:
        return any(a == asset_id and s <= day and (w is None or day < w) for a, s, w in self.surplus)

    def pool(self, category: str, day: date) -> dict[str, str]:
        """AVOIDABLE_PURCHASE's pool on `day`: asset id -> its register agency."""
        lookback = self.lookback["AVOIDABLE_PURCHASE"]
        pool = {}
        for asset_id, a in self.assets.items():
            agency = self.register_agency(asset_id)
            held = a["in_service"] + timedelta(days=IN_SERVICE_DAYS) <= day and (a["disposal"] is None or day < a["disposal"])
            if a["category"] != category or a["standby"] or not held:
                continue
            judged = agency in REPORTING and day >= self.usage_start + timedelta(days=lookback)
            if (judged and self.idle(asset_id, day, lookback)) or self.surplus_on(asset_id, day):
                pool[asset_id] = agency
        return pool

    def idle_stock(self, agency: str, category: str, day: date) -> set[str]:
        """BOUGHT_DESPITE_IDLE_STOCK's idle devices of the agency on `day` (the line judged at all)."""
        lookback = self.lookback["BOUGHT_DESPITE_IDLE_STOCK"]
        if agency not in REPORTING or day < self.usage_start + timedelta(days=lookback):
            return set()
        return {
            asset_id
            for asset_id, a in self.assets.items()
            if a["category"] == category
            and self.holder(asset_id, day) == agency
            and not a["standby"]
            and a["in_service"] <= day - timedelta(days=IN_SERVICE_DAYS)
            and (a["disposal"] is None or a["disposal"] > day)
            and self.idle(asset_id, day, lookback)
        }


@pytest.mark.parametrize(
    ("seed", "avoidable_lookback", "bought_lookback"),
    [(1, 90, 90), (2, 30, 90), (3, 90, 30), (4, 60, 60), (5, 14, 45), (6, 1, 2)],  # 1 day: the shortest look-back
)
def test_the_pool_and_the_idle_stock_match_a_day_by_day_reference(tmp_path, seed, avoidable_lookback, bought_lookback):
    case = Case(seed, avoidable_lookback, bought_lookback)
    with Database.open(tmp_path / "t.duckdb") as db:
        case.load(db, tmp_path)
        parameters = {
            "AVOIDABLE_PURCHASE": {"lookback_days": avoidable_lookback, "in_service_days": IN_SERVICE_DAYS},
            "BOUGHT_DESPITE_IDLE_STOCK": {
                "lookback_days": bought_lookback,
                "in_service_days": IN_SERVICE_DAYS,
                "min_idle_assets": 1,
            },
        }
        flags = compute_flags(
            db, as_of=AS_OF, rules=["AVOIDABLE_PURCHASE", "BOUGHT_DESPITE_IDLE_STOCK"], parameters=parameters
        ).to_pylist()
    found = {(f["rule"], f["po_number"]): f for f in flags}
    expected_pool, expected_idle = {}, {}
    for po, agency, category, day, quantity in case.lines:
        pool = case.pool(category, day)
        if pool:
            expected_pool[po] = (len(pool), sum(g != agency for g in pool.values()), sorted(pool), min(quantity, len(pool)))
        idle = case.idle_stock(agency, category, day)
        if idle:
            expected_idle[po] = (len(idle), sorted(idle))
    got_pool = {}
    for (rule, po), f in found.items():
        if rule == "AVOIDABLE_PURCHASE":
            units, other, ids = AVOIDABLE.search(f["evidence"]).groups()
            covered = round(f["value_at_stake"] / 1000)
            got_pool[po] = (int(units), int(other), ids.split(", "), covered)
    got_idle = {}
    for (rule, po), f in found.items():
        if rule == "BOUGHT_DESPITE_IDLE_STOCK":
            units, ids = BOUGHT.search(f["evidence"]).groups()
            got_idle[po] = (int(units), ids.split(", "))
    assert got_pool == expected_pool
    assert got_idle == expected_idle
    # the generated case is not trivial: both rules fire and leave some lines alone
    assert expected_pool and expected_idle and len(expected_pool) < len(case.lines)


def test_rules_built_without_the_runs_days_of_use_find_the_same(tmp_path, monkeypatch):
    """A rule built on its own (no cached days of use in its context) reads the usage rows itself: same findings."""
    import tracker.engine.rules.run as run

    case = Case(2, 30, 90)
    parameters = {
        "AVOIDABLE_PURCHASE": {"lookback_days": 30, "in_service_days": IN_SERVICE_DAYS},
        "BOUGHT_DESPITE_IDLE_STOCK": {"lookback_days": 90, "in_service_days": IN_SERVICE_DAYS, "min_idle_assets": 1},
    }
    rules = ["AVOIDABLE_PURCHASE", "BOUGHT_DESPITE_IDLE_STOCK"]
    with Database.open(tmp_path / "t.duckdb") as db:
        case.load(db, tmp_path)
        cached = compute_flags(db, as_of=AS_OF, rules=rules, parameters=parameters).to_pylist()
        monkeypatch.setattr(run, "LOOKBACK_RULES", ())  # the run caches no days of use
        alone = compute_flags(db, as_of=AS_OF, rules=rules, parameters=parameters).to_pylist()
    assert cached and alone == cached
