"""The audit trail in words (tracker.views.audit_trail): translated columns and actions, readable details, "—" for none."""

from __future__ import annotations

import json

from tracker.store import audit
from tracker.store.settings import RULE_PREFIX
from tracker.views import audit_trail

RAW_CODES = ("setting_changed", "rule.IDLE", "idle_days", "user_created", '{"', "None", "null", "rows_read", "upload_status")


def _entries(db):
    with audit.transaction(db):
        audit.record(db, "admin", "login", "admin")
        audit.record(db, "admin", "setting_changed", f"{RULE_PREFIX}IDLE.idle_days", {"old": "90", "new": "60"})
        audit.record(db, "admin", "profile_changed", "copier", {"field": "days", "old": "workdays", "new": "all", "note": None})
        audit.record(db, "demo", "user_created", "agency-a001", {"agency": "A001", "display_name": None, "role": "agency"})
        audit.record(
            db,
            "demo",
            "upload",
            "usage.csv",
            {"status": "committed", "upload_id": 3, "kind": "usage", "sha256": "ab" * 32, "rows_read": 330956},
        )
    return audit.audit_table(db)


def test_every_cell_is_in_words_in_english(db):
    rows = {r["entry_id"]: r for r in audit_trail.readable(_entries(db), "en")}
    login, setting, profile, user, upload = (rows[i] for i in sorted(rows))
    assert (login["action"], login["details"]) == ("Signed in", "—")
    assert setting["action"] == "Setting changed"
    assert setting["target"] == "Idle · Days without usage after which a used asset is idle"
    assert setting["details"] == "Idle · Days without usage after which a used asset is idle: 90 → 60"
    assert (profile["target"], profile["details"]) == ("Copier", "Available days: workdays → every day")
    assert user["details"] == "role: agency data officer · agency: A001"
    assert upload["details"] == "status: Committed · kind: usage log · upload: 3 · rows read: 330,956"
    for row in rows.values():
        assert not any(code in str(value) for value in row.values() for code in RAW_CODES), row


def test_every_cell_is_in_words_in_chinese(db):
    rows = audit_trail.readable(_entries(db), "zh")
    assert audit_trail.column_labels("zh")["details"] == "详情"
    setting = next(r for r in rows if r["action"] == "修改设置")
    assert setting["details"] == "闲置 · 曾使用的资产连续多少天未使用即为闲置：90 → 60"
    upload = next(r for r in rows if r["action"] == "上传")
    assert upload["details"] == "状态：已提交 · 数据类型：使用记录 · 上传编号：3 · 读取行数：330,956"
    assert not any(code in str(value) for row in rows for value in row.values() for code in RAW_CODES)


def test_the_csv_export_keeps_the_details_as_recorded(db):
    table = _entries(db)
    recorded = [json.loads(d) if d else None for d in table.column("details").to_pylist()]
    assert {"old": "90", "new": "60"} in recorded


def test_transfer_and_planned_purchase_details_read_in_chinese():
    step = audit_trail.details_text(
        "transfer",
        json.dumps({"step": "receiving_accepted", "role": "agency", "assets": ["A002-00197"], "outcome": "denied"}),
        "zh",
    )
    assert step == "步骤：调入单位确认 · 角色：单位数据员 · 设备：A002-00197 · 结果：被拒绝", step
    request = audit_trail.details_text(
        "request_entered", json.dumps({"category": "laptop", "quantity": 5, "needed_by": "2026-03-31"}), "zh"
    )
    assert "类别：笔记本电脑" in request and "数量：5" in request and "需用日期：2026-03-31" in request, request
    assert not any(code in step + request for code in ("receiving_accepted", "assets", "laptop", "needed by", "denied"))
