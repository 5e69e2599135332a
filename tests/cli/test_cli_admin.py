"""The command line for administrators: settings, who acts ($TRACKER_USER beside the operating-system user),
and the audit of exports, audit reads, dry runs and refusals."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from tracker.access import auth
from tracker.cli import main as cli
from tracker.ingest.pipeline import ingest_file
from tracker.store import audit
from tracker.store.db import Database

PASSWORD = "correct-horse-battery-9"
ASSETS = "asset_id,agency_code,category,purchase_cost,purchase_date\nPC-1,A001,laptop,5000,2024-01-10\n"
USAGE = "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\n"


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "cli.duckdb"
    (tmp_path / "assets.csv").write_text(ASSETS, encoding="utf-8")
    (tmp_path / "usage.csv").write_text(USAGE, encoding="utf-8")
    with Database.open(path) as db:
        auth.create_user(db, "boss", PASSWORD, "admin", actor="setup")
        auth.create_user(db, "fin", PASSWORD, "finance", actor="boss")
        for kind in ("assets", "usage"):
            assert ingest_file(db, kind, tmp_path / f"{kind}.csv", actor="setup").committed
    return path


@pytest.fixture
def tracker(monkeypatch, capsys, db_path):
    """Run `python -m tracker --db DB ...` in this process as $TRACKER_USER `user`: (exit code, stdout, stderr)."""

    def call(*args: str, user: str | None = None) -> tuple[int, str, str]:
        if user is None:
            monkeypatch.delenv("TRACKER_USER", raising=False)
        else:
            monkeypatch.setenv("TRACKER_USER", user)
        code = cli.main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def log(db_path: Path) -> list[dict]:
    with Database.open(db_path) as db:
        rows = list(reversed(audit.audit_table(db).to_pylist()))
    return [{**row, "details": json.loads(row["details"]) if row["details"] else {}} for row in rows]


def new_entries(db_path: Path, before: int) -> list[tuple[str, str, str | None, dict]]:
    return [(e["actor"], e["action"], e["target"], e["details"]) for e in log(db_path)[before:]]


# -- settings --------------------------------------------------------------------------------------
def test_settings_list_shows_values_defaults_and_a_bad_stored_value(tracker, db_path):
    with Database.open(db_path) as db:
        db.execute("INSERT INTO settings VALUES ('fiscal_year_start_month', '13', now(), 'someone')")
        db.execute("INSERT INTO settings VALUES ('rule.IDLE.idle_days', 'soon', now(), 'someone')")
    code, out, _ = tracker("settings", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "name,value,default,problem"
    rows = {line.split(",")[0]: line for line in lines[1:]}
    assert rows["currency"] == "currency,CNY,CNY,"
    assert (
        rows["fiscal_year_start_month"].startswith("fiscal_year_start_month,13,1,") and "1-12" in rows["fiscal_year_start_month"]
    )
    assert rows["rule.IDLE.idle_days"].startswith("rule.IDLE.idle_days,soon,90,") and "number" in rows["rule.IDLE.idle_days"]
    assert rows["rule.NEVER_USED.grace_days"] == "rule.NEVER_USED.grace_days,60,60,"


def test_settings_set_and_reset_repair_a_bad_value_and_are_recorded(tracker, db_path):
    with Database.open(db_path) as db:
        db.execute("INSERT INTO settings VALUES ('fiscal_year_start_month', '13', now(), 'someone')")
    before = len(log(db_path))
    code, _, err = tracker("settings", "set", "fiscal_year_start_month", "4", user="boss")
    assert code == 0 and "13 → 4" in err
    code, _, err = tracker("settings", "set", "rule.IDLE.idle_days", "120", user="boss")
    assert code == 0 and "90 → 120" in err
    code, _, err = tracker("settings", "reset", "rule.IDLE.idle_days", user="boss")
    assert code == 0 and "120 → 90" in err
    code, _, err = tracker("settings", "reset", "rule.IDLE.idle_days", user="boss")
    assert code == 0 and "nothing changed" in err
    os_user = getpass.getuser()
    assert new_entries(db_path, before) == [
        ("boss", "setting_changed", "fiscal_year_start_month", {"old": "13", "new": "4", "os_user": os_user}),
        ("boss", "setting_changed", "rule.IDLE.idle_days", {"old": "90", "new": "120", "os_user": os_user}),
        ("boss", "setting_changed", "rule.IDLE.idle_days", {"old": "120", "new": "90", "os_user": os_user}),
    ]
    with Database.open(db_path) as db:
        history = db.fetchall("SELECT name, old_value, new_value, changed_by FROM setting_changes ORDER BY change_id")
    assert history[-1] == ("rule.IDLE.idle_days", "120", "90", "boss")


def test_settings_refuses_bad_values_and_unknown_names_in_both_languages(tracker, db_path):
    before = len(log(db_path))
    code, _, err = tracker("settings", "set", "rule.IDLE.idle_days", "-5")
    assert code == 1 and "-5" in err
    code, _, err = tracker("--lang", "zh", "settings", "set", "currency", "XX")
    assert code == 1 and "XX" in err and "无效" in err
    for command in (("set", "colour", "blue"), ("reset", "rule.NOPE.days"), ("reset", "rule.IDLE.nope")):
        code, _, err = tracker("settings", *command)
        assert code == 2 and "no setting named" in err
    assert new_entries(db_path, before) == []


def test_a_tracker_user_whose_account_may_not_is_refused_and_the_refusal_is_audited(tracker, db_path):
    before = len(log(db_path))
    code, _, err = tracker("settings", "set", "currency", "USD", user="fin")
    assert code == 1 and "may not change settings" in err
    code, _, err = tracker("--lang", "zh", "users", "list", user="FIN")
    assert code == 1 and "无权" in err
    with Database.open(db_path) as db:
        auth.disable_user(db, "fin", actor="boss")
    code, _, err = tracker("flags", user="fin")
    assert code == 1 and "disabled" in err
    entries = new_entries(db_path, before)
    os_user = getpass.getuser()
    assert [(a, act, t) for a, act, t, _ in entries] == [
        ("fin", "command_refused", "settings set"),
        ("fin", "command_refused", "users list"),
        ("boss", "user_disabled", "fin"),
        ("fin", "command_refused", "flags"),
    ]
    assert entries[0][3] == {"action": "settings", "reason": "role", "os_user": os_user}
    assert entries[-1][3]["reason"] == "disabled"
    with Database.open(db_path) as db:
        assert db.scalar("SELECT count(*) FROM settings") == 0


def test_a_tracker_user_is_recorded_beside_the_operating_system_user(tracker, db_path):
    before = len(log(db_path))
    assert tracker("settings", "set", "currency", "USD", user="someone-else")[0] == 0
    assert tracker("settings", "set", "currency", "EUR")[0] == 0
    entries = new_entries(db_path, before)
    os_user = getpass.getuser()
    assert (entries[0][0], entries[0][3]["os_user"]) == ("someone-else", os_user)
    assert (entries[1][0], "os_user" in entries[1][3]) == (f"cli:{os_user}", False)


# -- what the command line audits ------------------------------------------------------------------
def test_exports_and_audit_reads_are_audited(tracker, db_path, tmp_path):
    before = len(log(db_path))
    assert tracker("flags", "--format", "json", "-o", str(tmp_path / "flags.json"))[0] == 0
    assert tracker("utilisation", "--by", "agency")[0] == 0
    assert tracker("export-lake", str(tmp_path / "lake"))[0] == 0
    code, out, _ = tracker("audit", "list", "--limit", "2")
    assert code == 0 and out.startswith("entry_id,")
    actor = f"cli:{getpass.getuser()}"
    entries = new_entries(db_path, before)
    assert [(a, act, t) for a, act, t, _ in entries] == [
        (actor, "export", "flags"),
        (actor, "export", "utilisation"),
        (actor, "export", "export-lake"),
        (actor, "audit_read", "audit_log"),
    ]
    flags, utilisation, lake, read = (e[3] for e in entries)
    assert (flags["format"], flags["output"], flags["window_days"]) == ("json", str(tmp_path / "flags.json"), 365)
    assert (utilisation["output"], utilisation["by"], utilisation["rows"]) == ("stdout", "agency", 1)
    assert lake["rows"]["assets"] == 1 and lake["dir"] == str(tmp_path / "lake")
    assert (read["limit"], read["rows"]) == (2, 2)
    with Database.open(db_path) as db:
        assert audit.verify(db) == []


def test_dry_runs_rejected_and_refused_uploads_are_audited(tracker, db_path, tmp_path):
    good = tmp_path / "more.csv"
    good.write_text(ASSETS.replace("PC-1", "PC-2"), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(ASSETS.replace("5000", "lots"), encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    before = len(log(db_path))
    assert tracker("ingest", "assets", str(good), "--dry-run")[0] == 0
    assert tracker("ingest", "assets", str(bad))[0] == 1
    assert tracker("ingest", "assets", str(empty))[0] == 1
    entries = new_entries(db_path, before)
    assert [(act, t, d["status"]) for _, act, t, d in entries] == [
        ("upload", "more.csv", "dry_run"),
        ("upload", "bad.csv", "rejected"),
        ("upload", "empty.csv", "refused"),
    ]
    assert entries[1][3]["rows_rejected"] == 1 and entries[2][3]["reason"].startswith("file.")
    with Database.open(db_path) as db:
        assert db.scalar("SELECT count(*) FROM assets") == 1


def test_a_real_command_line_upload_retires_the_demo_accounts(tracker, db_path, tmp_path):
    with Database.open(db_path) as db:
        db.execute("DELETE FROM users WHERE created_by <> 'setup'")
        auth.ensure_demo_accounts(db)
        db.execute("UPDATE users SET created_by = 'demo' WHERE username = 'boss'")  # only demo-made accounts left
        db.execute("UPDATE uploads SET uploaded_by = 'demo'")
        assert len(auth.active_demo_accounts(db)) == 4
    more = tmp_path / "more.csv"
    more.write_text(ASSETS.replace("PC-1", "PC-9"), encoding="utf-8")
    assert tracker("ingest", "assets", str(more))[0] == 0
    with Database.open(db_path) as db:
        assert auth.active_demo_accounts(db) == []


def test_an_agency_account_uploads_for_its_own_agency_only(tracker, db_path, tmp_path):
    with Database.open(db_path) as db:
        auth.create_user(db, "clerk", PASSWORD, "agency", agency="A002", actor="boss")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(ASSETS.replace("PC-1", "PC-7") + "PC-8,A002,laptop,5000,2024-01-10\n", encoding="utf-8")
    code, _, err = tracker("ingest", "assets", str(mixed), "--agency", "A001", user="clerk")
    assert code == 1 and "A001" in err
    code, _, _ = tracker("ingest", "assets", str(mixed), "--partial", user="clerk")
    assert code == 1  # the A001 row is rejected: the upload was limited to A002
    with Database.open(db_path) as db:
        assert db.fetchall("SELECT asset_id, agency_code FROM assets WHERE asset_id IN ('PC-7', 'PC-8')") == [("PC-8", "A002")]
        refused = db.fetchall("SELECT actor, details->>'reason' FROM audit_log WHERE action = 'command_refused'")
    assert refused == [("clerk", "agency")]
