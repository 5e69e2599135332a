"""`standards`: the equipment standards per jurisdiction (price caps, minimum service lives), for a deployer.

    standards list                                        every version, as CSV
    standards set JURISDICTION VERSION FROM CATEGORY=CAP/YEARS[/COPIES]... [--use]
    standards use JURISDICTION                            the jurisdiction the rules apply

An empty part is no value: `projector=/` has neither cap nor minimum life, `desktop=5500/` a cap only.
A version is checked as a whole and stored only when every value is accepted; only an administrator
may change standards (the account $TRACKER_USER names, else the file's owner). Audited.
"""

from __future__ import annotations

import argparse

from tracker.cli.common import EXIT_OK, EXIT_REJECTED, acting_as, emit, err
from tracker.engine.standards_admin import add_version, set_jurisdiction, standards_listing
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes

PARTS = ("price_cap", "min_service_years", "min_copies")


def add_standards_parser(sub) -> None:
    command = sub.add_parser("standards", help="equipment standards per jurisdiction: price caps, minimum service lives")
    standards_sub = command.add_subparsers(dest="standards_command", required=True)
    standards_sub.add_parser("list", help="every version of every jurisdiction, as CSV")
    add = standards_sub.add_parser("set", help="add a version: CATEGORY=CAP/YEARS[/COPIES] for each category it sets")
    add.add_argument("jurisdiction", help="e.g. CN-central, CN-44")
    add.add_argument("version", help="the version's name, e.g. 粤财资〔2020〕1号")
    add.add_argument("effective_from", metavar="FROM", help="the day it is in force from, YYYY-MM-DD")
    add.add_argument("values", nargs="+", metavar="CATEGORY=CAP/YEARS[/COPIES]", help="e.g. desktop=5500/6 projector=8000/")
    add.add_argument("--use", action="store_true", help="also make this jurisdiction the one the rules apply")
    use = standards_sub.add_parser("use", help="the jurisdiction whose standards the rules apply")
    use.add_argument("jurisdiction")


def parse_values(values: list[str]) -> dict[str, dict[str, str | None]]:
    """{category: {price_cap, min_service_years, min_copies}} from CATEGORY=CAP/YEARS[/COPIES] texts (checked later)."""
    rows: dict[str, dict[str, str | None]] = {}
    for text in values:
        category, _, spec = text.partition("=")
        parts = spec.split("/")
        row: dict[str, str | None] = {
            name: (parts[i].strip() or None) if i < len(parts) else None for i, name in enumerate(PARTS)
        }
        if len(parts) > len(PARTS):
            row["min_copies"] = spec  # too many parts: refused with the text as written
        if not spec.strip():
            row["price_cap"] = text  # no values at all: refused, naming what was written
        rows[category.strip()] = row
    return rows


def cmd_standards(args: argparse.Namespace, lang: str) -> int:
    with Database.open(args.db) as db:
        actor = acting_as(db, "settings", f"standards {args.standards_command}")
        if args.standards_command == "list":
            emit(table_to_csv_bytes(standards_listing(db), bom=False), None)
            return EXIT_OK
        if args.standards_command == "use":
            old = load_settings(db).standards_jurisdiction
            try:
                chosen = set_jurisdiction(db, actor, args.jurisdiction)
            except ConfigError as exc:
                err(exc.text(lang))
                return EXIT_REJECTED
            err(render(Message("settings.changed", {"name": "standards_jurisdiction", "old": old, "new": chosen}), lang))
            return EXIT_OK
        stored, problems = add_version(
            db,
            actor,
            jurisdiction=args.jurisdiction,
            version=args.version,
            effective_from=args.effective_from,
            rows=parse_values(args.values),
        )
        if problems:
            for problem in problems:
                err(problem.text(lang))
            return EXIT_REJECTED
        first = stored[0]
        params = {
            "version": first.version,
            "jurisdiction": first.jurisdiction,
            "effective_from": first.effective_from.isoformat(),
            "categories": len(stored),
        }
        err(render(Message("cli.standards_set", params), lang))
        if args.use:
            set_jurisdiction(db, actor, first.jurisdiction)
    return EXIT_OK
