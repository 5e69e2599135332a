"""Counts agree with their nouns: "1 finding", "2 units", "1,234 days" in English; measure words, no plural, in Chinese."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from tracker.engine.rules.catalogue import RULES_BY_CODE
from tracker.engine.rules.sentences import EvidenceFormats
from tracker.text.i18n import MESSAGES, Message, render, text
from tracker.text.plural import fill

# nouns that a count may precede in an English message
NOUNS = (
    "days|units|assets|devices|rows|lines|findings|records|items|tenders|years|problems|requests|entries|"
    "agencies|minutes|seconds|changes|intervals|columns|proposals|transfers"
)
ONE_PLURAL = re.compile(rf"(?<![\d.,])1 (?:[a-z-]+ ){{0,2}}(?:{NOUNS})\b")


class _Ones(dict):
    def __missing__(self, key: str) -> int:
        return 1


@pytest.mark.parametrize(
    "value, shown",
    [(1, "1 unit"), (2, "2 units"), (0, "0 units"), (1234, "1,234 units"), ("1", "1 unit"), ("1,234", "1,234 units")]
    + [("—", "— units"), (1.0, "1.0 unit")],
)
def test_a_count_picks_the_noun_that_agrees_with_it(value, shown):
    assert fill("{n:unit|units}", {"n": value}) == shown
    assert text("rule.OVER_PRICE_CAP.evidence", "en", **_ones()).count("1 unit →") == 1


def _ones() -> dict:
    fields = string.Formatter().parse(MESSAGES["rule.OVER_PRICE_CAP.evidence"][0])
    return {f: 1 for _, f, _, _ in fields if f}


def test_no_message_writes_a_plural_by_hand():
    hand = [k for k, (en, zh) in MESSAGES.items() if "(s)" in en or "(s)" in zh]
    assert hand == []


def test_no_english_message_says_one_with_a_plural_noun():
    """Every English message filled with 1 for each count: "1 findings", "1 days", "1 units" nowhere."""
    wrong = {}
    for key, (en, _) in MESSAGES.items():
        if key.endswith(".other"):
            continue
        said = fill(en, _Ones())
        # a placeholder naming a column or a value the user wrote is not a count
        found = [m for m in ONE_PLURAL.findall(said) if not m.startswith(("1 is", "1 has", "1 contains", "1 of the years"))]
        found = [m for m in found if key not in _NOT_COUNTS]
        if found:
            wrong[key] = found
    assert wrong == {}


# placeholders that hold a limit of the system (never 1) or the user's own raw value, not a count
_NOT_COUNTS = {
    "agencies.bad_code",
    "auth.password_too_short",
    "reason.identifier",
    "transfer.too_long",
    "row.hours_over_24",
    "row.minutes_over_day",
    "row.too_long",
    "row.ambiguous_device",  # two or more, by definition
    "file.xlsx_sheet_too_large",
    "file.xlsx_sheet_too_many_rows",
    "file.ocds_no_equipment",
    "overview.caption.agencies_largest_equipment_spend",
    "common.label.data_window_days_agencies",
    "overview.caption.boxes_middle_half_assets",
    "overview.help.registered_assets_had_available",
    "row.ambiguous_po",
    "row.duplicate_key",
    "row.control_chars",
    "evtx.security_without_logons",  # names before "records" (a file, a kind of records)
    "file.wrong_kind",
    "upload.caption.records_read",
}


def _evidence(code: str, row: dict, lang: str) -> str:
    rule = RULES_BY_CODE[code]
    params = EvidenceFormats("CNY").evidence_params(row, rule.defaults())
    return rule.evidence(params, lang)


_LINE = {"po_number": "CG-1", "line_no": 1, "category": "camera", "agency_code": "A001", "value_at_stake": 1234567.5}


@pytest.mark.parametrize("n, en_words", [(1, ("1 unit ", "1 unit,")), (2, ("2 units",)), (12345, ("12,345 units",))])
def test_purchase_line_evidence_counts_units(n, en_words):
    row = {
        **_LINE,
        "quantity": n,
        "unit_price": 9000.0,
        "cap": 5000.0,
        "received_date": date(2025, 3, 1),
        "registered_units": n - 1,
        "missing_units": 1,
        "unit_price_amount": 9000.0,
        "cap_amount": 5000.0,
        "value_amount": 1234567.5,
        "standard_version": "CN-central 2016",
    }
    sentences = {code: _evidence(code, row, "en") for code in ("OVER_PRICE_CAP", "UNREGISTERED_UNITS")}
    for code, sentence in sentences.items():
        assert any(w in sentence for w in en_words), (code, sentence)
        assert "(s)" not in sentence and not ONE_PLURAL.search(sentence), sentence
    assert "¥1,234,567.50" in sentences["OVER_PRICE_CAP"]
    for code in sentences:
        zh = _evidence(code, row, "zh")
        assert f"{n:,} 台" in zh and "unit" not in zh and "(s)" not in zh and "camera" not in zh, zh
        assert "摄像机" in zh


def test_asset_evidence_says_one_day_and_translates_durations():
    row = {
        "category": "laptop",
        "asset_id": "A001-1",
        "in_service_date": date(2025, 1, 1),
        "last_used": date(2025, 1, 1),
        "days_idle": 1,
        "net_book_value_amount": 4500.0,
        "evidence_kind": None,
    }
    en = _evidence("IDLE", row, "en")
    assert "in the 1 day since" in en and "1 days" not in en
    assert "(threshold 90 days)" in en
    never = _evidence("NEVER_USED", {**row, "days_idle": 1234}, "en")
    assert "1,234 days ago" in never
    zh = _evidence("IDLE", row, "zh")
    assert "1 天" in zh and "90 天" in zh and "day" not in zh


def test_no_telemetry_evidence_counts_assets_in_both_languages():
    row = {**_LINE, "assets_in_service": 1, "idle_start": date(2025, 1, 1), "as_of": date(2025, 6, 30)}
    assert "has 1 asset in service" in _evidence("NO_TELEMETRY", row, "en")
    assert "has 3,456 assets in service" in _evidence("NO_TELEMETRY", {**row, "assets_in_service": 3456}, "en")
    zh = _evidence("NO_TELEMETRY", {**row, "assets_in_service": 3456}, "zh")
    assert "3,456 台摄像机" in zh and "asset" not in zh


def test_rendered_messages_count_rows_in_english_and_chinese():
    one = Message("cli.rejects_written", {"rows": 1, "path": "r.csv"})
    many = Message("cli.rejects_written", {"rows": 1234, "path": "r.csv"})
    assert render(one, "en") == "1 rejected row written to r.csv"
    assert render(many, "en") == "1,234 rejected rows written to r.csv"
    assert render(many, "zh") == "已将 1,234 行被拒绝的数据写入 r.csv"
    assert text("overview.kpi.findings", "en", open_findings="1") == "1 finding"
    assert text("overview.kpi.findings", "en", open_findings="1,234") == "1,234 findings"
