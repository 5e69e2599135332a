"""The evidence pack: reviewed findings with everything needed to check them, as one XLSX or a ZIP of CSVs.

Sheets (docs/data-path.md, the evidence pack): Summary (as-of date, window, thresholds, counts and value by rule and
by agency, who exported and when, the data fingerprint), Findings (the columns of `flags`, review status and
note), Rules (definitions and the parameters in force), Assets and Purchase lines behind the
findings. Headers are in the reader's language; every text cell is neutralised against formula
injection and the XLSX is written with formula and URL conversion off.

The fingerprint is a SHA-256 over what the numbers were computed from: the sequence of committed
uploads (kind, file SHA-256, scope, outcome), a content digest of each stored table, the settings,
rule parameters and category profiles, and the window. The same data and settings give the same
fingerprint on any machine; any change to them gives another.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tracker.access.auth import acting
from tracker.engine.parameters import load_rule_parameters
from tracker.engine.rules.catalogue import RULES, resolve_parameters
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.profiles import profiles_table
from tracker.store.settings import load_settings
from tracker.text.tables import neutralise

SHEETS = ("summary", "findings", "rules", "assets", "purchase_lines")
SHEET_TITLES = {
    "summary": ("Summary", "摘要"),
    "findings": ("Findings", "问题线索"),
    "rules": ("Rules", "规则"),
    "assets": ("Assets", "资产"),
    "purchase_lines": ("Purchase lines", "采购明细"),
}
FINDING_COLUMNS = (
    "flag_id",
    "rule",
    "severity",
    "agency_code",
    "asset_id",
    "po_number",
    "line_no",
    "category",
    "utilisation",
    "days_idle",
    "value_at_stake",
    "evidence",
    "review_status",
    "review_reason",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "reopened_because",
    "title",
    "subject",
    "fiscal_year",
    "ocid",
    "window_start",
    "as_of",
    "year_end_idle_purchase",
)
ASSET_COLUMNS = (
    "asset_id",
    "agency_code",
    "category",
    "status",
    "standby",
    "in_service_date",
    "disposal_date",
    "purchase_cost",
    "net_book_value",
    "available_days",
    "available_hours",
    "used_hours",
    "utilisation",
    "active_days",
    "last_used",
    "days_idle",
    "line_po_number",
    "line_line_no",
    "supplier",
)
LINE_COLUMNS = (
    "agency_code",
    "ocid",
    "po_number",
    "line_no",
    "item_description",
    "supplier",
    "category",
    "quantity",
    "unit_price",
    "total_amount",
    "currency",
    "order_date",
    "delivery_date",
    "fiscal_year",
)
HEADERS_ZH = {
    "flag_id": "线索编号",
    "rule": "规则",
    "severity": "严重程度",
    "agency_code": "单位代码",
    "asset_id": "资产编号",
    "po_number": "采购单号",
    "line_no": "行号",
    "category": "类别",
    "utilisation": "利用率",
    "days_idle": "闲置天数",
    "value_at_stake": "涉及金额",
    "evidence": "依据",
    "review_status": "复核状态",
    "review_reason": "驳回理由",
    "review_note": "复核说明",
    "reviewed_by": "复核人",
    "reviewed_at": "复核时间",
    "reopened_because": "重新打开原因",
    "title": "规则名称",
    "subject": "对象类型",
    "fiscal_year": "财年",
    "ocid": "OCID",
    "window_start": "窗口起始",
    "as_of": "截至日期",
    "year_end_idle_purchase": "年底采购后闲置",
    "status": "状态",
    "standby": "备用",
    "in_service_date": "启用日期",
    "disposal_date": "处置日期",
    "purchase_cost": "购置成本",
    "net_book_value": "账面净值",
    "available_days": "可用天数",
    "available_hours": "可用时长",
    "used_hours": "使用时长",
    "active_days": "使用天数",
    "last_used": "最近使用",
    "line_po_number": "采购单号",
    "line_line_no": "行号",
    "supplier": "供应商",
    "item_description": "品目",
    "quantity": "数量",
    "unit_price": "单价",
    "total_amount": "金额",
    "currency": "币种",
    "order_date": "下单日期",
    "delivery_date": "交付日期",
    "code": "代码",
    "title_en": "名称（英文）",
    "rationale": "依据说明",
    "parameters": "参数",
    "findings": "线索数",
    "item": "项目",
    "value": "值",
}


@dataclass(frozen=True)
class EvidencePack:
    """An evidence pack in both file forms, and what it rests on."""

    xlsx: bytes
    zip: bytes
    fingerprint: str
    findings: int
    value_at_stake: float


# -- fingerprint ---------------------------------------------------------------------------------

_TABLE_DIGESTS = {
    "procurement_lines": "agency_code, ocid, po_number, line_no, item_description, category, supplier, quantity, "
    "unit_price, total_amount, currency, order_date, delivery_date",
    "assets": "asset_id, agency_code, category, ocid, po_number, line_no, purchase_cost, purchase_date, "
    "in_service_date, status, disposal_date, standby",
    "usage_daily": "asset_id, usage_date, source, hours_used",
}


def data_fingerprint(db: Database, *, as_of: date, window_days: int) -> str:
    """SHA-256 of the uploads, the stored records' content, settings, thresholds, profiles and the window."""
    uploads = db.fetchall(
        "SELECT kind, sha256, coalesce(scope_agency, ''), status, rows_accepted FROM uploads "
        "WHERE status <> 'unchanged' ORDER BY upload_id",
        name="fingerprint uploads",
    )
    digests = {}
    for table, columns in _TABLE_DIGESTS.items():
        count, digest = db.fetchone(
            f"SELECT count(*), coalesce(sum(hash({columns}) % 1000000007), 0) FROM {table}", name=f"digest {table}"
        )
        digests[table] = [int(count), int(digest)]
    profiles = profiles_table(db).drop_columns(["changed_at", "changed_by"]).to_pylist()
    document = {
        "uploads": [list(u) for u in uploads],
        "tables": digests,
        "settings": load_settings(db),
        "rule_parameters": load_rule_parameters(db),
        "profiles": profiles,
        "as_of": as_of.isoformat(),
        "window_days": window_days,
    }
    text = json.dumps(document, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


# -- building the pack ---------------------------------------------------------------------------


def build_pack(
    db: Database,
    flags: pa.Table,
    *,
    snapshot: Any,
    as_of: date,
    window_days: int,
    actor: str,
    lang: str = "en",
    filters: Mapping[str, Iterable] | None = None,
    exported_at: datetime | None = None,
) -> EvidencePack:
    """The pack for `flags` (a flags table with review columns, already filtered as the reader sees it).

    `snapshot`: the per-version snapshot of the same window (tracker.views.dashboard.snapshot_for), or
    None when there is no usage data; the caller passes it, as this layer sits below the views.
    `actor`: a signed-in User (whose role must allow exports) or, from the command line, a name.
    """
    actor = acting(actor, "export")

    snap = snapshot
    fingerprint = data_fingerprint(db, as_of=as_of, window_days=window_days)
    exported_at = exported_at or datetime.now().replace(microsecond=0)
    zh = lang == "zh"
    findings = _findings_rows(flags, zh)
    stake = float(sum(r["value_at_stake"] or 0.0 for r in findings))
    sheets = {
        "summary": _summary_rows(
            db,
            flags,
            snap,
            fingerprint=fingerprint,
            actor=actor,
            exported_at=exported_at,
            filters=filters or {},
            zh=zh,
            stake=stake,
        ),
        "findings": findings,
        "rules": _rule_rows(db, zh),
        "assets": _asset_rows(snap, flags),
        "purchase_lines": _line_rows(db, flags, snap),
    }
    pack = EvidencePack(_xlsx(sheets, zh), _zip(sheets, zh), fingerprint, len(findings), stake)
    audit.record(
        db,
        actor,
        "export",
        "evidence pack",
        {
            "fingerprint": fingerprint,
            "findings": pack.findings,
            "value_at_stake": round(stake, 2),
            "as_of": as_of,
            "window_days": window_days,
            "lang": lang,
            "filters": {name: [str(v) for v in values] for name, values in (filters or {}).items() if values},
        },
    )
    return pack


def _findings_rows(flags: pa.Table, zh: bool) -> list[dict]:
    rows = []
    for flag in flags.to_pylist():
        row = {name: flag.get(name) for name in FINDING_COLUMNS}
        row["evidence"] = flag["evidence_zh"] if zh else flag["evidence"]
        row["title"] = flag["title_zh"] if zh else flag["title_en"]
        if zh:
            row["reopened_because"] = flag.get("reopened_because_zh")
        row["review_status"] = flag.get("review_status") or "open"
        rows.append(row)
    return rows


def _summary_rows(
    db: Database,
    flags: pa.Table,
    snap,
    *,
    fingerprint: str,
    actor: str,
    exported_at: datetime,
    filters: Mapping[str, Iterable],
    zh: bool,
    stake: float,
) -> list[dict]:
    def item(en: str, zh_text: str, value: Any) -> dict:
        return {"item": zh_text if zh else en, "value": value}

    settings = load_settings(db)
    window = snap.window if snap else None
    rows = [
        item("Evidence pack of the equipment utilisation tracker", "设备使用率监测 证据包", ""),
        item("As of", "截至日期", window.as_of if window else None),
        item("Window start", "窗口起始", window.start if window else None),
        item("Window (days)", "窗口天数", window.window_days if window else None),
        item("Exported by", "导出人", actor),
        item("Exported at", "导出时间", exported_at),
        item("Data fingerprint (SHA-256)", "数据指纹（SHA-256）", fingerprint),
        item("Currency", "币种", settings["currency"]),
        item("Country calendar", "国家日历", settings["country"]),
        item("Fiscal year starts in month", "财年起始月份", int(settings["fiscal_year_start_month"])),
        item(
            "Filters",
            "筛选条件",
            "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in filters.items() if v) or ("none" if not zh else "无"),
        ),
        item("Findings", "问题线索数", flags.num_rows),
        item("Value at stake", "涉及金额合计", round(stake, 2)),
    ]
    for label_en, label_zh, column in (
        ("By rule", "按规则", "rule"),
        ("By agency", "按单位", "agency_code"),
        ("By review status", "按复核状态", "review_status"),
    ):
        rows.append(item("", "", ""))
        rows.append(item(label_en, label_zh, zh and "线索数 · 涉及金额" or "findings · value at stake"))
        if flags.num_rows and column in flags.column_names:
            grouped = flags.group_by(column).aggregate([("flag_id", "count"), ("value_at_stake", "sum")])
            for group in sorted(grouped.to_pylist(), key=lambda g: -(g["value_at_stake_sum"] or 0)):
                rows.append(
                    item(
                        str(group[column]),
                        str(group[column]),
                        f"{group['flag_id_count']} · {group['value_at_stake_sum'] or 0:,.2f}",
                    )
                )
    return rows


def _rule_rows(db: Database, zh: bool) -> list[dict]:
    params = resolve_parameters(load_rule_parameters(db))
    rows = []
    for rule in RULES:
        values = "; ".join(
            f"{p.name} = {params[rule.code][p.name]:g} {p.unit} ({p.description_zh if zh else p.description_en})"
            for p in rule.parameters
        )
        rows.append(
            {
                "code": rule.code,
                "title": rule.title_zh if zh else rule.title_en,
                "severity": rule.severity,
                "subject": rule.subject,
                "rationale": rule.rationale_zh if zh else rule.rationale_en,
                "parameters": values
                or (
                    "按类别配置标准价格上限"
                    if zh and rule.code == "OVER_PRICE_CAP"
                    else "category price caps"
                    if rule.code == "OVER_PRICE_CAP"
                    else "—"
                ),
            }
        )
    return rows


def _asset_ids_behind(flags: pa.Table, snap) -> set[str]:
    """Assets a finding is about, and the assets registered against a flagged purchase line."""
    ids = {a for a in flags.column("asset_id").to_pylist() if a}
    if snap is not None:
        lines = {(f["agency_code"], f["po_number"], f["line_no"]) for f in flags.to_pylist() if f["subject"] == "po_line"}
        assets = snap.assets
        for agency, po, line, asset in zip(
            assets.column("agency_code").to_pylist(),
            assets.column("line_po_number").to_pylist(),
            assets.column("line_line_no").to_pylist(),
            assets.column("asset_id").to_pylist(),
        ):
            if (agency, po, line) in lines:
                ids.add(asset)
    return ids


def _asset_rows(snap, flags: pa.Table) -> list[dict]:
    if snap is None or not flags.num_rows:
        return []
    ids = _asset_ids_behind(flags, snap)
    assets = snap.assets.filter(pc.is_in(snap.assets.column("asset_id"), value_set=pa.array(sorted(ids), pa.string())))
    return [{name: row.get(name) for name in ASSET_COLUMNS} for row in assets.to_pylist()]


def _line_rows(db: Database, flags: pa.Table, snap) -> list[dict]:
    keys = {(f["agency_code"], f["po_number"], f["line_no"]) for f in flags.to_pylist() if f["po_number"]}
    ids = sorted({a for a in flags.column("asset_id").to_pylist() if a})
    if snap is not None and ids:  # the lines of the flagged assets, read from those assets' rows only
        flagged = snap.assets.filter(pc.is_in(snap.assets.column("asset_id"), value_set=pa.array(ids, pa.string())))
        for row in flagged.select(["agency_code", "line_po_number", "line_line_no"]).to_pylist():
            if row["line_po_number"]:
                keys.add((row["agency_code"], row["line_po_number"], row["line_line_no"]))
    if not keys:
        return []
    rows = db.fetchall(
        f"SELECT {', '.join(LINE_COLUMNS[:-1])} FROM procurement_lines ORDER BY agency_code, po_number, line_no",
        name="lines behind findings",
    )
    start_month = snap.fiscal_year_start_month if snap else 1
    out = []
    for values in rows:
        row = dict(zip(LINE_COLUMNS[:-1], values))
        if (row["agency_code"], row["po_number"], row["line_no"]) in keys:
            order = row["order_date"]
            row["fiscal_year"] = order.year + (1 if start_month > 1 and order.month >= start_month else 0)
            out.append(row)
    return out


# -- writing -------------------------------------------------------------------------------------


def _header(name: str, zh: bool) -> str:
    return HEADERS_ZH.get(name, name) if zh else name


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return neutralise(value)
    return value


def _columns(rows: list[dict], sheet: str) -> list[str]:
    defaults = {
        "findings": FINDING_COLUMNS,
        "assets": ASSET_COLUMNS,
        "purchase_lines": LINE_COLUMNS,
        "summary": ("item", "value"),
        "rules": ("code", "title", "severity", "subject", "rationale", "parameters"),
    }
    return list(rows[0]) if rows else list(defaults[sheet])


def _xlsx(sheets: dict[str, list[dict]], zh: bool) -> bytes:
    import xlsxwriter  # deferred: only a pack export needs the XLSX writer

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF4"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for sheet_name in SHEETS:
        rows = sheets[sheet_name]
        sheet = workbook.add_worksheet(SHEET_TITLES[sheet_name][1 if zh else 0])
        columns = _columns(rows, sheet_name)
        for col, name in enumerate(columns):
            header = _header(name, zh)
            sheet.write_string(0, col, header, bold)
            width = 60 if name in ("evidence", "rationale", "parameters", "value") else max(10, len(header) + 4)
            sheet.set_column(col, col, width)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(columns):
                value = _cell(row.get(name))
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif isinstance(value, float) and name in (
                    "value_at_stake",
                    "purchase_cost",
                    "net_book_value",
                    "unit_price",
                    "total_amount",
                ):
                    sheet.write_number(r, c, value, money)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, neutralise(str(value)))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _csv(rows: list[dict], sheet: str, zh: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = _columns(rows, sheet)
    writer.writerow([_header(name, zh) for name in columns])
    for row in rows:
        writer.writerow(["" if row.get(name) is None else _text(row.get(name)) for name in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return _cell(value)


def _zip(sheets: dict[str, list[dict]], zh: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in SHEETS:
            archive.writestr(f"{name}.csv", _csv(sheets[name], name, zh))
    return buffer.getvalue()
