"""The Audit trail page shows the log in words in the reader's language; only the CSV keeps the recorded JSON."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.store import audit
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_audit_trail_is_in_words_in_chinese(demo_db):
    database = Database.open(demo_db)
    with audit.transaction(database):
        audit.record(database, "admin", "login", "admin")  # no details: "—"
        audit.record(database, "admin", "setting_changed", "rule.IDLE.idle_days", {"old": "90", "new": "60"})
    database.close()
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "admin")
    at.query_params["lang"] = "zh"
    at.run()
    switch_to(at, "audit").run()
    assert not at.exception
    [table] = at.dataframe
    frame = table.value
    shown = {str(v) for column in ("actor", "action", "target", "details") for v in frame[column]}
    assert "闲置 · 曾使用的资产连续多少天未使用即为闲置：90 → 60" in shown
    assert "修改设置" in shown and "创建账户" in shown and "—" in shown
    assert not any(word in value for value in shown for word in ("{", "None", "user_created", "setting_changed", "rule."))
    labels = {name: config.get("label") for name, config in json.loads(table.proto.columns).items()}  # the headers shown
    assert (labels["action"], labels["details"]) == ("操作", "详情")
