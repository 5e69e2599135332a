"""`python -m tracker transfers …`: the whole path on the command line, refusals, and the slip read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tracker.access import auth
from tracker.cli import main as cli
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database

PASSWORD = "correct-horse-battery-9"
ASSETS = """\
asset_id,agency_code,category,model,purchase_cost,in_service_date
PC-1,A001,laptop,=HYPERLINK("http://x"),6000,2022-01-01
PC-2,A001,laptop,ThinkPad,5000,
"""


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "cli.duckdb"
    (tmp_path / "assets.csv").write_text(ASSETS.replace('=HYPERLINK("http://x")', "T14"), encoding="utf-8")
    with Database.open(path) as db:
        assert ingest_file(db, "assets", tmp_path / "assets.csv", actor="setup").committed
        db.execute(
            "UPDATE assets SET model = '=HYPERLINK(\"http://x\")' WHERE asset_id = 'PC-1'"
        )  # as another system may store it
        db.execute("INSERT INTO agencies (agency_code, agency_name) VALUES ('A002', '=cmd|calc')")
        auth.create_user(db, "fin", PASSWORD, "finance", actor="setup")
        auth.create_user(db, "giver", PASSWORD, "agency", agency="A001", actor="setup")
        auth.create_user(db, "taker", PASSWORD, "agency", agency="A002", actor="setup")
    return path


@pytest.fixture
def tracker(monkeypatch, capsysbinary, db_path):
    def call(*args: str, user: str | None = None, lang: str = "en") -> tuple[int, bytes, str]:
        if user is None:
            monkeypatch.delenv("TRACKER_USER", raising=False)
        else:
            monkeypatch.setenv("TRACKER_USER", user)
        code = cli.main(["--db", str(db_path), "--lang", lang, *args])
        out, err = capsysbinary.readouterr()
        return code, out, err.decode()

    return call


def _sheets(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_whole_path_and_the_slip_in_chinese(tracker, db_path, tmp_path):
    code, out, err = tracker(
        "transfers",
        "create",
        "PC-1",
        "PC-2",
        "--from",
        "A001",
        "--to",
        "A002",
        "--effective",
        "2025-01-01",
        "--request",
        "REQ-1",
        user="taker",
    )
    assert code == 0 and out == b"1\n" and "2 devices from A001 to A002" in err
    assert tracker("transfers", "approve", "1", user="fin")[0] == 1  # not accepted yet
    assert tracker("transfers", "accept", "1", user="giver")[0] == 0
    code, _, err = tracker("transfers", "accept", "1", user="taker", lang="zh")
    assert code == 0 and "已由单位 A002 确认" in err
    code, _, err = tracker("transfers", "approve", "1", user="fin")
    assert code == 0 and "belong to A002 from 2025-01-01" in err
    code, out, _ = tracker("transfers", "list", user="giver")
    listed = out.decode().splitlines()
    assert listed[0].startswith("transfer_id,from_agency,to_agency") and listed[1].startswith("1,A001,A002,REQ-1,")
    assert ",approved," in listed[1]

    slip = tmp_path / "slip.xlsx"
    assert tracker("transfers", "slip", "1", "-o", str(slip), user="taker", lang="zh")[0] == 0
    sheets = _sheets(slip.read_bytes())
    assert list(sheets) == ["调拨单", "设备清单", "审批记录"]
    summary = {row[0]: row[1] for row in sheets["调拨单"][1:]}
    assert summary["状态"] == "已批准" and summary["生效日期"] == "2025-01-01" and summary["配置申请"] == "REQ-1"
    assert summary["调入单位"] == "A002 =cmd|calc"  # a text cell, never run
    assert summary["账面净值合计"] == "未知"  # PC-2 has no date of service: the total is unknown, not PC-1's value
    devices = sheets["设备清单"]
    assert devices[0] == ["资产编号", "类别", "型号", "原值", "账面净值"]
    assert devices[1] == ["PC-1", "笔记本电脑", '=HYPERLINK("http://x")', 6000.0, 2999.32]
    assert devices[2] == ["PC-2", "笔记本电脑", "ThinkPad", 5000.0, "未知"]
    steps = sheets["审批记录"]
    assert [r[0] for r in steps[1:]] == ["发起", "调出单位确认", "调入单位确认", "财务批准"]
    assert [r[1] for r in steps[1:]] == ["taker", "giver", "taker", "fin"]
    # the formula stayed text: no cell of the workbook is a formula
    import zipfile

    with zipfile.ZipFile(slip) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    with Database.open(db_path) as db:
        exports = db.fetchall("SELECT actor, target, CAST(details AS VARCHAR) FROM audit_log WHERE action = 'export'")
        assert [(a, t, json.loads(d)["transfer_id"]) for a, t, d in exports] == [("taker", "transfer_slip", 1)]
        assert db.scalar("SELECT agency_code FROM assets WHERE asset_id = 'PC-1'") == "A002"


def test_the_slip_in_english(tracker):
    tracker("transfers", "create", "PC-1", "--from", "A001", "--to", "A002", "--effective", "2025-01-01")
    code, out, _ = tracker("transfers", "slip", "1")
    assert code == 0
    sheets = _sheets(out)
    assert list(sheets) == ["Transfer", "Devices", "Approvals"]
    summary = {row[0]: row[1] for row in sheets["Transfer"][1:]}
    assert summary["State"] == "proposed" and summary["Total book value"].endswith("2,999.32")
    first = sheets["Approvals"][1]
    assert first[0] == "proposed" and first[1].startswith("cli:") and first[2] == "administrator"


def test_refusals_exit_1_with_the_reason(tracker):
    assert (
        tracker("transfers", "create", "PC-1", "--from", "A001", "--to", "A002", "--effective", "2025-01-01", user="giver")[0]
        == 1
    )
    code, _, err = tracker("transfers", "create", "PC-9", "--from", "A001", "--to", "A002", "--effective", "2025-01-01")
    assert code == 1 and "no device PC-9" in err
    tracker("transfers", "create", "PC-1", "--from", "A001", "--to", "A002", "--effective", "2025-01-01")
    code, _, err = tracker("transfers", "accept", "1", user="taker")
    assert code == 0
    code, _, err = tracker("transfers", "accept", "1", user="taker", lang="zh")
    assert code == 1 and "已由单位 A002 确认" in err
    code, _, err = tracker("transfers", "accept", "1", user="fin")
    assert code == 1 and "finance officer may not accept a transfer" in err
    code, _, err = tracker("transfers", "refuse", "1", "--reason", "  ", user="giver")
    assert code == 1 and "needs a reason" in err
    assert tracker("transfers", "refuse", "1", "--reason", "still in use", user="giver")[0] == 0
    assert tracker("transfers", "list", "--state", "refused")[1].decode().count("\n") == 2
    assert tracker("transfers", "slip", "7")[0] == 1
