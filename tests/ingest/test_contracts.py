"""Record contracts: header matching, aliases in English and Chinese, category and status names."""

from __future__ import annotations

import pytest

from tracker.domain.categories import CATEGORIES, normalise_category
from tracker.ingest.contracts import (
    ASSETS,
    PROCUREMENT,
    USAGE_DAILY,
    USAGE_SESSIONS,
    match_headers,
    normalise_bool,
    normalise_status,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("laptop", "laptop"),
        ("Laptops", "laptop"),
        ("笔记本电脑", "laptop"),
        ("便携式计算机", "laptop"),
        ("台式计算机", "desktop"),
        ("Desktops", "desktop"),
        ("  PRINTERS ", "printer"),
        ("打印机", "printer"),
        ("多功能一体机", "copier"),
        ("投影仪", "projector"),
        ("Projectors", "projector"),
        ("视频会议设备", "av_conference"),
        ("服务器", "server"),
        ("Servers", "server"),
        ("交换机", "network"),
        ("存储设备", "storage"),
        ("仪器仪表", "instrument"),
        ("平板电脑", "tablet"),
        ("Tablets", "tablet"),
        ("显示器", "monitor"),
        ("av conference", "av_conference"),
        ("ＬＡＰＴＯＰ", "laptop"),
        ("联想 ThinkPad 笔记本", "laptop"),
        ("computadora portátil", "laptop"),
        ("Ornamental Railings", "other"),
        ("其他", "other"),
    ],
)
def test_category_names_map_to_profiles(raw, expected):
    assert normalise_category(raw) == expected


def test_every_category_code_maps_to_itself():
    assert all(normalise_category(c) == c for c in CATEGORIES)


def test_empty_category_is_missing_not_other():
    assert normalise_category("   ") is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("在用", "in_use"),
        ("Deployed", "in_use"),
        ("Ready to Deploy", "in_storage"),
        ("闲置", "idle"),
        ("备用", "standby"),
        ("报废", "disposed"),
        ("报废/待处置", "disposed"),
        ("Archived", "disposed"),
        ("Lost/Stolen", "disposed"),
        ("in_storage", "in_storage"),
        ("broken beyond words", None),
    ],
)
def test_status_names(raw, expected):
    assert normalise_status(raw) == expected


@pytest.mark.parametrize(
    "raw, expected", [("是", True), ("Yes", True), ("1", True), ("否", False), ("no", False), ("maybe", None)]
)
def test_yes_no_values(raw, expected):
    assert normalise_bool(raw) is expected if expected is not None else normalise_bool(raw) is None


def test_chinese_headers_match_procurement():
    headers = ["采购订单号", "行号", "单位代码", "品名", "品目名称", "数量", "单价", "采购日期", "备注"]
    match = match_headers(headers, PROCUREMENT)
    assert not match.missing
    assert match.extras == {8: "备注"}
    assert match.column_of("order_date") == 7


def test_headers_match_case_and_spacing_insensitively():
    match = match_headers([" Asset Tag ", "COMPANY", "category", "Purchase_Cost", "＊资产编号"], ASSETS)
    assert match.conflicts == {"asset_id": ["Asset Tag", "＊资产编号"]}
    assert not match.missing


def test_missing_required_columns_are_named():
    match = match_headers(["asset_id", "category"], ASSETS)
    assert set(match.missing) == {"agency_code", "purchase_cost"}


def test_daily_usage_needs_hours_or_minutes():
    assert "hours_used" in match_headers(["asset_id", "usage_date"], USAGE_DAILY).missing
    assert not match_headers(["资产编号", "使用日期", "使用时长(分钟)"], USAGE_DAILY).missing


def test_full_width_brackets_in_chinese_headers_match():
    assert not match_headers(["资产编号", "日期", "使用时长（小时）"], USAGE_DAILY).missing


def test_sessions_shape():
    assert not match_headers(["asset_id", "开始时间", "结束时间"], USAGE_SESSIONS).missing
