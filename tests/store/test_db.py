"""The database boundary: migrations, transactions, error translation, the file lock."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from tracker.store.config import resolve_db_path
from tracker.store.db import Database, _migrations, cache_expr, run_expr, schema_version_known
from tracker.text.errors import DatabaseError


def test_new_database_is_migrated_to_the_latest_schema(tmp_path):
    with Database.open(tmp_path / "a.duckdb") as db:
        assert db.schema_version() == schema_version_known()
        tables = {r[0] for r in db.fetchall("SELECT table_name FROM information_schema.tables")}
    assert {"procurement_lines", "assets", "usage_daily", "uploads", "rejected_rows", "settings"} <= tables


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / "a.duckdb"
    Database.open(path).close()
    with Database.open(path) as db:
        applied = db.fetchall("SELECT version FROM schema_migrations ORDER BY version", name="t")
        assert [v for (v,) in applied] == [version for version, _, _ in _migrations()]  # each once, numbers may skip
        assert applied[-1][0] == schema_version_known()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "a.duckdb"
    with Database.open(path) as db:
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(DatabaseError) as refused:
        Database.open(path)
    assert refused.value.key == "db.newer_schema"


def test_transaction_rolls_back_everything_on_error(db):
    with pytest.raises(DatabaseError):
        with db.transaction():
            db.execute("INSERT INTO agencies VALUES (?, ?)", ["A1", "one"])
            db.execute("INSERT INTO agencies VALUES (?, ?)", ["A1", "duplicate key"])
    assert db.scalar("SELECT count(*) FROM agencies") == 0


def test_transaction_commits_all_statements(db):
    with db.transaction():
        db.execute("INSERT INTO agencies VALUES (?, ?)", ["A1", "one"])
        db.execute("INSERT INTO agencies VALUES (?, ?)", ["A2", "two"])
    assert db.scalar("SELECT count(*) FROM agencies") == 2


def test_engine_errors_become_tracker_errors_naming_the_operation(db):
    with pytest.raises(DatabaseError) as failed:
        db.execute("SELECT * FROM no_such_table", name="look something up")
    assert failed.value.key == "db.query_failed"
    assert "look something up" in failed.value.text("en")
    assert "look something up" in failed.value.text("zh")


def test_values_are_bound_not_spliced(db):
    hostile = "x'); DROP TABLE agencies; --"
    db.execute("INSERT INTO agencies VALUES (?, ?)", [hostile, hostile])
    assert db.scalar("SELECT agency_name FROM agencies WHERE agency_code = ?", [hostile]) == hostile


def test_unused_named_parameters_are_dropped(db):
    assert db.scalar("SELECT $a + 1", {"a": 1, "unused": 2}) == 2


def test_second_process_gets_a_clear_lock_message(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = Database.open(path)
    try:
        code = (
            "import sys\nfrom tracker.store.db import Database\nfrom tracker.text.errors import DatabaseError\n"
            f"try:\n    Database.open({str(path)!r})\nexcept DatabaseError as e:\n    print(e.key)\n    sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    finally:
        holder.close()
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == "db.locked"


def test_database_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path("cli.duckdb").name == "cli.duckdb"
    assert resolve_db_path(None) == tmp_path / "env.duckdb"
    monkeypatch.delenv("TRACKER_DB")
    assert resolve_db_path(None).parts[-2:] == ("data", "tracker.duckdb")


def test_an_ibis_expression_failing_in_the_engine_is_a_database_error_naming_the_query(db):
    from tracker.engine.metrics import ibis_backend

    db.execute("INSERT INTO agencies VALUES (?, ?)", ["A1", "not a number"])
    agencies = ibis_backend(db).table("agencies")
    numbers = agencies.select(n=agencies.agency_name.cast("int64"))  # fails only when DuckDB runs it
    for run, name in ((run_expr, "agency numbers"), (cache_expr, "cached agency numbers")):
        with pytest.raises(DatabaseError) as failed:
            run(numbers, name=name)
        assert failed.value.key == "db.query_failed"
        assert name in failed.value.text("en") and name in failed.value.text("zh")
        assert "not a number" in failed.value.text("en")  # the engine's reason, first line
        assert isinstance(failed.value.__cause__, duckdb.Error)


def test_an_arrow_error_while_executing_is_a_database_error_too(db):
    import ibis
    import pyarrow as pa

    class Refusing:
        def to_pyarrow(self):
            raise pa.ArrowInvalid("column x: cannot convert")

    with pytest.raises(DatabaseError) as failed:
        run_expr(Refusing(), name="convert x")
    assert "convert x" in failed.value.text("en") and "cannot convert" in failed.value.text("en")
    with pytest.raises(DatabaseError) as failed:
        run_expr(ibis.table({"x": "int64"}, name="unbound"), name="unbound table")  # no backend: Ibis refuses
    assert "unbound table" in failed.value.text("en")


def test_what_is_not_an_engine_error_is_not_disguised_as_one():
    class Broken:
        def to_pyarrow(self):
            raise KeyError("a bug")

    with pytest.raises(KeyError):
        run_expr(Broken(), name="buggy")


def test_a_failing_query_read_as_arrow_names_the_query(db):
    with pytest.raises(DatabaseError) as failed:
        db.arrow("SELECT CAST(? AS INTEGER)", ["x"], name="read a number")
    assert "read a number" in failed.value.text("en")
