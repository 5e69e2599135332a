"""`python -m tracker ...`: the command line of DESIGN §7.

Results go to standard output (or `-o`); messages, warnings and progress go to standard error.
Exit codes: 0 done; 1 the input was refused or rows were rejected; 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from tracker.contracts import KINDS
from tracker.db import Database
from tracker.errors import TrackerError
from tracker.export import write_table
from tracker.i18n import render, Message

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
MAX_ERRORS_SHOWN = 50


def _lang(args: argparse.Namespace) -> str:
    lang = args.lang or os.environ.get("TRACKER_LANG") or os.environ.get("LANG", "en")
    return "zh" if lang.lower().startswith("zh") else "en"


def _actor() -> str:
    return os.environ.get("TRACKER_USER") or f"cli:{getpass.getuser()}"


def _err(text: str, end: str = "\n") -> None:
    print(text, file=sys.stderr, flush=True, end=end)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tracker", description="Procurement and IT-asset utilisation tracker.")
    parser.add_argument("--db", help="database file (default: $TRACKER_DB, else data/tracker.duckdb)")
    parser.add_argument("--lang", choices=("en", "zh"), help="language of messages (default: $TRACKER_LANG or $LANG)")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create the database (and load demo data)")
    init.add_argument("--demo", action="store_true", help="load the demo data")
    init.add_argument("--scale", choices=("small", "medium", "large"), default="small")

    ingest = sub.add_parser("ingest", help="validate and load a file")
    ingest.add_argument("kind", choices=KINDS)
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--agency", help="limit the upload to this agency's rows")
    ingest.add_argument("--partial", action="store_true", help="commit the good rows and keep the rejected ones")
    ingest.add_argument("--dry-run", action="store_true", help="validate and report; change nothing")
    ingest.add_argument("--rejects", type=Path, metavar="OUT", help="write rejected rows with an error column (.csv or .xlsx)")
    ingest.add_argument("--date-order", choices=("dmy", "mdy"), help="order of day and month in dates like 03/04/2025")

    util = sub.add_parser("utilisation", help="utilisation per asset, agency or category")
    util.add_argument("--as-of", type=_date, help="last day of the window (default: the latest usage date)")
    util.add_argument("--window-days", type=int, default=365)
    util.add_argument("--by", choices=("asset", "agency", "category", "supplier", "po_line", "fiscal_year"), default="asset")
    util.add_argument("--format", choices=("csv", "json"), default="csv")
    util.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")

    flags = sub.add_parser("flags", help="the flag catalogue: findings ranked by value at stake")
    flags.add_argument("--as-of", type=_date, help="last day of the window (default: the latest usage date)")
    flags.add_argument("--window-days", type=int, default=365)
    flags.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    flags.add_argument("--agency", help="only this agency's findings")
    flags.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    flags.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")

    demo = sub.add_parser("demo", help="write demo input files")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    demo.add_argument("--seed", type=int, default=7)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    lang = _lang(args)
    try:
        if args.command == "init":
            return cmd_init(args, lang)
        if args.command == "ingest":
            return cmd_ingest(args, lang)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "utilisation":
            return cmd_utilisation(args)
        if args.command == "flags":
            return cmd_flags(args, parser)
    except TrackerError as exc:
        _err(exc.text(lang))
        return EXIT_REJECTED if exc.key.startswith("file.") else EXIT_USAGE
    return EXIT_USAGE


def cmd_init(args: argparse.Namespace, lang: str) -> int:
    from tracker.profiles import ensure_default_profiles

    with Database.open(args.db) as db:
        added = ensure_default_profiles(db)
        _err(f"database: {db.path} (schema version {db.schema_version()}; {added} category profiles added)")
        if args.demo:
            from tracker.bootstrap import load_demo

            load_demo(db, args.scale, lang=lang, log=_err)
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, lang: str) -> int:
    from tracker.ingest import ingest_file
    from tracker.progress import timed

    live = sys.stderr.isatty()
    progress = timed(_err, live=live) if live or os.environ.get("TRACKER_PROGRESS") == "1" else None
    with Database.open(args.db) as db:
        report = ingest_file(
            db, args.kind, args.file, actor=_actor(), agency=args.agency, partial=args.partial,
            dry_run=args.dry_run, date_order=args.date_order, progress=progress,
        )
    for shown, error in enumerate(report.errors):
        if shown == MAX_ERRORS_SHOWN:
            more = len(report.errors) - MAX_ERRORS_SHOWN
            _err(f"… {more} more" + ("" if args.rejects else " (use --rejects OUT to write them all)"))
            break
        label = render(Message("cli.row", {"row": error.row_number, "column": error.column}), lang)
        _err(f"{label}: {error.text(lang)}")
    if args.rejects and report.rows_rejected:
        write_table(report.rejects_table(lang), args.rejects)
        _err(render(Message("cli.rejects_written", {"rows": report.rows_rejected, "path": args.rejects}), lang))
    _err(report.summary(lang))
    return EXIT_REJECTED if report.rows_rejected else EXIT_OK


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _emit(data: bytes, output: Path | None) -> None:
    """Results to the file given, else to standard output (and nothing else goes there)."""
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def cmd_utilisation(args: argparse.Namespace) -> int:
    from tracker.export import table_to_csv_bytes, table_to_json_bytes
    from tracker.reports import utilisation_report

    with Database.open(args.db) as db:
        report = utilisation_report(db, as_of=args.as_of, window_days=args.window_days, by=args.by)
    window = report.window
    _err(f"utilisation by {args.by}: {window.start} to {window.as_of} ({window.window_days} days), {report.table.num_rows:,} rows")
    if args.format == "json":
        _emit(table_to_json_bytes(report.table), args.output)
    else:
        _emit(table_to_csv_bytes(report.table, bom=args.output is not None), args.output)
    return EXIT_OK


def cmd_flags(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from tracker.export import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes
    from tracker.reports import flags_report

    if args.format == "xlsx" and args.output is None:
        _err("--format xlsx needs -o FILE.xlsx (a workbook is not written to a terminal)")
        return EXIT_USAGE
    with Database.open(args.db) as db:
        table = flags_report(db, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
    stake = sum(v for v in table.column("value_at_stake").to_pylist() if v)
    _err(f"{table.num_rows:,} findings; value at stake {stake:,.2f}")
    if args.format == "json":
        _emit(table_to_json_bytes(table), args.output)
    elif args.format == "xlsx":
        _emit(table_to_xlsx_bytes(table, sheet_name="Findings"), args.output)
    else:
        _emit(table_to_csv_bytes(table, bom=args.output is not None), args.output)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo import generate

    files = generate(args.out, scale=args.scale, seed=args.seed, progress=_err)
    _err(f"demo data ({args.scale}, seed {args.seed}) written to {args.out}")
    for path in (files.procurement, files.assets, files.usage, files.ground_truth):
        print(path)
    return EXIT_OK
