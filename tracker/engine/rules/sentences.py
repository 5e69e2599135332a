"""Evidence sentences: a rule row's numbers as the strings its templates quote, in English and Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.domain.categories import DEFAULT_PROFILES, CategoryProfile
from tracker.engine.rules.model import UTILISATION_DIGITS


def _category_name_zh(profile: CategoryProfile) -> str:
    return min(profile.names_zh, key=len) if profile.names_zh else profile.category


CATEGORY_NAMES_ZH = {p.category: _category_name_zh(p) for p in DEFAULT_PROFILES} | {"network": "网络设备"}
CURRENCY_SYMBOLS = {"CNY": "¥"}


class EvidenceFormats:
    """Turns a rule row's numbers into the strings its evidence templates quote."""

    def __init__(self, currency: str):
        symbol = CURRENCY_SYMBOLS.get(currency)
        self.money_prefix = symbol if symbol else f"{currency} "

    def money(self, value) -> str:
        if value is None:
            return "—"
        amount = float(value)
        return f"{self.money_prefix}{amount:,.0f}" if amount.is_integer() else f"{self.money_prefix}{amount:,.2f}"

    def value(self, name: str, value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):  # sums differ in the last bits between engines: keep them out of the text
            value = round(value, UTILISATION_DIGITS)
        if name.endswith("_amount"):
            return self.money(value)
        if name.endswith("_share"):
            return f"{float(value) * 100:.1f} %"
        if name.endswith("_ratio"):
            return f"{float(value):.2f}×"
        if isinstance(value, list):
            return ", ".join(sorted(str(v) for v in value))
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int) and name not in ("fiscal_year", "line_no"):
            return f"{value:,}"
        if isinstance(value, (float, Decimal)):
            return f"{float(value):,.1f}"
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def evidence_params(self, row: Mapping[str, Any], rule_params: Mapping[str, Any]) -> dict[str, str]:
        params = {name: self.value(name, value) for name, value in row.items()}
        for name, value in rule_params.items():
            params.setdefault(name, self.value(name, value))
            params[f"{name}_share"] = self.value("_share", value)
            params[f"{name}_ratio"] = self.value("_ratio", value)
        category = row.get("category") or ""
        params["category_en"] = category.replace("_", " ").capitalize()
        params["category_zh"] = CATEGORY_NAMES_ZH.get(category, category)
        params["idle_assets"] = self.value("idle_asset_ids", row.get("idle_asset_ids") or [])
        params["evidence_note_en"], params["evidence_note_zh"] = evidence_note(
            row.get("evidence_kind"), params.get("powered_on_hours")
        )
        return params


def evidence_note(kind: str | None, powered_on_hours: str | None) -> tuple[str, str]:
    """What the asset's evidence proves, said after an asset finding (nothing for a usage file's hours)."""
    if kind == "signed_in":
        return (
            " Its use is the time a person was signed in, according to its Security event log.",
            "其使用时长为安全事件日志记录的登录时长。",
        )
    if kind == "powered_on":
        hours = powered_on_hours or "—"
        return (
            f" It was powered on {hours} h in the window according to its System event log (an upper bound of its use).",
            f"据其系统事件日志，窗口期内开机 {hours} 小时（为使用时长的上限）。",
        )
    if kind == "seen":
        return (
            " It was only seen on (an inventory or device-management check-in), which proves no hours of use.",
            "仅有在线记录（资产清单或设备管理签到），不能证明使用时长。",
        )
    return "", ""
