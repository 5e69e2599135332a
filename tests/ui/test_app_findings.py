"""The Findings page: ranked list, filters, one finding's evidence, a review, the evidence pack."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _findings(lang: str = "en", role: str = "auditor") -> AppTest:
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), role, username="dashboard")
    at.query_params["lang"] = lang
    at.run()
    switch_to(at, "findings").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_lists_the_ranked_findings_and_filters_by_rule(demo_db):
    at = _findings()
    assert any("133 findings" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    values = list(table.iloc[:, 4])
    assert len(table) == 133 and values[3:] == sorted(values[3:], reverse=True)
    at.multiselect(key="ff_rules").set_value(["IDLE"]).run()
    assert set(at.dataframe[0].value["Rule"]) == {"Idle"}


def test_review_a_finding_and_see_its_history(demo_db):
    at = _findings()
    first = at.dataframe[0].value.iloc[0]
    at.session_state["flag_selected"] = _first_flag_id(demo_db)
    at.run()
    assert any(first["Agency"] in s.value for s in at.subheader), [s.value for s in at.subheader]
    at.radio(key="review_status_choice").set_value("dismissed")
    form_submit = [b for b in at.button if b.label == "Record review"][0]
    form_submit.click().run()
    assert any("reason" in e.value.lower() for e in at.error)  # dismissing needs a reason
    at.radio(key="review_status_choice").set_value("confirmed")
    at.text_area(key="review_note").input("checked on site")
    [b for b in at.button if b.label == "Record review"][0].click().run()
    assert not at.exception
    with Database.open(demo_db) as database:
        assert database.fetchall("SELECT status, note, reviewed_by FROM flag_reviews") == [
            ("confirmed", "checked on site", "dashboard")
        ]
    at.multiselect(key="ff_statuses").set_value(["confirmed"]).run()
    assert len(at.dataframe[0].value) == 1


def _first_flag_id(path: Path) -> str:
    from tracker.views.filters import Filters
    from tracker.views.findings import findings
    from tracker.views.source import Source

    with Database.open(path) as database:
        src = Source(database)
        return findings(src, src.snapshot(Filters()), Filters()).column("flag_id")[0].as_py()


def test_evidence_pack_downloads_what_is_on_screen(demo_db):
    at = _findings()
    at.multiselect(key="ff_rules").set_value(["OVER_PRICE_CAP"]).run()
    at.button(key="prepare_pack").click().run()
    assert not at.exception
    assert any("fingerprint" in c.value for c in at.caption)
    from tracker.casework.evidence import build_pack
    from tracker.views.filters import Filters, FindingFilters
    from tracker.views.findings import findings
    from tracker.views.source import Source

    with Database.open(demo_db) as database:
        src = Source(database)
        snap = src.snapshot(Filters())
        table = findings(src, snap, Filters(), FindingFilters(rules=("OVER_PRICE_CAP",)))
        pack = build_pack(database, table, snapshot=snap, as_of=snap.window.as_of, window_days=365, actor="dashboard")
    rows = list(openpyxl.load_workbook(io.BytesIO(pack.xlsx))["Findings"].iter_rows(min_row=2, values_only=True))
    assert rows and {r[1] for r in rows} == {"OVER_PRICE_CAP"}


def test_findings_page_in_chinese(demo_db):
    at = _findings("zh")
    assert any("133 条线索" in m.value for m in at.markdown)
    assert "规则" in at.dataframe[0].value.columns


def test_one_run_of_the_page_looks_the_snapshot_up_once(demo_db, monkeypatch):
    """The list, its currency, the open finding's detail and the evidence pack all read the run's one snapshot."""
    from tracker.engine.snapshots import SnapshotCache

    at = _findings()
    at.session_state["flag_selected"] = _first_flag_id(demo_db)
    lookups = []
    looked_up = SnapshotCache.snapshot

    def counted(self, db, as_of, window_days):
        lookups.append((as_of, window_days))
        return looked_up(self, db, as_of, window_days)

    monkeypatch.setattr(SnapshotCache, "snapshot", counted)
    at.button(key="prepare_pack").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("fingerprint" in c.value for c in at.caption)  # the pack was built in this run
    assert at.subheader  # and the finding's detail shown
    assert len(lookups) == 1, lookups


def test_a_recorded_review_is_said_and_nothing_is_chosen_for_the_next(demo_db):
    at = _findings()
    at.session_state["flag_selected"] = _first_flag_id(demo_db)
    at.run()
    assert at.radio(key="review_status_choice").value is None  # no status chosen in advance
    [b for b in at.button if b.label == "Record review"][0].click().run()
    assert any("Choose the new status first." == e.value for e in at.error)
    long_note = "checked on site with the school's caretaker; " * 6
    at.radio(key="review_status_choice").set_value("confirmed")
    at.text_area(key="review_note").input(long_note)
    [b for b in at.button if b.label == "Record review"][0].click().run()
    assert not at.exception
    assert any(s.value == "Recorded: Confirmed." for s in at.success)  # seen after the page shows the new status
    assert at.radio(key="review_status_choice").value is None  # one careless click cannot re-open it
    assert any(long_note.strip() in m.value for m in at.markdown)  # the history's note is shown whole
