"""Idle capital follows the rule settings: the snapshot's idle horizon is the IDLE rule's, not a built-in 90 days."""

from __future__ import annotations

from tracker.engine.parameters import set_setting
from tracker.views import overview
from tracker.views.filters import Filters
from tracker.views.source import Source


def test_a_shorter_idle_threshold_finds_more_idle_capital(demo_copy):
    before = Source(demo_copy)
    snap = before.snapshot(Filters())
    assert (snap.window.idle_days, snap.window.never_used_min_days) == (90, 60)
    k90 = overview.kpis(before, snap, Filters())
    set_setting(demo_copy, "rule.IDLE.idle_days", "30", "admin")
    set_setting(demo_copy, "rule.NEVER_USED.grace_days", "20", "admin")
    after = Source(demo_copy)
    snap30 = after.snapshot(Filters())
    assert (snap30.window.idle_days, snap30.window.never_used_min_days) == (30, 20)
    k30 = overview.kpis(after, snap30, Filters())
    assert k30.idle_capital > k90.idle_capital
    idle_flags = {r["asset_id"] for r in snap30.flags.to_pylist() if r["rule"] == "IDLE"}
    candidates = set(snap30.assets.filter(snap30.assets.column("idle_candidate")).column("asset_id").to_pylist())
    assert idle_flags <= candidates
