"""Commands that compute and export: utilisation, flags (CSV, JSON, XLSX, the evidence pack), export-lake."""

from __future__ import annotations

import argparse

from tracker.cli.common import EXIT_OK, EXIT_USAGE, acting_as, emit, err, parquet_bytes, record_export
from tracker.store import audit
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.text.errors import ConfigError
from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes, table_to_xlsx_bytes

# The engine modules (Ibis, and PySpark for a lake) are imported by the commands that use them: every
# other command of the CLI starts without importing them.


def cmd_utilisation(args: argparse.Namespace) -> int:
    from tracker.engine.lake import open_lake, utilisation_from_lake
    from tracker.engine.reports import utilisation_report

    if not engine_arguments_valid(args):
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
    err(f"utilisation by {args.by}: {window.start} to {window.as_of} ({window.window_days} days), {report.table.num_rows:,} rows")
    if args.format == "json":
        emit(table_to_json_bytes(report.table), args.output)
    elif args.format == "parquet":
        emit(parquet_bytes(report.table), args.output)
    else:
        emit(table_to_csv_bytes(report.table, bom=args.output is not None), args.output)
    return EXIT_OK


def cmd_flags(args: argparse.Namespace, parser: argparse.ArgumentParser, lang: str = "en") -> int:
    from tracker.casework.reports import flags_report  # deferred: reviews and the rule run

    if args.format in ("xlsx", "zip") and args.output is None:
        err(f"--format {args.format} needs -o FILE.{args.format} (a workbook or archive is not written to a terminal)")
        return EXIT_USAGE
    if args.format == "zip" and args.lake:
        err("--format zip is the evidence pack of the database (its reviews and fingerprint); use csv with --lake")
        return EXIT_USAGE
    if not engine_arguments_valid(args):
        return EXIT_USAGE
    pack = None
    if args.lake:
        from tracker.engine.lake import flags_from_lake, open_lake

        lake = open_lake(args.lake, args.engine or "duckdb", spark_master=args.spark_master)
        table = flags_from_lake(lake, as_of=args.as_of, window_days=args.window_days, rules=args.rule, agency=args.agency)
        currency = lake.settings.currency
    else:
        with Database.open(args.db) as db:
            actor = acting_as(db, "export", "flags")
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
    stake = sum(v for v in table.column("value_at_stake").to_pylist() if v)
    err(f"{table.num_rows:,} findings; value at stake {formatting.money_exact(stake, currency)}")
    if pack is not None:
        err(f"evidence pack; data fingerprint {pack.fingerprint}")
        emit(pack.xlsx if args.format == "xlsx" else pack.zip, args.output)
    elif args.format == "json":
        emit(table_to_json_bytes(table), args.output)
    elif args.format == "xlsx":
        emit(table_to_xlsx_bytes(table, sheet_name="Findings"), args.output)
    elif args.format == "parquet":
        emit(parquet_bytes(table), args.output)
    else:
        emit(table_to_csv_bytes(table, bom=args.output is not None), args.output)
    return EXIT_OK


def evidence_pack(db: Database, table, args: argparse.Namespace, lang: str, actor: str):
    from tracker.engine.metrics import default_as_of

    """The evidence pack of the findings `flags` computed, as the dashboard exports it (tracker.casework.evidence)."""
    from tracker.casework.evidence import build_pack  # deferred: only for an evidence pack

    as_of = table.column("as_of")[0].as_py() if table.num_rows else (args.as_of or default_as_of(db))
    if as_of is None:
        raise ConfigError("report.no_usage")
    filters = {"rules": args.rule or [], "agencies": [args.agency] if args.agency else []}
    return build_pack(db, table, as_of=as_of, window_days=args.window_days, actor=actor, lang=lang, filters=filters)


def engine_arguments_valid(args: argparse.Namespace) -> bool:
    """--engine needs --lake, --spark-master needs the Spark engine, Parquet needs a file: say so, once."""
    if args.engine and not args.lake:
        err(f"--engine {args.engine} computes on a lake: add --lake DIR (write one with `export-lake DIR`)")
        return False
    if args.spark_master and args.engine != "spark":
        err("--spark-master is for --engine spark")
        return False
    if args.format == "parquet" and args.output is None:
        err("--format parquet needs -o FILE.parquet (Parquet is not written to a terminal)")
        return False
    return True


def cmd_export_lake(args: argparse.Namespace) -> int:
    from tracker.engine.lake import export_lake

    with Database.open(args.db) as db:
        actor = acting_as(db, "export", "export-lake")
        manifest = export_lake(db, args.dir, overwrite=args.overwrite)
        audit.record(
            db, actor, "export", "export-lake", {"command": "export-lake", "dir": str(args.dir), "rows": manifest["rows"]}
        )
    rows = manifest["rows"]
    err(
        f"lake written to {args.dir}: {rows['procurement_lines']:,} procurement lines, {rows['assets']:,} assets, "
        f"{rows['usage_daily']:,} usage rows in {len(manifest['usage_partitions'])} monthly partitions"
    )
    return EXIT_OK
