"""The demo's reallocation cases: AVOIDABLE_PURCHASE and EARLY_REPLACEMENT read from the written files, and
a few planned purchases that the idle pool of as_of can cover.

The regular world of tracker.demo.world keeps every asset in use until the last week, so the pool is
made of the planted idle and never-used assets: a purchase line of their category ordered while they
sat idle could have come from the pool (AVOIDABLE_PURCHASE), and a line bought within a year after
its agency disposed of a device of the same category younger than its minimum service life replaces
it early (EARLY_REPLACEMENT). Both are read from the rows as written (docs/rules.md, docs/reallocation.md),
so the ground truth lists exactly what the rules must flag; lines of the same categories that the
rules must not flag are the clean controls. The planned purchases (`requests.csv`) ask for devices of
the categories the pool holds on as_of, one more than it holds where it holds more than one (a partial cover).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from tracker.domain.categories import normalise_category
from tracker.domain.standards import CENTRAL, DEFAULT_STANDARDS, in_force

LOOKBACK_DAYS = 90  # AVOIDABLE_PURCHASE.lookback_days and in_service_days (their defaults)
IN_SERVICE_DAYS = 90
EARLY_LOOKBACK_DAYS = 365  # EARLY_REPLACEMENT.lookback_days
DAYS_PER_YEAR = 365.25
REQUEST_HEADERS = ("申请编号", "单位代码", "类别", "数量", "需用日期", "预算单价", "配置理由")
CONTROLS_PER_RULE = 3


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def reallocation_cases(
    procurement: list[tuple],
    assets: list[tuple],
    last_day: np.ndarray,
    usage_start: date,
    as_of: date,
    horizon_start: date,
    planted_before: list[dict],
) -> tuple[list[dict], list[dict]]:
    """(planted, controls) of the two rules, as ground-truth entries, from the rows tracker.demo.files writes.

    A control is a line no rule flags: not one planted before (`planted_before`), nor the line of a planted asset.
    """
    flagged_assets = {e["asset_id"] for e in planted_before if e["asset_id"]}
    busy = {(row[6], int(row[7])) for row in assets if row[0] in flagged_assets}
    busy |= {(e["po_number"], e["line_no"]) for e in planted_before if e["po_number"]}
    devices = []
    for i, row in enumerate(assets):
        asset_id, agency, _, category, _, _, _, _, cost, purchase_date, in_service, status, disposal, _, standby = row
        start = _day(in_service) or _day(purchase_date)
        last = None if last_day[i] < 0 else usage_start + timedelta(days=int(last_day[i]))
        devices.append((asset_id, agency, category, float(cost), start, status, _day(disposal), bool(standby), last))
    covered = {(d[1], d[2]) for d in devices if d[8] is not None and d[8] >= horizon_start}
    first_judged = usage_start + timedelta(days=LOOKBACK_DAYS)
    planted: list[dict] = []
    controls: list[dict] = []
    avoidable_categories: set[str] = set()
    candidates: dict[str, list[dict]] = {"AVOIDABLE_PURCHASE": [], "EARLY_REPLACEMENT": []}
    pools = _Pools(devices, covered)
    disposed: dict[tuple[str, str], list[tuple]] = {}  # the devices of each agency and category with both dates
    for d in devices:
        if d[6] is not None and d[4] is not None:
            disposed.setdefault((d[1], d[2]), []).append(d)
    for row in procurement:
        po_number, line_no, agency, category_zh, quantity, order = row[0], int(row[1]), row[2], row[6], int(row[7]), _day(row[10])
        category = normalise_category(category_zh) or "other"
        entry = {"agency_code": agency, "asset_id": None, "po_number": po_number, "line_no": line_no, "fiscal_year": None}
        if order > as_of:
            continue
        pool = pools.held_on(category, order) if order >= first_judged else 0
        if min(quantity, pool) >= 1:
            avoidable_categories.add(category)
            planted.append({"rule": "AVOIDABLE_PURCHASE", **entry, "category": category, "note": f"pool held {pool} on {order}"})
        else:
            candidates["AVOIDABLE_PURCHASE"].append({**entry, "category": category, "order": order})
        early = []
        disposed_here = False
        for d in disposed.get((agency, category), ()):
            disposed_here = True
            standard = in_force(DEFAULT_STANDARDS, CENTRAL, category, order)  # the version in force on the order date
            if standard is None or not standard.min_service_years:
                continue
            age = (d[6] - d[4]).days / DAYS_PER_YEAR
            if order - timedelta(days=EARLY_LOOKBACK_DAYS) <= d[6] <= order and 0 <= age < standard.min_service_years:
                early.append(d[0])
        if early:
            planted.append(
                {"rule": "EARLY_REPLACEMENT", **entry, "category": category, "note": f"replaces {', '.join(sorted(early))} early"}
            )
        elif disposed_here:
            candidates["EARLY_REPLACEMENT"].append({**entry, "category": category, "order": order})
    busy |= {(e["po_number"], e["line_no"]) for e in planted}
    candidates = {rule: [c for c in found if (c["po_number"], c["line_no"]) not in busy] for rule, found in candidates.items()}
    avoidable_controls = [c for c in candidates["AVOIDABLE_PURCHASE"] if c["category"] in avoidable_categories]
    for rule, found, note in (
        ("AVOIDABLE_PURCHASE", avoidable_controls, "the pool held no device of its category on its order date"),
        ("EARLY_REPLACEMENT", candidates["EARLY_REPLACEMENT"], "its agency disposed of devices of its category, none early"),
    ):
        for c in sorted(found, key=lambda c: (c["order"], c["po_number"], c["line_no"]))[:CONTROLS_PER_RULE]:
            c = {k: v for k, v in c.items() if k != "order"}
            controls.append({"rule": None, **c, "note": f"{rule}: {note}"})
    return planted, controls


class _Pools:
    """How many devices of a category sat in the idle pool on an order date, as AVOIDABLE_PURCHASE reads it:
    not on standby, not disposed (or disposed on a known date after the order), in service for
    IN_SERVICE_DAYS, of an agency and category that reports usage, and unused for the look-back before.

    The devices are held per category as day numbers, so that a purchase line counts its pool with one
    vectorised comparison instead of a pass over every device (200,000 of them in the large tier)."""

    def __init__(self, devices: list[tuple], covered: set[tuple[str, str]]):
        never = np.iinfo(np.int64).max
        columns: dict[str, tuple[list, list, list]] = {}
        for d in devices:
            if d[7] or (d[5] == "disposed" and d[6] is None) or d[4] is None or (d[1], d[2]) not in covered:
                continue
            ready, gone, idle = columns.setdefault(d[2], ([], [], []))
            ready.append((d[4] + timedelta(days=IN_SERVICE_DAYS)).toordinal())
            gone.append(never if d[6] is None else d[6].toordinal())
            idle.append(-never if d[8] is None else (d[8] + timedelta(days=LOOKBACK_DAYS + 1)).toordinal())
        self._columns = {c: tuple(np.array(v, dtype=np.int64) for v in vs) for c, vs in columns.items()}

    def held_on(self, category: str, order: date) -> int:
        if category not in self._columns:
            return 0
        ready, gone, idle = self._columns[category]
        day = order.toordinal()
        return int(np.count_nonzero((ready <= day) & (gone > day) & (idle <= day)))


def planned_purchases(planted: list[dict], codes: list[str], as_of: date) -> list[tuple]:
    """Requests the pool of as_of can cover: per category of the planted idle and never-used devices, one request
    of an agency that holds none of them (so the devices come from another agency), asking one more than the pool
    holds when it holds more than one (a partial cover)."""
    pool: dict[str, list[str]] = {}
    for e in planted:
        if e["rule"] in ("NEVER_USED", "IDLE") and e["category"] in ("desktop", "laptop", "printer", "projector"):
            pool.setdefault(e["category"], []).append(e["agency_code"])
    rows = []
    budgets = {"desktop": "5000.00", "laptop": "7000.00", "printer": "1200.00", "projector": "4500.00"}
    reasons = {"desktop": "新进人员办公", "laptop": "外勤工作需要", "printer": "科室打印需求", "projector": "会议室配置"}
    for n, (category, holders) in enumerate(sorted(pool.items()), start=1):
        agency = next((c for c in codes if c not in holders), codes[0])
        quantity = len(holders) + 1 if len(holders) > 1 else 1
        needed_by = as_of + timedelta(days=30 * n)
        rows.append(
            (
                f"SQ{as_of.year + 1}-{agency}-{n:03d}",
                agency,
                category,
                quantity,
                needed_by.isoformat(),
                budgets[category],
                reasons[category],
            )
        )
    return rows


def write_requests(path: Path, rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REQUEST_HEADERS)
        writer.writerows(rows)
