"""SQL compiled once per expression shape (tracker.engine.compiled_sql): the SQL a run executes is Ibis's own,
a second run compiles nothing, and other dates and thresholds reuse the compiled SQL with the same findings."""

from __future__ import annotations

import re
from datetime import timedelta

import ibis
import pyarrow as pa
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

from tracker.engine import compiled_sql, metrics
from tracker.engine.compiled_sql import SHAPES, shape_of
from tracker.engine.rules.run import compute_flags


def _ibis_sql(expr) -> str:
    return DuckDBCompiler().to_sqlglot(expr.as_table()).sql(dialect="duckdb", copy=False)


def _same_sql(a: str, b: str) -> bool:
    """Equal up to the order of EXCLUDE lists (Ibis writes a set there, in no fixed order)."""

    def norm(sql: str) -> str:
        return re.sub(r"EXCLUDE \(([^)]*)\)", lambda m: "EXCLUDE (" + ", ".join(sorted(m.group(1).split(", "))) + ")", sql)

    return norm(a) == norm(b)


def test_the_sql_of_a_shape_is_ibis_sql_with_the_runs_values(demo_small):
    db, _ = demo_small
    backend = metrics.ibis_backend(db)
    as_of = metrics.default_as_of(db)
    for days in (0, 45):  # the second window has the shape of the first, with other dates
        window = metrics.Window(as_of - timedelta(days=days), 365, idle_days=90 + days)
        for expr in (metrics.asset_utilisation(backend, window), metrics.telemetry_coverage(backend, window)):
            sql = SHAPES.sql(expr)
            assert "__slot_" not in sql and "__table_" not in sql
            assert _same_sql(sql, _ibis_sql(expr))


def test_literals_become_slots_and_tables_numbered_names():
    table = ibis.memtable(pa.table({"x": [1, 2, 3]}))
    expr = table.filter(table.x > -1).mutate(y=table.x * 0.5, z=ibis.literal("text"))
    shape, literals, tables = shape_of(expr.op())
    assert sorted(lit.value for lit in literals) == [-1, 0.5]  # numbers and dates only; the string stays
    assert tables == [table.op().name]
    other = ibis.memtable(pa.table({"x": [7]}))
    same_shape, values, _ = shape_of(other.filter(other.x > 5).mutate(y=other.x * 2.5, z=ibis.literal("text")).op())
    assert same_shape == shape and sorted(lit.value for lit in values) == [2.5, 5]
    assert "(-1)" in SHAPES.sql(expr)  # a negative number never follows a minus sign bare
    cached = ibis.duckdb.connect()
    compiled_sql.compile_once(cached)
    assert cached.to_pyarrow(expr).equals(ibis.duckdb.connect().to_pyarrow(expr))


def test_a_second_run_compiles_nothing_and_flags_the_same(demo_small):
    db, truth = demo_small
    SHAPES.clear()
    first = compute_flags(db)
    compiled = SHAPES.compiled
    second = compute_flags(db)
    assert SHAPES.compiled == compiled
    assert second.equals(first)
    assert first.num_rows == truth["counts"]["planted"]


def _thresholds(idle_days: int) -> dict:
    return {"IDLE": {"idle_days": idle_days}, "LOW_UTILISATION": {"min_available_days": idle_days - 30}}


def test_other_dates_and_thresholds_reuse_the_sql_and_flag_as_ibis_alone_would(demo_small, monkeypatch):
    db, _ = demo_small
    latest = metrics.default_as_of(db)
    compute_flags(db, as_of=latest - timedelta(days=41), window_days=301, parameters=_thresholds(76))  # its shapes
    compiled = SHAPES.compiled
    as_of = latest - timedelta(days=40)
    parameters = _thresholds(75)
    kept = compute_flags(db, as_of=as_of, window_days=300, parameters=parameters)
    assert SHAPES.compiled == compiled
    monkeypatch.setattr(metrics, "compile_once", lambda backend: None)
    plain = compute_flags(db, as_of=as_of, window_days=300, parameters=parameters)
    assert kept.num_rows > 0
    assert kept.equals(plain)


# one fresh process: the flag catalogue on the database, then how many shapes it compiled and a digest of the flags
_FRESH_RUN = (
    "import hashlib, json, sys, warnings; warnings.simplefilter('ignore', DeprecationWarning); sys.path.insert(0, sys.argv[1]); "
    "from tracker.store.db import Database; from tracker.engine.rules.run import compute_flags; "
    "from tracker.engine.compiled_sql import SHAPES; "
    "flags = compute_flags(Database.open(sys.argv[2], read_only=True)); "
    "digest = hashlib.sha256(str(flags.drop_columns(['utilisation']).to_pylist()).encode()).hexdigest(); "
    "print(json.dumps({'compiled': SHAPES.compiled, 'flags': flags.num_rows, 'digest': digest}))"
)


def _fresh_run(db_path) -> dict:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_RUN, str(root), str(db_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_new_process_compiles_nothing_an_earlier_one_kept(demo_copy):
    path = demo_copy.path
    demo_copy.close()
    first = _fresh_run(path)
    kept = compiled_sql.store_path(path)
    assert first["compiled"] > 0 and kept.is_file()
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.parent.stat().st_mode & 0o777 == 0o700
    second = _fresh_run(path)
    assert second == {**first, "compiled": 0}


def test_a_kept_file_others_could_write_or_a_damaged_one_is_not_read(demo_copy):
    path = demo_copy.path
    demo_copy.close()
    first = _fresh_run(path)
    kept = compiled_sql.store_path(path)
    kept.chmod(0o666)  # anyone could have put SQL in it
    assert _fresh_run(path) == first  # compiled again, and kept anew for this user alone
    assert kept.stat().st_mode & 0o777 == 0o600
    kept.write_bytes(b"not a pickle")
    assert _fresh_run(path) == first
    assert _fresh_run(path) == {**first, "compiled": 0}
