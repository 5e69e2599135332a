"""`python -m tracker ...`: the command line (README, Command line).

Results go to standard output (or `-o`); messages, warnings and progress go to standard error.
Exit codes: 0 done; 1 the input was refused, rows were rejected or the acting user may not do it;
2 usage error.

Whoever runs a command acts as `cli:<operating-system user>`, or as $TRACKER_USER; when that name
is an account, its role must allow the command (`command_line.command_line_actor`), and the
operating-system user is recorded beside it in every audit entry. Exports, audit-log reads, dry
runs and refused uploads are audited here, as the dashboard audits them.
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from tracker.cli.admin import cmd_audit, cmd_settings, cmd_users
from tracker.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, err, lang_of, os_user
from tracker.cli.data import cmd_agencies, cmd_dashboard, cmd_demo, cmd_ingest, cmd_init
from tracker.cli.parser import Parser, build_parser, language_before_parsing
from tracker.cli.reallocation import cmd_reallocation
from tracker.cli.reports import cmd_export_lake, cmd_flags, cmd_utilisation
from tracker.cli.standards import cmd_standards
from tracker.cli.tokens import cmd_tokens
from tracker.cli.transfers import cmd_transfers
from tracker.domain.calendar import check_window_days
from tracker.store import audit
from tracker.store.config import env
from tracker.text.errors import ScopeError, TrackerError
from tracker.text.i18n import Message, reason, render

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    Parser.language = language_before_parsing(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    lang = lang_of(args)
    problem = _output_problem(args)
    if problem is not None:
        err(render(problem, lang))
        return EXIT_USAGE
    claimed = env("TRACKER_USER")
    with audit.extra_details(**({"os_user": os_user()} if claimed else {})):
        return _run(args, parser, lang)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, lang: str) -> int:
    try:
        if getattr(args, "window_days", None) is not None:
            check_window_days(args.window_days, "--window-days")
        if args.command == "dashboard":
            return cmd_dashboard(args)
        if args.command == "init":
            return cmd_init(args, lang)
        if args.command == "ingest":
            return cmd_ingest(args, lang)
        if args.command == "demo":
            return cmd_demo(args, lang)
        if args.command == "agencies":
            return cmd_agencies(args, lang)
        if args.command == "users":
            return cmd_users(args, lang)
        if args.command == "tokens":
            return cmd_tokens(args, lang)
        if args.command == "audit":
            return cmd_audit(args, lang)
        if args.command == "settings":
            return cmd_settings(args, lang)
        if args.command == "utilisation":
            return cmd_utilisation(args, lang)
        if args.command == "flags":
            return cmd_flags(args, parser, lang)
        if args.command == "export-lake":
            return cmd_export_lake(args, lang)
        if args.command == "transfers":
            return cmd_transfers(args, lang)
        if args.command == "reallocation":
            return cmd_reallocation(args, lang)
        if args.command == "standards":
            return cmd_standards(args, lang)
    except ScopeError as exc:  # the acting user may not do this (already audited)
        err(exc.text(lang))
        return EXIT_REJECTED
    except TrackerError as exc:
        err(exc.text(lang))
        return EXIT_REJECTED if exc.key.startswith("file.") else EXIT_USAGE
    except OSError as exc:  # a path the system would not let the command read or write
        err(render(os_problem(exc), lang))
        return EXIT_USAGE
    return EXIT_USAGE


_OS_REASONS = {
    errno.ENOENT: "os_not_found",
    errno.EISDIR: "os_is_folder",
    errno.ENOTDIR: "os_not_folder",
    errno.EACCES: "os_permission",
    errno.EPERM: "os_permission",
    errno.EROFS: "os_read_only",
    errno.ENOSPC: "os_no_space",
}


def os_problem(exc: OSError) -> Message:
    """What the system refused, in the reader's words: the path and why (the errno's meaning, else its name)."""
    path = exc.filename if exc.filename is not None else "—"
    key = _OS_REASONS.get(exc.errno or 0)
    why = reason(key) if key else reason("os_other", code=errno.errorcode.get(exc.errno or 0, type(exc).__name__))
    return Message("cli.os_error", {"path": str(path), "reason": why})


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
    inputs = [getattr(args, "file", None), args.db or env("TRACKER_DB")]
    for given in inputs:
        if given is None:
            continue
        same = output.resolve() == Path(given).resolve()
        if same or (output.exists() and Path(given).exists() and output.samefile(given)):
            return Message("cli.output_is_input", {"path": str(output)})
    return None
