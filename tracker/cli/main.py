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

from tracker.access.auth import ROLES
from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, MIN_WINDOW_DAYS, check_window_days
from tracker.engine.lake import LakeError
from tracker.ingest.contracts import KINDS
from tracker.store.config import env
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.errors import ConfigError, TrackerError
from tracker.text.i18n import Message, render
from tracker.text.tables import write_table

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
MAX_ERRORS_SHOWN = 50


def _lang(args: argparse.Namespace) -> str:
    lang = args.lang or env("TRACKER_LANG") or os.environ.get("LANG", "en")
    return "zh" if lang.lower().startswith("zh") else "en"


def _actor() -> str:
    return env("TRACKER_USER") or f"cli:{getpass.getuser()}"


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
    util.add_argument(
        "--window-days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"length of the window in days, {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS:,} (default {DEFAULT_WINDOW_DAYS})",
    )
    util.add_argument("--by", choices=("asset", "agency", "category", "supplier", "po_line", "fiscal_year"), default="asset")
    util.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    util.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    _add_engine_arguments(util)

    flags = sub.add_parser("flags", help="the flag catalogue: findings ranked by value at stake")
    flags.add_argument("--as-of", type=_date, help="last day of the window (default: the latest usage date)")
    flags.add_argument(
        "--window-days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"length of the window in days, {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS:,} (default {DEFAULT_WINDOW_DAYS})",
    )
    flags.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    flags.add_argument("--agency", help="only this agency's findings")
    flags.add_argument(
        "--format",
        choices=("csv", "xlsx", "zip", "json", "parquet"),
        default="csv",
        help="xlsx and zip: the evidence pack (summary, findings, rules, assets, purchase lines)",
    )
    flags.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    _add_engine_arguments(flags)

    lake = sub.add_parser("export-lake", help="write the records, settings and profiles as a Parquet lake for Spark")
    lake.add_argument("dir", type=Path, metavar="DIR", help="a new or empty directory")
    lake.add_argument("--overwrite", action="store_true", help="replace the lake already in DIR")

    users = sub.add_parser("users", help="local accounts (passwords: $TRACKER_PASSWORD, else asked twice)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--agency", metavar="CODE", help="the agency of an agency account (required for --role agency)")
    add.add_argument("--name", help="the name shown for the account")
    users_sub.add_parser("list", help="every account as CSV (never the password hashes)")
    disable = users_sub.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("username")
    set_password = users_sub.add_parser("set-password", help="replace an account's password (also lifts a lock)")
    set_password.add_argument("username")

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check that no entry was changed, deleted or reordered (exit 1 if one was)")
    audit_list = audit_sub.add_parser("list", help="entries as CSV, newest first")
    audit_list.add_argument("--limit", type=_count, metavar="N", help="only the latest N entries")

    demo = sub.add_parser("demo", help="write demo input files")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    demo.add_argument("--seed", type=int, default=7)
    return parser


def _add_engine_arguments(command: argparse.ArgumentParser) -> None:
    """--engine, --lake and --spark-master: compute on a Parquet lake instead of the database (tracker.engine.lake)."""
    command.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        help="compute on the lake given by --lake with this engine (default: the database)",
    )
    command.add_argument("--lake", metavar="DIR", help="a lake written by export-lake (a path, or hdfs://, s3a://… for Spark)")
    command.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master: local[2] (default), spark://host:7077, yarn, … or sc://host:15002 for Spark Connect",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    lang = _lang(args)
    try:
        if getattr(args, "window_days", None) is not None:
            check_window_days(args.window_days, "--window-days")
        if args.command == "init":
            return cmd_init(args, lang)
        if args.command == "ingest":
            return cmd_ingest(args, lang)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "users":
            return cmd_users(args, lang)
        if args.command == "audit":
            return cmd_audit(args, lang)
        if args.command == "utilisation":
            return cmd_utilisation(args)
        if args.command == "flags":
            return cmd_flags(args, parser, lang)
        if args.command == "export-lake":
            return cmd_export_lake(args)
    except LakeError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except TrackerError as exc:
        _err(exc.text(lang))
        return EXIT_REJECTED if exc.key.startswith("file.") else EXIT_USAGE
    return EXIT_USAGE


def cmd_init(args: argparse.Namespace, lang: str) -> int:
    from tracker.store.profiles import ensure_default_profiles

    with Database.open(args.db) as db:
        added = ensure_default_profiles(db)
        _err(f"database: {db.path} (schema version {db.schema_version()}; {added} category profiles added)")
        if args.demo:
            from tracker.demo.bootstrap import load_demo

            load_demo(db, args.scale, lang=lang, log=_err)
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, lang: str) -> int:
    from tracker.ingest.pipeline import ingest_file
    from tracker.store.progress import timed

    live = sys.stderr.isatty()
    progress = timed(_err, live=live) if live or env("TRACKER_PROGRESS") == "1" else None
    with Database.open(args.db) as db:
        report = ingest_file(
            db,
            args.kind,
            args.file,
            actor=_actor(),
            agency=args.agency,
            partial=args.partial,
            dry_run=args.dry_run,
            date_order=args.date_order,
            progress=progress,
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
    from tracker.engine.reports import utilisation_report
    from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes

    if not _engine_arguments_valid(args):
        return EXIT_USAGE
    if args.lake:
        from tracker.engine.lake import open_lake, utilisation_from_lake

        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        report = utilisation_from_lake(lake, as_of=args.as_of, window_days=args.window_days, by=args.by)
    else:
        with Database.open(args.db) as db:
            report = utilisation_report(db, as_of=args.as_of, window_days=args.window_days, by=args.by)
    window = report.window
    _err(
        f"utilisation by {args.by}: {window.start} to {window.as_of} ({window.window_days} days), {report.table.num_rows:,} rows"
    )
    if args.format == "json":
        _emit(table_to_json_bytes(report.table), args.output)
    elif args.format == "parquet":
        _emit(_parquet_bytes(report.table), args.output)
    else:
        _emit(table_to_csv_bytes(report.table, bom=args.output is not None), args.output)
    return EXIT_OK


def cmd_flags(args: argparse.Namespace, parser: argparse.ArgumentParser, lang: str = "en") -> int:
    from tracker.casework.reports import flags_report
    from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes

    if args.format in ("xlsx", "zip") and args.output is None:
        _err(f"--format {args.format} needs -o FILE.{args.format} (a workbook or archive is not written to a terminal)")
        return EXIT_USAGE
    if args.format == "zip" and args.lake:
        _err("--format zip is the evidence pack of the database (its reviews and fingerprint); use csv with --lake")
        return EXIT_USAGE
    if not _engine_arguments_valid(args):
        return EXIT_USAGE
    pack = None
    if args.lake:
        from tracker.engine.lake import flags_from_lake, open_lake

        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        table = flags_from_lake(lake, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
        currency = lake.settings.currency
    else:
        with Database.open(args.db) as db:
            currency = load_settings(db).currency
            table = flags_report(db, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
            if args.format in ("xlsx", "zip"):
                pack = _evidence_pack(db, table, args, lang)
    stake = sum(v for v in table.column("value_at_stake").to_pylist() if v)
    _err(f"{table.num_rows:,} findings; value at stake {formatting.money_exact(stake, currency)}")
    if pack is not None:
        _err(f"evidence pack; data fingerprint {pack.fingerprint}")
        _emit(pack.xlsx if args.format == "xlsx" else pack.zip, args.output)
    elif args.format == "json":
        _emit(table_to_json_bytes(table), args.output)
    elif args.format == "xlsx":
        _emit(table_to_xlsx_bytes(table, sheet_name="Findings"), args.output)
    elif args.format == "parquet":
        _emit(_parquet_bytes(table), args.output)
    else:
        _emit(table_to_csv_bytes(table, bom=args.output is not None), args.output)
    return EXIT_OK


def _evidence_pack(db: Database, table, args: argparse.Namespace, lang: str):
    """The evidence pack of the findings `flags` computed, as the dashboard exports it (tracker.casework.evidence)."""
    from tracker.casework.evidence import build_pack
    from tracker.engine.metrics import default_as_of

    as_of = table.column("as_of")[0].as_py() if table.num_rows else (args.as_of or default_as_of(db))
    if as_of is None:
        raise ConfigError("report.no_usage")
    filters = {"rules": args.rule or [], "agencies": [args.agency] if args.agency else []}
    return build_pack(db, table, as_of=as_of, window_days=args.window_days, actor=_actor(), lang=lang, filters=filters)


def _engine_arguments_valid(args: argparse.Namespace) -> bool:
    """--engine needs --lake, --spark-master needs the Spark engine, Parquet needs a file: say so, once."""
    if args.engine and not args.lake:
        _err(f"--engine {args.engine} computes on a lake: add --lake DIR (write one with `export-lake DIR`)")
        return False
    if args.spark_master and args.engine != "spark":
        _err("--spark-master is for --engine spark")
        return False
    if args.format == "parquet" and args.output is None:
        _err("--format parquet needs -o FILE.parquet (Parquet is not written to a terminal)")
        return False
    return True


def _parquet_bytes(table) -> bytes:
    """The table as one Parquet file: types kept, so DuckDB (the dashboard's store) reads it back as it was."""
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def cmd_export_lake(args: argparse.Namespace) -> int:
    from tracker.engine.lake import export_lake

    with Database.open(args.db) as db:
        manifest = export_lake(db, args.dir, overwrite=args.overwrite)
    rows = manifest["rows"]
    _err(
        f"lake written to {args.dir}: {rows['procurement_lines']:,} procurement lines, {rows['assets']:,} assets, "
        f"{rows['usage_daily']:,} usage rows in {len(manifest['usage_partitions'])} monthly partitions"
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo.tiers import generate

    files = generate(args.out, scale=args.scale, seed=args.seed, progress=_err)
    _err(f"demo data ({args.scale}, seed {args.seed}) written to {args.out}")
    for path in (files.procurement, files.assets, files.usage, files.ground_truth):
        print(path)
    return EXIT_OK


def _count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"not a whole number ≥ 0: {text}")
    return number


def _new_password(lang: str) -> str:
    """The password from $TRACKER_PASSWORD, else typed twice unseen; never an argument, which `ps` and history show."""
    from tracker.text.errors import AuthError

    password = env("TRACKER_PASSWORD")
    if password is None:
        password = getpass.getpass(render(Message("auth.prompt_password", {}), lang))
        if getpass.getpass(render(Message("auth.prompt_again", {}), lang)) != password:
            raise AuthError("auth.passwords_differ")
    if not password:
        raise AuthError("auth.no_password")
    return password


def cmd_users(args: argparse.Namespace, lang: str) -> int:
    """users add | list | disable | set-password; a refused change exits 1."""
    import pyarrow as pa

    from tracker.access import auth
    from tracker.text.errors import AuthError
    from tracker.text.tables import table_to_csv_bytes

    try:
        if args.users_command == "list":
            with Database.open(args.db) as db:
                rows = auth.list_users(db)
            _emit(table_to_csv_bytes(pa.table({c: [r[c] for r in rows] for c in auth.USER_COLUMNS}), bom=False), None)
            return EXIT_OK
        if args.users_command == "disable":
            with Database.open(args.db) as db:
                auth.disable_user(db, args.username, actor=_actor())
            _err(render(Message("auth.user_disabled", {"username": args.username.strip().lower()}), lang))
            return EXIT_OK
        password = _new_password(lang)
        with Database.open(args.db) as db:
            if args.users_command == "add":
                user = auth.create_user(
                    db, args.username, password, args.role, agency=args.agency, display_name=args.name, actor=_actor()
                )
                _err(
                    render(
                        Message("auth.user_created", {"username": user.username, "role": Message(f"auth.role.{user.role}", {})}),
                        lang,
                    )
                )
            else:
                auth.set_password(db, args.username, password, actor=_actor())
                _err(render(Message("auth.password_set", {"username": args.username.strip().lower()}), lang))
    except AuthError as exc:
        _err(exc.text(lang))
        return EXIT_REJECTED
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, lang: str) -> int:
    """audit verify (exit 1 and every problem when the chain is broken) | audit list (CSV to standard output)."""
    from tracker.store import audit
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        if args.audit_command == "list":
            _emit(table_to_csv_bytes(audit.audit_table(db, limit=args.limit), bom=False), None)
            return EXIT_OK
        problems = audit.verify(db, lang=lang)
        newest = audit.head(db)
    if not problems:
        empty = Message("audit.empty", {})
        _err(render(Message("audit.intact", {"entry": str(newest[0]), "hash": newest[1]}) if newest else empty, lang))
        return EXIT_OK
    _err(render(Message("audit.broken", {"problems": len(problems)}), lang))
    for problem in problems:
        _err(f"  {problem}")
    return EXIT_REJECTED
