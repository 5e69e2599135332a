"""Record kinds: canonical columns, their aliases (English and Chinese), types, and header matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tracker.domain.categories import normalise_text
from tracker.text.errors import ConfigError

KINDS = ("procurement", "assets", "usage", "meters", "requests")

ID_MAX = 100  # identifiers and codes
TEXT_MAX = 1000  # names, descriptions, locations


@dataclass(frozen=True)
class Field:
    """One canonical column of a record kind."""

    name: str
    type: str  # id | text | int | decimal | date | timestamp | bool | status | category | currency | hours | minutes | meter | counter
    required: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""
    description_zh: str = ""

    @property
    def max_length(self) -> int | None:
        if self.type in ("id", "currency"):
            return ID_MAX
        if self.type in ("text", "category", "status", "bool", "meter"):
            return TEXT_MAX
        return None


@dataclass(frozen=True)
class Contract:
    """The columns of one record kind (and, for usage, one shape)."""

    kind: str
    shape: str  # table | daily | sessions
    fields: tuple[Field, ...]
    key: tuple[str, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


PROCUREMENT = Contract(
    kind="procurement",
    shape="table",
    key=("agency_code", "ocid", "po_number", "line_no"),
    fields=(
        Field(
            "po_number",
            "id",
            True,
            (
                "order_number",
                "contract_id",
                "order number",
                "po",
                "po no",
                "purchase order",
                "purchase order number",
                "contract number",
                "采购订单号",
                "合同编号",
                "订单号",
                "采购合同编号",
            ),
            "Purchase order or contract number",
            "采购订单号或合同编号",
        ),
        Field(
            "line_no",
            "int",
            False,
            ("line", "line number", "item no", "行号", "明细行号"),
            "Line of the order, from 1 (default 1)",
            "订单行号，从 1 开始（默认 1）",
        ),
        Field(
            "agency_code",
            "id",
            True,
            ("agency", "buyer_id", "buyer id", "agency id", "单位代码", "采购单位编码", "单位编码"),
            "Code of the buying agency",
            "采购单位代码",
        ),
        Field(
            "agency_name",
            "text",
            False,
            ("buyer", "buyer name", "单位名称", "采购单位", "采购单位名称"),
            "Name of the buying agency",
            "采购单位名称",
        ),
        Field("supplier", "text", False, ("vendor", "supplier name", "供应商", "供应商名称", "中标供应商"), "Supplier", "供应商"),
        Field(
            "item_description",
            "text",
            True,
            ("description", "item", "item name", "品名", "货物名称", "标的名称", "商品名称"),
            "What was bought",
            "采购标的名称",
        ),
        Field(
            "category",
            "category",
            True,
            ("类别", "资产类别", "品目名称", "category name", "采购品目"),
            "Equipment category (laptop, 笔记本电脑, Printers, …)",
            "设备类别（如 笔记本电脑、打印机）",
        ),
        Field(
            "classification_code",
            "id",
            False,
            ("品目编码", "cpv", "unspsc", "classification", "cpv code", "unspsc code"),
            "Catalogue code (CPV, UNSPSC, 政府采购品目)",
            "分类编码（CPV、UNSPSC、政府采购品目编码）",
        ),
        Field(
            "classification_scheme",
            "id",
            False,
            ("scheme", "分类标准", "classification scheme"),
            "Catalogue and edition of the code",
            "分类编码所属目录及版本",
        ),
        Field("quantity", "int", True, ("qty", "数量", "采购数量"), "Units ordered", "采购数量"),
        Field(
            "unit_price",
            "decimal",
            False,
            ("单价", "unit cost", "price", "price per unit"),
            "Price of one unit (required unless total_amount is given)",
            "单价（未填总价时必填）",
        ),
        Field(
            "total_amount",
            "decimal",
            False,
            ("amount", "total", "line total", "金额", "总价", "总金额", "合计金额"),
            "Line total; must agree with quantity × unit_price within 1 %",
            "总价；须与 数量×单价 相差不超过 1%",
        ),
        Field(
            "order_total_amount",
            "decimal",
            False,
            ("order total", "contract value", "合同金额", "订单总额"),
            "Value of the whole order or contract (OCDS: one contract value covering several items)",
            "整个订单或合同的金额（OCDS：一份合同金额涵盖多项标的）",
        ),
        Field("currency", "currency", False, ("币种", "货币"), "ISO 4217 code (default CNY)", "币种代码（默认 CNY）"),
        Field(
            "order_date",
            "date",
            True,
            ("purchase_date", "purchase date", "order date", "date signed", "采购日期", "签订日期", "合同签订日期"),
            "Date of the order or contract",
            "采购或合同签订日期",
        ),
        Field(
            "delivery_date",
            "date",
            False,
            ("acceptance_date", "acceptance date", "delivery date", "验收日期", "到货日期"),
            "Date delivered or accepted",
            "到货或验收日期",
        ),
        Field("funding_source", "text", False, ("funding", "资金来源", "经费来源"), "Budget line or fund", "资金来源"),
        Field("ocid", "id", False, ("open contracting id",), "OCDS process id (for OCDS data)", "开放合同数据标准项目编号"),
    ),
)

# A device as logs and management tools name it (docs/usage-sources.md).
_SERIAL = Field(
    "serial_number",
    "id",
    False,
    ("serial", "serial no", "serial number", "serialnumber", "sn", "序列号", "出厂编号"),
    "Serial number",
    "序列号",
)
_HOSTNAME = Field(
    "hostname",
    "id",
    False,
    ("host name", "computer name", "device name", "devicename", "assetname", "计算机名", "主机名"),
    "Host name of the computer (a domain suffix such as .corp.local is ignored when matching)",
    "计算机名（对应时忽略 .corp.local 等域名后缀）",
)

ASSETS = Contract(
    kind="assets",
    shape="table",
    key=("asset_id",),
    fields=(
        Field(
            "asset_id",
            "id",
            True,
            ("asset_tag", "asset tag", "asset id", "tag", "资产编号", "资产标签", "卡片编号", "资产卡片编号"),
            "Unique asset tag",
            "资产编号（唯一）",
        ),
        Field("agency_code", "id", True, ("company", "agency", "单位代码", "单位编码"), "Owning agency", "所属单位代码"),
        Field("department", "text", False, ("使用部门", "部门", "dept"), "Department using it", "使用部门"),
        Field("category", "category", True, ("资产类别", "类别", "asset category"), "Equipment category", "资产类别"),
        Field("model", "text", False, ("model name", "规格型号", "型号"), "Model", "规格型号"),
        _SERIAL,
        _HOSTNAME,
        Field("ocid", "id", False, ("open contracting id",), "OCDS process id of the purchase", "采购项目的 OCDS 编号"),
        Field(
            "po_number",
            "id",
            False,
            ("order number", "order_number", "po", "采购订单号", "合同编号"),
            "Purchase order it was bought on",
            "对应的采购订单号",
        ),
        Field("line_no", "int", False, ("line", "行号", "订单行号"), "Line of that order", "对应的订单行号"),
        Field(
            "purchase_cost",
            "decimal",
            True,
            ("purchase cost", "cost", "原值", "价值", "资产原值"),
            "Cost of this unit",
            "资产原值",
        ),
        Field("purchase_date", "date", False, ("purchase date", "购置日期", "取得日期"), "Date bought", "购置日期"),
        Field(
            "in_service_date",
            "date",
            False,
            ("in service date", "启用日期", "投入使用日期"),
            "Date put into service (default purchase_date)",
            "启用日期（默认为购置日期）",
        ),
        Field(
            "status",
            "status",
            False,
            ("使用状况", "状态", "asset status", "status label"),
            "in_use, idle, in_storage, standby or disposed (default in_use)",
            "在用、闲置、库存、备用或报废（默认在用）",
        ),
        Field("disposal_date", "date", False, ("disposal date", "处置日期", "报废日期"), "Date disposed", "处置日期"),
        Field("location", "text", False, ("存放地点", "位置"), "Where it is kept", "存放地点"),
        Field(
            "standby",
            "bool",
            False,
            ("backup", "emergency", "备用", "应急", "是否备用"),
            "Backup or emergency equipment (yes/no)",
            "是否为备用或应急设备（是/否）",
        ),
    ),
)

_USAGE_ASSET = Field(
    "asset_id",
    "id",
    False,
    ("asset_tag", "asset tag", "asset id", "tag", "资产编号", "资产标签", "卡片编号"),
    "Asset tag, as in the asset register (or serial_number, or hostname)",
    "资产编号（与资产登记一致；也可用序列号或计算机名）",
)
_USAGE_DEVICE = (_USAGE_ASSET, _SERIAL, _HOSTNAME)
DEVICE_FIELDS = ("asset_id", "serial_number", "hostname")
EVIDENCE_KINDS = ("usage", "signed_in", "powered_on", "seen")  # strongest first
_USAGE_EVIDENCE = Field(
    "evidence",
    "text",
    False,
    ("evidence kind", "证据", "证据类型"),
    "What the row proves: usage (default), signed_in, powered_on or seen",
    "该行证明的内容：usage（使用，默认）、signed_in（登录）、powered_on（开机）或 seen（在线）",
)
# exports of device-management tools: the day a device last checked in is a day it was seen on
SEEN_DATE_SOURCES = {"last check-in": "intune", "last seen": "lansweeper"}
_USAGE_SOURCE = Field("source", "text", False, ("来源", "数据来源", "log source"), "System that logged the use", "记录来源系统")

USAGE_DAILY = Contract(
    kind="usage",
    shape="daily",
    key=("asset_id", "usage_date", "source"),
    fields=(
        *_USAGE_DEVICE,
        Field(
            "usage_date",
            "date",
            True,
            ("date", "day", "使用日期", "日期", *SEEN_DATE_SOURCES),
            "Day of use (or the day a device was seen on)",
            "使用日期（或设备在线的日期）",
        ),
        Field(
            "hours_used",
            "hours",
            False,
            ("hours", "hours used", "使用时长(小时)", "使用小时数", "使用时长"),
            "Hours used that day (0-24)",
            "当日使用小时数（0-24）",
        ),
        Field(
            "minutes_used",
            "minutes",
            False,
            ("minutes", "minutes used", "使用时长(分钟)", "使用分钟数"),
            "Minutes used that day, instead of hours",
            "当日使用分钟数（可代替小时数）",
        ),
        _USAGE_SOURCE,
        _USAGE_EVIDENCE,
    ),
)

USAGE_SESSIONS = Contract(
    kind="usage",
    shape="sessions",
    key=("asset_id", "start_time", "source"),
    fields=(
        *_USAGE_DEVICE,
        Field(
            "start_time",
            "timestamp",
            True,
            ("start", "session start", "login time", "开始时间", "登录时间"),
            "Session start (timestamp, optional time zone)",
            "开始时间（可带时区）",
        ),
        Field(
            "end_time",
            "timestamp",
            True,
            ("end", "session end", "logout time", "结束时间", "登出时间"),
            "Session end",
            "结束时间",
        ),
        _USAGE_SOURCE,
        _USAGE_EVIDENCE,
    ),
)

# Counter readings of printers, copiers and projectors (docs/meters.md).
METERS = Contract(
    kind="meters",
    shape="readings",
    key=("asset_id", "meter", "read_at"),
    fields=(
        *_USAGE_DEVICE,
        Field(
            "read_at",
            "timestamp",
            True,
            ("read at", "reading time", "reading date", "read date", "读数时间", "抄表时间", "读数日期", "抄表日期"),
            "When the counter was read (date, or date and time)",
            "读数时间（日期，或日期和时间）",
        ),
        Field(
            "meter",
            "meter",
            True,
            ("counter", "meter name", "counter name", "计数器", "计数器名称", "计数项"),
            "Which counter: pages_total, pages_colour, copies, lamp_hours … (总页数、复印张数、灯泡使用小时 …)",
            "计数器：总页数、彩色页数、复印张数、灯泡使用小时等（pages_total、copies、lamp_hours …）",
        ),
        Field(
            "value",
            "counter",
            True,
            ("reading", "counter value", "meter value", "count", "读数", "计数", "计数值"),
            "The counter's value then (a number ≥ 0)",
            "当时的读数（不小于 0 的数字）",
        ),
        _USAGE_SOURCE,
    ),
)
DEVICE_KINDS = ("usage", "meters")  # kinds whose rows name a device by asset id, serial number or host name

# Planned purchases (配置申请, docs/reallocation.md): what an agency is about to buy, matched to the idle pool.
REQUESTS = Contract(
    kind="requests",
    shape="table",
    key=("agency_code", "request_id"),
    fields=(
        Field(
            "request_id",
            "id",
            True,
            ("request id", "request no", "request number", "申请编号", "配置申请编号", "申请单号"),
            "Number of the purchase request",
            "配置申请编号",
        ),
        Field("agency_code", "id", True, ("agency", "单位代码", "单位编码", "申请单位代码"), "Requesting agency", "申请单位代码"),
        Field("category", "category", True, ("类别", "资产类别", "品目名称"), "Equipment category", "设备类别"),
        Field("quantity", "int", True, ("qty", "数量", "申请数量"), "Units needed", "申请数量"),
        Field("needed_by", "date", False, ("needed by", "date needed", "需用日期", "需求日期"), "Date needed", "需用日期"),
        Field(
            "unit_budget",
            "decimal",
            False,
            ("unit budget", "budget per unit", "预算单价", "单价预算"),
            "Budget of one unit",
            "预算单价",
        ),
        Field("justification", "text", False, ("reason", "配置理由", "申请理由", "用途"), "Why it is needed", "配置理由"),
    ),
)

CONTRACTS: tuple[Contract, ...] = (PROCUREMENT, ASSETS, USAGE_DAILY, USAGE_SESSIONS, METERS, REQUESTS)

STATUSES = ("in_use", "idle", "in_storage", "standby", "disposed")

_STATUS_NAMES: dict[str, str] = {
    "in use": "in_use",
    "in_use": "in_use",
    "在用": "in_use",
    "使用中": "in_use",
    "正常使用": "in_use",
    "deployed": "in_use",
    "checked out": "in_use",
    "assigned": "in_use",
    "active": "in_use",
    "idle": "idle",
    "闲置": "idle",
    "unused": "idle",
    "undeployable": "idle",
    "in storage": "in_storage",
    "in_storage": "in_storage",
    "库存": "in_storage",
    "在库": "in_storage",
    "ready to deploy": "in_storage",
    "deployable": "in_storage",
    "pending": "in_storage",
    "pending diagnostics": "in_storage",
    "out for repair": "in_storage",
    "out for diagnostics": "in_storage",
    "stock": "in_storage",
    "在修": "in_storage",
    "维修": "in_storage",
    "standby": "standby",
    "备用": "standby",
    "应急": "standby",
    "backup": "standby",
    "emergency": "standby",
    "disposed": "disposed",
    "报废": "disposed",
    "待处置": "disposed",
    "已处置": "disposed",
    "报废/待处置": "disposed",
    "archived": "disposed",
    "lost": "disposed",
    "stolen": "disposed",
    "lost/stolen": "disposed",
    "broken": "disposed",
    "retired": "disposed",
    "丢失": "disposed",
}

_BOOL_NAMES: dict[str, bool] = {
    "yes": True,
    "y": True,
    "true": True,
    "t": True,
    "1": True,
    "是": True,
    "备用": True,
    "应急": True,
    "√": True,
    "no": False,
    "n": False,
    "false": False,
    "f": False,
    "0": False,
    "否": False,
    "": False,
}


def normalise_status(raw: str) -> str | None:
    """A status (docs/contracts.md) from its code, Chinese name or a Snipe-IT label; None if unknown."""
    return _STATUS_NAMES.get(normalise_text(raw).replace(" / ", "/"))


def normalise_bool(raw: str) -> bool | None:
    return _BOOL_NAMES.get(normalise_text(raw))


def contract_for(kind: str, shape: str | None = None) -> tuple[Contract, ...]:
    """The contracts a record kind may come in (usage has two shapes)."""
    if kind not in KINDS:
        raise ConfigError("config.unknown_kind", value=kind)
    return tuple(c for c in CONTRACTS if c.kind == kind and (shape is None or c.shape == shape))


def normalise_header(header: object) -> str:
    """Compare headers case-insensitively after trimming; required-column stars are ignored."""
    return normalise_text(str(header or "")).strip("*＊ ").strip()


@cache
def _alias_index(contract: Contract) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in contract.fields:
        for name in (f.name, f.name.replace("_", " "), *f.aliases):
            index.setdefault(normalise_header(name), f.name)
    return index


@dataclass(frozen=True)
class HeaderMatch:
    """How a file's headers map onto one contract."""

    contract: Contract
    mapping: dict[int, str]  # column position -> canonical field
    extras: dict[int, str]  # column position -> original header, kept in `extra`
    conflicts: dict[str, list[str]]  # field -> the original headers that all map to it
    missing: tuple[str, ...]  # required fields without a column

    @property
    def score(self) -> int:
        return len(set(self.mapping.values()))

    def column_of(self, field_name: str) -> int | None:
        return next((pos for pos, name in self.mapping.items() if name == field_name), None)


def match_headers(headers: list[str], contract: Contract) -> HeaderMatch:
    index = _alias_index(contract)
    mapping: dict[int, str] = {}
    extras: dict[int, str] = {}
    by_field: dict[str, list[str]] = {}
    for pos, header in enumerate(headers):
        field_name = index.get(normalise_header(header))
        if field_name is None:
            if normalise_header(header):
                extras[pos] = str(header).strip()
            continue
        mapping[pos] = field_name
        by_field.setdefault(field_name, []).append(str(header).strip())
    conflicts = {name: hs for name, hs in by_field.items() if len(hs) > 1}
    present = set(mapping.values())
    missing = [f.name for f in contract.required if f.name not in present]
    if contract.kind in DEVICE_KINDS and not present & set(DEVICE_FIELDS):
        missing.insert(0, "asset_id")
    if contract.shape == "daily" and not present & {"hours_used", "minutes_used"} and not seen_only(present):
        missing.append("hours_used")
    if contract.kind == "procurement" and not present & {"unit_price", "total_amount"}:
        missing.append("unit_price")
    return HeaderMatch(contract, mapping, extras, conflicts, tuple(missing))


def seen_only(present: set[str]) -> bool:
    """A daily file naming devices (not asset tags) without hours records the days they were seen on."""
    return (
        "asset_id" not in present
        and bool(present & {"serial_number", "hostname"})
        and not present & {"hours_used", "minutes_used"}
    )


def accepted_headers(contract: Contract, field_name: str) -> list[str]:
    """Every header accepted for a field, canonical name first (used in error messages and docs)."""
    f = contract.field(field_name)
    return [f.name, *f.aliases]
