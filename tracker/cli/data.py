"""Commands that bring data in or start the service: init, ingest, demo, agencies, dashboard."""

from __future__ import annotations

import argparse
import os
import sys

import pyarrow as pa

from tracker.cli.common import EXIT_OK, EXIT_REJECTED, MAX_ERRORS_SHOWN, acting_as, emit, err
from tracker.store import audit
from tracker.store.config import env
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.store.progress import timed
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes, write_table


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Replace this process with `streamlit run` of the packaged service (dashboard and API), headless."""
    from tracker.store.config import DB_ENV_VAR, PACKAGE_ROOT, resolve_db_path

    script = PACKAGE_ROOT / "ui" / "asgi.py"  # the dashboard with its HTTP routes (st.App)
    extra = [a for a in args.streamlit_args if a != "--"]
    environment = dict(os.environ, **{DB_ENV_VAR: str(resolve_db_path(args.db).resolve())})
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
    command += ["--server.port", str(args.port), "--server.address", args.address, "--browser.gatherUsageStats", "false"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command + extra, environment)
    return EXIT_OK  # not reached: execve replaces the process


def cmd_init(args: argparse.Namespace, lang: str) -> int:
    with Database.open(args.db) as db:
        added = ensure_default_profiles(db)
        said = {"path": str(db.path), "version": str(db.schema_version()), "added": added}
        err(render(Message("cli.init.database", said), lang))
        if args.demo:
            from tracker.demo.bootstrap import load_demo  # deferred, as every heavy import here: `--help` stays fast

            load_demo(db, args.scale, lang=lang, log=err)
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, lang: str) -> int:
    from tracker.ingest.pipeline import ingest_file  # deferred: readers and checks, ~0.1 s

    live = sys.stderr.isatty()
    progress = timed(err, live=live) if live or env("TRACKER_PROGRESS") == "1" else None
    from tracker.access.auth import retire_demo_accounts
    from tracker.access.command_line import command_line_agency
    from tracker.text.errors import FileRefused

    with Database.open(args.db) as db:
        actor = acting_as(db, "upload", "ingest")
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
            key = "cli.ingest.more_problems" if args.rejects else "cli.ingest.more_problems_rejects"
            err(render(Message(key, {"more": more}), lang))
            break
        label = render(Message("cli.row", {"row": error.row_number, "column": error.column}), lang)
        err(f"{label}: {error.text(lang)}")
    if args.rejects and report.rows_rejected:
        write_table(report.rejects_table(lang), args.rejects)
        err(render(Message("cli.rejects_written", {"rows": report.rows_rejected, "path": args.rejects}), lang))
    for note in report.feed_notes(lang):
        err(note)
    if args.set_aside and report.set_aside:
        write_table(report.set_aside_table(lang), args.set_aside)
        err(render(Message("cli.set_aside_written", {"rows": sum(report.set_aside.values()), "path": args.set_aside}), lang))
    err(report.summary(lang))
    return EXIT_REJECTED if report.rows_rejected else EXIT_OK


def cmd_demo(args: argparse.Namespace, lang: str = "en") -> int:
    from tracker.demo.tiers import generate  # deferred: the demo generator, ~0.1 s

    files = generate(args.out, scale=args.scale, seed=args.seed, progress=err, lang=lang)
    said = {"scale": Message(f"cli.scale.{args.scale}"), "seed": str(args.seed), "path": str(args.out)}
    err(render(Message("cli.demo.written", said), lang))
    for path in (files.procurement, files.assets, files.usage, files.requests, files.ground_truth):
        print(path)
    return EXIT_OK


def cmd_agencies(args: argparse.Namespace, lang: str) -> int:
    """agencies map NAME CODE | list: the agency codes of buyers named without an id."""

    from tracker.ingest.agency_map import list_agency_map, set_agency_code

    with Database.open(args.db) as db:
        if args.agencies_command == "list":
            rows = list_agency_map(db)
            if not rows:
                err(render(Message("agencies.none", {}), lang))
                return EXIT_OK
            columns = ("buyer_name", "agency_code", "changed_by", "changed_at")
            emit(table_to_csv_bytes(pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)}), bom=False), None)
            return EXIT_OK
        name, code, moved = set_agency_code(db, args.name, args.code, acting_as(db, "settings", "agencies"))
    err(render(Message("agencies.mapped", {"name": name, "code": code, "moved": moved}), lang))
    return EXIT_OK
