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
from tracker.engine import parameters
from tracker.engine.parameters import load_rule_parameters, set_settings, validate_value
from tracker.engine.rules.catalogue import resolve_parameters
from tracker.store import audit
from tracker.store.config import SettingProblem, validate_setting
from tracker.store.db import Database
from tracker.store.meter_profiles import load_meter_profiles, set_meter_profile, validate_meter_value
from tracker.store.profiles import (
    PROFILE_FIELDS,
    profile_history,
    profiles_table,
    set_profile_value,
    validate_profile_value,
)
from tracker.store.settings import RULE_PREFIX, load_settings, setting_history
from tracker.text.errors import ConfigError, TrackerError
from tracker.text.i18n import Message, render, text
from tracker.views.filters import Filters
from tracker.views.labels import category_label, setting_label
from tracker.views.source import Source


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
        """Why, naming the setting by its label and the category by its name in `lang` (never `idle_days`, `copier`)."""
        return labelled(self.error.message, lang)


def labelled(message: Message, lang: str) -> str:
    """`message` with the setting or category it names written as the Settings page writes them.

    A refused setting reads "Idle · Days without usage after which a used asset is idle: "0" is not
    accepted (a whole number from 1 to 3,650)"; a refused profile value names the category ("Copier").
    """
    params = dict(message.params)
    if "category" in params and isinstance(params["category"], str):
        params["category"] = category_label(params["category"], lang)
    if message.key == "config.bad_value":
        return render(
            Message(
                "trustui.bad_setting",
                {"name": setting_label(str(params["name"]), lang), "value": params["value"], "reason": params["reason"]},
            ),
            lang,
        )
    if message.key == "config.stored_value_ignored":
        params["name"] = setting_label(str(params["name"]), lang)
    return render(Message(message.key, params), lang)


def stored_problem_text(problem: SettingProblem, lang: str) -> str:
    """A stored value not in force, its setting named by its label: what is stored, the default used, why."""
    reason = problem.error.message.params.get("reason", problem.error.message)
    message = Message(
        "config.stored_value_ignored",
        {"name": problem.name, "value": problem.value, "default": problem.default, "reason": reason},
    )
    return labelled(message, lang)


# A metered category's meter and capacity (docs/meters.md), editable beside the profile fields:
# editor column -> stored field of tracker.store.meter_profiles.
METER_FIELDS: dict[str, str] = {"meter": "meter", "capacity": "meter_capacity"}
EDITABLE_FIELDS: tuple[str, ...] = (*PROFILE_FIELDS, *METER_FIELDS)


def profiles_editor_table(db: Database, lang: str = "en") -> pa.Table:
    """The profiles table (tracker.store.profiles.profiles_table) with each category's meter, capacity and
    the capacity's unit in `lang`; a category without a meter (its evidence is hours) has none of them."""
    table = profiles_table(db)
    meters = load_meter_profiles(db)
    profiles = [meters.get(c) for c in table.column("category").to_pylist()]
    units = [
        None if p is None else text(f"meters.capacity_unit.{p.period}", lang, unit=p.unit_en if lang == "en" else p.unit_zh)
        for p in profiles
    ]
    return (
        table.append_column("meter", pa.array([None if p is None else p.meter for p in profiles], pa.string()))
        .append_column("capacity", pa.array([None if p is None else float(p.capacity) for p in profiles], pa.float64()))
        .append_column("capacity_unit", pa.array(units, pa.string()))
    )


def profile_edits(categories: Sequence[str], edited_rows: Mapping[Any, Mapping[str, Any]]) -> list[Change]:
    """The profile cells changed in an editor, from its `edited_rows` state ({row position: {column: value}})."""
    changes = []
    for position, cells in sorted(edited_rows.items(), key=lambda item: int(item[0])):
        category = categories[int(position)]
        changes += [Change(category, name, value) for name, value in cells.items() if name in EDITABLE_FIELDS]
    return changes


def apply_profile_edits(db: Database, changes: Sequence[Change], actor: str, note: str | None = None) -> list[Problem]:
    """Store every changed profile value with who and why, or none of them when any is invalid."""
    actor = acting(actor, "settings")
    problems = []
    meters: dict[str, dict[str, Any]] = {}  # category -> set_meter_profile's keyword arguments
    for change in changes:
        try:
            if change.field in METER_FIELDS:
                value = validate_meter_value(change.target, METER_FIELDS[change.field], change.value)
                if value is not None:
                    meters.setdefault(change.target, {})[change.field] = value
            else:
                validate_profile_value(change.target, change.field, change.value)
        except ConfigError as exc:
            problems.append(Problem(change, exc))
    if problems:
        return problems
    with audit.transaction(db):
        for change in changes:
            if change.field not in METER_FIELDS:
                set_profile_value(db, change.target, change.field, change.value, actor, note)
        for category, values in meters.items():
            set_meter_profile(db, category, actor, **values, note=_note(note))
    return []


def _note(note: str | None) -> str | None:
    return (note.strip() or None) if isinstance(note, str) else None


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


def settings_problems(db: Database) -> list[SettingProblem]:
    """Stored settings and rule parameters not in force because they are invalid (written by hand or by an
    older version): each one's name, stored value, the default used instead and why, for administrators."""
    return parameters.settings_problems(db)


def changed_values(db: Database, values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings and rule parameters among `values` that differ from what is in force.

    Compared after normalising ("usd" equals a stored "USD", 90.0 equals 90), so a form saved
    unchanged records nothing; an invalid value counts as changed, so saving it reports the problem,
    and so does a value whose stored text is not in force (tracker.engine.parameters.settings_problems),
    so saving the form replaces it.
    """
    settings = load_settings(db).as_text()
    parameters = resolve_parameters(load_rule_parameters(db))
    not_in_force = {p.name for p in settings_problems(db)}  # saving replaces an invalid stored value, even by its default
    changed = {}
    for name, value in values.items():
        if name in not_in_force:
            changed[name] = value
            continue
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


def findings_now(source: Source) -> Findings | None:
    """Recompute the dashboard's default view (its snapshot, tracker.engine.snapshots) and count its findings.

    None when there is no usage data to date a window by. The snapshot is cached per data version
    by the source's SnapshotCache, so after a change this recomputes once and the dashboard pages,
    which read through the same cache, reuse it.
    """
    snap = source.snapshot(Filters())
    if snap is None:
        return None
    rules = snap.flags.column("rule").to_pylist()
    stakes = snap.flags.column("value_at_stake").to_pylist()
    return Findings(len(rules), float(sum(v for v in stakes if v is not None)), dict(Counter(rules)))
