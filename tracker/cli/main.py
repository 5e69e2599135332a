"""`python -m tracker ...`: the command line (README, Command line).

Results go to standard output (or `-o`); messages, warnings and progress go to standard error.
Exit codes: 0 done; 1 the input was refused, rows were rejected or the acting user may not do it;
2 usage error.

Whoever runs a command acts as `cli:<operating-system user>`, or as $TRACKER_USER; when that name
is an account, its role must allow the command (`auth.command_line_actor`), and the
operating-system user is recorded beside it in every audit entry. Exports, audit-log reads, dry
runs and refused uploads are audited here, as the dashboard audits them.
"""

from __future__ import annotations

import argparse
import getpass
import io
import os
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa

from tracker.access import auth
from tracker.access.auth import ROLES
from tracker.engine.lake import LakeError, export_lake, flags_from_lake, open_lake, utilisation_from_lake
from tracker.engine.metrics import default_as_of
from tracker.engine.reports import utilisation_report
from tracker.ingest.contracts import KINDS
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.store.progress import timed
from tracker.text.errors import AuthError, ConfigError, ScopeError, TrackerError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes, write_table

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
MAX_ERRORS_SHOWN = 50


def _lang(args: argparse.Namespace) -> str:
    lang = args.lang or os.environ.get("TRACKER_LANG") or os.environ.get("LANG", "en")
    return "zh" if lang.lower().startswith("zh") else "en"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _acting(db: Database, action: str, command: str) -> str:
    """The name this command's changes are recorded under; ScopeError when $TRACKER_USER's account may not `action`."""
    from tracker.access.auth import command_line_actor

    return command_line_actor(db, os.environ.get("TRACKER_USER"), _os_user(), action, command=command)


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
    ingest.add_argument(
        "--set-aside",
        type=Path,
        metavar="OUT",
        help="OCDS: write the lines set aside (not equipment) with their reason (.csv or .xlsx)",
    )

    agencies = sub.add_parser("agencies", help="agency codes of buyers that OCDS files name without an id")
    agencies_sub = agencies.add_subparsers(dest="agencies_command", required=True)
    agency_map = agencies_sub.add_parser("map", help="load a buyer's lines under this agency code from the next upload on")
    agency_map.add_argument("name", help="the buyer's name as the OCDS file writes it")
    agency_map.add_argument("code", help="the agency code to use")
    agencies_sub.add_parser("list", help="the buyer names mapped to agency codes, as CSV")

    util = sub.add_parser("utilisation", help="utilisation per asset, agency or category")
    util.add_argument("--as-of", type=_date, help="last day of the window (default: the latest usage date)")
    util.add_argument("--window-days", type=int, default=365)
    util.add_argument("--by", choices=("asset", "agency", "category", "supplier", "po_line", "fiscal_year"), default="asset")
    util.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    util.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    _add_engine_arguments(util)

    flags = sub.add_parser("flags", help="the flag catalogue: findings ranked by value at stake")
    flags.add_argument("--as-of", type=_date, help="last day of the window (default: the latest usage date)")
    flags.add_argument("--window-days", type=int, default=365)
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

    audit_parser = sub.add_parser("audit", help="the audit log")
    audit_sub = audit_parser.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check that no entry was changed, deleted or reordered (exit 1 if one was)")
    verify.add_argument("--head", metavar="HASH", help="a head hash recorded earlier (`audit head`): it must still be in the log")
    audit_sub.add_parser("head", help="print the newest entry's hash, to keep elsewhere")
    audit_list = audit_sub.add_parser("list", help="entries as CSV, newest first")
    audit_list.add_argument("--limit", type=_count, metavar="N", help="only the latest N entries")

    settings = sub.add_parser("settings", help="stored settings and rule thresholds (rule.CODE.parameter)")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    settings_sub.add_parser("list", help="every setting as CSV: value, default, and why a stored value is not valid")
    set_value = settings_sub.add_parser("set", help="validate and store a value (recorded and audited)")
    set_value.add_argument("name")
    set_value.add_argument("value")
    reset = settings_sub.add_parser("reset", help="back to the default value (recorded and audited like any change)")
    reset.add_argument("name")

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
    problem = _output_problem(args)
    if problem is not None:
        _err(render(problem, lang))
        return EXIT_USAGE
    claimed = os.environ.get("TRACKER_USER")
    with audit.extra_details(**({"os_user": _os_user()} if claimed else {})):
        return _run(args, parser, lang)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, lang: str) -> int:
    try:
        if args.command == "init":
            return cmd_init(args, lang)
        if args.command == "ingest":
            return cmd_ingest(args, lang)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "agencies":
            return cmd_agencies(args, lang)
        if args.command == "users":
            return cmd_users(args, lang)
        if args.command == "audit":
            return cmd_audit(args, lang)
        if args.command == "settings":
            return cmd_settings(args, lang)
        if args.command == "utilisation":
            return cmd_utilisation(args)
        if args.command == "flags":
            return cmd_flags(args, parser, lang)
        if args.command == "export-lake":
            return cmd_export_lake(args)
    except LakeError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except ScopeError as exc:  # the acting user may not do this (already audited)
        _err(exc.text(lang))
        return EXIT_REJECTED
    except TrackerError as exc:
        _err(exc.text(lang))
        return EXIT_REJECTED if exc.key.startswith("file.") else EXIT_USAGE
    return EXIT_USAGE


def _output_problem(args: argparse.Namespace) -> Message | None:
    """Why the file `--rejects` or `-o` names cannot be written, checked before any work: its folder is
    missing, it is a folder, or it is the input file or the database itself (which it would overwrite)."""
    output = getattr(args, "rejects", None) or getattr(args, "output", None)
    if output is None:
        return None
    output = Path(output)
    if output.is_dir():
        return Message("cli.output_is_folder", {"path": str(output)})
    if not output.absolute().parent.is_dir():
        return Message("cli.output_folder_missing", {"path": str(output)})
    inputs = [getattr(args, "file", None), args.db or os.environ.get("TRACKER_DB")]
    for given in inputs:
        if given is None:
            continue
        same = output.resolve() == Path(given).resolve()
        if same or (output.exists() and Path(given).exists() and output.samefile(given)):
            return Message("cli.output_is_input", {"path": str(output)})
    return None


def cmd_init(args: argparse.Namespace, lang: str) -> int:
    with Database.open(args.db) as db:
        added = ensure_default_profiles(db)
        _err(f"database: {db.path} (schema version {db.schema_version()}; {added} category profiles added)")
        if args.demo:
            from tracker.demo.bootstrap import load_demo  # deferred, as every heavy import here: `--help` stays fast

            load_demo(db, args.scale, lang=lang, log=_err)
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, lang: str) -> int:
    from tracker.ingest.pipeline import ingest_file  # deferred: readers and checks, ~0.1 s

    live = sys.stderr.isatty()
    progress = timed(_err, live=live) if live or os.environ.get("TRACKER_PROGRESS") == "1" else None
    from tracker.access.auth import command_line_agency, retire_demo_accounts
    from tracker.text.errors import FileRefused

    with Database.open(args.db) as db:
        actor = _acting(db, "upload", "ingest")
        agency = command_line_agency(db, actor, args.agency, command="ingest")
        try:
            report = ingest_file(
                db,
                args.kind,
                args.file,
                actor=actor,
                agency=agency,
                partial=args.partial,
                dry_run=args.dry_run,
                date_order=args.date_order,
                progress=progress,
            )
        except FileRefused as exc:
            audit.record(db, actor, "upload", args.file.name, {"status": "refused", "reason": exc.key, "kind": args.kind})
            raise
        if report.committed:
            retire_demo_accounts(db)
        else:  # a committed upload is audited with its rows; a dry run or a rejected file is audited here
            audit.record(db, actor, "upload", args.file.name, report.audit_details())
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
    for note in report.feed_notes(lang):
        _err(note)
    if args.set_aside and report.set_aside:
        write_table(report.set_aside_table(lang), args.set_aside)
        _err(render(Message("cli.set_aside_written", {"rows": sum(report.set_aside.values()), "path": args.set_aside}), lang))
    _err(report.summary(lang))
    return EXIT_REJECTED if report.rows_rejected else EXIT_OK


def _date(text: str):
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
    if not _engine_arguments_valid(args):
        return EXIT_USAGE
    if args.lake:
        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        report = utilisation_from_lake(lake, as_of=args.as_of, window_days=args.window_days, by=args.by)
    else:
        with Database.open(args.db) as db:
            actor = _acting(db, "export", "utilisation")
            report = utilisation_report(db, as_of=args.as_of, window_days=args.window_days, by=args.by)
            window = report.window
            _record_export(
                db,
                actor,
                "utilisation",
                args,
                rows=report.table.num_rows,
                by=args.by,
                as_of=window.as_of,
                window_days=window.window_days,
            )
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
    from tracker.casework.reports import flags_report  # deferred: reviews and the rule run

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
        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        table = flags_from_lake(lake, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
    else:
        with Database.open(args.db) as db:
            actor = _acting(db, "export", "flags")
            table = flags_report(db, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
            if args.format in ("xlsx", "zip"):  # the evidence pack records its own export, with its fingerprint
                pack = _evidence_pack(db, table, args, lang, actor)
            else:
                as_of = table.column("as_of")[0].as_py() if table.num_rows else args.as_of
                _record_export(
                    db,
                    actor,
                    "flags",
                    args,
                    rows=table.num_rows,
                    as_of=as_of,
                    window_days=args.window_days,
                    rules=args.rule or [],
                    agency=args.agency,
                )
    stake = sum(v for v in table.column("value_at_stake").to_pylist() if v)
    _err(f"{table.num_rows:,} findings; value at stake {stake:,.2f}")
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


def _record_export(db: Database, actor: str, command: str, args: argparse.Namespace, *, rows: int, **details) -> None:
    """Audit an export made on the command line: what, how many rows, where to, and the window."""
    output = str(args.output) if args.output else "stdout"
    audit.record(
        db, actor, "export", command, {"command": command, "format": args.format, "rows": rows, "output": output, **details}
    )


def _evidence_pack(db: Database, table, args: argparse.Namespace, lang: str, actor: str):
    """The evidence pack of the findings `flags` computed, as the dashboard exports it (tracker.casework.evidence)."""
    from tracker.casework.evidence import build_pack  # deferred: only for an evidence pack
    from tracker.views.dashboard import snapshot_for  # deferred: the dashboard's views, ~0.2 s

    as_of = table.column("as_of")[0].as_py() if table.num_rows else (args.as_of or default_as_of(db))
    if as_of is None:
        raise ConfigError("report.no_usage")
    filters = {"rules": args.rule or [], "agencies": [args.agency] if args.agency else []}
    snapshot = snapshot_for(db, as_of, args.window_days)
    return build_pack(
        db, table, snapshot=snapshot, as_of=as_of, window_days=args.window_days, actor=actor, lang=lang, filters=filters
    )


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
    import pyarrow.parquet as pq  # deferred: only for --format parquet

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def cmd_export_lake(args: argparse.Namespace) -> int:
    with Database.open(args.db) as db:
        actor = _acting(db, "export", "export-lake")
        manifest = export_lake(db, args.dir, overwrite=args.overwrite)
        audit.record(
            db, actor, "export", "export-lake", {"command": "export-lake", "dir": str(args.dir), "rows": manifest["rows"]}
        )
    rows = manifest["rows"]
    _err(
        f"lake written to {args.dir}: {rows['procurement_lines']:,} procurement lines, {rows['assets']:,} assets, "
        f"{rows['usage_daily']:,} usage rows in {len(manifest['usage_partitions'])} monthly partitions"
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo.tiers import generate  # deferred: the demo generator, ~0.1 s

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
    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        password = getpass.getpass(render(Message("auth.prompt_password", {}), lang))
        if getpass.getpass(render(Message("auth.prompt_again", {}), lang)) != password:
            raise AuthError("auth.passwords_differ")
    if not password:
        raise AuthError("auth.no_password")
    return password


def cmd_agencies(args: argparse.Namespace, lang: str) -> int:
    """agencies map NAME CODE | list: the agency codes of buyers named without an id."""
    import pyarrow as pa

    from tracker.ingest.agency_map import list_agency_map, set_agency_code
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        if args.agencies_command == "list":
            rows = list_agency_map(db)
            if not rows:
                _err(render(Message("agencies.none", {}), lang))
                return EXIT_OK
            columns = ("buyer_name", "agency_code", "changed_by", "changed_at")
            _emit(table_to_csv_bytes(pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)}), bom=False), None)
            return EXIT_OK
        name, code, moved = set_agency_code(db, args.name, args.code, _acting(db, "settings", "agencies"))
    _err(render(Message("agencies.mapped", {"name": name, "code": code, "moved": moved}), lang))
    return EXIT_OK


def cmd_users(args: argparse.Namespace, lang: str) -> int:
    """users add | list | disable | set-password; a refused change exits 1."""
    try:
        if args.users_command == "list":
            with Database.open(args.db) as db:
                _acting(db, "users", "users list")
                rows = auth.list_users(db)
            _emit(table_to_csv_bytes(pa.table({c: [r[c] for r in rows] for c in auth.USER_COLUMNS}), bom=False), None)
            return EXIT_OK
        if args.users_command == "disable":
            with Database.open(args.db) as db:
                auth.disable_user(db, args.username, actor=_acting(db, "users", "users disable"))
            _err(render(Message("auth.user_disabled", {"username": args.username.strip().lower()}), lang))
            return EXIT_OK
        with Database.open(args.db) as db:
            actor = _acting(db, "users", f"users {args.users_command}")
        password = _new_password(lang)
        with Database.open(args.db) as db:
            if args.users_command == "add":
                user = auth.create_user(
                    db, args.username, password, args.role, agency=args.agency, display_name=args.name, actor=actor
                )
                _err(
                    render(
                        Message("auth.user_created", {"username": user.username, "role": Message(f"auth.role.{user.role}", {})}),
                        lang,
                    )
                )
            else:
                auth.set_password(db, args.username, password, actor=actor)
                _err(render(Message("auth.password_set", {"username": args.username.strip().lower()}), lang))
    except AuthError as exc:
        _err(exc.text(lang))
        return EXIT_REJECTED
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, lang: str) -> int:
    """audit verify [--head HASH] (exit 1 and every problem when the chain is broken) | head | list (CSV, audited)."""
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        actor = _acting(db, "audit", f"audit {args.audit_command}")
        if args.audit_command == "list":
            table = audit.audit_table(db, limit=args.limit)
            audit.record(
                db, actor, "audit_read", "audit_log", {"command": "audit list", "limit": args.limit, "rows": table.num_rows}
            )
            _emit(table_to_csv_bytes(table, bom=False), None)
            return EXIT_OK
        newest = audit.head(db)
        if args.audit_command == "head":
            if newest is None:
                _err(render(Message("audit.empty", {}), lang))
                return EXIT_OK
            _err(render(Message("audit.head", {"entry": str(newest[0])}), lang))
            _emit(f"{newest[1]}\n".encode(), None)
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
        _err(render(Message("audit.intact", {"entry": str(newest[0]), "hash": newest[1]}) if newest else empty, lang))
        if found is not None:
            _err(render(Message("audit.head_found", {"hash": head_hash, "entry": str(found)}), lang))
        return EXIT_OK
    _err(render(Message("audit.broken", {"problems": len(problems)}), lang))
    for problem in problems:
        _err(f"  {problem}")
    return EXIT_REJECTED


def cmd_settings(args: argparse.Namespace, lang: str) -> int:
    """settings list (CSV to standard output) | set NAME VALUE | reset NAME; a refused value exits 1."""
    from tracker.engine.parameters import default_text, set_setting
    from tracker.text.tables import table_to_csv_bytes

    with Database.open(args.db) as db:
        actor = _acting(db, "settings", f"settings {args.settings_command}")
        if args.settings_command == "list":
            _emit(table_to_csv_bytes(_settings_table(db, lang), bom=False), None)
            return EXIT_OK
        name = args.name.strip()
        if _setting_default(name) is None:
            raise ConfigError("settings.unknown", name=name)
        before = _stored_setting(db, name)
        value = default_text(name) if args.settings_command == "reset" else args.value
        try:
            stored = set_setting(db, name, value, actor)
        except ConfigError as exc:
            _err(exc.text(lang))
            return EXIT_REJECTED
    old = before if before is not None else default_text(name)
    if old == stored:
        _err(render(Message("settings.unchanged", {"name": name, "value": stored}), lang))
    else:
        _err(render(Message("settings.changed", {"name": name, "old": old, "new": stored}), lang))
    return EXIT_OK


def _setting_default(name: str) -> str | None:
    """The default of a known setting or rule parameter; None for a name that is neither."""
    from tracker.engine.parameters import default_text

    try:
        return default_text(name)
    except (KeyError, TypeError):  # a rule code or parameter the catalogue does not know
        return None


def _stored_setting(db: Database, name: str) -> str | None:
    from tracker.store.settings import RULE_PREFIX, load_settings, stored_rule_values

    if name.startswith(RULE_PREFIX):
        code, _, parameter = name[len(RULE_PREFIX) :].partition(".")
        return stored_rule_values(db).get(code, {}).get(parameter)
    return load_settings(db).get(name)


def _settings_table(db: Database, lang: str):
    """Every setting and rule parameter: the value in force as stored, its default, and why a stored value is not valid."""
    import pyarrow as pa

    from tracker.engine.parameters import validate_value
    from tracker.engine.rules.catalogue import RULES
    from tracker.store.config import SETTINGS
    from tracker.store.settings import load_settings, rule_parameter_name, stored_rule_values

    general = load_settings(db)
    stored_rules = stored_rule_values(db)
    rows: list[tuple[str, str | None, str | None]] = [(s.name, general.get(s.name), s.default) for s in SETTINGS]
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
