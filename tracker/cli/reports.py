"""Commands that compute and export: utilisation, flags (CSV, JSON, XLSX, the evidence pack), export-lake."""

from __future__ import annotations

import argparse

from tracker.cli.common import EXIT_OK, EXIT_USAGE, acting_as, emit, err, parquet_bytes, record_export
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.errors import ConfigError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes

# The engine modules (Ibis, and PySpark for a lake) are imported by the commands that use them: every
# other command of the CLI starts without importing them.


AGENCIES_LISTED = 10  # the agencies a refused --agency lists


def cmd_utilisation(args: argparse.Namespace, lang: str = "en") -> int:
    from tracker.engine.lake import open_lake, utilisation_from_lake
    from tracker.engine.reports import utilisation_report

    if not engine_arguments_valid(args, lang):
        return EXIT_USAGE
    if args.lake:
        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        report = utilisation_from_lake(lake, as_of=args.as_of, window_days=args.window_days, by=args.by)
    else:
        with Database.open(args.db) as db:
            actor = acting_as(db, "export", "utilisation")
            report = utilisation_report(db, as_of=args.as_of, window_days=args.window_days, by=args.by)
            window = report.window
            record_export(
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
    summary = {
        "by": Message(f"cli.by.{args.by}"),
        "start": formatting.day(window.start, lang),
        "end": formatting.day(window.as_of, lang),
        "days": window.window_days,
        "rows": report.table.num_rows,
    }
    err(render(Message("cli.utilisation.summary", summary), lang))
    if args.format == "json":
        emit(table_to_json_bytes(report.table), args.output)
    elif args.format == "parquet":
        emit(parquet_bytes(report.table), args.output)
    else:
        emit(table_to_csv_bytes(report.table, bom=args.output is not None), args.output)
    return EXIT_OK


def cmd_flags(args: argparse.Namespace, parser: argparse.ArgumentParser, lang: str = "en") -> int:
    from tracker.casework.reports import flags_report  # deferred: reviews and the rule run
    from tracker.views.filters import agencies_in_data, agency_in_data

    if args.format in ("xlsx", "zip") and args.output is None:
        err(render(Message(f"cli.needs_file.{args.format}"), lang))
        return EXIT_USAGE
    if args.format == "zip" and args.lake:
        err(render(Message("cli.zip_not_on_lake"), lang))
        return EXIT_USAGE
    if not engine_arguments_valid(args, lang):
        return EXIT_USAGE
    pack = None
    if args.lake:
        from tracker.engine.lake import flags_from_lake, lake_agencies, open_lake

        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        if args.agency is not None:  # the lake's own agencies: its lines, assets and holdings
            known = lake_agencies(lake)
            if args.agency not in known:
                refuse_agency(args.agency, known, lang)
                return EXIT_USAGE
        table = flags_from_lake(lake, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
        currency = lake.settings.currency
    else:
        with Database.open(args.db) as db:
            actor = acting_as(db, "export", "flags")  # first: a reader who may not export learns no agency code
            if args.agency is not None and not agency_in_data(db, args.agency):
                refuse_agency(args.agency, agencies_in_data(db), lang)
                return EXIT_USAGE
            currency = load_settings(db).currency
            table = flags_report(db, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
            if args.format in ("xlsx", "zip"):  # the evidence pack records its own export, with its fingerprint
                pack = evidence_pack(db, table, args, lang, actor)
            else:
                as_of = table.column("as_of")[0].as_py() if table.num_rows else args.as_of
                record_export(
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
    if pack is not None:
        emit(pack.xlsx if args.format == "xlsx" else pack.zip, args.output)
    elif args.format == "json":
        emit(table_to_json_bytes(table), args.output)
    elif args.format == "xlsx":
        emit(table_to_xlsx_bytes(table, sheet_name="Findings"), args.output)
    elif args.format == "parquet":
        emit(parquet_bytes(table), args.output)
    else:
        emit(table_to_csv_bytes(table, bom=args.output is not None), args.output)
    # said once the findings are written: a file that could not be written is refused without a summary
    err(flags_summary(table.column("value_at_stake").to_pylist(), currency, lang))
    if pack is not None:
        err(render(Message("cli.flags.evidence_pack", {"fingerprint": pack.fingerprint}), lang))
    return EXIT_OK


def flags_summary(values: list, currency: str, lang: str) -> str:
    """How many findings and their value at stake: a sum of the known values, saying how many are unknown;
    "—" when none is known. No finding is a known zero."""
    known = [v for v in values if v is not None]
    stake = formatting.money_exact(sum(known), currency) if known or not values else None
    unknown = len(values) - len(known)
    key = "cli.flags.summary_partly_unknown" if known and unknown else "cli.flags.summary"
    return render(Message(key, {"findings": len(values), "stake": stake, "unknown": unknown}), lang)


def refuse_agency(code: str, known: list[str], lang: str) -> None:
    """Say that `code` names no agency in the data, the agency it may have meant (other capitals), and
    the agencies that are there (the first AGENCIES_LISTED)."""
    err(render(Message("cli.agency_unknown", {"code": code}), lang))
    folded = [c for c in known if c.casefold() == code.strip().casefold()]
    if folded:
        err(render(Message("cli.agency_did_you_mean", {"match": folded}), lang))
    if not known:
        err(render(Message("cli.agency_none"), lang))
    elif len(known) <= AGENCIES_LISTED:
        err(render(Message("cli.agency_known", {"known": known}), lang))
    else:
        shown = known[:AGENCIES_LISTED]
        err(render(Message("cli.agency_known_first", {"total": len(known), "shown": len(shown), "known": shown}), lang))


def evidence_pack(db: Database, table, args: argparse.Namespace, lang: str, actor: str):
    """The evidence pack of the findings `flags` computed, as the dashboard exports it (tracker.casework.evidence)."""
    from tracker.casework.evidence import build_pack  # deferred: only for an evidence pack
    from tracker.engine.metrics import default_as_of

    as_of = table.column("as_of")[0].as_py() if table.num_rows else (args.as_of or default_as_of(db))
    if as_of is None:
        raise ConfigError("report.no_usage")
    filters = {"rules": args.rule or [], "agencies": [args.agency] if args.agency else []}
    return build_pack(db, table, as_of=as_of, window_days=args.window_days, actor=actor, lang=lang, filters=filters)


def engine_arguments_valid(args: argparse.Namespace, lang: str = "en") -> bool:
    """--engine needs --lake, --spark-master needs the Spark engine, Parquet needs a file: say so, once."""
    if args.engine and not args.lake:
        err(render(Message("cli.engine_needs_lake", {"engine": args.engine}), lang))
        return False
    if args.spark_master and args.engine != "spark":
        err(render(Message("cli.spark_master_needs_spark"), lang))
        return False
    if args.format == "parquet" and args.output is None:
        err(render(Message("cli.needs_file.parquet"), lang))
        return False
    return True


def cmd_export_lake(args: argparse.Namespace, lang: str = "en") -> int:
    from tracker.engine.lake import export_lake

    with Database.open(args.db) as db:
        actor = acting_as(db, "export", "export-lake")
        manifest = export_lake(db, args.dir, overwrite=args.overwrite)
        audit.record(
            db, actor, "export", "export-lake", {"command": "export-lake", "dir": str(args.dir), "rows": manifest["rows"]}
        )
    rows = manifest["rows"]
    written = {
        "dir": str(args.dir),
        "lines": rows["procurement_lines"],
        "assets": rows["assets"],
        "usage": rows["usage_daily"],
        "partitions": len(manifest["usage_partitions"]),
    }
    err(render(Message("cli.lake.written", written), lang))
    return EXIT_OK
