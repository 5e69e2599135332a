"""The command line's arguments: every command, its options and their help."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import NoReturn

from tracker.access.auth import ROLES
from tracker.cli import tokens as tokens_cli
from tracker.cli.common import count_arg, parse_date, reader_language
from tracker.cli.reallocation import add_reallocation_parser
from tracker.cli.standards import add_standards_parser
from tracker.cli.transfers import add_transfer_commands
from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from tracker.ingest.contracts import KINDS
from tracker.text.cli import ARGPARSE_ZH, ARGPARSE_ZH_ERROR, ARGPARSE_ZH_USAGE


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose own refusals (a missing argument, an invalid choice) are in the reader's language.

    `language` is set from the command line before it is parsed (language_before_parsing); the sub-commands'
    parsers are of this class too (argparse makes them of their parent's class)."""

    language = "en"

    def error(self, message: str) -> NoReturn:
        if Parser.language != "zh":
            super().error(message)
        usage = self.format_usage().replace("usage: ", ARGPARSE_ZH_USAGE, 1)
        self.exit(2, usage + ARGPARSE_ZH_ERROR.format(prog=self.prog, message=argparse_in_chinese(message)) + "\n")


def argparse_in_chinese(message: str) -> str:
    """One of argparse's refusals in Chinese (an argument's name and values as typed); as written when unknown."""
    for pattern, template in ARGPARSE_ZH:
        found = re.fullmatch(pattern, message, re.S)
        if found:
            parts = list(found.groups())
            if pattern.startswith("argument "):  # "argument --by: <what is wrong with it>"
                parts[1] = argparse_in_chinese(parts[1])
            return template.format(*parts)
    return message


def language_before_parsing(argv: list[str]) -> str:
    """The language asked for with --lang (else $TRACKER_LANG, else $LANG), read before argparse parses anything."""
    wanted = None
    for i, arg in enumerate(argv):  # the last one counts, as it does for argparse
        if arg == "--lang" and i + 1 < len(argv):
            wanted = argv[i + 1]
        elif arg.startswith("--lang="):
            wanted = arg.split("=", 1)[1]
    return reader_language(wanted)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m tracker", description="Procurement and IT-asset utilisation tracker.")
    parser.add_argument("--db", help="database file (default: $TRACKER_DB, else data/tracker.duckdb)")
    parser.add_argument("--lang", choices=("en", "zh"), help="language of messages (default: $TRACKER_LANG or $LANG)")
    sub = parser.add_subparsers(dest="command", required=True)

    dashboard = sub.add_parser(
        "dashboard",
        help="start the web dashboard on the database (the default database file gets the demo data on its first run)",
        description="Start the web dashboard (streamlit run) on the database of --db, else $TRACKER_DB, "
        "else data/tracker.duckdb. Arguments after -- go to `streamlit run` (e.g. -- --server.baseUrlPath tracker).",
    )
    dashboard.add_argument("--port", type=int, default=8501, help="port to listen on (default: 8501)")
    dashboard.add_argument("--address", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    dashboard.add_argument("streamlit_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

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
    util.add_argument("--as-of", type=parse_date, help="last day of the window (default: the latest usage date)")
    util.add_argument(
        "--window-days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"length of the window in days, {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS:,} (default {DEFAULT_WINDOW_DAYS})",
    )
    util.add_argument("--by", choices=("asset", "agency", "category", "supplier", "po_line", "fiscal_year"), default="asset")
    util.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    util.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    add_engine_arguments(util)

    flags = sub.add_parser("flags", help="the flag catalogue: findings ranked by value at stake")
    flags.add_argument("--as-of", type=parse_date, help="last day of the window (default: the latest usage date)")
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
    add_engine_arguments(flags)

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

    tokens_cli.add_parser(sub, ROLES)

    audit_parser = sub.add_parser("audit", help="the audit log")
    audit_sub = audit_parser.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check that no entry was changed, deleted or reordered (exit 1 if one was)")
    verify.add_argument("--head", metavar="HASH", help="a head hash recorded earlier (`audit head`): it must still be in the log")
    audit_sub.add_parser("head", help="print the newest entry's hash, to keep elsewhere")
    audit_list = audit_sub.add_parser("list", help="entries as CSV, newest first")
    audit_list.add_argument("--limit", type=count_arg, metavar="N", help="only the latest N entries")

    settings = sub.add_parser("settings", help="stored settings and rule thresholds (rule.CODE.parameter)")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    settings_sub.add_parser("list", help="every setting as CSV: value, default, and why a stored value is not valid")
    set_value = settings_sub.add_parser("set", help="validate and store a value (recorded and audited)")
    set_value.add_argument("name")
    set_value.add_argument("value")
    reset = settings_sub.add_parser("reset", help="back to the default value (recorded and audited like any change)")
    reset.add_argument("name")

    add_reallocation_parser(sub, {"parse_date": parse_date, "default_window": DEFAULT_WINDOW_DAYS, "path": Path})
    add_standards_parser(sub)

    demo = sub.add_parser("demo", help="write demo input files")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    demo.add_argument("--seed", type=int, default=7)
    add_transfer_commands(sub)
    for command in sub.choices.values():  # `tracker init --db X` as well as `tracker --db X init`
        command.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def add_engine_arguments(command: argparse.ArgumentParser) -> None:
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
