"""`reallocation`: the proposals of idle-pool devices for planned purchases (docs/reallocation.md)."""

from __future__ import annotations

import argparse

from tracker.cli.common import EXIT_OK, EXIT_USAGE, acting_as, emit, err, record_export
from tracker.engine.metrics import default_as_of
from tracker.engine.snapshots import SnapshotCache
from tracker.reallocation.savings import Savings, reallocation
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.errors import ConfigError
from tracker.text.i18n import text
from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes


def add_reallocation_parser(sub, common: dict) -> None:
    command = sub.add_parser(
        "reallocation",
        help="idle-pool devices proposed for planned purchases (request_id, to_agency, asset_id, from_agency, …)",
    )
    command.add_argument("--as-of", type=common["parse_date"], help="the pool on this day (default: the latest usage date)")
    command.add_argument("--window-days", type=int, default=common["default_window"], help="window of the idle findings")
    command.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    command.add_argument("-o", "--output", type=common["path"], help="write to this file instead of standard output")


def summary(s: Savings, currency: str, lang: str = "en") -> list[str]:
    """What the pool can cover (proposed) and what approved transfers moved (realised), one line each."""
    r = s.realised
    return [
        text(
            "realloc.cli.proposed",
            lang,
            devices=s.pool_devices,
            requests=s.requests,
            covered=formatting.count(s.units_covered),
            requested=s.units_requested,
            met=s.requests_met,
            partly=formatting.count(s.requests_partly_met),
            avoided=formatting.money_exact(s.purchases_avoided_known, currency),
            unknown=s.purchases_avoided_unknown,
        ),
        text(
            "realloc.cli.realised",
            lang,
            transfers=r.transfers,
            devices=r.devices,
            book=formatting.money_exact(r.book_value, currency),
            cost=formatting.money_exact(r.cost, currency),
            avoided=formatting.money_exact(r.purchases_avoided_known, currency),
            met=r.requests_met,
            partly=formatting.count(r.requests_partly_met),
        ),
    ]


def cmd_reallocation(args: argparse.Namespace, lang: str = "en") -> int:
    if args.format == "xlsx" and args.output is None:
        err(text("cli.needs_file.xlsx", lang))
        return EXIT_USAGE
    with Database.open(args.db) as db:
        actor = acting_as(db, "export", "reallocation")
        as_of = args.as_of or default_as_of(db)
        if as_of is None:
            raise ConfigError("report.no_usage")
        snap = SnapshotCache().snapshot(db, as_of, args.window_days)
        result = reallocation(db, snap, None, lang)
        currency = load_settings(db).currency
        record_export(db, actor, "reallocation", args, rows=result.proposals.num_rows, as_of=as_of, window_days=args.window_days)
    for line in summary(result.savings, currency, lang):
        err(line)
    table = result.proposals
    if args.format == "json":
        emit(table_to_json_bytes(table), args.output)
    elif args.format == "xlsx":
        emit(table_to_xlsx_bytes(table, sheet_name="Reallocation"), args.output)
    else:
        emit(table_to_csv_bytes(table, bom=args.output is not None), args.output)
    return EXIT_OK
