"""Commands that administer: users, the audit log, settings."""

from __future__ import annotations

import argparse

import pyarrow as pa

from tracker.access import auth
from tracker.cli.common import EXIT_OK, EXIT_REJECTED, acting_as, emit, err, new_password
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import AuthError, ConfigError, TrackerError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes


def cmd_users(args: argparse.Namespace, lang: str) -> int:
    """users add | list | disable | set-password; a refused change exits 1."""
    try:
        if args.users_command == "list":
            with Database.open(args.db) as db:
                acting_as(db, "users", "users list")
                rows = auth.list_users(db)
            emit(table_to_csv_bytes(pa.table({c: [r[c] for r in rows] for c in auth.USER_COLUMNS}), bom=False), None)
            return EXIT_OK
        if args.users_command == "disable":
            with Database.open(args.db) as db:
                auth.disable_user(db, args.username, actor=acting_as(db, "users", "users disable"))
            err(render(Message("auth.user_disabled", {"username": args.username.strip().lower()}), lang))
            return EXIT_OK
        with Database.open(args.db) as db:
            actor = acting_as(db, "users", f"users {args.users_command}")
        password = new_password(lang)
        with Database.open(args.db) as db:
            if args.users_command == "add":
                user = auth.create_user(
                    db, args.username, password, args.role, agency=args.agency, display_name=args.name, actor=actor
                )
                err(
                    render(
                        Message("auth.user_created", {"username": user.username, "role": Message(f"role.{user.role}", {})}),
                        lang,
                    )
                )
            else:
                auth.set_password(db, args.username, password, actor=actor)
                err(render(Message("auth.password_set", {"username": args.username.strip().lower()}), lang))
    except AuthError as exc:
        err(exc.text(lang))
        return EXIT_REJECTED
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, lang: str) -> int:
    """audit verify [--head HASH] (exit 1 and every problem when the chain is broken) | head | list (CSV, audited)."""
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        actor = acting_as(db, "audit", f"audit {args.audit_command}")
        if args.audit_command == "list":
            table = audit.audit_table(db, limit=args.limit)
            audit.record(
                db, actor, "audit_read", "audit_log", {"command": "audit list", "limit": args.limit, "rows": table.num_rows}
            )
            emit(table_to_csv_bytes(table, bom=False), None)
            return EXIT_OK
        newest = audit.head(db)
        if args.audit_command == "head":
            if newest is None:
                err(render(Message("audit.empty", {}), lang))
                return EXIT_OK
            err(render(Message("audit.head", {"entry": str(newest[0])}), lang))
            emit(f"{newest[1]}\n".encode(), None)
            return EXIT_OK
        head_hash = args.head.strip().lower() if args.head else None
        problems = audit.verify(db, lang=lang, head_hash=head_hash)
        found = (
            db.scalar("SELECT entry_id FROM audit_log WHERE entry_hash = ?", [head_hash], name="audit head entry")
            if head_hash
            else None
        )
    if not problems:
        empty = Message("audit.empty", {})
        err(render(Message("audit.intact", {"entry": str(newest[0]), "hash": newest[1]}) if newest else empty, lang))
        if found is not None:
            err(render(Message("audit.head_found", {"hash": head_hash, "entry": str(found)}), lang))
        return EXIT_OK
    err(render(Message("audit.broken", {"problems": len(problems)}), lang))
    for problem in problems:
        err(f"  {problem}")
    return EXIT_REJECTED


def cmd_settings(args: argparse.Namespace, lang: str) -> int:
    """settings list (CSV to standard output) | set NAME VALUE | reset NAME; a refused value exits 1."""
    from tracker.engine.parameters import default_text, set_setting
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        actor = acting_as(db, "settings", f"settings {args.settings_command}")
        if args.settings_command == "list":
            emit(table_to_csv_bytes(_settings_table(db, lang), bom=False), None)
            return EXIT_OK
        name = args.name.strip()
        if _setting_default(name) is None:
            raise ConfigError("settings.unknown", name=name)
        before = _stored_setting(db, name)
        value = default_text(name) if args.settings_command == "reset" else args.value
        try:
            stored = set_setting(db, name, value, actor)
        except ConfigError as exc:
            err(exc.text(lang))
            return EXIT_REJECTED
    old = before if before is not None else default_text(name)
    if old == stored:
        err(render(Message("settings.unchanged", {"name": name, "value": stored}), lang))
    else:
        err(render(Message("settings.changed", {"name": name, "old": old, "new": stored}), lang))
    return EXIT_OK


def _setting_default(name: str) -> str | None:
    """The default of a known setting or rule parameter; None for a name that is neither."""
    from tracker.engine.parameters import default_text

    try:
        return default_text(name)
    except (KeyError, TypeError):  # a rule code or parameter the catalogue does not know
        return None


def _stored_setting(db: Database, name: str) -> str | None:
    from tracker.store.settings import RULE_PREFIX, stored_general_values, stored_rule_values

    if name.startswith(RULE_PREFIX):
        code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
        return stored_rule_values(db).get(code, {}).get(parameter)
    return stored_general_values(db).get(name)


def _settings_table(db: Database, lang: str):
    """Every setting and rule parameter: the value in force as stored, its default, and why a stored value is not valid."""
    import pyarrow as pa

    from tracker.engine.parameters import validate_value
    from tracker.engine.rules.catalogue import RULES
    from tracker.store.config import SETTINGS
    from tracker.store.settings import rule_parameter_name, stored_general_values, stored_rule_values

    general = stored_general_values(db)
    stored_rules = stored_rule_values(db)
    rows: list[tuple[str, str | None, str | None]] = [
        (s.name, general.get(s.name, s.default_text), s.default_text) for s in SETTINGS
    ]
    known = {s.name for s in SETTINGS}
    for rule in RULES:
        for parameter, default in rule.defaults().items():
            name = rule_parameter_name(rule.code, parameter)
            known.add(name)
            rows.append((name, stored_rules.get(rule.code, {}).get(parameter, str(default)), str(default)))
    for code, values in stored_rules.items():  # stored under a name the catalogue no longer knows
        rows += [(rule_parameter_name(code, p), v, None) for p, v in values.items() if rule_parameter_name(code, p) not in known]
    problems = []
    for name, value, default in rows:
        problem = render(Message("settings.unknown", {"name": name}), lang) if default is None else ""
        try:
            if default is not None:
                validate_value(name, value)
        except TrackerError as exc:
            problem = exc.text(lang)
        except (KeyError, ValueError, TypeError) as exc:
            problem = str(exc)
        problems.append(problem)
    return pa.table(
        {
            "name": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "default": [r[2] for r in rows],
            "problem": problems,
        }
    )
