"""The procurement-side rule cases of the demo world: planted purchase lines and their clean controls.

`LineCases` plants, before the asset register exists, the IDLE_PURCHASE and BOUGHT_DESPITE_IDLE_STOCK lines in
designated (agency, category) pairs, YEAR_END_SURGE agency-years and the agency-years that must stay even,
OVER_PRICE_CAP lines, UNREGISTERED_UNITS and lines exactly at the cap; `tracker.demo.plant.Builder` adds the
asset-side cases on top. Every case goes into the planted, clean-control or exempt list of the ground truth.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from tracker.demo.catalogue import PREMIUM, PROFILES
from tracker.demo.world import AS_OF, LAST_REGULAR_ORDER, Asset, Line, PurchaseOrder, TierSpec, World

SURGE_SPEND_MIN_CNY = 100_000
EVEN_RATIO_MAX = 1.5  # December spend ÷ monthly average of agency-years that must not surge


class LineCases(World):
    """The demo world with its procurement-side cases and the ground-truth lists every case is recorded in."""

    def __init__(self, tier: TierSpec, seed: int, say: Callable[..., None]) -> None:
        super().__init__(tier, seed, say)
        self.designated: dict[tuple[int, str], str] = {}
        self.surges: list[tuple[int, int]] = []
        self.planted: list[dict] = []
        self.controls: list[dict] = []
        self.exempt: list[dict] = []

    def _record(
        self,
        target: list[dict],
        rule: str | None,
        agency: int,
        category: str | None,
        note: str,
        *,
        asset: Asset | None = None,
        line: Line | None = None,
        fiscal_year: int | None = None,
        **extra,
    ) -> None:
        target.append(
            {
                "rule": rule,
                "agency_code": self.codes[agency],
                "asset_id": asset.asset_id if asset else None,
                "po_number": line.po.number if line else None,
                "line_no": line.line_no if line else None,
                "fiscal_year": fiscal_year,
                "category": category,
                "note": note,
                **extra,
            }
        )

    # planted lines ---------------------------------------------------------------------------------
    def _count_pair_units(self) -> None:
        """Units of regular lines of ≥ 3 per (agency, category): where idle stock can hide without side effects."""
        self.pair_units: dict[tuple[int, str], int] = {}
        for line in self.lines():
            if line.kind == "regular" and line.quantity >= 3:
                key = (line.po.agency, line.category)
                self.pair_units[key] = self.pair_units.get(key, 0) + line.quantity

    def _free_pair(self, agencies: list[int], categories: tuple[str, ...], min_units: int = 0) -> tuple[int, str]:
        """A tracked, undesignated (agency, category) pair with enough regular units in lines of ≥ 3."""
        candidates = [
            (a, c)
            for a in agencies
            for c in categories
            if self.tracked(a, c) and (a, c) not in self.designated and self.pair_units.get((a, c), 0) >= min_units
        ]
        if not candidates:
            raise RuntimeError(f"demo tier {self.tier.name!r} is too small to plant in {categories}")
        return candidates[int(self.rng.integers(len(candidates)))]

    def planted_lines(self) -> None:
        self._count_pair_units()
        tracked_agencies = [a for a in range(self.tier.agencies) if self.roles[a] != "silent"]
        # YEAR_END_SURGE agency-years, each carrying one IDLE_PURCHASE line bought in its last week.
        surge_agencies = list(self.rng.permutation(tracked_agencies))
        while len(surge_agencies) < self.plan["surges"]:
            surge_agencies += list(self.rng.permutation(tracked_agencies))
        years_used: set[tuple[int, int]] = set()
        self.idle_purchase_lines: list[Line] = []
        for i in range(self.plan["surges"]):
            agency = int(surge_agencies[i])
            year = 2024 if i == 0 else self._int(2021, 2024)
            while (agency, year) in years_used:
                year = 2021 + (year - 2020) % 4
            years_used.add((agency, year))
            self.surges.append((agency, year))
            categories = ("tablet",) if i == 0 else ("laptop", "tablet", "projector", "desktop", "camera")
            classic = (agency, "tablet")
            if i == 0 and self.tracked(*classic) and classic not in self.designated:
                pair = classic
            else:
                pair = self._free_pair([agency], categories if i else ("laptop", "desktop"))
            self.designated[pair] = "idle_purchase"
            order = date(year, 12, self._int(22, 28))
            po = self._new_po(agency, order, date(year, 12, 30) + timedelta(days=self._int(0, 8)), "财政拨款")
            quantity = 30 if i == 0 else self._int(12, 30)
            self.idle_purchase_lines.append(self._add_line(po, self._item(pair[1]), quantity, "idle_purchase"))
        for _ in range(self.plan["idle_purchase"] - self.plan["surges"]):
            agency = self._pick(tracked_agencies)
            pair = self._free_pair(
                [agency], ("laptop", "desktop", "tablet", "projector", "monitor", "camera", "scanner", "av_conference")
            )
            self.designated[pair] = "idle_purchase"
            po = self._new_po(agency, date(self._int(2022, 2024), self._int(2, 11), self._int(1, 28)))
            self.idle_purchase_lines.append(self._add_line(po, self._item(pair[1]), self._int(6, 20), "idle_purchase"))
        # BOUGHT_DESPITE_IDLE_STOCK: bought in autumn 2025 while ≥ 3 older units sat unused since spring.
        self.bdis_lines: list[Line] = []
        for _ in range(self.plan["bdis"]):
            pair = self._free_pair(tracked_agencies, ("desktop", "laptop", "printer", "monitor", "projector", "tablet"), 15)
            self.designated[pair] = "bdis"
            order = self._day(date(2025, 9, 5), date(2025, 10, 15))
            po = self._new_po(pair[0], order, order + timedelta(days=self._int(7, 20)))
            self.bdis_lines.append(self._add_line(po, self._item(pair[1]), self._int(3, 10), "bdis"))
        # Every later order in a designated or untracked pair moves before usage data starts.
        for po in self.pos:
            if (
                po.regular
                and po.order_date >= self.tier.usage_start
                and any(
                    (po.agency, ln.category) in self.designated or not self.tracked(po.agency, ln.category) for ln in po.lines
                )
            ):
                po.order_date = self._before_usage()
                po.delivery_date = po.order_date + timedelta(days=self._int(7, 40))
        # OVER_PRICE_CAP: premium models above the category cap.
        self.over_cap_lines: list[Line] = []
        for i in range(self.plan["over_cap"]):
            category = ("laptop", "desktop", "printer")[i % 3]
            agency, _ = self._free_pair(tracked_agencies, (category,))
            order = self._day(date(2021, 2, 1), LAST_REGULAR_ORDER)
            if order.month == 12 or self.tier.usage_start <= order < self.tier.usage_start + timedelta(days=31):
                order = date(order.year, 6, min(order.day, 28))
            item = self._pick([p for p in PREMIUM if p.category == category])
            self.over_cap_lines.append(self._add_line(self._new_po(agency, order), item, self._int(1, 5), "over_cap"))
        # Grace period: delivered in December 2025, not yet used.
        self.grace_lines: list[Line] = []
        for _ in range(self.plan["grace_lines"]):
            agency, category = self._free_pair(tracked_agencies, ("laptop", "desktop", "monitor"), 5)
            order = self._day(date(2025, 11, 5), date(2025, 11, 20))
            po = self._new_po(agency, order, self._day(date(2025, 12, 1), date(2025, 12, 20)))
            self.grace_lines.append(self._add_line(po, self._item(category), 2, "grace"))

    def _spend(self) -> dict[tuple[int, int], list[int]]:
        """Per (agency, year): [December spend, whole-year spend]."""
        spend: dict[tuple[int, int], list[int]] = {}
        for po in self.pos:
            total = sum(line.amount for line in po.lines)
            entry = spend.setdefault((po.agency, po.order_date.year), [0, 0])
            entry[0] += total if po.order_date.month == 12 else 0
            entry[1] += total
        return spend

    def surges_and_evenness(self) -> None:
        """Top up each planted surge to a December ≥ 3× the monthly average, then even out every other agency-year."""
        spend = self._spend()
        for agency, year in self.surges:
            december, total = spend.get((agency, year), [0, 0])
            categories = [
                c
                for c in ("desktop", "laptop", "monitor", "printer", "copier", "scanner")
                if self.tracked(agency, c) and (agency, c) not in self.designated
            ]
            while 3 * december < total - december or total < 1.5 * SURGE_SPEND_MIN_CNY:
                category = self._pick(categories)
                po = self._new_po(agency, date(year, 12, self._int(18, 30)), funding="财政拨款")
                line = self._add_line(po, self._item(category), self._int(10, 30), "surge")
                december += line.amount
                total += line.amount
        spend = self._spend()
        surges = set(self.surges)
        december_orders: dict[tuple[int, int], list[PurchaseOrder]] = {}
        for po in self.pos:
            if po.regular and po.order_date.month == 12:
                december_orders.setdefault((po.agency, po.order_date.year), []).append(po)
        for (agency, year), (december, total) in sorted(spend.items()):
            if (agency, year) in surges:
                continue
            movable = sorted(december_orders.get((agency, year), []), key=lambda po: (-sum(ln.amount for ln in po.lines), po.seq))
            for po in movable:
                if total == 0 or 12 * december / total <= EVEN_RATIO_MAX:
                    break
                december -= sum(ln.amount for ln in po.lines)
                po.order_date = date(year, self._int(2, 11), min(po.order_date.day, 28))
                po.delivery_date = po.order_date + timedelta(days=self._int(7, 40))

    def unregistered_and_cap_controls(self) -> None:
        """Plant UNREGISTERED_UNITS on regular lines, and put one line per capped category exactly at its cap."""
        regular = [
            ln
            for ln in self.lines()
            if ln.kind == "regular"
            and self.roles[ln.po.agency] != "silent"
            and (ln.po.agency, ln.category) not in self.designated
        ]
        order = self.rng.permutation(len(regular))
        self.unregistered_lines: list[Line] = []
        self.cap_lines: list[Line] = []
        for i in order:
            line = regular[int(i)]
            if len(self.unregistered_lines) < self.plan["unregistered"]:
                if line.quantity >= 3 and line.po.delivery_date <= AS_OF - timedelta(days=120):
                    first = not self.unregistered_lines
                    line.registered = 0 if first else line.quantity - self._int(1, min(3, line.quantity - 1))
                    line.kind = "unregistered"
                    self.unregistered_lines.append(line)
                    continue
            cap = PROFILES[line.category].price_cap_cny
            if cap is not None and line.category not in {c.category for c in self.cap_lines} and line.quantity >= 2:
                line.unit_price = int(cap)
                self.cap_lines.append(line)
