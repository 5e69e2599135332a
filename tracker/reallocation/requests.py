"""Planned purchases entered on the Reallocation page (an upload goes through the ingest, kind `requests`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.access.auth import User, acting, agency_scope
from tracker.domain.categories import CATEGORIES, normalise_category
from tracker.ingest.contracts import ID_MAX, TEXT_MAX
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import ConfigError, ScopeError
from tracker.text.i18n import reason


def enter_request(
    db: Database,
    actor: User | str,
    *,
    request_id: Any,
    agency_code: Any,
    category: Any,
    quantity: Any,
    needed_by: Any = None,
    unit_budget: Any = None,
    justification: Any = None,
) -> dict[str, Any]:
    """Check and store one planned purchase; an agency user enters its own agency's only. Audited.

    Each value is checked as an upload's row would be; the first bad one raises ConfigError naming the
    field and the value. A request id the agency already used is refused (an upload replaces it instead).
    """
    name = acting(actor, "request")
    scope = agency_scope(actor) if isinstance(actor, User) else None
    request_id = _identifier("request_id", request_id)
    agency_code = _identifier("agency_code", scope if agency_code in (None, "") and scope else agency_code)
    if scope is not None and agency_code != scope:
        raise ScopeError("auth.not_your_agency", agency=agency_code)
    canonical = normalise_category(category) if isinstance(category, str) else None
    if canonical is None:
        raise ConfigError("config.bad_value", name="category", value=category, reason=reason("one_of", choices=list(CATEGORIES)))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 1_000_000:
        raise ConfigError("config.bad_value", name="quantity", value=quantity, reason=reason("positive_whole_number"))
    if needed_by is not None and not isinstance(needed_by, date):
        raise ConfigError("config.bad_value", name="needed_by", value=needed_by, reason=reason("date"))
    budget = _budget(unit_budget)
    if justification is not None and (not isinstance(justification, str) or len(justification) > TEXT_MAX):
        raise ConfigError("config.bad_value", name="justification", value=justification, reason=reason("at_most", limit=TEXT_MAX))
    row = {
        "request_id": request_id,
        "agency_code": agency_code,
        "category": canonical,
        "quantity": quantity,
        "needed_by": needed_by,
        "unit_budget": budget,
        "justification": (justification or "").strip() or None,
    }
    with db.transaction():
        exists = db.scalar(
            "SELECT count(*) FROM purchase_requests WHERE agency_code = ? AND request_id = ?",
            [agency_code, request_id],
            name="request exists",
        )
        if exists:
            raise ConfigError("config.bad_value", name="request_id", value=request_id, reason=reason("request_exists"))
        db.execute(
            "INSERT INTO purchase_requests (agency_code, request_id, category, category_raw, quantity, needed_by, unit_budget,"
            " justification, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                agency_code,
                request_id,
                canonical,
                category,
                quantity,
                needed_by,
                budget,
                row["justification"],
                name,
                datetime.now(),
            ],
            name="store planned purchase",
        )
        details = {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
        audit.record(db, name, "request_entered", f"{agency_code}|{request_id}", details)
    return row


def _identifier(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > ID_MAX:
        raise ConfigError("config.bad_value", name=field, value=value, reason=reason("identifier", limit=ID_MAX))
    return value.strip()


def _budget(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite() or number < 0 or number >= Decimal(10) ** 15:
        raise ConfigError("config.bad_value", name="unit_budget", value=value, reason=reason("number_at_least_zero"))
    return number.quantize(Decimal("0.01"))
