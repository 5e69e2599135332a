"""Demo data: sizes, determinism, file contracts, and that a reference reading of docs/rules.md flags exactly the planted cases."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import holidays
import numpy as np
import pandas as pd
import pytest
from conftest import assert_no_control_flagged

from tracker.demo.tiers import AS_OF, TIERS, generate
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.engine.rules.model import ASSET_STATE_RULES
from tracker.ingest.contracts import ASSETS, PROCUREMENT, USAGE_DAILY, match_headers
from tracker.text.errors import ConfigError

PROFILES = {p.category: p for p in DEFAULT_PROFILES}
RULES = (
    "NEVER_USED",
    "IDLE",
    "LOW_UTILISATION",
    "NO_TELEMETRY",
    "IDLE_PURCHASE",
    "UNREGISTERED_UNITS",
    "BOUGHT_DESPITE_IDLE_STOCK",
    "YEAR_END_SURGE",
    "OVER_PRICE_CAP",
    "AVOIDABLE_PURCHASE",
    "EARLY_REPLACEMENT",
)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-small")
    messages: list[str] = []
    files = generate(out, "small", seed=7, progress=messages.append)
    return files, messages


def _canonical(path, contract) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    match = match_headers(list(frame.columns), contract)
    assert not match.missing and not match.extras and not match.conflicts
    return frame.rename(columns={frame.columns[pos]: name for pos, name in match.mapping.items()})


@pytest.fixture(scope="module")
def data(small):
    files, _ = small
    procurement = _canonical(files.procurement, PROCUREMENT)
    assets = _canonical(files.assets, ASSETS)
    usage = pd.read_csv(files.usage, dtype={"asset_id": str, "usage_date": str, "source": str})
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    return procurement, assets, usage, truth


def test_small_tier_sizes(small, data):
    files, messages = small
    procurement, assets, usage, truth = data
    assert files.agencies == 5 and assets["agency_code"].nunique() == 5
    assert 1_800 <= files.asset_rows == len(assets) <= 2_400
    assert files.procurement_rows == len(procurement) and files.usage_rows == len(usage)
    assert "2025-01-01" <= usage["usage_date"].min() <= "2025-01-03"
    assert usage["usage_date"].max() == AS_OF.isoformat() == truth["as_of"]
    assert truth["window_start"] == "2025-01-01" and truth["idle_horizon_start"] == "2025-10-03"
    assert any("usage.csv" in m for m in messages)
    assert truth["counts"]["assets"] == len(assets) and truth["counts"]["usage_rows"] == len(usage)


def test_same_seed_same_bytes_other_seed_other_data(small, tmp_path):
    files, _ = small
    again = generate(tmp_path / "again", "small", seed=7)
    for name in ("procurement", "assets", "usage", "ground_truth"):
        assert getattr(files, name).read_bytes() == getattr(again, name).read_bytes(), name
    other = generate(tmp_path / "other", "small", seed=8)
    assert other.usage.read_bytes() != files.usage.read_bytes()
    assert other.assets.read_bytes() != files.assets.read_bytes()


def test_unknown_scale_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        generate(tmp_path, "huge")


def test_headers_follow_the_brief(data):
    procurement, assets, usage, _ = data
    assert list(usage.columns) == ["asset_id", "usage_date", "hours_used", "source"]
    assert match_headers(list(usage.columns), USAGE_DAILY).score == 4
    assert list(assets.columns) == [f.name for f in ASSETS.fields if f.name not in ("ocid", "hostname")]


def test_procurement_headers_are_chinese(small):
    header = small[0].procurement.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["采购订单号", "行号", "单位代码"] and all(not h.isascii() for h in header)


def test_ground_truth_refers_to_existing_ids(data):
    procurement, assets, _, truth = data
    asset_ids = set(assets["asset_id"])
    lines = set(zip(procurement["po_number"], procurement["line_no"].astype(int)))
    agencies = set(assets["agency_code"])
    for entry in truth["planted"] + truth["clean_controls"] + truth["exempt"]:
        assert entry["agency_code"] in agencies
        if entry["asset_id"] is not None:
            assert entry["asset_id"] in asset_ids
        if entry["po_number"] is not None:
            assert (entry["po_number"], entry["line_no"]) in lines
    assert len(truth["clean_controls"]) >= 10
    assert truth["planted"] == sorted(
        truth["planted"],
        key=lambda e: (
            e["rule"],
            e["agency_code"],
            e["asset_id"] or "",
            e["po_number"] or "",
            e["line_no"] or 0,
            e["fiscal_year"] or 0,
            e["category"] or "",
        ),
    )


def test_at_least_three_planted_per_rule(data):
    truth = data[3]
    for rule in RULES:
        assert sum(e["rule"] == rule for e in truth["planted"]) >= 3, rule
    reasons = [e["reason"] for e in truth["exempt"]]
    assert all(reasons.count(r) >= 3 for r in ("standby", "disposed", "grace"))


def test_silent_never_used_and_standby_assets_have_no_usage(data):
    _, assets, usage, truth = data
    used = set(usage["asset_id"])
    silent = {(e["agency_code"], e["category"]) for e in truth["no_telemetry"]}
    partial = [a["agency_code"] for a in truth["agencies"] if a["telemetry"] == "partial"]
    assert len(partial) == 1 and {c for a, c in silent if a == partial[0]} == {"printer", "projector"}
    untracked = assets[[(a, c) in silent for a, c in zip(assets["agency_code"], assets["category"])]]
    assert len(untracked) and not used & set(untracked["asset_id"])
    quiet = [e["asset_id"] for e in truth["planted"] if e["rule"] == "NEVER_USED"]
    quiet += [e["asset_id"] for e in truth["exempt"] if e["reason"] in ("standby", "grace")]
    assert quiet and not used & set(quiet)
    planted_assets = {e["asset_id"] for e in truth["planted"] if e["asset_id"]}
    assert not planted_assets & set(untracked["asset_id"])


def test_usage_values(data):
    _, assets, usage, _ = data
    assert usage["hours_used"].gt(0).all() and usage["hours_used"].le(24).all()
    assert (usage["hours_used"] * 100).round().sub(usage["hours_used"] * 100).abs().max() < 1e-6
    assert usage["usage_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(usage["source"]) <= {"agent", "login-log", "meter"}
    assert not usage.duplicated(["asset_id", "usage_date", "source"]).any()
    assert set(usage["asset_id"]) <= set(assets["asset_id"])
    disposed = assets[assets["disposal_date"] != ""]
    merged = usage.merge(disposed[["asset_id", "disposal_date"]], on="asset_id")
    assert len(disposed) and (merged["usage_date"] < merged["disposal_date"]).all()


def test_assets_reference_their_purchase_lines(data):
    procurement, assets, _, truth = data
    procurement["line_no"] = procurement["line_no"].astype(int)
    assets["line_no"] = assets["line_no"].astype(int)
    assert not procurement.duplicated(["agency_code", "po_number", "line_no"]).any()
    joined = assets.merge(procurement, on=["po_number", "line_no"], how="left", suffixes=("", "_line"), indicator=True)
    assert (joined["_merge"] == "both").all()
    assert (joined["agency_code"] == joined["agency_code_line"]).all()
    assert (joined["purchase_cost"].map(Decimal) == joined["unit_price"].map(Decimal)).all()
    registered = assets.groupby(["po_number", "line_no"]).size()
    quantity = procurement.set_index(["po_number", "line_no"])["quantity"].astype(int)
    short = {key for key, q in quantity.items() if registered.get(key, 0) != q}
    planted = {(e["po_number"], e["line_no"]) for e in truth["planted"] if e["rule"] == "UNREGISTERED_UNITS"}
    assert short == planted
    assert procurement["po_number"].str.fullmatch(r"CG20\d\d-A\d{3}-\d{4}").all()
    assert (
        procurement["total_amount"].map(Decimal) == procurement["quantity"].map(Decimal) * procurement["unit_price"].map(Decimal)
    ).all()


def test_over_cap_lines_only_where_planted(data):
    procurement, _, _, truth = data
    over = set()
    for po, line, category, price in zip(
        procurement["po_number"], procurement["line_no"].astype(int), procurement["category"], procurement["unit_price"]
    ):
        profile = next(p for p in DEFAULT_PROFILES if category in p.names_zh)
        if profile.price_cap_cny is not None and Decimal(price) > profile.price_cap_cny:
            over.add((po, line))
    assert over == {(e["po_number"], e["line_no"]) for e in truth["planted"] if e["rule"] == "OVER_PRICE_CAP"}


def test_a_custom_tier_is_accepted(tmp_path):
    tiny = replace(TIERS["small"], name="tiny", assets=1_200, chunk_assets=300)
    files = generate(tmp_path, tiny, seed=3)
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    assert truth["scale"] == "tiny" and files.asset_rows < 1_600 and files.usage_rows > 0


# --- a reference reading of docs/rules.md ----------------------------------------------------------


def _reference_flags(procurement: pd.DataFrame, assets: pd.DataFrame, usage: pd.DataFrame, truth: dict) -> set[tuple]:
    """Every flag a literal reading of docs/rules.md raises on the files, as (rule, subject...) tuples."""
    as_of = AS_OF
    window_start = date.fromisoformat(truth["window_start"])
    horizon_start = date.fromisoformat(truth["idle_horizon_start"])
    usage_start = date.fromisoformat(truth["usage_start"])
    calendar = holidays.China(years=range(usage_start.year, as_of.year + 1))
    window_days = [window_start + timedelta(days=i) for i in range((as_of - window_start).days + 1)]
    is_workday = {d: calendar.is_working_day(d) for d in window_days}
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    used_days = {aid: sorted(date.fromisoformat(d) for d in days) for aid, days in usage.groupby("asset_id")["usage_date"]}
    hours_in_window = usage[usage["usage_date"] >= window_start.isoformat()].groupby("asset_id")["hours_used"].sum()

    rows = []
    for a in assets.itertuples():
        in_service = day(a.in_service_date) or day(a.purchase_date)
        rows.append(
            (
                a.asset_id,
                a.agency_code,
                a.category,
                a.po_number,
                int(a.line_no),
                in_service,
                day(a.disposal_date),
                a.status == "disposed",
                a.standby == "true" or a.status == "standby",
            )
        )
    flags: set[tuple] = set()
    covered = {(r[1], r[2]) for r in rows if any(d >= horizon_start for d in used_days.get(r[0], []))}
    in_service_pairs = {(r[1], r[2]) for r in rows if r[5] <= as_of and not r[7]}
    flags |= {("NO_TELEMETRY", agency, category) for agency, category in in_service_pairs - covered}
    flagged_assets = set()
    for asset_id, agency, category, _, _, in_service, disposal, disposed, standby in rows:
        if (agency, category) not in covered or standby or disposed:
            continue
        days = used_days.get(asset_id, [])
        if not days:
            if (as_of - in_service).days >= 60:
                flags.add(("NEVER_USED", asset_id))
                flagged_assets.add(asset_id)
            continue
        if (as_of - days[-1]).days >= 90:
            flags.add(("IDLE", asset_id))
            flagged_assets.add(asset_id)
            continue
        profile = PROFILES[category]
        end = min(as_of, disposal - timedelta(days=1)) if disposal else as_of
        available = [
            d for d in window_days if max(window_start, in_service) <= d <= end and (profile.days == "all" or is_workday[d])
        ]
        if len(available) >= 60:
            utilisation = hours_in_window.get(asset_id, 0.0) / (len(available) * profile.hours_per_day)
            if utilisation < profile.low_threshold:
                flags.add(("LOW_UTILISATION", asset_id))
                flagged_assets.add(asset_id)

    by_line: dict[tuple, list] = {}
    by_pair: dict[tuple, list] = {}
    by_category: dict[str, list] = {}
    for row in rows:
        by_category.setdefault(row[2], []).append(row)
        by_line.setdefault((row[3], row[4]), []).append(row)
        by_pair.setdefault((row[1], row[2]), []).append(row)
    spend: dict[tuple, list] = {}
    for p in procurement.itertuples():
        key = (p.po_number, int(p.line_no))
        units = by_line.get(key, [])
        quantity, price, order = int(p.quantity), Decimal(p.unit_price), day(p.order_date)
        delivered = day(p.delivery_date) or order
        if units and 2 * sum(u[0] in flagged_assets for u in units) >= len(units):
            flags.add(("IDLE_PURCHASE", *key))
        if (as_of - delivered).days >= 60 and len(units) < quantity:
            flags.add(("UNREGISTERED_UNITS", *key))
        profile = next(pr for pr in DEFAULT_PROFILES if p.category in pr.names_zh)
        if profile.price_cap_cny is not None and price > profile.price_cap_cny:
            flags.add(("OVER_PRICE_CAP", *key))
        entry = spend.setdefault((p.agency_code, order.year), [Decimal(0), Decimal(0)])
        entry[0] += Decimal(p.total_amount) if order.month == 12 else 0
        entry[1] += Decimal(p.total_amount)
        lookback = order - timedelta(days=90)
        if lookback >= usage_start:  # the look-back must lie inside the usage data

            def unused(asset_id, lookback=lookback, order=order):
                days = np.array(used_days.get(asset_id, []), dtype="datetime64[D]")
                lo, hi = np.searchsorted(days, np.datetime64(lookback)), np.searchsorted(days, np.datetime64(order))
                return lo == hi

            pair = by_pair.get((p.agency_code, profile.category), [])
            held = [r for r in pair if r[5] <= lookback and not (r[6] and r[6] <= order)]
            if any(not unused(r[0]) for r in pair) and sum(unused(r[0]) for r in held) >= 3:
                flags.add(("BOUGHT_DESPITE_IDLE_STOCK", *key))
            # the pool of every agency on the order date: held 90 days, not standby, reporting, unused for 90 days
            pool = [
                r
                for r in by_category.get(profile.category, [])
                if r[5] + timedelta(days=90) <= order
                and not r[8]
                and (not r[7] or r[6])
                and not (r[6] and r[6] <= order)
                and (r[1], r[2]) in covered
                and unused(r[0])
            ]
            if pool:
                flags.add(("AVOIDABLE_PURCHASE", *key))
        # disposed of in the year before the order, younger than the six years of the 2016 standard
        if profile.category in ("desktop", "laptop", "printer", "copier"):
            for r in by_pair.get((p.agency_code, profile.category), []):
                if r[6] and order - timedelta(days=365) <= r[6] <= order and r[5] >= date(2016, 1, 1):
                    if (r[6] - r[5]).days < 6 * 365.25:
                        flags.add(("EARLY_REPLACEMENT", *key))
    for (agency, year), (december, total) in spend.items():
        if total >= 100_000 and december / (total / 12) > 2:
            flags.add(("YEAR_END_SURGE", agency, year))
    return flags


def _subject(entry: dict) -> tuple:
    rule = entry["rule"]
    if rule in ASSET_STATE_RULES:
        return rule, entry["asset_id"]
    if rule == "NO_TELEMETRY":
        return rule, entry["agency_code"], entry["category"]
    if rule == "YEAR_END_SURGE":
        return rule, entry["agency_code"], entry["fiscal_year"]
    return rule, entry["po_number"], entry["line_no"]


def test_reference_engine_flags_exactly_the_planted_cases(data):
    procurement, assets, usage, truth = data
    flags = _reference_flags(procurement, assets, usage, truth)
    planted = {_subject(e) for e in truth["planted"]}
    assert flags - planted == set(), "flagged but not planted"
    assert planted - flags == set(), "planted but not flagged"
    agency_of_line = {(p.po_number, int(p.line_no)): p.agency_code for p in procurement.itertuples()}
    assert_no_control_flagged(
        truth,
        assets={f[1] for f in flags if f[0] in ASSET_STATE_RULES},
        lines={
            (agency_of_line[f[1:]], *f[1:]) for f in flags if f[0] not in (*ASSET_STATE_RULES, "NO_TELEMETRY", "YEAR_END_SURGE")
        },
        years={f[1:] for f in flags if f[0] == "YEAR_END_SURGE"},
    )


# -- where the demo tier is loaded -----------------------------------------------------------------
def test_the_demo_is_loaded_only_on_the_first_run_of_the_default_database_or_when_asked(tmp_path, monkeypatch):
    from tracker.access import auth
    from tracker.demo import bootstrap
    from tracker.store.db import Database

    loaded: list[str] = []
    monkeypatch.setattr(bootstrap, "load_demo", lambda db, *a, **k: loaded.append(db.path.name))
    bootstrap.open_with_demo(tmp_path / "other.duckdb").close()
    assert loaded == []
    with Database.open(tmp_path / "other.duckdb") as db:
        assert auth.needs_first_administrator(db) and not bootstrap.has_demo_data(db)

    default = tmp_path / "data" / "tracker.duckdb"
    monkeypatch.setattr(bootstrap, "DEFAULT_DB_PATH", default)
    assert bootstrap.demo_on_first_run(default)
    bootstrap.open_with_demo(default, log=lambda text: None).close()
    assert loaded == ["tracker.duckdb"]
    assert not bootstrap.demo_on_first_run(default)
    bootstrap.open_with_demo(default).close()  # not again on the next run
    bootstrap.open_with_demo(tmp_path / "asked.duckdb", demo=True, log=lambda text: None).close()
    assert loaded == ["tracker.duckdb", "asked.duckdb"]


def test_demo_accounts_are_retired_by_real_use_only(tmp_path):
    from tracker.access import auth
    from tracker.ingest.pipeline import ingest_file
    from tracker.store.db import Database

    assets = tmp_path / "assets.csv"
    assets.write_text("asset_id,agency_code,category,purchase_cost\nPC-1,A001,laptop,5000\n", encoding="utf-8")
    with Database.open(tmp_path / "demo.duckdb") as db:
        auth.ensure_demo_accounts(db)
        assert ingest_file(db, "assets", assets, actor="demo").committed  # the demo loader's own upload
        assert len(auth.active_demo_accounts(db)) == 4
        auth.disable_user(db, "finance", actor="admin")
        assert [a[0] for a in auth.active_demo_accounts(db)] == ["admin", "auditor", "agency-a001"]
        assert auth.authenticate(db, "admin", "demo-admin-pass", sleep=lambda s: None).role == "admin"
        auth.create_user(db, "chief", "a long enough secret", "admin", actor="admin")
        assert auth.active_demo_accounts(db) == []
        retired = db.fetchall("SELECT target, details FROM audit_log WHERE actor = 'system' ORDER BY entry_id")
        assert [t for t, _ in retired] == ["admin", "agency-a001", "auditor"]
        assert all('"demo_retired"' in d for _, d in retired)
        assert not auth.needs_first_administrator(db)
