"""The same findings on three engines: DuckDB on the database, DuckDB on the exported lake, Spark on the lake.

The fixture is hand-made (as_of 2025-12-31, window 2025-01-01..2025-12-31) so that every rule fires
and the cases where engines have differed are in it:
- NULLs and missing values: an asset without in-service date (its purchase date counts), one with
  neither date (book fraction from least/greatest over NULL), blank line numbers, suppliers, sources
  and delivery dates, an ocid on one asset of a line and not on the other;
- usage given as sessions crossing midnight, two sources summed and capped at 24 h a day, a usage
  row after as_of (its own partition, year=2026/month=1);
- standby, disposed and not-yet-in-service assets, and agency P2 with assets but no telemetry;
- book values of long-held servers: Spark reads 365.25 as a DECIMAL literal and divided to 6
  decimals, which moved net book values by cents (metrics.asset_utilisation now divides doubles);
- a year-end surge whose value at stake is 50,833.325: DuckDB's round(x, 2) gave .32 and Spark's
  .33 (metrics.round_to_cent rounds alike on both).
IP1-D moves from P1 to P3 on 2025-07-01 (tracker.engine.assignments): its year is split between
the two agencies on every engine, it stays on P1's purchase line, and the lake carries the
assignment history (the findings are those without the move: IP1-D is used throughout).
Stored settings travel with the lake: a rule parameter and a category profile are changed here, so
a lake that ignored its settings.json would not match the database.

One SparkSession (local[2]) serves the whole module; it starts in 10-20 s and the Spark queries take
tens of seconds. The tests share an xdist group, so `bin/test` (`--dist loadgroup`) runs them in
one worker; under plain `-n 2` each worker starts its own session, in its own scratch directory.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tracker.cli.main import main
from tracker.engine.lake import LAKE_TABLES, LakeError, export_lake, flags_from_lake, open_lake, spark_session, utilisation_expr
from tracker.engine.metrics import Window, asset_utilisation, ibis_backend, telemetry_coverage, utilisation_by
from tracker.engine.parameters import set_setting
from tracker.engine.rules.catalogue import RULES
from tracker.engine.rules.model import FLAG_COLUMNS
from tracker.engine.rules.run import compute_flags
from tracker.engine.standards_admin import add_version, set_jurisdiction
from tracker.ingest.pipeline import ingest_file
from tracker.reallocation.pool import declare_surplus, withdraw
from tracker.store.assignments import move_holding
from tracker.store.db import Database, run_expr
from tracker.store.profiles import load_profiles, set_profile_value
from tracker.store.settings import load_settings
from tracker.text.errors import DatabaseError

pytestmark = [
    pytest.mark.xdist_group("spark"),
    # ibis 12 and pyspark 4.0 use pandas options that pandas 3 deprecates: one warning per column converted
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
]

AS_OF = date(2025, 12, 31)
YEAR = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
WELL = "well"  # 8 h every day of 2025 from the asset's start (24 h for servers)

PROCUREMENT_CSV = """\
po_number,line_no,agency_code,supplier,item_description,category,quantity,unit_price,order_date,delivery_date,ocid
PO-IP,1,P1,Lenovo,Laptop,laptop,4,6000,2024-09-25,,
PO-IPX,1,P1,,Laptop,laptop,2,6000.5,2024-06-10,,ocds-x-1
PO-UR,1,P1,Lenovo,Laptop,laptop,3,5000.05,2025-06-01,2025-07-01,
PO-LN,,P1,Dell,Desktop,desktop,1,4000,2025-01-15,,
PO-BD,1,P1,Dell,Desktop,desktop,5,4000,2025-09-01,,
PO-CAP,1,P1,Lenovo,Laptop,laptop,3,7000.35,2025-03-01,,
PO-S1,1,P3,X,Goods,other,1,50000.10,2024-03-10,,
PO-S1,2,P3,X,Goods,other,1,60000,2024-12-10,,
"""

# asset_id, agency, category, po, line, ocid, cost, purchase_date, in_service_date, status, disposal, standby, usage
ASSETS = [
    ("LAP-USED", "P1", "laptop", "", "", "", 6000, "", "2024-01-01", "in_use", "", "false", WELL),
    ("LAP-NEVER", "P1", "laptop", "", "", "", 6123.45, "", "2025-03-01", "in_use", "", "false", None),
    ("LAP-IDLE", "P1", "laptop", "", "", "", 6000, "2023-05-05", "", "in_use", "", "false", "2025-08-01"),
    ("LAP-NODATE", "P1", "laptop", "", "", "", 5000, "", "", "in_use", "", "false", None),  # sessions only
    ("LAP-STANDBY", "P1", "laptop", "", "", "", 6000, "", "2024-01-01", "standby", "", "true", None),
    ("LAP-DISPOSED", "P1", "laptop", "", "", "", 6000, "", "2024-01-01", "disposed", "2025-06-01", "false", "2025-05-01"),
    ("SRV-LOW", "P1", "server", "", "", "", 50000, "", "2024-01-01", "in_use", "", "false", 500),
    ("SRV-OK", "P1", "server", "", "", "", 48765.43, "", "2022-07-19", "in_use", "", "false", WELL),
    ("SRV-MULTI", "P1", "server", "", "", "", 51234.5, "", "2023-02-11", "in_use", "", "false", None),  # two sources
    ("PRJ-1", "P1", "projector", "", "", "", 4000, "", "2024-04-01", "in_use", "", "false", None),
    ("PRJ-2", "P1", "projector", "", "", "", 4000, "", "2024-04-01", "in_use", "", "false", None),
    ("IP1-A", "P1", "laptop", "PO-IP", 1, "", 6000, "", "2024-10-01", "in_use", "", "false", None),
    ("IP1-B", "P1", "laptop", "PO-IP", 1, "", 6000, "", "2024-10-01", "in_use", "", "false", None),
    ("IP1-C", "P1", "laptop", "PO-IP", 1, "", 6000, "", "2024-10-01", "in_use", "", "false", WELL),
    ("IP1-D", "P1", "laptop", "PO-IP", 1, "", 6000, "", "2024-10-01", "in_use", "", "false", WELL),
    ("IPX-A", "P1", "laptop", "PO-IPX", 1, "", 6000.5, "", "2024-07-01", "in_use", "", "false", WELL),
    ("IPX-B", "P1", "laptop", "PO-IPX", 1, "ocds-x-1", 6000.5, "", "2024-07-01", "in_use", "", "false", WELL),
    ("UR-A", "P1", "laptop", "PO-UR", 1, "", 5000.05, "", "2025-07-02", "in_use", "", "false", WELL),
    ("LN-A", "P1", "desktop", "PO-LN", "", "", 4000, "", "2025-01-20", "in_use", "", "false", WELL),
    ("DSK-1", "P1", "desktop", "", "", "", 4000, "", "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-2", "P1", "desktop", "", "", "", 4000, "", "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-3", "P1", "desktop", "", "", "", 4000, "", "2025-01-01", "in_use", "", "false", "2025-06-02"),
    ("DSK-4", "P1", "desktop", "", "", "", 4000, "", "2025-01-01", "in_use", "", "false", WELL),
    ("P2-LAP-1", "P2", "laptop", "", "", "", 5500, "", "2024-02-01", "in_use", "", "false", None),
    ("P2-LAP-2", "P2", "laptop", "", "", "", 5500, "", "2024-02-01", "in_use", "", "false", None),
    ("P2-DSK-1", "P2", "desktop", "", "", "", 4200, "", "2026-02-01", "in_use", "", "false", None),
]

SESSIONS_CSV = """\
asset_id,start_time,end_time,source
LAP-NODATE,2025-06-15 23:30,2025-06-16 01:15,login-log
LAP-NODATE,2025-09-03 09:00,2025-09-03 12:30,login-log
LAP-NODATE,2025-12-30 22:00,2025-12-31 02:00,login-log
"""

EVERY_RULE = {rule.code for rule in RULES}


def _usage_rows(asset_id: str, category: str, start: str, usage) -> list[str]:
    """Daily rows: WELL from the asset's start, a last-used date, or a number of hours in 24 h days up to as_of."""
    hours = 24 if category == "server" else 8
    source = "" if asset_id == "LAP-USED" else "agent"  # a blank source is a missing value too
    if usage is None:
        return []
    if isinstance(usage, str):
        first = max(date(2025, 1, 1), date.fromisoformat(start)) if start else date(2025, 1, 1)
        last = AS_OF if usage == WELL else date.fromisoformat(usage)
        return [f"{asset_id},{day},{hours},{source}" for day in YEAR if first <= day <= last]
    rows, remaining, day = [], float(usage), AS_OF
    while remaining > 0:
        rows.append(f"{asset_id},{day},{min(24.0, remaining)},{source}")
        remaining -= 24.0
        day -= timedelta(days=1)
    return rows


def _write_inputs(directory: Path, agencies: set[str] | None = None) -> dict[str, Path]:
    """The fixture's CSV files (only `agencies`' rows when given); a kind without rows is not written."""
    directory.mkdir(parents=True, exist_ok=True)
    owner = {row[0]: row[1] for row in ASSETS}
    assets = [
        "asset_id,agency_code,category,po_number,line_no,ocid,purchase_cost,purchase_date,in_service_date,status,"
        "disposal_date,standby"
    ]
    usage = ["asset_id,usage_date,hours_used,source"]
    for asset_id, agency, category, po, line, ocid, cost, bought, start, status, disposal, standby, use in ASSETS:
        assets.append(f"{asset_id},{agency},{category},{po},{line},{ocid},{cost},{bought},{start},{status},{disposal},{standby}")
        usage.extend(_usage_rows(asset_id, category, start or bought, use))
    # SRV-MULTI: 30 days on which two sources report 20 h and 10 h (a day counts 24 h), 5 more from one source
    for i in range(30):
        day = AS_OF - timedelta(days=i)
        usage.extend([f"SRV-MULTI,{day},20,agent", f"SRV-MULTI,{day},10,mdm"])
    usage.extend(f"SRV-MULTI,{AS_OF - timedelta(days=40 + i)},6.25,mdm" for i in range(5))
    usage.append("SRV-OK,2026-01-02,24,agent")  # after as_of: read by no window, and a partition of its own
    procurement = PROCUREMENT_CSV.splitlines()
    sessions = SESSIONS_CSV.splitlines()
    if agencies is not None:
        procurement = procurement[:1] + [line for line in procurement[1:] if line.split(",")[2] in agencies]
        assets = assets[:1] + [line for line in assets[1:] if line.split(",")[1] in agencies]
        usage = usage[:1] + [line for line in usage[1:] if owner[line.split(",")[0]] in agencies]
        sessions = sessions[:1] + [line for line in sessions[1:] if owner[line.split(",")[0]] in agencies]
    paths = {}
    for name, lines in (("procurement", procurement), ("assets", assets), ("usage", usage), ("sessions", sessions)):
        if len(lines) > 1:
            paths[name] = directory / f"{name}.csv"
            paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def _load(database: Database, paths: dict[str, Path]) -> None:
    """Ingest the files, then store the fixture's settings: a rule parameter and an edited category profile."""
    for kind, name in (("procurement", "procurement"), ("assets", "assets"), ("usage", "usage"), ("usage", "sessions")):
        if name in paths:
            report = ingest_file(database, kind, paths[name])
            assert report.committed and report.rows_rejected == 0, report.errors
    set_setting(database, "rule.NEVER_USED.grace_days", "45", "test")
    set_profile_value(database, "server", "low_threshold", 0.12, "test")
    # the idle pool's declarations and a province's standards travel with the lake too: DSK-4, used every day,
    # is declared surplus before PO-BD's order (AVOIDABLE_PURCHASE counts it); LAP-USED is declared and withdrawn;
    # CN-44's laptop cap of 7,000.30 from 2025-02-01 is in force for PO-CAP (7,000.35 on 2025-03-01)
    registered = {row[0] for row in database.fetchall("SELECT asset_id FROM assets", name="t")}
    if "DSK-4" in registered:  # a database of some agencies only may not hold them
        declare_surplus(database, "test", "DSK-4", on=date(2025, 8, 1))
    if "LAP-USED" in registered:
        declare_surplus(database, "test", "LAP-USED", on=date(2025, 2, 1))
        withdraw(database, "test", "LAP-USED", "back in use", on=date(2025, 4, 1))
    province = {
        "laptop": {"price_cap": "7000.30", "min_service_years": 6},
        "desktop": {"price_cap": 5000, "min_service_years": 6},
    }
    stored, problems = add_version(
        database, "test", jurisdiction="CN-44", version="p2025", effective_from="2025-02-01", rows=province
    )
    assert stored and not problems
    set_jurisdiction(database, "test", "CN-44")


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    """The hand-made fixture, ingested and configured."""
    directory = tmp_path_factory.mktemp("parity")
    database = Database.open(directory / "parity.duckdb")
    _load(database, _write_inputs(directory / "inputs"))
    with database.transaction():
        move_holding(database, "IP1-D", "P3", date(2025, 7, 1), transfer_id=1)
    yield database
    database.close()


@pytest.fixture(scope="module")
def fixture_lake(fixture_db, tmp_path_factory) -> Path:
    lake = tmp_path_factory.mktemp("lake") / "fixture"
    export_lake(fixture_db, lake)
    return lake


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local[2] session for the module, its scratch space in this worker's own temporary directory.

    Tuned for a short life on small data, where compiling costs more than running: no whole-stage
    code generation, and the JVM's quick compiler only (C1) with the serial collector. Each halves
    a flags run here; neither suits the benchmark or a cluster, which keep Spark's defaults.
    """
    scratch = tmp_path_factory.mktemp("spark")
    session = spark_session(
        "local[2]",
        {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.codegen.wholeStage": "false",
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "spark.local.dir": str(scratch / "local"),
            "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engines(fixture_db, fixture_lake, spark) -> dict[str, tuple[Any, Callable[..., pa.Table]]]:
    """The three places the findings are computed: name -> (Ibis backend, flags function)."""
    duckdb_lake, spark_lake = open_lake(fixture_lake, "duckdb"), open_lake(fixture_lake, "spark", spark=spark)
    return {
        "database": (ibis_backend(fixture_db), lambda **kw: compute_flags(fixture_db, **kw)),
        "duckdb-lake": (duckdb_lake.backend, lambda **kw: flags_from_lake(duckdb_lake, **kw)),
        "spark-lake": (spark_lake.backend, lambda **kw: flags_from_lake(spark_lake, **kw)),
    }


def _by_id(table: pa.Table) -> list[dict]:
    return sorted(table.select(list(FLAG_COLUMNS)).to_pylist(), key=lambda row: row["flag_id"])


def _assert_same_flags(expected: pa.Table, got: pa.Table, engine: str) -> None:
    """Ids, rules and subjects first (the clearest message), then values to the cent, then every column."""
    want, have = _by_id(expected), _by_id(got)
    keys = ("flag_id", "rule", "subject", "agency_code", "asset_id", "ocid", "po_number", "line_no", "category", "fiscal_year")
    assert [{k: r[k] for k in keys} for r in have] == [{k: r[k] for k in keys} for r in want], engine
    assert [(r["flag_id"], r["value_at_stake"]) for r in have] == [(r["flag_id"], r["value_at_stake"]) for r in want], engine
    for want_row, have_row in zip(want, have):
        assert have_row == want_row, engine


def _assert_same_numbers(expected: pa.Table, got: pa.Table, keys: list[str], what: str) -> None:
    """Equal rows, sorted by `keys`; floats equal within 1e-9 relative (sums may differ in the last bits)."""
    assert got.column_names == expected.column_names, what
    sort = [(k, "ascending") for k in keys]
    want, have = expected.sort_by(sort).to_pylist(), got.sort_by(sort).to_pylist()
    assert len(have) == len(want), what
    for want_row, have_row in zip(want, have):
        for name, value in want_row.items():
            other = have_row[name]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(other, value, rel_tol=1e-9, abs_tol=1e-12), (what, name, want_row, have_row)
            else:
                assert other == value, (what, name, want_row, have_row)


# -- the lake itself ---------------------------------------------------------------------------


def test_export_writes_hive_partitions_settings_and_manifest(fixture_db, fixture_lake):
    manifest = json.loads((fixture_lake / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {t: fixture_db.scalar(f"SELECT count(*) FROM {t}") for t in LAKE_TABLES}
    assert manifest["rows"]["asset_assignments"] == manifest["rows"]["assets"] + 1  # IP1-D has two holdings
    assert manifest["schema_version"] == fixture_db.schema_version()
    assert "year=2026/month=1" in manifest["usage_partitions"] and "year=2025/month=12" in manifest["usage_partitions"]
    assert list((fixture_lake / "usage_daily" / "year=2025" / "month=6").glob("*.parquet"))
    settings = json.loads((fixture_lake / "settings.json").read_text(encoding="utf-8"))
    assert settings["settings"] == load_settings(fixture_db).as_text()
    assert settings["rule_parameters"] == {"NEVER_USED": {"grace_days": 45}}
    server = next(p for p in settings["profiles"] if p["category"] == "server")
    assert server["low_threshold"] == 0.12
    assert open_lake(fixture_lake).settings.profiles == load_profiles(fixture_db)


def test_the_lake_carries_the_pool_declarations_and_the_standards_in_force(fixture_db, fixture_lake):
    lake = open_lake(fixture_lake, "duckdb")
    assert lake.settings.jurisdiction == "CN-44"
    assert [a[:2] for a in lake.settings.pool_actions] == [
        ("DSK-4", "declare_surplus"),
        ("LAP-USED", "declare_surplus"),
        ("LAP-USED", "withdraw"),
    ]
    rules = ["AVOIDABLE_PURCHASE", "EARLY_REPLACEMENT", "OVER_PRICE_CAP"]
    expected = compute_flags(fixture_db, as_of=AS_OF, rules=rules)
    by_rule = {(r["rule"], r["po_number"]): r for r in expected.to_pylist()}
    assert "DSK-4" in by_rule[("AVOIDABLE_PURCHASE", "PO-BD")]["evidence"]  # counted only as declared surplus
    assert by_rule[("OVER_PRICE_CAP", "PO-CAP")]["value_at_stake"] == 0.15  # 3 × (7,000.35 − 7,000.30)
    _assert_same_flags(expected, flags_from_lake(lake, as_of=AS_OF, rules=rules), "duckdb-lake")


def test_lake_tables_have_the_database_columns(fixture_db, fixture_lake):
    lake = open_lake(fixture_lake, "duckdb")
    database = ibis_backend(fixture_db)
    for table in ("procurement_lines", "assets", "usage_daily"):  # Parquet keeps no NOT NULL; JSON goes as text
        want = {n: t.copy(nullable=True) for n, t in database.table(table).schema().items() if n != "extra"}
        have = lake.backend.table(table).schema()
        assert "year" not in have and "month" not in have
        assert {n: t.copy(nullable=True) for n, t in have.items() if n != "extra"} == want, table
        assert have["extra"].is_string()


def test_export_refuses_a_directory_in_use(fixture_db, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(LakeError, match="not empty"):
        export_lake(fixture_db, tmp_path)
    with pytest.raises(LakeError, match="not part of a lake"):
        export_lake(fixture_db, tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    lake = tmp_path / "lake"
    first = export_lake(fixture_db, lake)
    second = export_lake(fixture_db, lake, overwrite=True)
    assert second["rows"] == first["rows"]
    assert len(list((lake / "assets").glob("*.parquet"))) == 1  # the old files went


@pytest.mark.spark
def test_lakes_of_several_databases_merge_by_copying_their_tables(fixture_db, tmp_path, spark):
    """Agencies kept in separate databases (a province each, say) make one lake: copy each export's tables in.

    The second database holds no usage at all (P2 reports none, P3 has no assets): its lake's one
    empty usage file sits in a partition too, so the merged layout stays consistent for both engines.
    """
    lakes = []
    for name, agencies in (("p1", {"P1"}), ("others", {"P2", "P3"})):
        database = Database.open(tmp_path / f"{name}.duckdb")
        _load(database, _write_inputs(tmp_path / name, agencies))
        lakes.append(tmp_path / f"{name}-lake")
        export_lake(database, lakes[-1])
        database.close()
    merged = tmp_path / "merged"
    shutil.copytree(lakes[0], merged)
    for table in LAKE_TABLES:
        shutil.copytree(lakes[1] / table, merged / table, dirs_exist_ok=True)
    expected = compute_flags(fixture_db, as_of=AS_OF)
    _assert_same_flags(expected, flags_from_lake(open_lake(merged), as_of=AS_OF), "merged lake on DuckDB")
    _assert_same_flags(expected, flags_from_lake(open_lake(merged, "spark", spark=spark), as_of=AS_OF), "merged lake on Spark")


def test_open_refuses_what_is_not_a_lake(tmp_path):
    with pytest.raises(LakeError, match="export-lake"):
        open_lake(tmp_path, "duckdb")
    with pytest.raises(LakeError, match="engine"):
        open_lake(tmp_path, "polars")


def test_spark_without_pyspark_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(LakeError, match="requirements-spark.txt"):
        spark_session("local[1]")


def test_spark_without_java_says_what_to_install(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("tracker.engine.lake.shutil.which", lambda name: None)
    with pytest.raises(LakeError, match="Java 17"):
        spark_session("local[1]")


def test_cli_engine_options_are_checked(fixture_lake, capsys):
    assert main(["flags", "--engine", "spark"]) == 2
    assert "--lake" in capsys.readouterr().err
    assert main(["flags", "--lake", str(fixture_lake), "--spark-master", "local[1]"]) == 2
    assert main(["flags", "--lake", str(fixture_lake), "--format", "parquet"]) == 2
    assert main(["utilisation", "--lake", str(fixture_lake / "nowhere")]) == 2
    assert "export-lake" in capsys.readouterr().err
    # a lake that cannot be used is refused in the reader's language, the command as typed
    assert main(["--lang", "zh", "utilisation", "--lake", str(fixture_lake / "nowhere")]) == 2
    said = capsys.readouterr().err
    assert "不是完整的数据湖" in said and "python -m tracker export-lake DIR" in said and "is not" not in said
    assert main(["--lang", "zh", "export-lake", str(fixture_lake)]) == 2
    assert "不是空文件夹" in capsys.readouterr().err


# -- the same findings ---------------------------------------------------------------------------


@pytest.mark.spark
def test_flags_are_the_same_on_every_engine(engines):
    expected = engines["database"][1](as_of=AS_OF)
    assert {r for r in expected.column("rule").to_pylist()} == EVERY_RULE  # the fixture plants every rule
    surge = [r for r in expected.to_pylist() if r["rule"] == "YEAR_END_SURGE"]
    assert [(r["agency_code"], r["fiscal_year"], r["value_at_stake"]) for r in surge] == [("P3", 2024, 50833.33)]
    for engine in ("duckdb-lake", "spark-lake"):
        _assert_same_flags(expected, engines[engine][1](as_of=AS_OF), engine)


@pytest.mark.spark
def test_flags_options_are_the_same_on_every_engine(engines):
    options = {
        "as_of": date(2025, 11, 30),
        "window_days": 200,
        "agency": "P1",
        "parameters": {"BOUGHT_DESPITE_IDLE_STOCK": {"min_idle_assets": 2}},
    }
    expected = engines["database"][1](**options)
    assert expected.num_rows
    for engine in ("duckdb-lake", "spark-lake"):
        _assert_same_flags(expected, engines[engine][1](**options), engine)


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["database", "duckdb-lake", "spark-lake"])
def test_an_engine_error_is_a_database_error_naming_the_query_on_every_engine(engines, engine):
    """An expression whose table is gone by the time it runs: each engine's own error, translated alike."""
    backend = engines[engine][0]
    view = f"vanishing_{engine.replace('-', '_')}"
    backend.raw_sql(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT 1 AS x")
    expr = backend.table(view)
    backend.raw_sql(f"DROP VIEW {view}")
    with pytest.raises(DatabaseError) as failed:
        run_expr(expr.select(y=expr.x + 1), name="read the vanished view")
    assert failed.value.key == "db.query_failed"
    assert "read the vanished view" in failed.value.text("en") and "read the vanished view" in failed.value.text("zh")


@pytest.mark.spark
def test_utilisation_is_the_same_on_every_engine(fixture_db, engines):
    window = Window(AS_OF)
    profiles = load_profiles(fixture_db)

    def tables(backend) -> dict[str, pa.Table]:
        per_asset = asset_utilisation(backend, window, profiles=profiles).cache()
        found = {"asset": per_asset.to_pyarrow(), "coverage": telemetry_coverage(backend, window).to_pyarrow()}
        for by in ("agency", "category", "supplier", "po_line", "fiscal_year"):
            found[by] = utilisation_by(backend, window, by, profiles=profiles, per_asset=per_asset).to_pyarrow()
        return found

    expected = tables(engines["database"][0])
    assert expected["asset"].num_rows == len(ASSETS) + 1  # IP1-D: a row for P1 and one for P3
    keys = {
        "asset": ["asset_id", "agency_code"],
        "coverage": ["agency_code", "category"],
        "agency": ["agency_code"],
        "category": ["category"],
        "supplier": ["supplier"],
        "po_line": ["agency_code", "ocid", "po_number", "line_no"],
        "fiscal_year": ["fiscal_year"],
    }
    for engine in ("duckdb-lake", "spark-lake"):
        got = tables(engines[engine][0])
        for name, table in expected.items():
            _assert_same_numbers(table, got[name], keys[name], f"{engine} {name}")


@pytest.mark.spark
def test_command_line_gives_the_same_findings_from_the_lake(fixture_db, fixture_lake, spark, tmp_path):
    """flags / utilisation with --lake on both engines write what the database path writes (Spark reuses the session)."""
    database_flags = tmp_path / "db.parquet"
    rules = ["--rule", "OVER_PRICE_CAP", "--rule", "UNREGISTERED_UNITS"]  # fewer queries: the Spark session is warm by now
    assert (
        main(
            [
                "--db",
                str(fixture_db.path),
                "flags",
                "--as-of",
                str(AS_OF),
                *rules,
                "--format",
                "parquet",
                "-o",
                str(database_flags),
            ]
        )
        == 0
    )
    expected = pq.read_table(database_flags)
    assert set(expected.column("rule").to_pylist()) == {"OVER_PRICE_CAP", "UNREGISTERED_UNITS"}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.parquet"
        assert (
            main(
                [
                    "flags",
                    "--engine",
                    engine,
                    "--lake",
                    str(fixture_lake),
                    "--as-of",
                    str(AS_OF),
                    *rules,
                    "--format",
                    "parquet",
                    "-o",
                    str(out),
                ]
            )
            == 0
        )
        _assert_same_flags(expected, pq.read_table(out), engine)
        csv_out = tmp_path / f"{engine}-agency.csv"
        assert (
            main(
                [
                    "utilisation",
                    "--engine",
                    engine,
                    "--lake",
                    str(fixture_lake),
                    "--as-of",
                    str(AS_OF),
                    "--by",
                    "agency",
                    "-o",
                    str(csv_out),
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "--db",
                    str(fixture_db.path),
                    "utilisation",
                    "--as-of",
                    str(AS_OF),
                    "--by",
                    "agency",
                    "-o",
                    str(tmp_path / "db-agency.csv"),
                ]
            )
            == 0
        )
        assert csv_out.read_bytes() == (tmp_path / "db-agency.csv").read_bytes(), engine


@pytest.mark.spark
def test_demo_small_tier_is_the_same_on_spark(demo_small, tmp_path, spark):
    database, truth = demo_small
    lake = tmp_path / "demo-lake"
    export_lake(database, lake)
    expected = compute_flags(database)
    got = flags_from_lake(open_lake(lake, "spark", spark=spark))
    assert {r.isoformat() for r in got.column("as_of").to_pylist()} == {truth["as_of"]}
    _assert_same_flags(expected, got, "spark-lake")
    by_agency = utilisation_expr(open_lake(lake, "spark", spark=spark), Window(AS_OF), "agency").to_pyarrow()
    _assert_same_numbers(
        utilisation_by(ibis_backend(database), Window(AS_OF), "agency", profiles=load_profiles(database)).to_pyarrow(),
        by_agency,
        ["agency_code"],
        "demo agency roll-up",
    )
