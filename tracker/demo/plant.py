"""Planting the rule cases of docs/rules.md into the demo world, and recording them as ground truth.

`Builder.build` runs the whole construction in a fixed order: the regular world, then the procurement-side cases
(IDLE_PURCHASE and BOUGHT_DESPITE_IDLE_STOCK lines in designated pairs, YEAR_END_SURGE, OVER_PRICE_CAP, grace
deliveries, UNREGISTERED_UNITS, lines exactly at the cap), then, once the asset register exists, the asset-side cases,
exempt assets and clean controls. Every case goes into the planted, clean-control or exempt list of the ground truth.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from tracker.demo.catalogue import PROFILES
from tracker.demo.plant_lines import SURGE_SPEND_MIN_CNY, LineCases
from tracker.demo.world import AS_OF, WINDOW_START, Asset, Line

IDLE_DAYS = 90
GRACE_DAYS = 60
STOCK_DAYS = 90  # BOUGHT_DESPITE_IDLE_STOCK: in service and unused for this long before the order


class Builder(LineCases):
    """Builds one demo data set in memory; every random draw comes from `rng`, in a fixed order.

    The procurement-side cases come from `LineCases` (tracker/demo/plant_lines.py); this class adds the asset-side
    cases, exempt assets, clean controls and the ground truth's extras.
    """

    # planted assets ------------------------------------------------------------------------------
    def _set_role(self, asset: Asset, role: str, note: str, last_use: date | None = None) -> None:
        """Give an asset its planted behaviour and record it."""
        asset.role = role
        if role == "NEVER_USED":
            asset.mode = "none"
            asset.status = "in_storage" if self.rng.random() < 0.25 else "in_use"
        elif role == "IDLE":
            asset.use_until = asset.forced = last_use
            asset.status = "idle" if self.rng.random() < 0.2 else "in_use"
        elif role == "LOW_UTILISATION":
            asset.mode = "low"
            asset.forced = AS_OF - timedelta(days=self._int(3, 20))
        if role in ("NEVER_USED", "IDLE", "LOW_UTILISATION"):
            self._record(self.planted, role, asset.agency, asset.category, note, asset=asset)

    def _candidates(self, *, quiet: bool, flagged: bool, in_service_by: date, pair: tuple[int, str] | None = None):
        """Regular, unplanted assets of regular lines that can take a planted role without side effects."""
        pool = self.assets if pair is None else self.by_pair.get(pair, [])
        for i in self.rng.permutation(len(pool)):
            asset = pool[int(i)]
            line = asset.line
            key = (asset.agency, asset.category)
            if asset.role or asset.mode != "regular" or line.kind != "regular" or asset.in_service > in_service_by:
                continue
            if pair is None and key in self.designated:
                continue
            if self.pair_clean[key] < 6 or (quiet and pair is None and self.pair_quiet[key] >= 2):
                continue
            if flagged and 2 * (self.line_flagged.get(id(line), 0) + 1) >= len(self.by_line[id(line)]):
                continue  # keep every regular line below the IDLE_PURCHASE share
            yield asset

    def _take(self, n: int, what: str, *, quiet: bool, flagged: bool, **kwargs) -> list[Asset]:
        """Reserve n candidates, updating the per-pair and per-line budgets; all or nothing."""
        taken: list[Asset] = []
        for asset in self._candidates(quiet=quiet, flagged=flagged, **kwargs):
            if len(taken) == n:
                break
            self._reserve(asset, quiet, flagged, +1)
            taken.append(asset)
        if len(taken) < n:
            for asset in taken:
                self._reserve(asset, quiet, flagged, -1)
            raise RuntimeError(f"demo tier {self.tier.name!r} has too few assets to plant {n} × {what}")
        return taken

    def _reserve(self, asset: Asset, quiet: bool, flagged: bool, step: int) -> None:
        key = (asset.agency, asset.category)
        asset.role = "reserved" if step > 0 else None
        self.pair_clean[key] -= step
        self.pair_quiet[key] += step * quiet
        if flagged:
            self.line_flagged[id(asset.line)] = self.line_flagged.get(id(asset.line), 0) + step

    def planted_assets(self) -> None:
        self.pair_clean: dict[tuple[int, str], int] = {}
        self.pair_quiet: dict[tuple[int, str], int] = {}
        self.line_flagged: dict[int, int] = {}
        for asset in self.assets:
            key = (asset.agency, asset.category)
            self.pair_clean[key] = self.pair_clean.get(key, 0) + (asset.mode == "regular")
            self.pair_quiet.setdefault(key, 0)
        window_start = WINDOW_START - timedelta(days=1)
        # Units of IDLE_PURCHASE lines: 55-80 % never used, idle or barely used; the rest well used.
        for line in self.idle_purchase_lines:
            units = self.by_line[id(line)]
            flagged = min(len(units) - 1, math.ceil(len(units) * self.rng.uniform(0.55, 0.8)))
            where = f"unit of IDLE_PURCHASE line {line.po.number}/{line.line_no}"
            for j, index in enumerate(self.rng.permutation(len(units))[:flagged]):
                asset = units[int(index)]
                role = ("NEVER_USED", "IDLE", "LOW_UTILISATION", "NEVER_USED", "LOW_UTILISATION")[j % 5]
                last = AS_OF - timedelta(days=self._int(120, 250))
                self._set_role(asset, role, f"{where}; " + self._describe(role, last), last)
            self._record(
                self.planted,
                "IDLE_PURCHASE",
                line.po.agency,
                line.category,
                f"{flagged} of {len(units)} units never used, idle or barely used; ordered {line.po.order_date}",
                line=line,
            )
        # Idle stock behind each BOUGHT_DESPITE_IDLE_STOCK line: unused from spring 2025 on.
        for line in self.bdis_lines:
            order = line.po.order_date
            stock = self._take(
                self._int(3, 4),
                "idle stock",
                quiet=True,
                flagged=True,
                pair=(line.po.agency, line.category),
                in_service_by=min(window_start, order - timedelta(days=STOCK_DAYS + 10)),
            )
            for j, asset in enumerate(stock):
                last = self._day(date(2025, 4, 15), date(2025, 5, 28))
                role = "NEVER_USED" if j == 3 else "IDLE"
                self._set_role(
                    asset,
                    role,
                    f"idle stock behind BOUGHT_DESPITE_IDLE_STOCK line {line.po.number}/{line.line_no}; "
                    + self._describe(role, last),
                    last,
                )
            self._record(
                self.planted,
                "BOUGHT_DESPITE_IDLE_STOCK",
                line.po.agency,
                line.category,
                f"ordered {order}; {len(stock)} older units in service ≥ {STOCK_DAYS} days had no usage from "
                f"{order - timedelta(days=STOCK_DAYS)} on: " + ", ".join(sorted(a.asset_id for a in stock)),
                line=line,
            )
        self._near_miss_stock()
        for role, n in (
            ("NEVER_USED", self.plan["never"] - 2 * bool(self.near_miss)),
            ("IDLE", self.plan["idle"]),
            ("LOW_UTILISATION", self.plan["low"]),
        ):
            for asset in self._take(n, role, quiet=role != "LOW_UTILISATION", flagged=True, in_service_by=window_start):
                last = AS_OF - timedelta(days=self._int(120, 250))
                self._set_role(asset, role, self._describe(role, last), last)
        for asset in self._take(self.plan["standby"], "standby", quiet=True, flagged=False, in_service_by=window_start):
            asset.role, asset.mode, asset.status, asset.standby = "standby", "none", "standby", True
            self._record(
                self.exempt,
                None,
                asset.agency,
                asset.category,
                "standby (备用/应急) equipment, never used",
                asset=asset,
                reason="standby",
            )
        for j, asset in enumerate(
            self._take(self.plan["disposed"], "disposed", quiet=True, flagged=False, in_service_by=date(2020, 12, 31))
        ):
            asset.role, asset.status = "disposed", "disposed"
            if j % 2:
                asset.disposal = self._day(date(2023, 3, 1), self.tier.usage_start - timedelta(days=30))
                asset.mode = "none"
            else:
                asset.disposal = self._day(WINDOW_START + timedelta(days=60), AS_OF - timedelta(days=120))
                asset.use_until = asset.forced = asset.disposal - timedelta(days=1)
            self._record(
                self.exempt,
                None,
                asset.agency,
                asset.category,
                f"disposed {asset.disposal}, no usage after it",
                asset=asset,
                reason="disposed",
            )
        for line in self.grace_lines:
            for asset in self.by_line[id(line)]:
                asset.role = "grace"
                self._record(
                    self.exempt,
                    None,
                    asset.agency,
                    line.category,
                    f"in service {asset.in_service}, less than {GRACE_DAYS} days before as_of, not used yet",
                    asset=asset,
                    reason="grace",
                )

    def _near_miss_stock(self) -> None:
        """Two never-used units in a pair that buys again later: one short of BOUGHT_DESPITE_IDLE_STOCK."""
        self.near_miss: Line | None = None
        earliest = max(self.tier.usage_start + timedelta(days=STOCK_DAYS + 10), WINDOW_START + timedelta(days=100))
        later = [
            ln
            for ln in self.lines()
            if ln.kind == "regular"
            and earliest <= ln.po.order_date
            and self.tracked(ln.po.agency, ln.category)
            and (ln.po.agency, ln.category) not in self.designated
            and self.pair_quiet[(ln.po.agency, ln.category)] == 0
            and self.pair_clean[(ln.po.agency, ln.category)] >= 12
        ]
        for index in self.rng.permutation(len(later)):
            line = later[int(index)]
            try:
                pair_assets = self._take(
                    2,
                    "near miss",
                    quiet=True,
                    flagged=True,
                    pair=(line.po.agency, line.category),
                    in_service_by=WINDOW_START - timedelta(days=1),
                )
            except RuntimeError:
                continue
            for asset in pair_assets:
                self._set_role(asset, "NEVER_USED", f"one of only 2 idle units when {line.po.number}/{line.line_no} was ordered")
            self.near_miss = line
            return

    def _describe(self, role: str, last: date) -> str:
        if role == "NEVER_USED":
            return "in service all window, no usage row ever"
        if role == "IDLE":
            return f"last used {last} ({(AS_OF - last).days} days before as_of)"
        return "used about one available day in five for under an hour; last use within 20 days"

    def clean_controls(self) -> None:
        window_start = WINDOW_START - timedelta(days=1)
        for asset in self._take(
            self.plan["recent_quiet"], "recent quiet", quiet=False, flagged=False, in_service_by=window_start
        ):
            last = AS_OF - timedelta(days=self._int(50, 70))
            asset.role, asset.use_until, asset.forced = "control", last, last
            self._record(
                self.controls,
                None,
                asset.agency,
                asset.category,
                f"well used until {last}: {(AS_OF - last).days} days idle, below the {IDLE_DAYS}-day IDLE threshold",
                asset=asset,
            )
        categories = sorted(PROFILES)
        for j in range(self.plan["clean_assets"]):
            pool = self._candidates(quiet=False, flagged=False, in_service_by=window_start)
            wanted = categories[j % len(categories)]
            asset = next((a for a in pool if a.category == wanted), None) or next(
                self._candidates(quiet=False, flagged=False, in_service_by=window_start)
            )
            asset.role = "control"
            self._record(self.controls, None, asset.agency, asset.category, "used on most available days all year", asset=asset)
        for line in self.cap_lines:
            self._record(
                self.controls,
                None,
                line.po.agency,
                line.category,
                f"unit price exactly at the {line.category} cap ({line.unit_price} CNY): not above it",
                line=line,
            )
        if self.near_miss:
            line = self.near_miss
            self._record(
                self.controls,
                None,
                line.po.agency,
                line.category,
                f"only 2 idle units of the category on {line.po.order_date} (the rule needs 3)",
                line=line,
            )
        big = max(
            (
                ln
                for ln in self.lines()
                if ln.kind == "regular" and ln.po.delivery_date < WINDOW_START and self.tracked(ln.po.agency, ln.category)
            ),
            key=lambda ln: (ln.quantity, -ln.po.seq),
        )
        self._record(self.controls, None, big.po.agency, big.category, f"all {big.quantity} units registered", line=big)
        spend = self._spend()
        surges = set(self.surges)
        busiest = max(
            (
                (key, value)
                for key, value in spend.items()
                if key not in surges and value[1] >= SURGE_SPEND_MIN_CNY and value[0] > 0
            ),
            key=lambda kv: (kv[1][0] / kv[1][1], -kv[0][0], kv[0][1]),
            default=None,
        )
        if busiest:
            (agency, year), (december, total) = busiest
            self._record(
                self.controls,
                None,
                agency,
                None,
                f"highest December share of the non-surge years: {12 * december / total:.2f}× the monthly average (rule: > 2)",
                fiscal_year=year,
            )

    def ground_truth_extras(self) -> None:
        spend = self._spend()
        for agency, year in self.surges:
            december, total = spend[(agency, year)]
            self._record(
                self.planted,
                "YEAR_END_SURGE",
                agency,
                None,
                f"December {year} spend {december:,} CNY = {12 * december / total:.2f}× the monthly average of {total:,} CNY",
                fiscal_year=year,
            )
        for line in self.unregistered_lines:
            self._record(
                self.planted,
                "UNREGISTERED_UNITS",
                line.po.agency,
                line.category,
                f"{line.quantity} bought, {line.registered} registered; delivered {line.po.delivery_date}",
                line=line,
            )
        for line in self.over_cap_lines:
            cap = PROFILES[line.category].price_cap_cny
            self._record(
                self.planted,
                "OVER_PRICE_CAP",
                line.po.agency,
                line.category,
                f"unit price {line.unit_price} CNY above the {line.category} cap of {cap} CNY",
                line=line,
            )
        self.no_telemetry: list[dict] = []
        pairs = sorted({(a.agency, a.category) for a in self.assets if not self.tracked(a.agency, a.category)})
        for agency, category in pairs:
            why = (
                "agency sends no usage at all"
                if self.roles[agency] == "silent"
                else "agency logs computers but not this category"
            )
            self._record(self.planted, "NO_TELEMETRY", agency, category, why)
            self.no_telemetry.append({"agency_code": self.codes[agency], "category": category})

    def build(self) -> None:
        self.agencies()
        self.regular_orders()
        self.planted_lines()
        self.surges_and_evenness()
        self.number_orders()
        self.unregistered_and_cap_controls()
        self.expand_assets()
        self.planted_assets()
        self.clean_controls()
        self.ground_truth_extras()
        self.say("planned", agencies=self.tier.agencies, lines=len(self.lines()), assets=len(self.assets))
