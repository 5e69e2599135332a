"""The regular world of one demo data set (docs/architecture.md, demo data): agencies and their telemetry, regular purchase orders,
and the asset register their lines expand into, on the demo calendar.

`World` holds the in-memory state and the seeded helpers every later step draws through; `tracker.demo.plant` plants
the rule cases on top of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tracker.demo.catalogue import (
    CATALOGUE,
    CITY_BODIES,
    DEPARTMENTS,
    DISTRICTS,
    FUNDING,
    LINE_WEIGHTS,
    PREMIUM,
    PROFILES,
    QUANTITY,
    SERIAL_PREFIX,
    SUPPLIERS,
    UNTRACKED_BY_PARTIAL,
    Item,
)
from tracker.domain.calendar import DEFAULT_WINDOW_DAYS
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

AS_OF = date(2025, 12, 31)
WINDOW_START = AS_OF - timedelta(days=DEFAULT_WINDOW_DAYS - 1)  # the default window ending at as_of
IDLE_HORIZON_START = AS_OF - timedelta(days=89)  # the 90 days ending at as_of
FIRST_YEAR = 2019
LAST_REGULAR_ORDER = date(2025, 10, 31)  # later regular orders could still be undelivered at as_of


@dataclass(frozen=True)
class TierSpec:
    """Size of a demo data set; planted cases per rule scale with `plant_factor`."""

    name: str
    agencies: int
    assets: int
    usage_start: date  # usage data covers usage_start..AS_OF
    file_format: str = "csv"  # csv | parquet
    plant_factor: int = 1
    chunk_assets: int = 10_000  # assets whose usage is generated and written at once


TIERS: dict[str, TierSpec] = {
    "small": TierSpec("small", 5, 2_000, date(2025, 1, 1), "csv", 1),
    "medium": TierSpec("medium", 200, 50_000, date(2025, 1, 1), "csv", 25),
    "large": TierSpec("large", 1_000, 200_000, date(2024, 1, 1), "parquet", 100),
}


@dataclass(eq=False)
class Line:
    po: "PurchaseOrder"
    item: Item
    quantity: int
    unit_price: int  # whole yuan
    kind: str = "regular"  # regular | idle_purchase | bdis | surge | over_cap | grace
    registered: int = -1  # -1: all units
    line_no: int = 1

    @property
    def category(self) -> str:
        return self.item.category

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass(eq=False)
class PurchaseOrder:
    agency: int
    order_date: date
    delivery_date: date
    supplier: str
    funding: str
    seq: int  # creation order, breaks ties deterministically
    lines: list[Line] = field(default_factory=list)
    number: str = ""

    @property
    def regular(self) -> bool:
        return all(line.kind == "regular" for line in self.lines)


@dataclass
class Asset:
    asset_id: str
    agency: int
    category: str
    line: Line
    in_service: date
    department: str
    location: str
    serial: str
    status: str = "in_use"
    standby: bool = False
    disposal: date | None = None
    mode: str = "regular"  # regular | low | none
    use_until: date = AS_OF
    forced: date | None = None  # a day that is certainly used
    role: str | None = None  # what was planted on it


def _plan(tier: TierSpec) -> dict[str, int]:
    """How many cases of each kind the tier asks for; the world itself uses the silent and partial agency counts."""
    k = tier.plant_factor
    surges = max(3, tier.agencies // 20)
    return {
        "surges": surges,
        "silent": max(1, tier.agencies // 100),
        "partial": max(1, tier.agencies // 40),
        "idle_purchase": max(3 * k, surges),
        "bdis": 3 * k,
        "over_cap": 3 * k,
        "unregistered": 3 * k,
        "never": 4 * k,
        "idle": 4 * k,
        "low": 4 * k,
        "standby": 3 * k,
        "disposed": 4 * k,
        "grace_lines": 2 * k,
        "recent_quiet": k,
        "clean_assets": max(10, 2 * k),
    }


class World:
    """Agencies, orders and assets of one demo data set in memory; every random draw comes from `rng`, in a fixed order."""

    def __init__(self, tier: TierSpec, seed: int, say: Callable[..., None]) -> None:
        self.tier, self.seed, self.say = tier, seed, say
        self.rng = np.random.default_rng(seed)
        self.plan = _plan(tier)
        self.pos: list[PurchaseOrder] = []
        self.assets: list[Asset] = []
        self.by_brand: dict[str, list[Item]] = {}
        for item in CATALOGUE:
            self.by_brand.setdefault(item.brand, []).append(item)

    # small helpers ------------------------------------------------------------------------------
    def _int(self, lo: int, hi: int) -> int:
        """A whole number in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    def _pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def _day(self, start: date, end: date) -> date:
        return start + timedelta(days=self._int(0, (end - start).days))

    def _price(self, item: Item) -> int:
        price = int(round(self.rng.uniform(item.price_lo, item.price_hi), -1))
        if self.rng.random() < 0.4:
            price -= 1
        cap = PROFILES[item.category].price_cap_cny
        return min(price, int(cap)) if cap is not None and item not in PREMIUM else price

    def _quantity(self, category: str) -> int:
        lo, hi = QUANTITY[category]
        return lo + int((hi - lo + 1) * self.rng.random() ** 2)

    def _item(self, category: str) -> Item:
        return self._pick([i for i in CATALOGUE if i.category == category])

    def tracked(self, agency: int, category: str) -> bool:
        """Whether the agency sends usage for the category (NO_TELEMETRY otherwise)."""
        role = self.roles[agency]
        return role == "full" or (role == "partial" and category not in UNTRACKED_BY_PARTIAL)

    def _new_po(self, agency: int, order: date, delivery: date | None = None, funding: str | None = None) -> PurchaseOrder:
        delivery = delivery or order + timedelta(days=self._int(7, 40))
        po = PurchaseOrder(agency, order, delivery, "", funding or self._pick(FUNDING), len(self.pos))
        self.pos.append(po)
        return po

    def _add_line(self, po: PurchaseOrder, item: Item, quantity: int, kind: str = "regular", price: int | None = None) -> Line:
        line = Line(po, item, quantity, price if price is not None else self._price(item), kind)
        po.supplier = po.supplier or SUPPLIERS[item.brand]
        po.lines.append(line)
        return line

    def lines(self) -> list[Line]:
        return [line for po in self.pos for line in po.lines]

    def _before_usage(self) -> date:
        """A date before usage data starts, avoiding December (which would look like a surge)."""
        year = self._int(FIRST_YEAR, self.tier.usage_start.year - 1)
        return date(year, self._int(1, 11), self._int(1, 28))

    # agencies and purchase orders --------------------------------------------------------------------
    def agencies(self) -> None:
        n = self.tier.agencies
        width = max(3, len(str(n)))
        self.codes = [f"A{i + 1:0{width}d}" for i in range(n)]
        names = [f"市{body}" for body in CITY_BODIES] + [f"{d}{b}" for d in DISTRICTS for b in CITY_BODIES]
        if n > len(names):
            raise ConfigError("config.bad_value", name="agencies", value=str(n), reason=reason("at_most", limit=len(names)))
        self.names = names[:n]
        order = self.rng.permutation(n)
        self.roles = ["full"] * n
        for i in order[: self.plan["silent"]]:
            self.roles[i] = "silent"
        for i in order[self.plan["silent"] : self.plan["silent"] + self.plan["partial"]]:
            self.roles[i] = "partial"
        self.sources = [self._pick(("agent", "agent", "login-log")) for _ in range(n)]
        weights = self.rng.lognormal(0, 0.4, n)
        self.targets = np.maximum(40, weights / weights.sum() * self.tier.assets * 0.935).astype(int)

    def regular_orders(self) -> None:
        cats, probs = list(LINE_WEIGHTS), np.array(list(LINE_WEIGHTS.values()))
        usage_start = self.tier.usage_start
        for agency in range(self.tier.agencies):
            units = 0
            while units < self.targets[agency]:
                if self.roles[agency] == "silent":
                    order = self._day(date(FIRST_YEAR, 1, 1), usage_start - timedelta(days=1))
                else:
                    order = self._day(date(FIRST_YEAR, 1, 1), LAST_REGULAR_ORDER)
                    if usage_start <= order < usage_start + timedelta(days=31):
                        continue  # the first month of usage data cannot show what was idle before it
                po = self._new_po(agency, order)
                item = self._item(str(cats[int(self.rng.choice(len(cats), p=probs))]))
                for _ in range(1 + (self.rng.random() < 0.4) + (self.rng.random() < 0.1)):
                    units += self._add_line(po, item, self._quantity(item.category)).quantity
                    others = [i for i in self.by_brand[item.brand] if i.category not in {ln.category for ln in po.lines}]
                    if not others:
                        break
                    item = self._pick(others)
            if self.roles[agency] == "partial":
                for category in UNTRACKED_BY_PARTIAL:  # make sure the gap exists
                    if not any(ln.category == category for po in self.pos if po.agency == agency for ln in po.lines):
                        self._add_line(self._new_po(agency, self._before_usage()), self._item(category), 2)

    def number_orders(self) -> None:
        counters: dict[tuple[int, int], int] = {}
        for po in sorted(self.pos, key=lambda p: (p.agency, p.order_date, p.seq)):
            key = (po.agency, po.order_date.year)
            counters[key] = counters.get(key, 0) + 1
            po.number = f"CG{po.order_date.year}-{self.codes[po.agency]}-{counters[key]:04d}"
            for i, line in enumerate(po.lines, 1):
                line.line_no = i

    # assets --------------------------------------------------------------------------------------
    def expand_assets(self) -> None:
        chars = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
        seq = [0] * self.tier.agencies
        pos = sorted(self.pos, key=lambda p: (p.agency, p.delivery_date, p.number))
        units = [
            (line, po)
            for po in pos
            for line in po.lines
            for _ in range(line.quantity if line.registered < 0 else line.registered)
        ]
        serials = chars[self.rng.integers(0, len(chars), size=(len(units), 8))].view("<U8").ravel()
        for (line, po), serial in zip(units, serials):
            seq[po.agency] += 1
            category = line.category
            if category in ("server", "network", "storage"):
                department, location = "信息中心", f"信息中心机房 {self._int(1, 12):02d}号机柜"
            elif category in ("projector", "av_conference"):
                department, location = "办公室", f"第{self._int(1, 6)}会议室"
            else:
                department = self._pick(DEPARTMENTS)
                location = f"办公楼{self._int(1, 8)}层{self._int(1, 30):02d}室"
            in_service = (
                po.delivery_date if line.kind == "grace" else min(po.delivery_date + timedelta(days=self._int(0, 10)), AS_OF)
            )
            asset = Asset(
                f"{self.codes[po.agency]}-{seq[po.agency]:05d}",
                po.agency,
                category,
                line,
                in_service,
                department,
                location,
                f"{SERIAL_PREFIX[line.item.brand]}{serial}",
            )
            if not self.tracked(po.agency, category) or line.kind == "grace":
                asset.mode = "none"
            self.assets.append(asset)
        self.by_line: dict[int, list[Asset]] = {}
        self.by_pair: dict[tuple[int, str], list[Asset]] = {}
        for asset in self.assets:
            self.by_line.setdefault(id(asset.line), []).append(asset)
            self.by_pair.setdefault((asset.agency, asset.category), []).append(asset)
