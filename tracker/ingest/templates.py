"""Upload templates: for each input contract, a CSV and an XLSX with English or Chinese headers and example rows.

Headers come from tracker/contracts.py (English: the canonical name; Chinese: the field's first Chinese
alias), so a template always reads back through the same header matching as a user's file. The XLSX
data sheet comes first (readers take the first sheet whose header matches); a second sheet explains
every column in English and Chinese. Regenerate the committed copies with `python -m tracker.ingest.templates`.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from tracker.ingest.contracts import ASSETS, METERS, PROCUREMENT, REQUESTS, USAGE_DAILY, USAGE_SESSIONS, Contract, Field

LANGUAGES = ("en", "zh")
INSTRUCTIONS_SHEET = "说明 Instructions"  # Excel forbids "/" in sheet names
FIXED_CREATED = datetime(2025, 1, 1)  # document property, so regenerated workbooks are byte-identical

Value = str | int | Decimal | float | date | None


@dataclass(frozen=True)
class Template:
    """One template: which contract, which of its fields become columns, the sheet names and example rows."""

    name: str
    contract: Contract
    columns: tuple[str, ...]
    sheet: dict[str, str]
    examples: dict[str, tuple[dict[str, Value], ...]]
    notes: tuple[tuple[str, str], ...] = ()


def _rows(common: tuple[dict[str, Value], ...], en: tuple[dict[str, Value], ...], zh: tuple[dict[str, Value], ...]) -> dict:
    """Example rows per language: language-neutral values plus that language's text."""
    return {"en": tuple({**c, **e} for c, e in zip(common, en)), "zh": tuple({**c, **z} for c, z in zip(common, zh))}


_PROCUREMENT_COMMON = (
    {
        "po_number": "CG2024-A001-0137",
        "line_no": 1,
        "agency_code": "A001",
        "classification_code": "30213100",
        "classification_scheme": "CPV 2008",
        "quantity": 20,
        "unit_price": Decimal("5499.00"),
        "total_amount": Decimal("109980.00"),
        "currency": "CNY",
        "order_date": date(2024, 11, 12),
        "delivery_date": date(2024, 11, 28),
    },
    {
        "po_number": "CG2024-A001-0137",
        "line_no": 2,
        "agency_code": "A001",
        "classification_code": "30232110",
        "classification_scheme": "CPV 2008",
        "quantity": 4,
        "unit_price": Decimal("1150.00"),
        "total_amount": Decimal("4600.00"),
        "currency": "CNY",
        "order_date": date(2024, 11, 12),
        "delivery_date": date(2024, 11, 28),
    },
    {
        "po_number": "CG2024-A001-0142",
        "line_no": 1,
        "agency_code": "A001",
        "classification_code": "38652100",
        "classification_scheme": "CPV 2008",
        "quantity": 2,
        "unit_price": Decimal("4990.00"),
        "total_amount": Decimal("9980.00"),
        "currency": "CNY",
        "order_date": date(2024, 12, 3),
        "delivery_date": date(2024, 12, 17),
    },
)
_ASSETS_COMMON = (
    {
        "asset_id": "A001-00501",
        "agency_code": "A001",
        "serial_number": "PF4KX2M9",
        "hostname": "A001-LT-0501",
        "po_number": "CG2024-A001-0137",
        "line_no": 1,
        "purchase_cost": Decimal("5499.00"),
        "purchase_date": date(2024, 11, 28),
        "in_service_date": date(2024, 12, 2),
        "disposal_date": None,
    },
    {
        "asset_id": "A001-00521",
        "agency_code": "A001",
        "serial_number": "VNB3R47721",
        "po_number": "CG2024-A001-0137",
        "line_no": 2,
        "purchase_cost": Decimal("1150.00"),
        "purchase_date": date(2024, 11, 28),
        "in_service_date": date(2024, 11, 29),
        "disposal_date": None,
    },
    {
        "asset_id": "A001-00525",
        "agency_code": "A001",
        "serial_number": "X7HK0192",
        "po_number": "CG2024-A001-0142",
        "line_no": 1,
        "purchase_cost": Decimal("4990.00"),
        "purchase_date": date(2024, 12, 17),
        "in_service_date": date(2024, 12, 17),
        "disposal_date": None,
    },
)

TEMPLATES: tuple[Template, ...] = (
    Template(
        "procurement",
        PROCUREMENT,
        tuple(f.name for f in PROCUREMENT.fields if f.name not in ("ocid", "order_total_amount")),
        {"en": "procurement", "zh": "采购明细"},
        _rows(
            _PROCUREMENT_COMMON,
            (
                {
                    "agency_name": "City Education Bureau",
                    "supplier": "Lenovo (Beijing) Co., Ltd.",
                    "item_description": "Lenovo ThinkPad E14 laptop",
                    "category": "laptop",
                    "funding_source": "Budget allocation",
                },
                {
                    "agency_name": "City Education Bureau",
                    "supplier": "Lenovo (Beijing) Co., Ltd.",
                    "item_description": "HP LaserJet M208dw printer",
                    "category": "printer",
                    "funding_source": "Budget allocation",
                },
                {
                    "agency_name": "City Education Bureau",
                    "supplier": "Epson (China) Co., Ltd.",
                    "item_description": "Epson CB-FH52 projector",
                    "category": "projector",
                    "funding_source": "Special fund",
                },
            ),
            (
                {
                    "agency_name": "市教育局",
                    "supplier": "联想（北京）有限公司",
                    "item_description": "联想 ThinkPad E14 笔记本电脑",
                    "category": "笔记本电脑",
                    "funding_source": "财政拨款",
                },
                {
                    "agency_name": "市教育局",
                    "supplier": "联想（北京）有限公司",
                    "item_description": "惠普 LaserJet M208dw 激光打印机",
                    "category": "打印机",
                    "funding_source": "财政拨款",
                },
                {
                    "agency_name": "市教育局",
                    "supplier": "爱普生（中国）有限公司",
                    "item_description": "爱普生 CB-FH52 投影仪",
                    "category": "投影仪",
                    "funding_source": "专项资金",
                },
            ),
        ),
        (
            (
                "Give unit_price or total_amount (or both: they must agree within 1 %).",
                "单价与总价至少填写一项（都填写时须相差不超过 1%）。",
            ),
            ("Optional: ocid, for lines taken from OCDS data.", "可选列：ocid（来自 OCDS 开放合同数据的订单行）。"),
        ),
    ),
    Template(
        "assets",
        ASSETS,
        tuple(f.name for f in ASSETS.fields if f.name != "ocid"),
        {"en": "assets", "zh": "资产登记"},
        _rows(
            _ASSETS_COMMON,
            (
                {
                    "department": "General Office",
                    "category": "laptop",
                    "model": "Lenovo ThinkPad E14",
                    "status": "in_use",
                    "location": "Building 1, room 305",
                    "standby": "no",
                },
                {
                    "department": "Finance Section",
                    "category": "printer",
                    "model": "HP LaserJet M208dw",
                    "status": "in_use",
                    "location": "Building 1, room 210",
                    "standby": "no",
                },
                {
                    "department": "General Office",
                    "category": "projector",
                    "model": "Epson CB-FH52",
                    "status": "standby",
                    "location": "Meeting room 2",
                    "standby": "yes",
                },
            ),
            (
                {
                    "department": "办公室",
                    "category": "笔记本电脑",
                    "model": "联想 ThinkPad E14",
                    "status": "在用",
                    "location": "办公楼3层305室",
                    "standby": "否",
                },
                {
                    "department": "财务科",
                    "category": "打印机",
                    "model": "惠普 LaserJet M208dw",
                    "status": "在用",
                    "location": "办公楼2层210室",
                    "standby": "否",
                },
                {
                    "department": "办公室",
                    "category": "投影仪",
                    "model": "爱普生 CB-FH52",
                    "status": "备用",
                    "location": "第2会议室",
                    "standby": "是",
                },
            ),
        ),
        (
            (
                "status: in_use, idle, in_storage, standby or disposed (Chinese names accepted).",
                "使用状况：在用、闲置、库存、备用或报废。",
            ),
            (
                "Optional: ocid, for assets bought through an OCDS-published process.",
                "可选列：ocid（通过 OCDS 公开采购项目购置的资产）。",
            ),
        ),
    ),
    Template(
        "usage_daily",
        USAGE_DAILY,
        ("asset_id", "usage_date", "hours_used", "source"),
        {"en": "usage_daily", "zh": "使用记录（按日）"},
        _rows(
            (
                {"asset_id": "A001-00501", "usage_date": date(2025, 3, 3), "hours_used": 6.5},
                {"asset_id": "A001-00501", "usage_date": date(2025, 3, 4), "hours_used": 7.25},
                {"asset_id": "A001-00521", "usage_date": date(2025, 3, 3), "hours_used": 1.5},
            ),
            ({"source": "agent"}, {"source": "agent"}, {"source": "meter"}),
            ({"source": "终端管理软件"}, {"source": "终端管理软件"}, {"source": "打印计数器"}),
        ),
        (
            (
                "One row per device and day. Instead of hours_used you may give minutes_used.",
                "每台设备每天一行。可用“使用时长(分钟)”代替“使用时长(小时)”。",
            ),
            ("A day above 24 hours is rejected.", "单日超过 24 小时的行将被拒绝。"),
            (
                "Instead of asset_id a row may name the device by serial_number or hostname, as in the asset register; "
                "Windows event logs, GLPI inventories and Intune or Lansweeper exports are read as they are "
                "(docs/usage-sources.md).",
                "可用序列号（serial_number）或计算机名（hostname）代替资产编号，须与资产登记一致；"
                "Windows 事件日志、GLPI 清单以及 Intune、Lansweeper 导出文件可直接上传（见 docs/usage-sources.md）。",
            ),
        ),
    ),
    Template(
        "usage_sessions",
        USAGE_SESSIONS,
        ("asset_id", "start_time", "end_time", "source"),
        {"en": "usage_sessions", "zh": "使用记录（会话）"},
        _rows(
            (
                {"asset_id": "A001-00501", "start_time": "2025-03-03 08:55:00+08:00", "end_time": "2025-03-03 12:05:00+08:00"},
                {"asset_id": "A001-00501", "start_time": "2025-03-03 13:40:00+08:00", "end_time": "2025-03-03 17:50:00+08:00"},
                {"asset_id": "A001-00501", "start_time": "2025-03-03 22:30:00+08:00", "end_time": "2025-03-04 01:15:00+08:00"},
            ),
            ({"source": "login-log"},) * 3,
            ({"source": "登录日志"},) * 3,
        ),
        (
            (
                "Sessions are split at midnight into daily hours; overlapping sessions count once.",
                "会话在午夜拆分为每日时长；重叠的会话只计一次。",
            ),
            ("Timestamps may carry a time zone offset, e.g. +08:00.", "时间可带时区，例如 +08:00。"),
        ),
    ),
    Template(
        "meters",
        METERS,
        ("asset_id", "read_at", "meter", "value", "source"),
        {"en": "meter_readings", "zh": "计数器读数"},
        _rows(
            (
                {"asset_id": "A001-00521", "read_at": date(2025, 3, 3), "value": 18402},
                {"asset_id": "A001-00521", "read_at": date(2025, 4, 1), "value": 19960},
                {"asset_id": "A001-00530", "read_at": "2025-04-01 09:15", "value": 812.5},
            ),
            (
                {"meter": "pages_total", "source": "snmp"},
                {"meter": "pages_total", "source": "snmp"},
                {"meter": "lamp_hours", "source": "pjlink"},
            ),
            (
                {"meter": "总页数", "source": "打印管理软件"},
                {"meter": "总页数", "source": "打印管理软件"},
                {"meter": "灯泡使用小时", "source": "投影仪菜单"},
            ),
        ),
        (
            (
                "One row per reading of a counter: a printer's lifetime page count, a copier's copies, a projector's "
                "lamp hours. Rows may come in any order.",
                "每次读数一行：打印机累计页数、复印机复印张数、投影仪灯泡使用小时。行的顺序不限。",
            ),
            (
                "Meters: pages_total, pages_colour, pages_mono, pages_duplex, copies, scans (printers, copiers), "
                "lamp_hours (projectors). GLPI printer inventories are read as they are (docs/meters.md).",
                "计数器：总页数、彩色页数、黑白页数、双面页数、复印张数、扫描张数（打印机、复印机），灯泡使用小时（投影仪）。"
                "GLPI 打印机清单可直接上传（见 docs/meters.md）。",
            ),
        ),
    ),
    Template(
        "requests",
        REQUESTS,
        REQUESTS.names,
        {"en": "purchase_requests", "zh": "配置申请"},
        _rows(
            (
                {"request_id": "SQ2026-A001-007", "agency_code": "A001", "quantity": 5, "needed_by": date(2026, 3, 1)},
                {"request_id": "SQ2026-A001-008", "agency_code": "A001", "quantity": 1, "needed_by": date(2026, 4, 15)},
            ),
            (
                {"category": "laptop", "unit_budget": Decimal("6500.00"), "justification": "New staff in the audit section"},
                {"category": "printer", "unit_budget": Decimal("1200.00"), "justification": "Replacement of a broken printer"},
            ),
            (
                {"category": "笔记本电脑", "unit_budget": Decimal("6500.00"), "justification": "审计科新进人员"},
                {"category": "打印机", "unit_budget": Decimal("1200.00"), "justification": "更换损坏的打印机"},
            ),
        ),
        (
            (
                "A planned purchase: the idle pool is searched for devices of its category before it is bought.",
                "拟采购的设备：采购前先在公物仓中查找同类闲置设备调剂。",
            ),
        ),
    ),
)

_TYPE_NAMES = {
    "id": ("text", "文本"),
    "text": ("text", "文本"),
    "int": ("whole number", "整数"),
    "decimal": ("amount", "金额/数值"),
    "date": ("date", "日期"),
    "timestamp": ("date and time", "日期时间"),
    "bool": ("yes/no", "是/否"),
    "status": ("status", "状态"),
    "category": ("category", "类别"),
    "currency": ("ISO 4217 code", "币种代码"),
    "hours": ("hours", "小时"),
    "minutes": ("minutes", "分钟"),
    "meter": ("meter name", "计数器名称"),
    "counter": ("number ≥ 0", "不小于 0 的数字"),
}
_CONDITIONAL = {
    ("procurement", "unit_price"): ("unless total_amount is given", "填写总价时可不填"),
    ("usage_daily", "hours_used"): ("or minutes_used", "或填写使用分钟数"),
}
_INSTRUCTION_HEADERS = (
    "Column 列名",
    "Field 字段",
    "Required 必填",
    "Type 类型",
    "Description",
    "说明",
    "Also accepted 其他可用列名",
)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def header(f: Field, language: str) -> str:
    """The column header of a field: the canonical name, or in Chinese its first Chinese alias."""
    if language == "zh":
        return next((alias for alias in f.aliases if _has_cjk(alias)), f.name)
    return f.name


def _required(template: Template, f: Field) -> str:
    if (template.name, f.name) in _CONDITIONAL:
        en, zh = _CONDITIONAL[(template.name, f.name)]
        return f"yes, {en} / 是（{zh}）"
    return "yes / 是" if f.required else "no / 否"


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, headers: list[str], rows: list[list[Value]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM lets Excel open Chinese text correctly
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_csv_text(v) for v in row] for row in rows])


def _display_width(value: Value) -> int:
    text = _csv_text(value)
    return sum(2 if _has_cjk(ch) or ch in "（）：，。" else 1 for ch in text)


def _write_xlsx(path: Path, template: Template, language: str, headers: list[str], rows: list[list[Value]]) -> None:
    import xlsxwriter  # deferred: ~0.1 s, only an XLSX template needs it

    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    workbook.set_properties({"title": f"{template.name} template", "created": FIXED_CREATED})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    formats = {date: workbook.add_format({"num_format": "yyyy-mm-dd"}), Decimal: workbook.add_format({"num_format": "0.00"})}
    data = workbook.add_worksheet(template.sheet[language])  # first sheet: the data
    data.write_row(0, 0, headers, bold)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                data.write_datetime(r, c, datetime(value.year, value.month, value.day), formats[date])
            elif isinstance(value, Decimal):
                data.write_number(r, c, float(value), formats[Decimal])
            elif isinstance(value, (int, float)):
                data.write_number(r, c, value)
            else:
                data.write_string(r, c, value)
    for c, name in enumerate(headers):
        data.set_column(c, c, min(40, max(10, _display_width(name), *(_display_width(row[c]) for row in rows)) + 2))
    data.freeze_panes(1, 0)

    info = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    info.write_row(0, 0, _INSTRUCTION_HEADERS, bold)
    for r, name in enumerate(template.columns, 1):
        f = template.contract.field(name)
        type_en, type_zh = _TYPE_NAMES[f.type]
        others = [h for h in (f.name, *f.aliases) if h != header(f, language)]
        info.write_row(
            r,
            0,
            (
                header(f, language),
                f.name,
                _required(template, f),
                f"{type_en} / {type_zh}",
                f.description,
                f.description_zh,
                ", ".join(others),
            ),
            wrap,
        )
    start = len(template.columns) + 2
    for r, (en, zh) in enumerate(template.notes, start):
        info.write_row(r, 0, ("", "", "", "", en, zh), wrap)
    for c, width in enumerate((18, 20, 22, 18, 48, 36, 60)):
        info.set_column(c, c, width)
    info.freeze_panes(1, 0)
    workbook.close()


def write_templates(out_dir: Path) -> list[Path]:
    """Write every template as CSV and XLSX, with English and with Chinese headers; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for template in TEMPLATES:
        fields = [template.contract.field(name) for name in template.columns]
        for language in LANGUAGES:
            headers = [header(f, language) for f in fields]
            rows = [[example.get(name) for name in template.columns] for example in template.examples[language]]
            csv_path = out_dir / f"{template.name}_{language}.csv"
            xlsx_path = out_dir / f"{template.name}_{language}.xlsx"
            _write_csv(csv_path, headers, rows)
            _write_xlsx(xlsx_path, template, language, headers, rows)
            written += [csv_path, xlsx_path]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "template_files"
    for path in write_templates(target):
        print(path)
