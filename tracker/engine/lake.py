"""The Parquet lake: the tracker's records for a distributed engine, and the same findings computed on it.

One machine with DuckDB serves an agency or a city. A province or a ministry keeps its records as
Parquet (a "lake") and runs the very same Ibis expressions of tracker.engine.metrics and tracker.engine.rules on
Apache Spark (docs/architecture.md, the lake), so the findings cannot drift from the database's. DuckDB can read the
same lake too, which is how the parity of the two engines is checked.

Layout of a lake directory (every table a directory of uniquely named Parquet files, so the exports
of several databases holding different agencies merge by copying their table directories into one):

    procurement_lines/part-<uuid>.parquet
    assets/part-<uuid>.parquet
    usage_daily/year=YYYY/month=M/part-<uuid>.parquet   (Hive partitions of the usage date;
                                                         no usage: one empty file in year=0/month=0)
    asset_assignments/part-<uuid>.parquet   which agency held each device when (docs/transfers.md);
                                            a lake written before it had none: each device is then
                                            held by its register agency throughout
    settings.json    general settings, stored rule parameters, category profiles, stored standards, pool declarations
    manifest.json    format, schema version, exported_at, row counts of this export; written last

The partition columns year/month are dropped when a lake is opened, so the expressions see the
usage_daily of the database. JSON columns (`extra`) are exported as text: engines differ on the
Parquet JSON type, and no rule reads them.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, check_window_days
from tracker.engine.lake_format import (
    ENGINES,
    LAKE_ENTRIES,
    LAKE_FORMAT,
    LAKE_FORMAT_VERSION,
    LAKE_TABLES,
    MANIFEST_FILE,
    OPTIONAL_TABLES,
    PARTITION_COLUMNS,
    SETTINGS_FILE,
    LakeError,
    LakeSettings,
    checked_manifest,
    parse_settings_document,
    settings_document,
)
from tracker.engine.metrics import Window, asset_utilisation, utilisation_by
from tracker.engine.reports import UTILISATION_BY, UtilisationReport, rounded
from tracker.engine.rules.reallocation import surplus_periods
from tracker.engine.rules.run import compute_flags_on
from tracker.engine.spark import SPARK_RUNTIME_CONF, first_line, pyspark_backend_class, spark_session
from tracker.store import usage_months
from tracker.store.db import Database, engine_errors, run_expr
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason

if TYPE_CHECKING:  # PySpark is optional: imported only when a Spark session is opened
    from pyspark.sql import SparkSession

# What each table exports: every column, JSON as text. Usage is partitioned by its date's year and month.
_EXPORT_QUERIES = {
    table: f"SELECT * REPLACE (CAST(extra AS VARCHAR) AS extra) FROM {table}"
    if table not in OPTIONAL_TABLES
    else f"SELECT * FROM {table}"
    for table in LAKE_TABLES
}
_PARTITIONED_USAGE = f"SELECT *, year(usage_date) AS year, month(usage_date) AS month FROM ({_EXPORT_QUERIES['usage_daily']})"
EMPTY_USAGE_PARTITION = "year=0/month=0"  # where an empty usage table's one file goes: the layout stays the same


# -- export --------------------------------------------------------------------------------------


def export_lake(db: Database, out_dir: str | os.PathLike[str], *, overwrite: bool = False) -> dict[str, Any]:
    """Write the database's records, settings and profiles as a lake in `out_dir`; returns the manifest.

    A directory that holds anything is refused unless `overwrite`, and even then only when all it
    holds is a lake's entries: an overwrite must never delete someone's other files. One transaction
    gives the three tables one consistent snapshot; the manifest is written last, so a lake cut
    short by a crash has none and is refused when opened.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LakeError("lake.out_is_file", path=str(out))
    existing = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if existing and not overwrite:
        raise LakeError("lake.out_not_empty", path=str(out))
    foreign = [name for name in existing if name not in LAKE_ENTRIES]
    if foreign:
        raise LakeError("lake.out_foreign_files", path=str(out), files=", ".join(foreign[:5]))
    for name in existing:
        _remove(out / name)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with db.transaction():
            counts = {}
            for table in LAKE_TABLES:
                counts[table] = db.scalar(f"SELECT count(*) FROM {table}", name=f"count {table}")
                query, target, options = _EXPORT_QUERIES[table], out / table / f"part-{uuid.uuid4()}.parquet", ""
                if table == "usage_daily" and counts[table]:
                    query, target = _PARTITIONED_USAGE, out / table
                    options = ", PARTITION_BY (year, month), FILENAME_PATTERN 'part-{uuid}'"
                elif table == "usage_daily":  # one file even without rows, so that its columns can be read
                    target = out / table / EMPTY_USAGE_PARTITION / target.name
                (out / table).mkdir()
                target.parent.mkdir(parents=True, exist_ok=True)
                db.execute(f"COPY ({query}) TO ? (FORMAT parquet{options})", [str(target)], name=f"export {table}")
            settings = settings_document(db)
            manifest = {
                "format": LAKE_FORMAT,
                "format_version": LAKE_FORMAT_VERSION,
                "schema_version": db.schema_version(),
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "rows": counts,
                "usage_partitions": sorted(
                    p.relative_to(out / "usage_daily").as_posix() for p in (out / "usage_daily").glob("year=*/month=*")
                ),
            }
        (out / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    except BaseException:
        for name in LAKE_ENTRIES:
            _remove(out / name)
        raise
    return manifest


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# -- opening a lake ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lake:
    """An opened lake: an Ibis backend holding the three tables under the expressions' names, and its settings."""

    backend: Any
    engine: str
    settings: LakeSettings
    manifest: dict[str, Any]


def lake_location(lake_dir: str | os.PathLike[str]) -> str:
    """The lake's location as the engine reads it: a URI (s3a://, hdfs://, …) as given, a path made absolute."""
    text = os.fspath(lake_dir)
    return text if "://" in text else os.path.abspath(text)


def open_lake(
    lake_dir: str | os.PathLike[str],
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    spark: SparkSession | None = None,
) -> Lake:
    """Open a lake on DuckDB (in memory, reading the Parquet files) or Spark (`spark`, else a new session).

    The tables are registered as views named procurement_lines, assets and usage_daily, which is
    all tracker.engine.metrics and tracker.engine.rules ask of a backend.
    """
    if engine not in ENGINES:
        raise LakeError("lake.unknown_engine", engine=repr(engine), choices=" / ".join(ENGINES))
    location = lake_location(lake_dir)
    if engine == "duckdb":
        return _open_duckdb(location)
    if spark is None:
        spark = spark_session(spark_master)
    return _open_spark(location, spark)


def _open_duckdb(location: str) -> Lake:
    root = Path(location)
    manifest = checked_manifest(_read_local(root, MANIFEST_FILE), location)
    settings = parse_settings_document(json.loads(_read_local(root, SETTINGS_FILE)))
    backend = ibis.duckdb.connect()
    for table in LAKE_TABLES:
        if table in OPTIONAL_TABLES and not (root / table).is_dir():
            backend.create_view(table, ibis.memtable(OPTIONAL_TABLES[table].empty_table()), overwrite=True)
            continue
        with engine_errors(f"open the lake's {table}"):
            files = backend.read_parquet(
                str(root / table / "**" / "*.parquet"), table_name=f"lake_{table}_files", hive_partitioning=table == "usage_daily"
            )
            backend.create_view(table, _without_partitions(files), overwrite=True)
    _add_usage_months(backend)
    return Lake(backend, "duckdb", settings, manifest)


def _open_spark(location: str, spark: SparkSession) -> Lake:
    """Register the lake's tables in a session of their own where Spark allows it.

    A new session shares the SparkContext (and its start-up cost) but not the temporary views, so
    two lakes opened in one process cannot read each other's tables. Spark Connect has no
    `newSession`: there the views live in the connected session.
    """
    connected = type(spark).__module__.startswith("pyspark.sql.connect")
    session = spark if connected else spark.newSession()
    for key, value in SPARK_RUNTIME_CONF.items():
        session.conf.set(key, value)
    manifest = checked_manifest(_read_with_spark(session, location, MANIFEST_FILE), location)
    settings = parse_settings_document(json.loads(_read_with_spark(session, location, SETTINGS_FILE)))
    for table in LAKE_TABLES:
        if table in OPTIONAL_TABLES and table not in manifest.get("rows", {}):
            session.createDataFrame(
                OPTIONAL_TABLES[table].empty_table().to_pandas(), _spark_schema(table)
            ).createOrReplaceTempView(table)
            continue
        with engine_errors(f"open the lake's {table}"):
            frame = session.read.parquet(f"{location}/{table}")
            frame.drop(*(c for c in PARTITION_COLUMNS if c in frame.columns)).createOrReplaceTempView(table)
    backend = pyspark_backend_class()().connect(session)
    _add_usage_months(backend)
    return Lake(backend, "spark", settings, manifest)


def _add_usage_months(backend) -> None:
    """The monthly roll-ups of the lake's usage, as a view (a database keeps them as a table)."""
    with engine_errors("open the lake's usage roll-ups"):
        backend.create_view(usage_months.TABLE, usage_months.month_rollup(backend.table("usage_daily")), overwrite=True)


def _spark_schema(table: str):
    """The Spark schema of an optional table's empty stand-in (OPTIONAL_TABLES)."""
    from pyspark.sql import types as T  # deferred: PySpark is optional

    kinds = {pa.string(): T.StringType(), pa.date32(): T.DateType(), pa.int64(): T.LongType()}
    return T.StructType([T.StructField(f.name, kinds[f.type], True) for f in OPTIONAL_TABLES[table]])


def _without_partitions(table):
    partitions = [c for c in PARTITION_COLUMNS if c in table.columns]
    return table.drop(*partitions) if partitions else table


def _read_local(root: Path, name: str) -> str:
    path = root / name
    if not path.is_file():
        raise LakeError("lake.incomplete", path=str(root), name=name)
    return path.read_text(encoding="utf-8")


def _read_with_spark(spark: SparkSession, location: str, name: str) -> str:
    """A small file of the lake read by Spark itself, so a lake on HDFS or S3 needs no client-side access."""
    try:
        rows = spark.read.text(f"{location}/{name}", wholetext=True).collect()
    except Exception as exc:
        raise LakeError("lake.incomplete_spark", path=location, name=name, detail=first_line(exc)) from exc
    return rows[0][0]


# -- findings on a lake --------------------------------------------------------------------------


def flags_from_lake(
    lake: Lake,
    *,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rules: Iterable[str] | None = None,
    agency: str | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> pa.Table:
    """The flag catalogue (tracker.engine.rules.FLAG_COLUMNS) computed on the lake with the lake's settings.

    `parameters` override the exported rule parameters, as on the database. No review columns:
    reviews live in the database that reads these findings back (they follow rule and subject).
    """
    check_window_days(window_days, "--window-days")
    settings = lake.settings
    merged = {code: dict(values) for code, values in settings.rule_parameters.items()}
    for code, values in (parameters or {}).items():
        merged.setdefault(code, {}).update(values)
    return compute_flags_on(
        lake.backend,
        as_of=as_of,
        window_days=window_days,
        rules=rules or None,
        agency=agency,
        parameters=merged,
        country=settings.country,
        fiscal_year_start_month=settings.fiscal_year_start_month,
        currency=settings.currency,
        profiles=settings.profiles or None,
        standards=settings.standards,
        jurisdiction=settings.jurisdiction,
        surplus=surplus_periods(settings.pool_actions),
    )


def utilisation_expr(lake: Lake, window: Window, by: str = "asset") -> ir.Table:
    """The utilisation expression of tracker.engine.reports.utilisation_report, on the lake with its settings."""
    settings = lake.settings
    common = {"country": settings.country, "profiles": settings.profiles}
    if by == "asset":
        return asset_utilisation(lake.backend, window, **common).order_by("agency_code", "asset_id")
    return utilisation_by(lake.backend, window, by, fiscal_year_start_month=settings.fiscal_year_start_month, **common)


def utilisation_from_lake(
    lake: Lake, *, as_of: date | None = None, window_days: int = DEFAULT_WINDOW_DAYS, by: str = "asset"
) -> UtilisationReport:
    """tracker.engine.reports.utilisation_report on the lake: the same table, rounded the same way."""
    if by not in UTILISATION_BY:
        raise ConfigError("config.bad_value", name="--by", value=by, reason=reason("one_of", choices=list(UTILISATION_BY)))
    check_window_days(window_days, "--window-days")
    usage = lake.backend.table("usage_daily")
    as_of = as_of or run_expr(usage.usage_date.max(), name="latest usage date").as_py()
    if as_of is None:
        raise ConfigError("report.no_usage")
    window = Window(as_of=as_of, window_days=window_days)
    return UtilisationReport(window, by, rounded(run_expr(utilisation_expr(lake, window, by), name=f"utilisation by {by}")))


def lake_agencies(lake: Lake) -> list[str]:
    """The agency codes the lake's procurement lines, assets and holdings name, sorted (what `--agency` may name)."""
    backend = lake.backend
    codes = [backend.table(table).select("agency_code") for table in ("procurement_lines", "assets", "asset_assignments")]
    expr = codes[0].union(*codes[1:], distinct=True)
    expr = expr.filter(expr.agency_code.notnull()).order_by("agency_code")
    return run_expr(expr, name="agencies of the lake").column("agency_code").to_pylist()
