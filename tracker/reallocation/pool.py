"""The idle pool (公物仓, a virtual warehouse): devices the government owns and could give to another user.

A device is in the pool on the snapshot's as-of date when it is held (in service, not disposed, not
standby) and
- it has an open NEVER_USED or IDLE finding (its latest review is not dismissed or resolved), or
- its register status is idle (闲置), or
- its agency declared it surplus (`pool_actions`, action declare_surplus),
unless its latest pool action is a withdrawal (a finance officer or administrator took it out, with a
reason). Each device comes with its category, model, age, remaining service life (the minimum life of
the standard in force, else the category profile's life), book value, agency, and the evidence of its
idleness.
"""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from tracker.access.auth import User, acting, agency_scope
from tracker.domain.categories import DEFAULT_PROFILES
from tracker.domain.standards import in_force
from tracker.engine.snapshots import Snapshot
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.store.standards import load_standards
from tracker.text.errors import ConfigError, ScopeError
from tracker.text.i18n import reason

DAYS_PER_YEAR = 365.25
POOL_RULES = ("NEVER_USED", "IDLE")
OUT_OF_POOL_REVIEWS = ("dismissed", "resolved")
POOL_SCHEMA = pa.schema(
    [
        ("asset_id", pa.string()),
        ("agency_code", pa.string()),
        ("agency_name", pa.string()),
        ("category", pa.string()),
        ("model", pa.string()),
        ("in_service_date", pa.date32()),
        ("age_years", pa.float64()),
        ("remaining_life_years", pa.float64()),
        ("purchase_cost", pa.float64()),
        ("book_value", pa.float64()),
        ("reason", pa.string()),  # NEVER_USED | IDLE | register_idle | declared_surplus
        ("in_pool_since", pa.date32()),
        ("idle_days", pa.int64()),
        ("utilisation", pa.float64()),
        ("evidence", pa.string()),
        ("evidence_zh", pa.string()),
    ]
)
# what an agency user sees of another agency's device: what a transfer needs, not its usage or findings
PUBLIC_COLUMNS = (
    "asset_id",
    "agency_code",
    "agency_name",
    "category",
    "model",
    "in_service_date",
    "age_years",
    "remaining_life_years",
    "purchase_cost",
    "book_value",
)
PRIVATE_COLUMNS = tuple(name for name in POOL_SCHEMA.names if name not in PUBLIC_COLUMNS)


def idle_pool(db: Database, snap: Snapshot | None) -> pa.Table:
    """Every device in the pool on the snapshot's as-of date, the longest idle first (POOL_SCHEMA)."""
    if snap is None:
        return POOL_SCHEMA.empty_table()
    as_of = snap.window.as_of
    actions = latest_pool_actions(db, as_of)
    reviews = _latest_reviews(db)
    reasons: dict[str, tuple[str, date | None, str | None, str | None]] = {}
    for flag in snap.flags.filter(_rule_mask(snap.flags)).to_pylist():
        if reviews.get((flag["rule"], flag["asset_id"])) in OUT_OF_POOL_REVIEWS:
            continue
        reasons[flag["asset_id"]] = (flag["rule"], None, flag["evidence"], flag["evidence_zh"])
    for (asset_id,) in db.fetchall("SELECT asset_id FROM assets WHERE status = 'idle'", name="register idle"):
        reasons.setdefault(asset_id, ("register_idle", None, None, None))
    for asset_id, (action, acted_on, _) in actions.items():
        if action == "declare_surplus":
            reasons[asset_id] = ("declared_surplus", acted_on, None, None)
    for asset_id, (action, _, _) in actions.items():
        if action == "withdraw":
            reasons.pop(asset_id, None)
    if not reasons:
        return POOL_SCHEMA.empty_table()
    pooled = snap.assets.select(_asset_columns(snap.assets))  # the pool's devices only: a few of ~50,000 rows
    pooled = pooled.filter(pc.is_in(pooled.column("asset_id"), pa.array(list(reasons), pa.string())))
    per_asset = {r["asset_id"]: r for r in pooled.to_pylist()}  # a device held twice in the window: its last row
    standards, jurisdiction = load_standards(db), load_settings(db).standards_jurisdiction
    lives = {p.category: p.life_years for p in DEFAULT_PROFILES}
    rows = []
    for asset in _held_assets(db, list(reasons), as_of):
        rule, since, evidence, evidence_zh = reasons[asset["asset_id"]]
        figures = per_asset.get(asset["asset_id"], {})
        start = asset["in_service_date"]
        age = None if start is None else max(0.0, (as_of - start).days / DAYS_PER_YEAR)
        standard = in_force(standards, jurisdiction, asset["category"], start or as_of)
        life = standard.min_service_years if standard and standard.min_service_years else lives.get(asset["category"])
        idle_days = figures.get("days_idle")
        if since is None and idle_days is not None:
            since = date.fromordinal(as_of.toordinal() - idle_days)
        book = figures.get("net_book_value")
        if book is None and age is not None and life:
            book = round(float(asset["purchase_cost"]) * max(0.0, min(1.0, 1.0 - age / life)), 2)
        rows.append(
            {
                **asset,
                "purchase_cost": float(asset["purchase_cost"]),
                "age_years": None if age is None else round(age, 2),
                "remaining_life_years": None if age is None or not life else round(max(0.0, life - age), 2),
                "book_value": book,
                "reason": rule,
                "in_pool_since": since,
                "idle_days": idle_days,
                "utilisation": figures.get("utilisation"),
                "evidence": evidence,
                "evidence_zh": evidence_zh,
            }
        )
    rows.sort(key=lambda r: (-(r["idle_days"] if r["idle_days"] is not None else -1), r["asset_id"]))
    return pa.Table.from_pylist(rows, schema=POOL_SCHEMA)


def viewer_scope(viewer: User | str | None) -> str | None:
    """The one agency a viewer is limited to: a signed-in User's scope, or an agency code a caller already scoped to."""
    if isinstance(viewer, User):
        return agency_scope(viewer)
    return viewer


def pool_for(viewer: User | str | None, pool: pa.Table) -> pa.Table:
    """The pool as `viewer` (a User, or the agency code a reader is limited to) may see it: an agency user sees
    other agencies' devices (what a transfer needs) without their usage or findings."""
    scope = viewer_scope(viewer)
    if scope is None or pool.num_rows == 0:
        return pool
    rows = pool.to_pylist()
    for row in rows:
        if row["agency_code"] != scope:
            row.update(dict.fromkeys(PRIVATE_COLUMNS))
    return pa.Table.from_pylist(rows, schema=POOL_SCHEMA)


def latest_pool_actions(db: Database, on: date | None = None) -> dict[str, tuple[str, date, str | None]]:
    """Each device's latest pool action in force on `on` (all when None): asset id -> (action, acted_on, reason)."""
    rows = db.fetchall(
        "SELECT asset_id, action, acted_on, reason FROM ("
        " SELECT *, row_number() OVER (PARTITION BY asset_id ORDER BY acted_on DESC, action_id DESC) AS n FROM pool_actions"
        " WHERE ? IS NULL OR acted_on <= ?) WHERE n = 1",
        [on, on],
        name="latest pool actions",
    )
    return {asset_id: (action, acted_on, why) for asset_id, action, acted_on, why in rows}


def declare_surplus(
    db: Database, actor: User | str, asset_id: str, *, reason_text: str | None = None, on: date | None = None
) -> None:
    """An agency offers one of its devices to the pool (an agency user only its own agency's), audited."""
    name = acting(actor, "pool_declare")
    agency = _asset_agency(db, asset_id)
    scope = agency_scope(actor) if isinstance(actor, User) else None
    if scope is not None and agency != scope:
        raise ScopeError("auth.not_your_agency", agency=agency)
    _record(db, name, asset_id, "declare_surplus", reason_text, on)


def withdraw(db: Database, actor: User | str, asset_id: str, reason_text: str, *, on: date | None = None) -> None:
    """A finance officer or administrator takes a device out of the pool; the reason is required. Audited."""
    name = acting(actor, "pool_withdraw")
    if not isinstance(reason_text, str) or not reason_text.strip():
        raise ConfigError("config.bad_value", name="reason", value=reason_text, reason=reason("reason_required"))
    _asset_agency(db, asset_id)
    _record(db, name, asset_id, "withdraw", reason_text.strip(), on)


def _record(db: Database, actor: str, asset_id: str, action: str, why: str | None, on: date | None) -> None:
    acted_on = on or date.today()
    with db.transaction():
        db.execute(
            "INSERT INTO pool_actions (asset_id, action, reason, acted_on, acted_by, acted_at) VALUES (?, ?, ?, ?, ?, ?)",
            [asset_id, action, why, acted_on, actor, datetime.now()],
            name="record pool action",
        )
        audit.record(db, actor, "pool_changed", asset_id, {"action": action, "reason": why, "on": acted_on.isoformat()})


def _asset_agency(db: Database, asset_id: str) -> str:
    agency = db.scalar("SELECT agency_code FROM assets WHERE asset_id = ?", [asset_id], name="asset agency")
    if agency is None:
        raise ConfigError("config.bad_value", name="asset_id", value=asset_id, reason=reason("unknown_asset"))
    return agency


def _latest_reviews(db: Database) -> dict[tuple[str, str], str]:
    rows = db.fetchall(
        "SELECT rule, subject, status FROM ("
        " SELECT *, row_number() OVER (PARTITION BY finding_key ORDER BY review_id DESC) AS n FROM flag_reviews"
        " WHERE rule IN ('NEVER_USED', 'IDLE')) WHERE n = 1",
        name="pool reviews",
    )
    return {(rule, subject): status for rule, subject, status in rows}


def _held_assets(db: Database, asset_ids: list[str], as_of: date) -> list[dict]:
    rows = db.fetchall(
        "SELECT a.asset_id, a.agency_code, g.agency_name, a.category, a.model,"
        "       coalesce(a.in_service_date, a.purchase_date) AS in_service_date, a.purchase_cost"
        " FROM assets AS a LEFT JOIN agencies AS g USING (agency_code)"
        " WHERE list_contains(?, a.asset_id) AND NOT a.standby AND a.status NOT IN ('disposed', 'standby')"
        "   AND (a.disposal_date IS NULL OR a.disposal_date > ?)",
        [asset_ids, as_of],
        name="pool devices",
    )
    names = ("asset_id", "agency_code", "agency_name", "category", "model", "in_service_date", "purchase_cost")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _rule_mask(flags: pa.Table):
    return pc.is_in(flags.column("rule"), pa.array(POOL_RULES))


def _asset_columns(assets: pa.Table) -> list[str]:
    return [c for c in ("asset_id", "days_idle", "net_book_value", "utilisation") if c in assets.column_names]
