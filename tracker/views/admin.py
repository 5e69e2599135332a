"""The administrator's edits behind the settings page, all or nothing.

Profile edits and setting changes are validated together and stored in one transaction, so a
save with one bad value changes nothing; the change history merges profile and setting changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from holidays.registry import COUNTRIES

from tracker.access.auth import acting
from tracker.engine.parameters import load_rule_parameters, set_settings, validate_value
from tracker.engine.rules.catalogue import resolve_parameters
from tracker.store import audit
from tracker.store.config import validate_setting
from tracker.store.db import Database
from tracker.store.profiles import PROFILE_FIELDS, profile_history, set_profile_value, validate_profile_value
from tracker.store.settings import RULE_PREFIX, load_settings, setting_history
from tracker.text.errors import ConfigError, TrackerError
from tracker.views.dashboard import Filters, snapshot


@dataclass(frozen=True)
class Change:
    """One value an administrator changed: a profile cell (category, field) or a setting (name)."""

    target: str  # the category, or the setting's name
    field: str | None  # the profile field; None for a setting
    value: Any


@dataclass(frozen=True)
class Problem:
    """A change that was refused, and why."""

    change: Change
    error: TrackerError

    def text(self, lang: str) -> str:
        return self.error.text(lang)


def profile_edits(categories: Sequence[str], edited_rows: Mapping[Any, Mapping[str, Any]]) -> list[Change]:
    """The profile cells changed in an editor, from its `edited_rows` state ({row position: {column: value}})."""
    changes = []
    for position, cells in sorted(edited_rows.items(), key=lambda item: int(item[0])):
        category = categories[int(position)]
        changes += [Change(category, name, value) for name, value in cells.items() if name in PROFILE_FIELDS]
    return changes


def apply_profile_edits(db: Database, changes: Sequence[Change], actor: str, note: str | None = None) -> list[Problem]:
    """Store every changed profile value with who and why, or none of them when any is invalid."""
    actor = acting(actor, "settings")
    problems = []
    for change in changes:
        try:
            validate_profile_value(change.target, change.field, change.value)
        except ConfigError as exc:
            problems.append(Problem(change, exc))
    if problems:
        return problems
    with audit.transaction(db):
        for change in changes:
            set_profile_value(db, change.target, change.field, change.value, actor, note)
    return []


def apply_settings(db: Database, values: Mapping[str, Any], actor: str) -> list[Problem]:
    """Store settings and rule parameters ("rule.CODE.param"), or none of them when any is invalid.

    `actor`: a signed-in User (an administrator) or, from the command line, a name. Every value is
    validated before anything is written; each refused one is returned as a problem.
    """
    actor = acting(actor, "settings")
    problems: list[Problem] = []
    for name, value in values.items():
        try:
            validate_value(name, value)
        except ConfigError as exc:
            problems.append(Problem(Change(name, None, value), exc))
    if not problems:
        set_settings(db, values, actor)
    return problems


def changed_values(db: Database, values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings and rule parameters among `values` that differ from what is in force.

    Compared after normalising ("usd" equals a stored "USD", 90.0 equals 90), so a form saved
    unchanged records nothing; an invalid value counts as changed, so saving it reports the problem.
    """
    settings = load_settings(db)
    parameters = resolve_parameters(load_rule_parameters(db))
    changed = {}
    for name, value in values.items():
        try:
            if name.startswith(RULE_PREFIX):
                code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
                same = float(value) == float(parameters[code][parameter])
            else:
                same = validate_setting(name, value) == settings[name]
        except (ConfigError, KeyError, TypeError, ValueError):
            same = False
        if not same:
            changed[name] = value
    return changed


def supported_countries() -> dict[str, str]:
    """Code -> English name of every country whose calendar the `holidays` package knows (setting `country`)."""
    names = {entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0]) for entry in COUNTRIES.values()}
    return dict(sorted(names.items()))


CHANGES_SCHEMA = pa.schema(
    [
        ("changed_at", pa.timestamp("us")),
        ("changed_by", pa.string()),
        ("what", pa.string()),
        ("field", pa.string()),
        ("old_value", pa.string()),
        ("new_value", pa.string()),
        ("note", pa.string()),
    ]
)


def change_history(db: Database) -> pa.Table:
    """Profile and setting changes in one list, newest first: when, who, what, old and new value, note.

    `what` is the category for a profile change and the setting's name otherwise; `field` is the
    profile field ("*" for the defaults stored on first run), empty for a setting.
    """
    rows = [
        {
            "changed_at": c["changed_at"],
            "changed_by": c["changed_by"],
            "what": c["category"],
            "field": c["field"],
            "old_value": c["old_value"],
            "new_value": c["new_value"],
            "note": c["note"],
        }
        for c in profile_history(db)
    ]
    rows += [
        {
            "changed_at": c["changed_at"],
            "changed_by": c["changed_by"],
            "what": c["name"],
            "field": None,
            "old_value": c["old_value"],
            "new_value": c["new_value"],
            "note": None,
        }
        for c in setting_history(db)
    ]
    rows.sort(key=lambda r: r["changed_at"], reverse=True)
    return pa.Table.from_pylist(rows, schema=CHANGES_SCHEMA)


@dataclass(frozen=True)
class Findings:
    """How many findings the current data, settings and profiles give, and the money at stake."""

    count: int
    value_at_stake: float
    by_rule: dict[str, int]


def findings_now(db: Database) -> Findings | None:
    """Recompute the dashboard's default view (tracker.views.dashboard.snapshot) and count its findings.

    None when there is no usage data to date a window by. The snapshot is cached per data version,
    so after a change this recomputes once and the dashboard pages reuse it.
    """
    snap = snapshot(db, Filters())
    if snap is None:
        return None
    rules = snap.flags.column("rule").to_pylist()
    stakes = snap.flags.column("value_at_stake").to_pylist()
    return Findings(len(rules), float(sum(v for v in stakes if v is not None)), dict(Counter(rules)))
