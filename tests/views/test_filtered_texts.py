"""What a page says of the filters in force, and of a requests table the filters leave empty, in both languages."""

from __future__ import annotations

import pytest

from tracker.text.i18n import text
from tracker.views.filters import Filters, active_filters_text, agencies_in_view_label
from tracker.views.reallocation import no_requests_note


def test_no_filter_gives_no_line():
    assert active_filters_text(Filters(), "en") is None
    assert active_filters_text(Filters(scope_agency="A001"), "zh") is None  # an agency user's own scope is not a filter


def test_the_filters_line_in_english():
    filters = Filters(agencies=("A001", "A002"), categories=("laptop",), fiscal_years=(2024,))
    assert active_filters_text(filters, "en") == "Filtered to Agency: A001, A002 · Category: Laptop · Fiscal year: 2024"


def test_the_filters_line_in_chinese_uses_chinese_punctuation():
    filters = Filters(agencies=("A001", "A002"), categories=("storage",))
    assert active_filters_text(filters, "zh") == "当前筛选：单位：A001、A002 · 类别：存储设备"


def test_each_value_is_escaped_for_the_page():
    filters = Filters(suppliers=("a*b",))
    assert active_filters_text(filters, "en", lambda v: v.replace("*", "\\*")) == "Filtered to Supplier: a\\*b"


@pytest.mark.parametrize(
    ("filters", "en", "zh"),
    [
        (Filters(), "All agencies", "全部单位"),
        (Filters(categories=("laptop",)), "All agencies", "全部单位"),  # other filters do not narrow the agencies
        (Filters(agencies=("A001",)), "Agencies: A001", "单位：A001"),
        (Filters(agencies=("A001", "A002", "A003")), "Agencies: A001, A002, A003", "单位：A001、A002、A003"),
        (Filters(agencies=("A001", "A002", "A003", "A004")), "4 agencies chosen", "已选 4 个单位"),
        (Filters(scope_agency="A001"), "Your agency", "本单位"),
        (Filters(agencies=("A001", "A002"), scope_agency="A001"), "Your agency", "本单位"),
    ],
)
def test_explore_breadcrumb_names_the_agencies_its_top_level_shows(filters, en, zh):
    """The first part of the drill-down says what the table under it covers: never "All agencies" while an agency
    filter narrows it."""
    assert agencies_in_view_label(filters, "en") == en
    assert agencies_in_view_label(filters, "zh") == zh


def test_explore_breadcrumb_escapes_agency_codes_for_the_page():
    assert agencies_in_view_label(Filters(agencies=("A*1",)), "en", lambda v: v.replace("*", "\\*")) == "Agencies: A\\*1"


@pytest.mark.parametrize(
    ("filters", "may_request", "key"),
    [
        (Filters(agencies=("A001",)), True, "realloc.note.no_requests_match"),
        (Filters(categories=("storage",)), False, "realloc.note.no_requests_match"),
        (Filters(), True, "realloc.note.no_requests"),
        (Filters(suppliers=("S",), fiscal_years=(2024,)), False, "realloc.note.no_requests_read_only"),
    ],
)
def test_an_empty_requests_table_says_why(filters, may_request, key):
    assert no_requests_note(filters, may_request) == key


def test_a_reader_who_may_not_enter_a_request_is_not_sent_to_a_form_they_do_not_have():
    for lang in ("en", "zh"):
        said = text(no_requests_note(Filters(), False), lang)
        assert "below" not in said and "下方" not in said
    assert "below" in text(no_requests_note(Filters(), True), "en")
    assert text("realloc.note.no_requests_match", "zh") == "没有符合当前筛选条件的配置申请。"
