"""Evidence sentences: a rule row's numbers as the strings its templates quote, in English and Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.engine.rules.model import UTILISATION_DIGITS
from tracker.text import formatting
from tracker.text.i18n import category_name, text


class EvidenceFormats:
    """Turns a rule row's numbers into the strings its evidence templates quote (tracker.text.formatting).

    Evidence is read by auditors and written into exports: amounts are exact, to the cent, with the
    currency's symbol or code; the sentence is the same in every engine and language.
    """

    def __init__(self, currency: str):
        self.currency = currency

    def money(self, value) -> str:
        return formatting.money_exact(value, self.currency)

    def value(self, name: str, value) -> str:
        if value is None:
            return formatting.MISSING
        if isinstance(value, float):  # sums differ in the last bits between engines: keep them out of the text
            value = round(value, UTILISATION_DIGITS)
        if name.endswith("_amount"):
            return self.money(value)
        if name.endswith("_share"):
            return formatting.share(value)
        if name.endswith("_ratio"):
            return formatting.ratio(value)
        if isinstance(value, list):
            return ", ".join(sorted(str(v) for v in value))
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int) and name not in ("fiscal_year", "line_no"):
            return formatting.count(value)
        if isinstance(value, (float, Decimal)):
            return formatting.number(value, 1)
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def evidence_params(self, row: Mapping[str, Any], rule_params: Mapping[str, Any]) -> "Params":
        """The strings a finding's evidence templates may quote, each formatted when a template first asks for it
        (a row has some thirty values; a sentence quotes a handful, and 2,500 findings are written in two languages)."""
        params = Params(self, row, rule_params)
        category = row.get("category") or ""
        params["category_en"] = category_name(category, "en")
        params["category_zh"] = category_name(category, "zh")
        params["evidence_note_en"], params["evidence_note_zh"] = evidence_note(
            row.get("evidence_kind"), params["powered_on_hours"] if "powered_on_hours" in row else None
        )
        if row.get("evidence_kind") == "meter":  # the counter readings behind the finding (docs/meters.md)
            params["evidence_note_en"] = " " + (row.get("meter_note_en") or "")
            params["evidence_note_zh"] = row.get("meter_note_zh") or ""
        return params


class Params(dict):
    """A finding's template values: the row's values, then the rule's parameters (also as `<name>_share` and
    `<name>_ratio`), and `idle_assets`, each formatted by EvidenceFormats on first use. A name none of them
    has is missing, as in a plain dict."""

    def __init__(self, formats: EvidenceFormats, row: Mapping[str, Any], rule_params: Mapping[str, Any]):
        super().__init__()
        self._formats, self._row, self._rule_params = formats, row, rule_params

    def __missing__(self, name: str) -> str:
        value = self._format(name)
        self[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        try:
            self[name]
        except KeyError:
            return False
        return True

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def _format(self, name: str) -> str:
        value = self._formats.value
        for suffix in ("_share", "_ratio"):  # a parameter as a share or a ratio
            if name.endswith(suffix) and (base := name[: -len(suffix)]) in self._rule_params:
                return value(suffix, self._rule_params[base])
        if name == "idle_assets":
            return value("idle_asset_ids", self._row.get("idle_asset_ids") or [])
        if name in self._row:  # the row's own value before a parameter of the same name
            return value(name, self._row[name])
        if name in self._rule_params:
            return value(name, self._rule_params[name])
        raise KeyError(name)


def evidence_note(kind: str | None, powered_on_hours: str | None) -> tuple[str, str]:
    """What the asset's evidence proves, said after an asset finding (nothing for a usage file's hours), in English and Chinese."""
    if kind not in ("signed_in", "powered_on", "seen"):
        return "", ""
    params = {"hours": powered_on_hours or "—"} if kind == "powered_on" else {}
    return text(f"evidence.note.{kind}", "en", **params), text(f"evidence.note.{kind}", "zh", **params)
