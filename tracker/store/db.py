"""The embedded DuckDB database: opening, schema migrations, transactions, and the one place queries run.

Every statement goes through `Database.execute`, which binds parameters, and every Ibis expression
(on DuckDB, or on Spark over a lake) through `run_expr` or `cache_expr`: each names its query and
turns the engine's errors (DuckDB, Ibis, Arrow, Spark) into `DatabaseError` carrying that name, so
no engine error reaches a page or the command line untranslated. One process owns the file;
threads take their own `cursor()`.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from tracker.store import usage_months
from tracker.store.config import resolve_db_path
from tracker.text.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "tracker.store.migrations"


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file `NNN_name.sql`, in version order."""
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        match = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version_known() -> int:
    return _migrations()[-1][0]


class Database:
    """A DuckDB connection (or cursor) with bound-parameter execution and error translation."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.con = con
        self.path = path
        self._in_transaction = False

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False, migrate: bool = True) -> "Database":
        """Open (creating if needed) the database file and bring its schema up to date."""
        db_path = resolve_db_path(path)
        if str(db_path) != ":memory:":
            db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseError("db.locked", path=db_path) from exc
            raise DatabaseError("db.open_failed", path=db_path, reason=_first_line(exc)) from exc
        except duckdb.Error as exc:
            raise DatabaseError("db.open_failed", path=db_path, reason=_first_line(exc)) from exc
        db = cls(con, db_path)
        if migrate and not read_only:
            db.migrate()
        return db

    def cursor(self) -> "Database":
        """A cursor for another thread or session, sharing this database."""
        return Database(self.con.cursor(), self.path)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- executing -------------------------------------------------------------------------------
    def execute(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query"
    ) -> duckdb.DuckDBPyConnection:
        """Run one statement with bound parameters; engine errors become DatabaseError."""
        log.debug("sql %s", name)
        params = _used(sql, params)
        with engine_errors(name):
            if params is None:
                return self.con.execute(sql)
            return self.con.execute(sql, params)

    def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query") -> list[tuple]:
        result = self.execute(sql, params, name=name)
        with engine_errors(name):
            return result.fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query") -> tuple | None:
        rows = self.fetchall(sql, params, name=name)  # fetch everything: no result left open
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query") -> Any:
        row = self.fetchone(sql, params, name=name)
        return None if row is None else row[0]

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query"):
        """Result as a pandas DataFrame."""
        result = self.execute(sql, params, name=name)
        with engine_errors(name):
            return result.df()

    def arrow(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *, name: str = "query"):
        """Result as a pyarrow Table (read through a relation: no extra copy of the rows)."""
        log.debug("sql %s", name)
        with engine_errors(name):
            return self.con.sql(sql, params=_used(sql, params)).to_arrow_table()

    def register(self, view_name: str, data: Any) -> None:
        """Expose a pandas or Arrow table to SQL under a fixed name chosen by the caller."""
        self.con.register(view_name, data)

    def unregister(self, view_name: str) -> None:
        self.con.unregister(view_name)

    # -- transactions ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """Explicit BEGIN/COMMIT: everything inside lands together or not at all."""
        if self._in_transaction:
            yield self
            return
        self.execute("BEGIN TRANSACTION", name="begin")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._in_transaction = False
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:  # the engine may already have aborted the transaction
                pass
            raise
        self._in_transaction = False
        self.execute("COMMIT", name="commit")

    # -- schema ----------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'",
            name="schema_version",
        )
        if not exists:
            return 0
        return self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations", name="schema_version")

    def migrate(self) -> int:
        """Apply every migration newer than the database's version, each in its own transaction."""
        current = self.schema_version()
        known = schema_version_known()
        if current > known:
            raise DatabaseError("db.newer_schema", path=self.path, found=current, known=known)
        for version, migration_name, sql in _migrations():
            if version <= current:
                continue
            with self.transaction():
                for statement in _split_statements(sql):
                    self.execute(statement, name=f"migration {version:03d}_{migration_name}")
                if version == usage_months.MIGRATION:  # the new table is filled from the rows already stored
                    usage_months.rebuild(self)
                self.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                    [version, migration_name],
                    name="record migration",
                )
            log.info("applied migration %03d_%s", version, migration_name)
        return self.schema_version()


# -- Ibis expressions ------------------------------------------------------------------------------


def run_expr(expr: Any, *, name: str) -> Any:
    """Execute an Ibis expression on its backend (DuckDB, or Spark over a lake) and return it as Arrow.

    A table gives a pyarrow Table, a column an Array, a scalar a Scalar. Engine errors become
    DatabaseError naming `name`.
    """
    log.debug("expr %s", name)
    with engine_errors(name):
        return expr.to_pyarrow()


def cache_expr(expr: Any, *, name: str) -> Any:
    """The expression computed once and held by its backend (Ibis `.cache()`), to be read by later queries."""
    log.debug("cache %s", name)
    with engine_errors(name):
        return expr.cache()


@contextmanager
def engine_errors(name: str) -> Iterator[None]:
    """Inside: an error of DuckDB, Ibis, Arrow or Spark becomes DatabaseError("db.query_failed") naming `name`."""
    try:
        yield
    except DatabaseError:
        raise
    except Exception as exc:
        if isinstance(exc, _engine_error_types()):
            raise DatabaseError("db.query_failed", name=name, reason=_first_line(exc)) from exc
        raise


def _engine_error_types() -> tuple[type[BaseException], ...]:
    """The engines' error classes; Ibis, Arrow and Spark only when loaded (nothing else can have raised theirs)."""
    types: list[type[BaseException]] = [duckdb.Error]
    for module, attribute in (
        ("ibis.common.exceptions", "IbisError"),
        ("pyarrow", "ArrowException"),
        ("pyspark.errors", "PySparkException"),
        ("py4j.protocol", "Py4JError"),
    ):
        loaded = sys.modules.get(module)
        error = getattr(loaded, attribute, None) if loaded is not None else None
        if error is not None:
            types.append(error)
    return tuple(types)


def _used(sql: str, params: Sequence[Any] | dict[str, Any] | None) -> Sequence[Any] | dict[str, Any] | None:
    """Named parameters that a statement does not use are dropped (DuckDB refuses extras)."""
    if isinstance(params, dict):
        return {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", sql)}
    return params


def _split_statements(sql: str) -> list[str]:
    """Split a migration file on semicolons at line ends (migrations hold no procedural code)."""
    without_comments = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", without_comments) if s.strip()]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
