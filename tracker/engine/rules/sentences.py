"""Evidence sentences: a rule row's numbers as the strings its templates quote, in English and Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.engine.rules.model import UTILISATION_DIGITS
from tracker.text.i18n import category_name

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
        params["category_en"] = category_name(category, "en")
        params["category_zh"] = category_name(category, "zh")
        params["idle_assets"] = self.value("idle_asset_ids", row.get("idle_asset_ids") or [])
        return params
