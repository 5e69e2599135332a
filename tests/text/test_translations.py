"""The one translation table: every text in English and Chinese, looked up by key, and every key the code uses defined."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from tracker.access.auth import ALL_ACTIONS, ROLES
from tracker.casework.review import STATUSES as REVIEW_STATUSES
from tracker.domain.categories import CATEGORIES
from tracker.engine.rules.catalogue import RULES
from tracker.engine.rules.model import SEVERITIES
from tracker.ingest.contracts import KINDS
from tracker.ingest.contracts import STATUSES as ASSET_STATUSES
from tracker.store.config import SETTINGS
from tracker.text.errors import ConfigError
from tracker.text.i18n import MESSAGES, PARTS, Message, category_name, name, preferred_language, reason, render, text
from tracker.views.browse import TABLES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "tracker").rglob("*.py")) + [ROOT / "app.py"]
UPLOAD_STATUSES = ("committed", "partial", "unchanged")  # tracker.ingest.report: what a stored upload records
ERRORS = r"(?:TrackerError|ConfigError|DatabaseError|FileRefused|ScopeError|AuthError)"
KEY = r"\(\s*[\"']([^\"'{}]+)[\"']"  # a call's first argument, a literal string
KEY_PATTERNS = (  # a call's literal key -> the keys of the table it needs
    (re.compile(r"(?<![.\w])t" + KEY), lambda k: [k]),
    (re.compile(r"(?<![.\w])text" + KEY), lambda k: [k]),
    (re.compile(r"\bMessage" + KEY), lambda k: [k]),
    (re.compile(ERRORS + KEY), lambda k: [k]),
    (re.compile(r"\breason" + KEY), lambda k: [f"reason.{k}"]),
    (re.compile(r"\bcounted" + KEY), lambda k: [f"{k}.one", f"{k}.other"]),
    (re.compile(r"\bnamed?\(\s*[\"']([a-z_]+)[\"'],\s*[\"']([^\"']+)[\"']"), None),  # named("enumeration", "code")
)


def _placeholders(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _keys_used() -> dict[str, list[str]]:
    """Every key the source names literally, with the files that name it."""
    used: dict[str, list[str]] = {}
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        for pattern, keys in KEY_PATTERNS:
            for match in pattern.finditer(source):
                found = [".".join(match.groups())] if keys is None else keys(match.group(1))
                for key in found:
                    used.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return used


# -- the table itself ------------------------------------------------------------------------------


def test_every_key_has_both_languages_and_no_key_is_defined_twice():
    assert len(MESSAGES) == sum(len(part) for part in PARTS), "a key is defined in two parts of the table"
    for key, texts in MESSAGES.items():
        assert re.fullmatch(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+", key), key
        assert isinstance(texts, tuple) and len(texts) == 2, key
        english, chinese = texts
        assert isinstance(english, str) and english.strip(), f"{key}: no English"
        assert isinstance(chinese, str) and chinese.strip(), f"{key}: no Chinese"


def test_both_languages_have_the_same_placeholders():
    different = {
        key: (sorted(_placeholders(en)), sorted(_placeholders(zh)))
        for key, (en, zh) in MESSAGES.items()
        if _placeholders(en) != _placeholders(zh)
    }
    assert not different


def test_chinese_texts_are_chinese_and_english_texts_are_english():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    bilingual = {"common.field.language", "language.zh"}  # the language switch reads in both, 中文 names itself
    english_with_chinese = [k for k, (en, _) in MESSAGES.items() if cjk.search(en) and k not in bilingual]
    # the status words a file may use, the Chinese term of reassignment, the title of a Chinese standard
    assert english_with_chinese == [
        "row.bad_status",
        "rule.BOUGHT_DESPITE_IDLE_STOCK.rationale",
        "rule.OVER_PRICE_CAP.rationale",
        "rule.EARLY_REPLACEMENT.rationale",
    ]
    same = [k for k, (en, zh) in MESSAGES.items() if en == zh and _placeholders(en) != {"choices"}]
    assert set(same) <= bilingual | {"language.en"}


# -- the code uses the table -----------------------------------------------------------------------


def test_the_source_is_scanned_for_keys():
    used = _keys_used()
    assert len(used) > 300
    assert "overview.kpi.idle_capital" in used and "config.bad_value" in used and "reason.number_at_least_zero" in used


def test_every_key_the_code_uses_is_in_the_table():
    missing = {key: files for key, files in _keys_used().items() if key not in MESSAGES}
    assert not missing


def test_no_inline_translation_pair_is_left():
    """Pages look texts up by key: no tr("English", "中文") call, no tr helper, no Chinese literal in a page."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    pairs, helpers, chinese = [], [], []
    for path in [*sorted((ROOT / "tracker").rglob("*.py")), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
                called = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                if called == "tr":
                    pairs.append(f"{where}:{node.lineno}")
            if isinstance(node, ast.FunctionDef) and node.name == "tr":
                helpers.append(f"{where}:{node.lineno}")
            in_page = where.startswith("tracker/ui/") or where == "app.py"
            if in_page and isinstance(node, ast.Constant) and isinstance(node.value, str) and cjk.search(node.value):
                chinese.append(f"{where}:{node.lineno}")
    assert not pairs and not helpers and not chinese


# -- enumerations are named once, for every value --------------------------------------------------


@pytest.mark.parametrize(
    "enumeration, codes",
    [
        ("role", ROLES),
        ("action", ALL_ACTIONS),
        ("review_status", REVIEW_STATUSES),
        ("severity", SEVERITIES),
        ("asset_status", ASSET_STATUSES),
        ("upload_status", UPLOAD_STATUSES),
        ("kind", KINDS),
        ("category", CATEGORIES),
        ("table", tuple(t.table for t in TABLES)),
        ("month", tuple(str(m) for m in range(1, 13))),
    ],
)
def test_every_value_of_an_enumeration_is_named(enumeration, codes):
    for code in codes:
        assert f"{enumeration}.{code}" in MESSAGES, f"{enumeration}.{code}"
    assert {k for k in MESSAGES if k.startswith(f"{enumeration}.")} == {f"{enumeration}.{c}" for c in codes}


def test_rules_and_settings_say_what_they_are_in_both_languages():
    for rule in RULES:
        for what in ("title", "rationale", "evidence"):
            assert f"rule.{rule.code}.{what}" in MESSAGES
        for parameter in rule.parameters:
            assert parameter.description("en") and parameter.description("zh")
    for setting in SETTINGS:
        assert f"setting.{setting.name}.label" in MESSAGES and f"setting.{setting.name}.help" in MESSAGES


def test_names_are_spelled_once():
    """The page and the messages use the same words for a role and a review status."""
    assert name("role", "agency") == "agency data officer" and name("role", "agency", "zh") == "单位数据员"
    assert name("review_status", "dismissed", "zh") == "已驳回"
    assert name("severity", "info") == "Info"
    assert render(
        Message("auth.not_allowed", {"role": Message("role.auditor", {}), "action": Message("action.users", {})}), "zh"
    ) == ("角色为审计人员的账户无权管理用户。")
    assert name("severity", "unheard_of") == "unheard_of"  # a value the table does not know is shown as it is


def test_category_names_fix_the_acronym_and_fall_back_to_the_code():
    assert category_name("av_conference") == "AV conference"
    assert category_name("av_conference", "zh") == "会议系统"
    assert category_name("network", "zh") == "网络设备"
    assert category_name("lab_fridge") == "Lab fridge" and category_name("lab_fridge", "zh") == "lab_fridge"
    assert category_name(None) == "—"


# -- lookups ---------------------------------------------------------------------------------------


def test_text_fills_placeholders_as_str_format_does():
    assert text("upload.label.checking", "en", name="a.csv") == "Checking a.csv…"
    assert text("upload.label.checking", "zh", name="a.csv") == "正在检查 a.csv…"
    assert text("findings.caption.findings_fingerprint", "en", findings=12345, fingerprint="ab12") == (
        "12,345 findings · fingerprint ab12…"
    )
    with pytest.raises(KeyError):
        text("no.such.key", "en")


def test_a_reason_is_rendered_in_the_readers_language_inside_its_message():
    error = ConfigError("config.bad_value", name="IDLE.idle_days", value=-1, reason=reason("number_at_least_zero"))
    assert str(error) == 'Setting IDLE.idle_days has an invalid value "-1": a number ≥ 0'
    assert error.text("zh") == "设置项 IDLE.idle_days 的值“-1”无效：应为不小于 0 的数字"
    choices = ConfigError("config.bad_value", name="--by", value="x", reason=reason("one_of", choices=["asset", "agency"]))
    assert str(choices).endswith(": asset, agency") and choices.text("zh").endswith("：asset、agency")


def test_no_reason_of_a_refusal_is_an_english_literal():
    """`reason=` of an error is a key (reason("...")) or a library's own message passed through, never English prose."""
    errors = {"TrackerError", "ConfigError", "DatabaseError", "FileRefused", "ScopeError", "AuthError"}
    found, checked = [], 0
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in errors:
                for keyword in node.keywords:
                    if keyword.arg == "reason":
                        checked += 1
                        if isinstance(keyword.value, (ast.Constant, ast.JoinedStr)):
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert checked > 30
    assert not found


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        (("zh", "en-US", None), "zh"),  # ?lang= decides over the browser
        (("en", "zh-CN", "zh-CN,zh;q=0.9"), "en"),
        ((None, "zh-CN", None), "zh"),  # no ?lang=: the browser's locale
        (("", "zh-TW", None), "zh"),
        ((None, None, "zh-CN,zh;q=0.9,en;q=0.8"), "zh"),  # no locale: the Accept-Language header
        ((None, "en-GB", "zh-CN"), "en"),
        ((None, "  ", "ZH-cn"), "zh"),
        ((None, None, None), "en"),
        (("fr", None, None), "en"),  # a language the tracker does not speak: English
        ((42, None, "zh"), "zh"),  # a value that is not text is passed over
    ],
)
def test_the_readers_language_follows_the_first_preference_given(wanted, chosen):
    assert preferred_language(*wanted) == chosen
