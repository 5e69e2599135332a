"""Roles are enforced in the core, not only by the pages: each data-changing function refuses a user whose role may not."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tracker.access.auth import User
from tracker.casework.evidence import build_pack
from tracker.casework.reports import flags_report
from tracker.casework.review import review
from tracker.ingest import uploads
from tracker.text.errors import ScopeError
from tracker.views import admin
from tracker.views.filters import Filters
from tracker.views.findings import findings
from tracker.views.source import Source

AS_OF = date(2025, 12, 31)
ADMIN = User("root", "admin", None, None)
AUDITOR = User("aud", "auditor", None, None)
FINANCE = User("fin", "finance", None, None)
AGENCY = User("a1", "agency", "A001", None)


@pytest.fixture
def demo(demo_copy):
    return demo_copy


def _flag(db) -> dict:
    return flags_report(db, as_of=AS_OF).to_pylist()[0]


@pytest.mark.parametrize("user, allowed", [(AUDITOR, True), (ADMIN, True), (FINANCE, False), (AGENCY, False)])
def test_only_auditors_and_administrators_review(demo, user, allowed):
    flag = _flag(demo)
    if allowed:
        assert review(demo, flag, "confirmed", user).reviewed_by == user.username
    else:
        with pytest.raises(ScopeError):
            review(demo, flag, "confirmed", user)
        assert demo.scalar("SELECT count(*) FROM flag_reviews") == 0


@pytest.mark.parametrize("user, allowed", [(AUDITOR, True), (FINANCE, True), (ADMIN, True), (AGENCY, False)])
def test_exports_follow_the_role(demo, user, allowed):
    flags = flags_report(demo, as_of=AS_OF).slice(0, 2)
    if allowed:
        assert build_pack(demo, flags, as_of=AS_OF, window_days=365, actor=user).findings == 2
    else:
        with pytest.raises(ScopeError):
            build_pack(demo, flags, as_of=AS_OF, window_days=365, actor=user)


@pytest.mark.parametrize("user", [AUDITOR, FINANCE, AGENCY])
def test_only_administrators_change_settings_and_profiles(demo, user):
    with pytest.raises(ScopeError):
        admin.apply_settings(demo, {"rule.IDLE.idle_days": 30}, user)
    with pytest.raises(ScopeError):
        admin.apply_profile_edits(demo, [admin.Change("laptop", "life_years", 5)], user)
    assert demo.scalar("SELECT count(*) FROM setting_changes") == 0
    assert admin.apply_settings(demo, {"rule.IDLE.idle_days": 30}, ADMIN) == []


def _upload(db, user, text: str, **options):
    data = text.encode("utf-8")
    return uploads.commit_upload(db, io.BytesIO(data), "usage.csv", "usage", size_bytes=len(data), actor=user, **options)


def test_an_agency_user_uploads_for_their_agency_only(demo):
    own = demo.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A001' LIMIT 1")
    other = demo.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A002' LIMIT 1")
    text = f"asset_id,usage_date,hours_used\n{own},2026-01-05,5\n{other},2026-01-05,5\n"
    with pytest.raises(ScopeError):
        _upload(demo, AGENCY, text, agency="A002")  # asking for another agency is refused outright
    report = _upload(demo, AGENCY, text, partial=True)  # and without asking, the other agency's row is rejected
    assert (report.rows_accepted, report.rows_rejected) == (1, 1)
    assert demo.scalar("SELECT scope_agency FROM uploads ORDER BY upload_id DESC LIMIT 1") == "A001"
    with pytest.raises(ScopeError):
        _upload(demo, AUDITOR, f"asset_id,usage_date,hours_used\n{own},2026-01-06,5\n")


def test_an_agency_user_reads_only_their_agency(demo):
    src = Source(demo)
    snap = src.snapshot(Filters())
    scoped = Filters(scope_agency=AGENCY.agency_code, agencies=("A002",))
    assert findings(src, snap, scoped).num_rows == 0
    assert set(findings(src, snap, Filters(scope_agency="A001")).column("agency_code").to_pylist()) == {"A001"}
