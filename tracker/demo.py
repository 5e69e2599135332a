"""Deterministic demo data with planted anomalies, in tiers (DESIGN §4, §5, §7 `demo`).

`generate` writes procurement lines (Chinese headers), the asset register and daily usage logs for
a set of fictional agencies, plus `ground_truth.json`: every case a correct rule engine must flag
for as_of 2025-12-31, the clean controls it must not flag, and the exempt assets. Everything comes
from one seeded numpy generator, so the same tier and seed always give byte-identical files.

How the data stays exact: apart from the planted cases, every asset is used on most available days
and until the last week, every agency spends evenly over the year, every capped line is at or below
its cap, and every line is fully registered. Idle assets are kept to at most two per agency and
category, except in "designated" pairs that host one planted IDLE_PURCHASE or BOUGHT_DESPITE_IDLE_STOCK
line and receive no other order once usage data starts; so BOUGHT_DESPITE_IDLE_STOCK fires only where
planted. Pairs without telemetry receive no order once usage data starts either.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa

from tracker.categories import DEFAULT_PROFILES
from tracker.errors import ConfigError

AS_OF = date(2025, 12, 31)
WINDOW_START = AS_OF - timedelta(days=364)  # the 365 days ending at as_of
IDLE_HORIZON_START = AS_OF - timedelta(days=89)  # the 90 days ending at as_of
IDLE_DAYS = 90
GRACE_DAYS = 60
STOCK_DAYS = 90  # BOUGHT_DESPITE_IDLE_STOCK: in service and unused for this long before the order
FIRST_YEAR = 2019
LAST_REGULAR_ORDER = date(2025, 10, 31)  # later regular orders could still be undelivered at as_of
SURGE_SPEND_MIN_CNY = 100_000
EVEN_RATIO_MAX = 1.5  # December spend ÷ monthly average of agency-years that must not surge
PROFILES = {p.category: p for p in DEFAULT_PROFILES}


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


@dataclass(frozen=True)
class DemoFiles:
    """The files one `generate` call wrote, and their row counts."""

    procurement: Path
    assets: Path
    usage: Path
    ground_truth: Path
    agencies: int
    procurement_rows: int
    asset_rows: int
    usage_rows: int
    planted: int


# --- reference data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Item:
    category: str
    brand: str
    model: str
    name_zh: str  # 品目名称 as written in procurement
    price_lo: int
    price_hi: int


def _items(category: str, name_zh: str, *rows: tuple[str, str, int, int]) -> list[_Item]:
    return [_Item(category, brand, model, name_zh, lo, hi) for brand, model, lo, hi in rows]


CATALOGUE: tuple[_Item, ...] = tuple(
    _items("desktop", "台式计算机", ("联想", "启天 M437", 3800, 4990), ("联想", "开天 M740Z", 4200, 5000),
           ("华为", "擎云 B730E", 4300, 5000), ("惠普", "ProDesk 480 G9", 3900, 4800), ("戴尔", "OptiPlex 3000", 3600, 4700),
           ("同方", "超翔 TZ830", 4000, 5000))
    + _items("laptop", "笔记本电脑", ("联想", "ThinkPad E14", 4500, 6500), ("联想", "昭阳 K4e", 4200, 5800),
             ("华为", "MateBook D 14", 4300, 5500), ("惠普", "战66", 4200, 6200))
    + _items("laptop", "便携式计算机", ("戴尔", "Latitude 3440", 4800, 7000))
    + _items("tablet", "平板电脑", ("华为", "MatePad 11", 2300, 3200), ("联想", "小新Pad Pro", 1800, 2600), ("苹果", "iPad 10.9", 3000, 3600))
    + _items("monitor", "显示器", ("联想", "ThinkVision T24i", 900, 1300), ("戴尔", "P2422H", 1100, 1500),
             ("华为", "MateView SE", 800, 1100), ("惠普", "E24 G5", 900, 1300))
    + _items("printer", "打印机", ("得力", "P2500DNW 激光", 800, 1100), ("奔图", "P3301DN 激光", 900, 1200),
             ("联想", "LJ2405D 激光", 800, 1050), ("惠普", "LaserJet M208dw", 1000, 1200))
    + _items("copier", "多功能一体机", ("理光", "IM 2702", 9000, 14000), ("惠普", "LaserJet MFP M437nda", 6000, 8500))
    + _items("copier", "复印机", ("京瓷", "TASKalfa 2020", 8000, 12000), ("东芝", "e-STUDIO 2523AD", 8500, 12500))
    + _items("scanner", "扫描仪", ("爱普生", "DS-530 II", 2500, 3500), ("富士通", "fi-7160", 5500, 7500), ("得力", "D7000", 1500, 2500))
    + _items("projector", "投影仪", ("爱普生", "CB-FH52", 4000, 5500), ("爱普生", "CB-X06", 3000, 3800),
             ("明基", "E540", 4500, 6000), ("索尼", "VPL-EX570", 6000, 8000))
    + _items("av_conference", "视频会议设备", ("华为", "TE30 视频终端", 12000, 20000), ("中兴", "ZXV10 XT502", 10000, 16000))
    + _items("av_conference", "会议系统", ("宝利通", "Studio X30", 18000, 26000))
    + _items("camera", "照相机", ("佳能", "EOS R6 Mark II", 14000, 17000), ("索尼", "A7 IV", 15000, 18000))
    + _items("camera", "摄像机", ("佳能", "XF605", 20000, 26000))
    + _items("instrument", "仪器仪表", ("普源", "DS1202Z-E 示波器", 2600, 3500), ("福禄克", "87V 数字万用表", 3500, 4500),
             ("是德", "DSOX1204G 示波器", 9000, 13000))
    + _items("server", "服务器", ("浪潮", "NF5280M6", 45000, 90000), ("华为", "FusionServer 2288H V6", 50000, 110000),
             ("联想", "ThinkSystem SR650 V2", 40000, 95000), ("新华三", "R4900 G5", 45000, 100000))
    + _items("network", "交换机", ("华为", "S5735-L48T4X", 3500, 6000), ("新华三", "S5130S-52S", 3000, 5500), ("中兴", "ZXR10 5960", 4000, 7000))
    + _items("network", "路由器", ("华为", "AR6140", 12000, 20000))
    + _items("network", "网络设备", ("锐捷", "RG-WALL 1600 防火墙", 15000, 30000))
    + _items("storage", "存储设备", ("华为", "OceanStor 5310", 80000, 150000), ("浪潮", "AS2600G5", 60000, 120000), ("群晖", "DS1821+", 8000, 15000))
    + _items("other", "其他", ("山特", "C3KS UPS电源", 3000, 4500), ("得力", "9903 碎纸机", 800, 1500))
)
# Models priced above the category cap, used only by planted OVER_PRICE_CAP lines.
PREMIUM: tuple[_Item, ...] = tuple(
    _items("laptop", "笔记本电脑", ("联想", "ThinkPad X1 Carbon", 9500, 12900), ("苹果", "MacBook Pro 14", 13000, 15900),
           ("华为", "MateBook X Pro", 8500, 9900))
    + _items("desktop", "台式计算机", ("惠普", "Z2 G9 图形工作站", 6800, 9800), ("戴尔", "Precision 3680 工作站", 7000, 11000))
    + _items("printer", "打印机", ("惠普", "Color LaserJet Pro M454dw 彩色激光", 2600, 3200), ("爱普生", "L15158 彩色喷墨", 1900, 2600))
)
SUPPLIERS = {
    "联想": "联想（北京）有限公司", "华为": "华为技术有限公司", "惠普": "惠普贸易（上海）有限公司", "戴尔": "戴尔（中国）有限公司",
    "同方": "同方股份有限公司", "苹果": "苹果电子产品商贸（北京）有限公司", "得力": "得力集团有限公司", "奔图": "珠海奔图电子有限公司",
    "理光": "理光（中国）投资有限公司", "京瓷": "京瓷办公信息系统（中国）有限公司", "东芝": "东芝泰格信息系统（深圳）有限公司",
    "爱普生": "爱普生（中国）有限公司", "富士通": "富士通（中国）信息系统有限公司", "明基": "明基电通信息技术有限公司",
    "索尼": "索尼（中国）有限公司", "中兴": "中兴通讯股份有限公司", "宝利通": "宝利通（北京）网络科技有限公司",
    "佳能": "佳能（中国）有限公司", "普源": "普源精电科技股份有限公司", "福禄克": "福禄克测试仪器（上海）有限公司",
    "是德": "是德科技（中国）有限公司", "浪潮": "浪潮电子信息产业股份有限公司", "新华三": "新华三技术有限公司",
    "锐捷": "锐捷网络股份有限公司", "群晖": "群晖科技（上海）有限公司", "山特": "山特电子（深圳）有限公司",
}
SERIAL_PREFIX = {brand: f"{i:02d}" for i, brand in enumerate(SUPPLIERS)}
LINE_WEIGHTS = {"desktop": .20, "laptop": .16, "tablet": .04, "monitor": .08, "printer": .12, "copier": .04, "scanner": .04,
                "projector": .07, "av_conference": .03, "camera": .03, "instrument": .03, "server": .04, "network": .06,
                "storage": .02, "other": .04}
QUANTITY = {"desktop": (1, 30), "laptop": (1, 20), "tablet": (1, 10), "monitor": (1, 20), "printer": (1, 8), "copier": (1, 2),
            "scanner": (1, 3), "projector": (1, 4), "av_conference": (1, 2), "camera": (1, 2), "instrument": (1, 3),
            "server": (1, 4), "network": (1, 6), "storage": (1, 2), "other": (1, 4)}
# Regular use: chance of use on an available day (range per asset), on other days (overtime, 加班), hours on a used day.
USE = {"desktop": (.90, .99, .30, 3.5, 9.0), "laptop": (.88, .98, .35, 3.0, 8.5), "tablet": (.80, .95, .20, 2.0, 6.0),
       "monitor": (.90, .99, .30, 3.5, 9.0), "printer": (.88, .98, .12, 1.0, 3.5), "copier": (.90, .99, .12, 1.5, 4.5),
       "scanner": (.75, .92, .03, 1.0, 3.0), "projector": (.65, .88, .03, 2.0, 5.0), "av_conference": (.60, .85, .03, 2.0, 5.0),
       "camera": (.60, .85, .10, 1.5, 4.0), "instrument": (.88, .98, .05, 5.0, 7.0), "server": (.99, 1.0, 0, 20.0, 24.0),
       "network": (.99, 1.0, 0, 20.0, 24.0), "storage": (.99, 1.0, 0, 20.0, 24.0), "other": (.88, .98, .15, 2.0, 7.0)}
SOURCE = {"printer": "meter", "copier": "meter", "scanner": "meter", "projector": "meter", "av_conference": "meter",
          "camera": "meter", "instrument": "meter", "server": "agent", "network": "agent", "storage": "agent"}
SOURCES = ("agent", "login-log", "meter")
UNTRACKED_BY_PARTIAL = ("printer", "projector")  # agencies that log computers but not these
FUNDING = ("财政拨款", "财政拨款", "专项资金", "自有资金", "上级补助")
DEPARTMENTS = ("办公室", "财务科", "人事科", "综合科", "法规科", "业务一科", "业务二科", "监督检查科", "后勤服务中心")
CITY_BODIES = ("教育局", "卫生健康委员会", "财政局", "公安局", "民政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
               "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化广电旅游局", "市场监督管理局",
               "统计局", "医疗保障局", "应急管理局", "审计局", "司法局", "科学技术局", "退役军人事务局", "林业局",
               "体育局", "档案馆")
DISTRICTS = ("东城区", "西城区", "南山区", "北湖区", "高新区", "滨江区", "青山区", "江北区", "临港区", "河西区", "新城区",
             "老城区", "经开区", "云溪区", "金湖区", "龙泉区", "白沙区", "清河区", "望江区", "凤凰区", "石门县", "桃源县",
             "安平县", "永宁县", "长乐县", "兴隆县", "平山县", "柳林县", "黄梅县", "清水县", "三河县", "宁远县", "福安县",
             "嘉禾县", "蓝田县", "静海县", "太和县", "武安县", "松溪县", "泰宁县")


# --- construction state --------------------------------------------------------------------------

@dataclass(eq=False)
class _Line:
    po: "_PO"
    item: _Item
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
class _PO:
    agency: int
    order_date: date
    delivery_date: date
    supplier: str
    funding: str
    seq: int  # creation order, breaks ties deterministically
    lines: list[_Line] = field(default_factory=list)
    number: str = ""

    @property
    def regular(self) -> bool:
        return all(line.kind == "regular" for line in self.lines)


@dataclass
class _Asset:
    asset_id: str
    agency: int
    category: str
    line: _Line
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
    k = tier.plant_factor
    surges = max(3, tier.agencies // 20)
    return {"surges": surges, "silent": max(1, tier.agencies // 100), "partial": max(1, tier.agencies // 40),
            "idle_purchase": max(3 * k, surges), "bdis": 3 * k, "over_cap": 3 * k, "unregistered": 3 * k,
            "never": 4 * k, "idle": 4 * k, "low": 4 * k, "standby": 3 * k, "disposed": 4 * k, "grace_lines": 2 * k,
            "recent_quiet": k, "clean_assets": max(10, 2 * k)}


class _Builder:
    """Builds one demo data set in memory; every random draw comes from `rng`, in a fixed order."""

    def __init__(self, tier: TierSpec, seed: int, say: Callable[[str], None]) -> None:
        self.tier, self.seed, self.say = tier, seed, say
        self.rng = np.random.default_rng(seed)
        self.plan = _plan(tier)
        self.pos: list[_PO] = []
        self.assets: list[_Asset] = []
        self.designated: dict[tuple[int, str], str] = {}
        self.surges: list[tuple[int, int]] = []
        self.planted: list[dict] = []
        self.controls: list[dict] = []
        self.exempt: list[dict] = []
        self.by_brand: dict[str, list[_Item]] = {}
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

    def _price(self, item: _Item) -> int:
        price = int(round(self.rng.uniform(item.price_lo, item.price_hi), -1))
        if self.rng.random() < 0.4:
            price -= 1
        cap = PROFILES[item.category].price_cap_cny
        return min(price, int(cap)) if cap is not None and item not in PREMIUM else price

    def _quantity(self, category: str) -> int:
        lo, hi = QUANTITY[category]
        return lo + int((hi - lo + 1) * self.rng.random() ** 2)

    def _item(self, category: str) -> _Item:
        return self._pick([i for i in CATALOGUE if i.category == category])

    def tracked(self, agency: int, category: str) -> bool:
        """Whether the agency sends usage for the category (NO_TELEMETRY otherwise)."""
        role = self.roles[agency]
        return role == "full" or (role == "partial" and category not in UNTRACKED_BY_PARTIAL)

    def _new_po(self, agency: int, order: date, delivery: date | None = None, funding: str | None = None) -> _PO:
        delivery = delivery or order + timedelta(days=self._int(7, 40))
        po = _PO(agency, order, delivery, "", funding or self._pick(FUNDING), len(self.pos))
        self.pos.append(po)
        return po

    def _add_line(self, po: _PO, item: _Item, quantity: int, kind: str = "regular", price: int | None = None) -> _Line:
        line = _Line(po, item, quantity, price if price is not None else self._price(item), kind)
        po.supplier = po.supplier or SUPPLIERS[item.brand]
        po.lines.append(line)
        return line

    def lines(self) -> list[_Line]:
        return [line for po in self.pos for line in po.lines]

    def _before_usage(self) -> date:
        """A date before usage data starts, avoiding December (which would look like a surge)."""
        year = self._int(FIRST_YEAR, self.tier.usage_start.year - 1)
        return date(year, self._int(1, 11), self._int(1, 28))

    # agencies and regular purchases ------------------------------------------------------------------
    def agencies(self) -> None:
        n = self.tier.agencies
        width = max(3, len(str(n)))
        self.codes = [f"A{i + 1:0{width}d}" for i in range(n)]
        names = [f"市{body}" for body in CITY_BODIES] + [f"{d}{b}" for d in DISTRICTS for b in CITY_BODIES]
        if n > len(names):
            raise ConfigError("config.bad_value", name="agencies", value=str(n), reason=f"at most {len(names)}")
        self.names = names[:n]
        order = self.rng.permutation(n)
        self.roles = ["full"] * n
        for i in order[:self.plan["silent"]]:
            self.roles[i] = "silent"
        for i in order[self.plan["silent"]:self.plan["silent"] + self.plan["partial"]]:
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
                for _ in range(1 + (self.rng.random() < .4) + (self.rng.random() < .1)):
                    units += self._add_line(po, item, self._quantity(item.category)).quantity
                    others = [i for i in self.by_brand[item.brand] if i.category not in {ln.category for ln in po.lines}]
                    if not others:
                        break
                    item = self._pick(others)
            if self.roles[agency] == "partial":
                for category in UNTRACKED_BY_PARTIAL:  # make sure the gap exists
                    if not any(ln.category == category for po in self.pos if po.agency == agency for ln in po.lines):
                        self._add_line(self._new_po(agency, self._before_usage()), self._item(category), 2)

    def _count_pair_units(self) -> None:
        """Units of regular lines of ≥ 3 per (agency, category): where idle stock can hide without side effects."""
        self.pair_units: dict[tuple[int, str], int] = {}
        for line in self.lines():
            if line.kind == "regular" and line.quantity >= 3:
                key = (line.po.agency, line.category)
                self.pair_units[key] = self.pair_units.get(key, 0) + line.quantity

    # planted lines ---------------------------------------------------------------------------------
    def _free_pair(self, agencies: list[int], categories: tuple[str, ...], min_units: int = 0) -> tuple[int, str]:
        """A tracked, undesignated (agency, category) pair with enough regular units in lines of ≥ 3."""
        candidates = [(a, c) for a in agencies for c in categories
                      if self.tracked(a, c) and (a, c) not in self.designated and self.pair_units.get((a, c), 0) >= min_units]
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
        self.idle_purchase_lines: list[_Line] = []
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
            pair = self._free_pair([agency], ("laptop", "desktop", "tablet", "projector", "monitor", "camera", "scanner", "av_conference"))
            self.designated[pair] = "idle_purchase"
            po = self._new_po(agency, date(self._int(2022, 2024), self._int(2, 11), self._int(1, 28)))
            self.idle_purchase_lines.append(self._add_line(po, self._item(pair[1]), self._int(6, 20), "idle_purchase"))
        # BOUGHT_DESPITE_IDLE_STOCK: bought in autumn 2025 while ≥ 3 older units sat unused since spring.
        self.bdis_lines: list[_Line] = []
        for _ in range(self.plan["bdis"]):
            pair = self._free_pair(tracked_agencies, ("desktop", "laptop", "printer", "monitor", "projector", "tablet"), 15)
            self.designated[pair] = "bdis"
            order = self._day(date(2025, 9, 5), date(2025, 10, 15))
            po = self._new_po(pair[0], order, order + timedelta(days=self._int(7, 20)))
            self.bdis_lines.append(self._add_line(po, self._item(pair[1]), self._int(3, 10), "bdis"))
        # Every later order in a designated or untracked pair moves before usage data starts.
        for po in self.pos:
            if po.regular and po.order_date >= self.tier.usage_start and any(
                    (po.agency, ln.category) in self.designated or not self.tracked(po.agency, ln.category) for ln in po.lines):
                po.order_date = self._before_usage()
                po.delivery_date = po.order_date + timedelta(days=self._int(7, 40))
        # OVER_PRICE_CAP: premium models above the category cap.
        self.over_cap_lines: list[_Line] = []
        for i in range(self.plan["over_cap"]):
            category = ("laptop", "desktop", "printer")[i % 3]
            agency, _ = self._free_pair(tracked_agencies, (category,))
            order = self._day(date(2021, 2, 1), LAST_REGULAR_ORDER)
            if order.month == 12 or self.tier.usage_start <= order < self.tier.usage_start + timedelta(days=31):
                order = date(order.year, 6, min(order.day, 28))
            item = self._pick([p for p in PREMIUM if p.category == category])
            self.over_cap_lines.append(self._add_line(self._new_po(agency, order), item, self._int(1, 5), "over_cap"))
        # Grace period: delivered in December 2025, not yet used.
        self.grace_lines: list[_Line] = []
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
            categories = [c for c in ("desktop", "laptop", "monitor", "printer", "copier", "scanner")
                          if self.tracked(agency, c) and (agency, c) not in self.designated]
            while 3 * december < total - december or total < 1.5 * SURGE_SPEND_MIN_CNY:
                category = self._pick(categories)
                po = self._new_po(agency, date(year, 12, self._int(18, 30)), funding="财政拨款")
                line = self._add_line(po, self._item(category), self._int(10, 30), "surge")
                december += line.amount
                total += line.amount
        spend = self._spend()
        surges = set(self.surges)
        december_orders: dict[tuple[int, int], list[_PO]] = {}
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

    def number_orders(self) -> None:
        counters: dict[tuple[int, int], int] = {}
        for po in sorted(self.pos, key=lambda p: (p.agency, p.order_date, p.seq)):
            key = (po.agency, po.order_date.year)
            counters[key] = counters.get(key, 0) + 1
            po.number = f"CG{po.order_date.year}-{self.codes[po.agency]}-{counters[key]:04d}"
            for i, line in enumerate(po.lines, 1):
                line.line_no = i

    def unregistered_and_cap_controls(self) -> None:
        """Plant UNREGISTERED_UNITS on regular lines, and put one line per capped category exactly at its cap."""
        regular = [ln for ln in self.lines() if ln.kind == "regular" and self.roles[ln.po.agency] != "silent"
                   and (ln.po.agency, ln.category) not in self.designated]
        order = self.rng.permutation(len(regular))
        self.unregistered_lines: list[_Line] = []
        self.cap_lines: list[_Line] = []
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

    # assets --------------------------------------------------------------------------------------
    def expand_assets(self) -> None:
        chars = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
        seq = [0] * self.tier.agencies
        pos = sorted(self.pos, key=lambda p: (p.agency, p.delivery_date, p.number))
        units = [(line, po) for po in pos for line in po.lines
                 for _ in range(line.quantity if line.registered < 0 else line.registered)]
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
            in_service = po.delivery_date if line.kind == "grace" else min(po.delivery_date + timedelta(days=self._int(0, 10)), AS_OF)
            asset = _Asset(f"{self.codes[po.agency]}-{seq[po.agency]:05d}", po.agency, category, line, in_service, department, location,
                           f"{SERIAL_PREFIX[line.item.brand]}{serial}")
            if not self.tracked(po.agency, category) or line.kind == "grace":
                asset.mode = "none"
            self.assets.append(asset)
        self.by_line: dict[int, list[_Asset]] = {}
        self.by_pair: dict[tuple[int, str], list[_Asset]] = {}
        for asset in self.assets:
            self.by_line.setdefault(id(asset.line), []).append(asset)
            self.by_pair.setdefault((asset.agency, asset.category), []).append(asset)

    def _record(self, target: list[dict], rule: str | None, agency: int, category: str | None, note: str, *,
                asset: _Asset | None = None, line: _Line | None = None, fiscal_year: int | None = None, **extra) -> None:
        target.append({"rule": rule, "agency_code": self.codes[agency], "asset_id": asset.asset_id if asset else None,
                       "po_number": line.po.number if line else None, "line_no": line.line_no if line else None,
                       "fiscal_year": fiscal_year, "category": category, "note": note, **extra})

    def _set_role(self, asset: _Asset, role: str, note: str, last_use: date | None = None) -> None:
        """Give an asset its planted behaviour and record it."""
        asset.role = role
        if role == "NEVER_USED":
            asset.mode = "none"
            asset.status = "in_storage" if self.rng.random() < .25 else "in_use"
        elif role == "IDLE":
            asset.use_until = asset.forced = last_use
            asset.status = "idle" if self.rng.random() < .2 else "in_use"
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

    def _take(self, n: int, what: str, *, quiet: bool, flagged: bool, **kwargs) -> list[_Asset]:
        """Reserve n candidates, updating the per-pair and per-line budgets; all or nothing."""
        taken: list[_Asset] = []
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

    def _reserve(self, asset: _Asset, quiet: bool, flagged: bool, step: int) -> None:
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
            flagged = min(len(units) - 1, math.ceil(len(units) * self.rng.uniform(.55, .8)))
            where = f"unit of IDLE_PURCHASE line {line.po.number}/{line.line_no}"
            for j, index in enumerate(self.rng.permutation(len(units))[:flagged]):
                asset = units[int(index)]
                role = ("NEVER_USED", "IDLE", "LOW_UTILISATION", "NEVER_USED", "LOW_UTILISATION")[j % 5]
                last = AS_OF - timedelta(days=self._int(120, 250))
                self._set_role(asset, role, f"{where}; " + self._describe(role, last), last)
            self._record(self.planted, "IDLE_PURCHASE", line.po.agency, line.category,
                         f"{flagged} of {len(units)} units never used, idle or barely used; ordered {line.po.order_date}",
                         line=line)
        # Idle stock behind each BOUGHT_DESPITE_IDLE_STOCK line: unused from spring 2025 on.
        for line in self.bdis_lines:
            order = line.po.order_date
            stock = self._take(self._int(3, 4), "idle stock", quiet=True, flagged=True, pair=(line.po.agency, line.category),
                               in_service_by=min(window_start, order - timedelta(days=STOCK_DAYS + 10)))
            for j, asset in enumerate(stock):
                last = self._day(date(2025, 4, 15), date(2025, 5, 28))
                role = "NEVER_USED" if j == 3 else "IDLE"
                self._set_role(asset, role, f"idle stock behind BOUGHT_DESPITE_IDLE_STOCK line {line.po.number}/{line.line_no}; "
                               + self._describe(role, last), last)
            self._record(self.planted, "BOUGHT_DESPITE_IDLE_STOCK", line.po.agency, line.category,
                         f"ordered {order}; {len(stock)} older units in service ≥ {STOCK_DAYS} days had no usage from "
                         f"{order - timedelta(days=STOCK_DAYS)} on: " + ", ".join(sorted(a.asset_id for a in stock)), line=line)
        self._near_miss_stock()
        for role, n in (("NEVER_USED", self.plan["never"] - 2 * bool(self.near_miss)), ("IDLE", self.plan["idle"]),
                        ("LOW_UTILISATION", self.plan["low"])):
            for asset in self._take(n, role, quiet=role != "LOW_UTILISATION", flagged=True, in_service_by=window_start):
                last = AS_OF - timedelta(days=self._int(120, 250))
                self._set_role(asset, role, self._describe(role, last), last)
        for asset in self._take(self.plan["standby"], "standby", quiet=True, flagged=False, in_service_by=window_start):
            asset.role, asset.mode, asset.status, asset.standby = "standby", "none", "standby", True
            self._record(self.exempt, None, asset.agency, asset.category, "standby (备用/应急) equipment, never used",
                         asset=asset, reason="standby")
        for j, asset in enumerate(self._take(self.plan["disposed"], "disposed", quiet=True, flagged=False,
                                             in_service_by=date(2020, 12, 31))):
            asset.role, asset.status = "disposed", "disposed"
            if j % 2:
                asset.disposal = self._day(date(2023, 3, 1), self.tier.usage_start - timedelta(days=30))
                asset.mode = "none"
            else:
                asset.disposal = self._day(WINDOW_START + timedelta(days=60), AS_OF - timedelta(days=120))
                asset.use_until = asset.forced = asset.disposal - timedelta(days=1)
            self._record(self.exempt, None, asset.agency, asset.category,
                         f"disposed {asset.disposal}, no usage after it", asset=asset, reason="disposed")
        for line in self.grace_lines:
            for asset in self.by_line[id(line)]:
                asset.role = "grace"
                self._record(self.exempt, None, asset.agency, line.category,
                             f"in service {asset.in_service}, less than {GRACE_DAYS} days before as_of, not used yet",
                             asset=asset, reason="grace")

    def _near_miss_stock(self) -> None:
        """Two never-used units in a pair that buys again later: one short of BOUGHT_DESPITE_IDLE_STOCK."""
        self.near_miss: _Line | None = None
        earliest = max(self.tier.usage_start + timedelta(days=STOCK_DAYS + 10), WINDOW_START + timedelta(days=100))
        later = [ln for ln in self.lines() if ln.kind == "regular" and earliest <= ln.po.order_date
                 and self.tracked(ln.po.agency, ln.category) and (ln.po.agency, ln.category) not in self.designated
                 and self.pair_quiet[(ln.po.agency, ln.category)] == 0 and self.pair_clean[(ln.po.agency, ln.category)] >= 12]
        for index in self.rng.permutation(len(later)):
            line = later[int(index)]
            try:
                pair_assets = self._take(2, "near miss", quiet=True, flagged=True, pair=(line.po.agency, line.category),
                                         in_service_by=WINDOW_START - timedelta(days=1))
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
        for asset in self._take(self.plan["recent_quiet"], "recent quiet", quiet=False, flagged=False, in_service_by=window_start):
            last = AS_OF - timedelta(days=self._int(50, 70))
            asset.role, asset.use_until, asset.forced = "control", last, last
            self._record(self.controls, None, asset.agency, asset.category,
                         f"well used until {last}: {(AS_OF - last).days} days idle, below the {IDLE_DAYS}-day IDLE threshold", asset=asset)
        categories = sorted(PROFILES)
        for j in range(self.plan["clean_assets"]):
            pool = self._candidates(quiet=False, flagged=False, in_service_by=window_start)
            wanted = categories[j % len(categories)]
            asset = next((a for a in pool if a.category == wanted), None) or next(
                self._candidates(quiet=False, flagged=False, in_service_by=window_start))
            asset.role = "control"
            self._record(self.controls, None, asset.agency, asset.category, "used on most available days all year", asset=asset)
        for line in self.cap_lines:
            self._record(self.controls, None, line.po.agency, line.category,
                         f"unit price exactly at the {line.category} cap ({line.unit_price} CNY): not above it", line=line)
        if self.near_miss:
            line = self.near_miss
            self._record(self.controls, None, line.po.agency, line.category,
                         f"only 2 idle units of the category on {line.po.order_date} (the rule needs 3)", line=line)
        big = max((ln for ln in self.lines() if ln.kind == "regular" and ln.po.delivery_date < WINDOW_START
                   and self.tracked(ln.po.agency, ln.category)), key=lambda ln: (ln.quantity, -ln.po.seq))
        self._record(self.controls, None, big.po.agency, big.category, f"all {big.quantity} units registered", line=big)
        spend = self._spend()
        surges = set(self.surges)
        busiest = max(((key, value) for key, value in spend.items() if key not in surges and value[1] >= SURGE_SPEND_MIN_CNY
                       and value[0] > 0), key=lambda kv: (kv[1][0] / kv[1][1], -kv[0][0], kv[0][1]), default=None)
        if busiest:
            (agency, year), (december, total) = busiest
            self._record(self.controls, None, agency, None, f"highest December share of the non-surge years: "
                         f"{12 * december / total:.2f}× the monthly average (rule: > 2)", fiscal_year=year)

    def ground_truth_extras(self) -> None:
        spend = self._spend()
        for agency, year in self.surges:
            december, total = spend[(agency, year)]
            self._record(self.planted, "YEAR_END_SURGE", agency, None,
                         f"December {year} spend {december:,} CNY = {12 * december / total:.2f}× the monthly average "
                         f"of {total:,} CNY", fiscal_year=year)
        for line in self.unregistered_lines:
            self._record(self.planted, "UNREGISTERED_UNITS", line.po.agency, line.category,
                         f"{line.quantity} bought, {line.registered} registered; delivered {line.po.delivery_date}", line=line)
        for line in self.over_cap_lines:
            cap = PROFILES[line.category].price_cap_cny
            self._record(self.planted, "OVER_PRICE_CAP", line.po.agency, line.category,
                         f"unit price {line.unit_price} CNY above the {line.category} cap of {cap} CNY", line=line)
        self.no_telemetry: list[dict] = []
        pairs = sorted({(a.agency, a.category) for a in self.assets if not self.tracked(a.agency, a.category)})
        for agency, category in pairs:
            why = "agency sends no usage at all" if self.roles[agency] == "silent" else "agency logs computers but not this category"
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
        self.say(f"{self.tier.agencies} agencies, {len(self.lines()):,} procurement lines, {len(self.assets):,} assets")


# --- writing -------------------------------------------------------------------------------------

PROCUREMENT_HEADERS = ("采购订单号", "行号", "单位代码", "单位名称", "供应商", "品名", "品目名称", "数量", "单价", "金额",
                       "采购日期", "验收日期", "资金来源")
ASSET_COLUMNS = ("asset_id", "agency_code", "department", "category", "model", "serial_number", "po_number", "line_no",
                 "purchase_cost", "purchase_date", "in_service_date", "status", "disposal_date", "location", "standby")
USAGE_COLUMNS = ("asset_id", "usage_date", "hours_used", "source")


def _procurement_rows(b: _Builder) -> list[tuple]:
    rows = []
    for po in sorted(b.pos, key=lambda p: (p.agency, p.number)):
        for line in po.lines:
            rows.append((po.number, line.line_no, b.codes[po.agency], b.names[po.agency], po.supplier,
                         f"{line.item.brand} {line.item.model} {line.item.name_zh}", line.item.name_zh, line.quantity,
                         line.unit_price, line.amount, po.order_date, po.delivery_date, po.funding))
    return rows


def _asset_rows(b: _Builder) -> list[tuple]:
    return [(a.asset_id, b.codes[a.agency], a.department, a.category, f"{a.line.item.brand} {a.line.item.model}", a.serial,
             a.line.po.number, a.line.line_no, a.line.unit_price, a.line.po.delivery_date, a.in_service, a.status, a.disposal,
             a.location, a.standby) for a in b.assets]


def _csv_cell(value: object, is_money: bool) -> object:
    """CSV text of one value: amounts in yuan with 2 decimals, ISO dates, lower-case booleans, empty for none."""
    if value is None:
        return ""
    if is_money:
        return f"{value}.00"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_table(path: Path, headers: tuple[str, ...], rows: list[tuple], money: tuple[int, ...], fmt: str) -> None:
    """Write procurement or asset rows as CSV (UTF-8) or Parquet (typed: int32, decimal(14, 2), date32, bool)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows([_csv_cell(v, i in money) for i, v in enumerate(row)] for row in rows)
        return
    import pyarrow.parquet as pq

    columns = list(zip(*rows)) if rows else [[] for _ in headers]
    arrays = []
    for i, values in enumerate(columns):
        sample = next((v for v in values if v is not None), "")
        if i in money:
            arrays.append(pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(14, 2)))
        elif isinstance(sample, bool):
            arrays.append(pa.array(values, pa.bool_()))
        elif isinstance(sample, int):
            arrays.append(pa.array(values, pa.int32()))
        elif isinstance(sample, date):
            arrays.append(pa.array(values, pa.date32()))
        else:
            arrays.append(pa.array(values, pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=list(headers)), path, compression="zstd")


def _workdays(start: date, days: int) -> np.ndarray:
    import holidays

    calendar = holidays.China(years=range(start.year, AS_OF.year + 1))
    return np.array([calendar.is_working_day(start + timedelta(days=i)) for i in range(days)])


def _write_usage(b: _Builder, path: Path, fmt: str) -> tuple[int, np.ndarray, np.ndarray]:
    """Generate and write daily usage chunk by chunk; returns rows, window hours and last-use day per asset."""
    start = b.tier.usage_start
    n_days = (AS_OF - start).days + 1
    workday = _workdays(start, n_days)
    window_index = (WINDOW_START - start).days
    epoch = (start - date(1970, 1, 1)).days
    n = len(b.assets)
    p_work, p_off, lo, hi = (np.zeros(n) for _ in range(4))
    first, last, forced, source = (np.full(n, -1, dtype=np.int64) for _ in range(4))
    for i, a in enumerate(b.assets):
        category = a.category
        if a.mode == "regular":
            w_lo, w_hi, off, lo[i], hi[i] = USE[category]
            p_work[i] = b.rng.uniform(w_lo, w_hi)
            p_off[i] = p_work[i] if PROFILES[category].days == "all" else off
        elif a.mode == "low":
            p_work[i], lo[i], hi[i] = 0.2, 0.25, 0.75
            p_off[i] = 0.2 if PROFILES[category].days == "all" else 0.0
        if a.mode != "none":
            first[i] = max(0, (a.in_service - start).days)
            last[i] = (a.use_until - start).days
            forced[i] = (a.forced - start).days if a.forced else max(first[i], last[i] - b._int(0, 6))
        source[i] = SOURCES.index(SOURCE.get(category, b.sources[a.agency]))
    ids = np.array([a.asset_id for a in b.assets])
    hours_in_window = np.zeros(n)
    last_day = np.full(n, -1, dtype=np.int64)
    day_numbers = np.arange(n_days)
    schema = pa.schema([("asset_id", pa.string()), ("usage_date", pa.date32()), ("hours_used", pa.float64()), ("source", pa.string())])
    rows = 0
    if fmt == "csv":
        import pyarrow.csv as pacsv

        sink = path.open("wb")
        sink.write((",".join(USAGE_COLUMNS) + "\n").encode())
        writer = pacsv.CSVWriter(sink, schema, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
    else:
        import pyarrow.parquet as pq

        sink = None
        writer = pq.ParquetWriter(path, schema, compression="zstd")
    try:
        for chunk_no, lo_i in enumerate(range(0, n, b.tier.chunk_assets)):
            hi_i = min(n, lo_i + b.tier.chunk_assets)
            rng = np.random.default_rng([b.seed, chunk_no])
            sl = slice(lo_i, hi_i)
            draws = rng.random((hi_i - lo_i, n_days), dtype=np.float32)
            chance = np.where(workday[None, :], p_work[sl, None], p_off[sl, None])
            used = (draws < chance) & (day_numbers >= first[sl, None]) & (day_numbers <= last[sl, None])
            has_forced = np.nonzero(forced[sl] >= 0)[0]
            used[has_forced, forced[sl][has_forced]] = True
            asset_index, day_index = np.nonzero(used)
            asset_index += lo_i
            hours = lo[asset_index] + (hi[asset_index] - lo[asset_index]) * rng.random(len(asset_index))
            hours = np.clip(np.round(hours * 100) / 100, 0.01, 24.0)
            in_window = day_index >= window_index
            hours_in_window += np.bincount(asset_index[in_window], weights=hours[in_window], minlength=n)
            if len(asset_index):
                ends = np.r_[asset_index[1:] != asset_index[:-1], True]
                last_day[asset_index[ends]] = day_index[ends]
            table = pa.Table.from_arrays([
                pa.DictionaryArray.from_arrays(pa.array(asset_index - lo_i, pa.int32()), pa.array(ids[sl])),
                pa.array((day_index + epoch).astype(np.int32), pa.date32()),
                pa.array(hours),
                pa.DictionaryArray.from_arrays(pa.array(source[asset_index], pa.int32()), pa.array(SOURCES)),
            ], names=list(USAGE_COLUMNS))
            if fmt == "csv":
                writer.write_table(table.cast(schema))
            else:
                writer.write_table(table.cast(schema), row_group_size=1_000_000)
            rows += len(asset_index)
            b.say(f"writing {path.name}: {rows / 1e6:.1f} M rows")
    finally:
        writer.close()
        if sink:
            sink.close()
    return rows, hours_in_window, last_day


def _utilisation_notes(b: _Builder, hours_in_window: np.ndarray, last_day: np.ndarray) -> None:
    """Put the measured utilisation into the notes of planted LOW_UTILISATION cases."""
    workday = _workdays(WINDOW_START, (AS_OF - WINDOW_START).days + 1)
    index = {a.asset_id: i for i, a in enumerate(b.assets)}
    for entry in b.planted:
        if entry["rule"] != "LOW_UTILISATION":
            continue
        i = index[entry["asset_id"]]
        asset = b.assets[i]
        profile = PROFILES[asset.category]
        first = max(0, (asset.in_service - WINDOW_START).days)
        days = workday[first:].sum() if profile.days == "workdays" else len(workday) - first
        utilisation = hours_in_window[i] / (days * profile.hours_per_day)
        last = b.tier.usage_start + timedelta(days=int(last_day[i]))
        entry["note"] += (f" (utilisation {utilisation:.3f} vs threshold {profile.low_threshold}; last used {last})")


def _sort_key(entry: dict) -> tuple:
    return tuple("" if entry.get(k) is None else str(entry[k]).zfill(6) if k in ("line_no", "fiscal_year") else str(entry[k])
                 for k in ("rule", "agency_code", "asset_id", "po_number", "line_no", "fiscal_year", "category"))


def generate(out_dir: Path, scale: str | TierSpec = "small", seed: int = 7,
             progress: Callable[[str], None] | None = None) -> DemoFiles:
    """Write one demo data set into out_dir; the same scale and seed always give the same bytes."""
    tier = scale if isinstance(scale, TierSpec) else TIERS.get(scale)
    if tier is None:
        raise ConfigError("config.bad_value", name="scale", value=str(scale), reason="choose small, medium or large")
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = _Builder(tier, seed, say)
    builder.build()
    ext = "csv" if tier.file_format == "csv" else "parquet"
    paths = {name: out_dir / f"{name}.{ext}" for name in ("procurement", "assets", "usage")}
    procurement = _procurement_rows(builder)
    say(f"writing {paths['procurement'].name}: {len(procurement):,} lines")
    _write_table(paths["procurement"], PROCUREMENT_HEADERS, procurement, (8, 9), tier.file_format)
    assets = _asset_rows(builder)
    say(f"writing {paths['assets'].name}: {len(assets):,} assets")
    _write_table(paths["assets"], ASSET_COLUMNS, assets, (8,), tier.file_format)
    usage_rows, hours_in_window, last_day = _write_usage(builder, paths["usage"], tier.file_format)
    _utilisation_notes(builder, hours_in_window, last_day)
    planted = sorted(builder.planted, key=_sort_key)
    counts = {"agencies": tier.agencies, "procurement_lines": len(procurement), "purchase_orders": len(builder.pos),
              "assets": len(assets), "usage_rows": usage_rows, "planted": len(planted),
              "planted_by_rule": {rule: sum(e["rule"] == rule for e in planted) for rule in sorted({e["rule"] for e in planted})},
              "clean_controls": len(builder.controls), "exempt": len(builder.exempt)}
    truth = {"scale": tier.name, "seed": seed, "as_of": AS_OF.isoformat(), "window_start": WINDOW_START.isoformat(),
             "idle_horizon_start": IDLE_HORIZON_START.isoformat(), "usage_start": tier.usage_start.isoformat(),
             "agencies": [{"agency_code": code, "agency_name": name, "telemetry": role}
                          for code, name, role in zip(builder.codes, builder.names, builder.roles)],
             "planted": planted, "clean_controls": sorted(builder.controls, key=_sort_key),
             "exempt": sorted(builder.exempt, key=_sort_key), "no_telemetry": builder.no_telemetry, "counts": counts,
             "assumptions": ASSUMPTIONS}
    ground_truth = out_dir / "ground_truth.json"
    ground_truth.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(f"done: {usage_rows:,} usage rows, {len(planted)} planted cases")
    return DemoFiles(paths["procurement"], paths["assets"], paths["usage"], ground_truth, tier.agencies,
                     len(procurement), len(assets), usage_rows, len(planted))


ASSUMPTIONS = [
    "Spend is counted in the month and fiscal year (calendar year) of the order date.",
    "idle_horizon_start is the first of the 90 days ending at as_of; an asset is IDLE when its last use is before it.",
    "BOUGHT_DESPITE_IDLE_STOCK can only be judged for orders whose 90-day look-back lies inside the usage data "
    "(order date >= usage_start + 90 days) and whose agency reports usage for the category; earlier orders have no evidence either way.",
    "Standby and disposed assets, and assets in service for less than the look-back, never count as idle stock.",
    "Planted asset cases name only the asset; their purchase line is in the asset register.",
]
