"""What every command shares: exit codes, the reader's language, who is acting, messages to standard error, output."""

from __future__ import annotations

import argparse
import getpass
import io
import os
import sys
from datetime import date
from pathlib import Path

from tracker.store import audit
from tracker.store.config import env
from tracker.store.db import Database
from tracker.text.errors import AuthError
from tracker.text.i18n import Message, preferred_language, render

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


MAX_ERRORS_SHOWN = 50


def lang_of(args: argparse.Namespace) -> str:
    return reader_language(args.lang)


def reader_language(asked: str | None) -> str:
    """--lang when given, else $TRACKER_LANG, else $LANG: "zh" or "en" (one rule, before and after parsing)."""
    return preferred_language(asked, env("TRACKER_LANG"), os.environ.get("LANG"))


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def acting_as(db: Database, action: str, command: str) -> str:
    """The name this command's changes are recorded under; ScopeError when the account $TRACKER_USER names may not `action`."""
    from tracker.access.command_line import command_line_actor

    return command_line_actor(db, env("TRACKER_USER"), os_user(), action, command=command)


def err(text: str, end: str = "\n") -> None:
    print(text, file=sys.stderr, flush=True, end=end)


def parse_date(text: str):
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def emit(data: bytes, output: Path | None) -> None:
    """Results to the file given, else to standard output (and nothing else goes there)."""
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def record_export(db: Database, actor: str, command: str, args: argparse.Namespace, *, rows: int, **details) -> None:
    """Audit an export made on the command line: what, how many rows, where to, and the window."""
    output = str(args.output) if args.output else "stdout"
    audit.record(
        db, actor, "export", command, {"command": command, "format": args.format, "rows": rows, "output": output, **details}
    )


def count_arg(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"not a whole number ≥ 0: {text}")
    return number


def new_password(lang: str) -> str:
    """The password from $TRACKER_PASSWORD, else typed twice unseen; never an argument, which `ps` and history show."""
    password = env("TRACKER_PASSWORD")
    if password is None:
        password = getpass.getpass(render(Message("auth.prompt_password", {}), lang))
        if getpass.getpass(render(Message("auth.prompt_again", {}), lang)) != password:
            raise AuthError("auth.passwords_differ")
    if not password:
        raise AuthError("auth.no_password")
    return password


def parquet_bytes(table) -> bytes:
    """The table as one Parquet file: types kept, so DuckDB (the dashboard's store) reads it back as it was."""
    import pyarrow.parquet as pq  # deferred: only for --format parquet

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
