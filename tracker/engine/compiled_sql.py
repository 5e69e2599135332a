"""Ibis expressions compiled to DuckDB SQL once per process and shape, the values of each run written into it.

Compiling an Ibis expression (its rewrites, then sqlglot) costs tens to hundreds of milliseconds in
Python, more than DuckDB takes to run most of the rules' queries. Yet a run of the catalogue, or
of the dashboard's snapshot, builds the same expressions every time; only the values change (the
window's dates, the thresholds, the names Ibis gives its in-memory and cached tables). So before
compiling, `shape_of` takes the expression apart into

- its shape: the expression with every date, timestamp and number literal replaced by a numbered slot and
  every table by a table of the same schema under a fixed name (a temporary table by its number);
- its values: the literal each slot stands for, and the real name of each numbered table.

The shape is a hashable Ibis node: equal shapes compile to the same SQL. The SQL of a shape is
compiled once (with each slot written as a marker) and kept; each run writes its own values into
it, each rendered by Ibis's own literal compiler, so the SQL a run executes is the one Ibis would
have produced. Strings, booleans, intervals and NULLs stay in the shape: they name states,
evidence kinds and the like, and a new one only costs one more compilation. Neither user text nor
identifiers taken from the data are written in: the values are dates, timestamps and numbers, the table names
Ibis's own (`ibis_…`).

A literal that the compiler reads itself (an array index, a substring's bounds, a sort key)
stays in the shape, so the SQL never depends on a value it did not see.

The compiled shapes are also kept on disk beside the database (`<database folder>/.compiled-sql/`,
readable by the server's user only; `load_for` and `save_for`), so a new process (a command, a
restarted dashboard) compiles only what no earlier process did. The file's name carries the
versions of Ibis, sqlglot and this module's own code: any change to them starts a new file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import re
import secrets
import stat
import threading
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler
from ibis.expr import datashape as ds

log = logging.getLogger(__name__)

MAX_SHAPES = 512  # distinct shapes kept per process (a catalogue run has a few dozen)
_NONCE = secrets.token_hex(6)  # markers no string literal of the expression can spell by chance
_SLOT = f"__slot_{_NONCE}_{{}}__"
_TABLE = f"__table_{_NONCE}_{{}}__"
_SHAPE_TABLE = "__numbered_table_{}__"  # a numbered table in a shape: the same in every process, written as _TABLE
_SHAPE_TABLE_NAME = re.compile(r"__numbered_table_(\d+)__")
# ops whose compiler reads a literal argument's value itself: their literals stay in the shape
_READ_BY_COMPILER = tuple(
    getattr(ops, name)
    for name in ("ArrayIndex", "ArraySlice", "StringFind", "Substring", "StringSlice", "SortKey", "NthValue", "Round")
    if hasattr(ops, name)
)


class Slot(ops.Scalar):
    """A literal of the shape: its value is given per run (the `index`-th value)."""

    index: int
    dtype: dt.DataType

    shape = ds.scalar


class _SlotCompiler(DuckDBCompiler):
    """Ibis's DuckDB compiler, writing a Slot as a marker to be replaced by the run's value."""

    def visit_Slot(self, op, *, index, dtype):
        import sqlglot.expressions as sge

        return sge.Var(this=_SLOT.format(index))

    def visit_UnboundTable(self, op, *, name, schema, namespace):
        numbered = _SHAPE_TABLE_NAME.fullmatch(name)
        if numbered is None:
            return super().visit_UnboundTable(op, name=name, schema=schema, namespace=namespace)
        import sqlglot as sg

        return sg.table(_TABLE.format(int(numbered.group(1))), quoted=True)


def _slotted(value: Any, dtype: dt.DataType) -> bool:
    if value is None:
        return False
    if dtype.is_date():
        return isinstance(value, date) and not isinstance(value, datetime)
    if dtype.is_timestamp():
        return isinstance(value, datetime)
    if dtype.is_integer():
        return isinstance(value, int) and not isinstance(value, bool)
    if dtype.is_floating():
        return isinstance(value, float | int) and not isinstance(value, bool)
    return False


def shape_of(node: ops.Node) -> tuple[ops.Node, list[ops.Literal], list[str]]:
    """The expression's shape, the literals of its slots (by index) and the real names of its numbered tables."""
    kept: set[ops.Node] = set()
    for op in node.find(_READ_BY_COMPILER):
        kept.update(arg for arg in op.__args__ if isinstance(arg, ops.Literal))
    literals: list[ops.Literal] = []
    slot_of: dict[ops.Literal, int] = {}
    tables: list[str] = []
    table_of: dict[str, int] = {}

    def replace(op: ops.Node, kwargs: dict | None) -> ops.Node:
        if isinstance(op, ops.Literal):
            if op in kept or not _slotted(op.value, op.dtype):
                return op
            if op not in slot_of:
                slot_of[op] = len(literals)
                literals.append(op)
            return Slot(slot_of[op], op.dtype)
        if isinstance(op, ops.InMemoryTable | ops.DatabaseTable):
            namespace = getattr(op, "namespace", ops.Namespace())
            name = op.name
            if isinstance(op, ops.InMemoryTable) or name.startswith("ibis_"):  # made per run: numbered
                if name not in table_of:
                    table_of[name] = len(tables)
                    tables.append(name)
                name = _SHAPE_TABLE.format(table_of[name])
            return ops.UnboundTable(name=name, schema=op.schema, namespace=namespace)
        return op.__recreate__(kwargs) if kwargs else op

    return node.replace(replace), literals, tables


class ShapeCache:
    """The SQL of each expression shape, compiled once per process; thread-safe."""

    def __init__(self, max_shapes: int = MAX_SHAPES) -> None:
        self._sql: OrderedDict[ops.Node, str] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_shapes
        self._compiler = _SlotCompiler()
        self._literal_sql: dict[tuple, str] = {}
        self.compiled = 0  # shapes compiled so far (the benchmark reports it)
        self._loaded: set[Path] = set()  # files read by this process
        self._saved_at = 0  # `compiled` when this process last wrote its shapes

    def clear(self) -> None:
        """Forget every compiled shape (the benchmark measures a run that compiles everything)."""
        with self._lock:
            self._sql.clear()

    def load(self, path: Path) -> None:
        """Add the shapes another process kept in `path` (once per file and process; a file this user did not
        write alone, or cannot read, is passed over: the shapes are then compiled as usual)."""
        with self._lock:
            if path in self._loaded:
                return
            self._loaded.add(path)
        try:
            with path.open("rb") as source:
                info = os.fstat(source.fileno())
                if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                    return
                kept = pickle.load(source)  # noqa: S301 - written by this module, owned by and writable only by this user
            nonce, shapes = kept["nonce"], kept["shapes"]
        except FileNotFoundError:
            return
        except Exception as exc:  # damaged, or unreadable: compiled again, and written anew
            log.debug("compiled SQL in %s not read: %s", path, exc)
            return
        with self._lock:
            for shape, template in shapes:
                self._sql.setdefault(shape, template.replace(nonce, _NONCE))
            while len(self._sql) > self._max:
                self._sql.popitem(last=False)
            self._saved_at = self.compiled

    def save(self, path: Path) -> None:
        """Write every shape held to `path` when this process compiled any since it last wrote (never fails)."""
        with self._lock:
            if self.compiled == self._saved_at:
                return
            shapes = list(self._sql.items())
            self._saved_at = self.compiled
        temporary = None
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            for old in path.parent.glob("*.pickle"):
                if old.name != path.name:  # another version of the code's
                    with contextlib.suppress(OSError):
                        old.unlink()
            temporary = path.with_name(f".{secrets.token_hex(8)}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                pickle.dump({"nonce": _NONCE, "shapes": shapes}, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except Exception as exc:  # a read-only folder, a full disk: the next process compiles again
            log.debug("compiled SQL not kept in %s: %s", path, exc)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    temporary.unlink()

    def sql(self, expr: ir.Expr) -> str:
        """The DuckDB SQL of `expr`, as Ibis's own compiler writes it, compiled at most once per shape."""
        shape, literals, tables = shape_of(expr.as_table().op())
        with self._lock:
            template = self._sql.get(shape)
            if template is not None:
                self._sql.move_to_end(shape)
        if template is None:
            template = self._compiler.to_sqlglot(ir.Table(shape)).sql(dialect="duckdb", copy=False)
            with self._lock:
                self._sql[shape] = template
                self.compiled += 1
                while len(self._sql) > self._max:
                    self._sql.popitem(last=False)
        return self._render(template, literals, tables)

    def _render(self, template: str, literals: list[ops.Literal], tables: list[str]) -> str:
        sql = template
        for index, name in reversed(list(enumerate(tables))):  # reversed: table 1 is not a prefix of table 10's marker
            sql = sql.replace(f'"{_TABLE.format(index)}"', f'"{name}"')
        for index, literal in reversed(list(enumerate(literals))):
            sql = sql.replace(_SLOT.format(index), self._literal(literal))
        return sql

    def _literal(self, literal: ops.Literal) -> str:
        key = (literal.dtype, type(literal.value), literal.value)
        text = self._literal_sql.get(key)
        if text is None:
            text = self._compiler.visit_Literal(literal, value=literal.value, dtype=literal.dtype).sql(dialect="duckdb")
            if text.startswith("-"):  # never `x - -1` read as a comment
                text = f"({text})"
            if len(self._literal_sql) < 4096:
                self._literal_sql[key] = text
        return text


SHAPES = ShapeCache()


@functools.cache
def _code_version() -> str:
    """Ibis's, sqlglot's and this module's versions, as the name of the file of compiled shapes."""
    import ibis
    import sqlglot

    own = Path(__file__).read_bytes()
    text = f"{ibis.__version__}|{sqlglot.__version__}|".encode() + own
    return hashlib.sha256(text).hexdigest()[:16]


def store_path(db_path) -> Path | None:
    """Where the compiled shapes of the database at `db_path` are kept (None for a database in memory)."""
    if not db_path or str(db_path) == ":memory:":
        return None
    return Path(db_path).resolve().parent / ".compiled-sql" / f"{_code_version()}.pickle"


def load_for(db_path) -> None:
    """Read the shapes kept beside the database (once per process)."""
    path = store_path(db_path)
    if path is not None:
        SHAPES.load(path)


def save_for(db_path) -> None:
    """Keep the shapes this process compiled beside the database."""
    path = store_path(db_path)
    if path is not None:
        SHAPES.save(path)


def compile_once(backend) -> None:
    """Make the DuckDB `backend` compile through the process's ShapeCache (results and cached tables alike)."""
    compile_plain = backend.compile

    def compile(expr: ir.Expr, /, *, limit=None, params=None, pretty: bool = False, **kwargs) -> str:
        if limit is not None or params or pretty or kwargs:
            return compile_plain(expr, limit=limit, params=params, pretty=pretty, **kwargs)
        return SHAPES.sql(expr)

    def create_cached_table(name: str, expr: ir.Table) -> ir.Table:
        """What Ibis's `.cache()` does on DuckDB (a temporary table of the expression's schema), with the cached SQL."""
        import sqlglot as sg
        import sqlglot.expressions as sge

        backend._run_pre_execute_hooks(expr)
        table = sg.table(name, catalog="temp", db="main", quoted=True)
        create = sge.Create(
            kind="TABLE",
            this=sge.Schema(this=table, expressions=expr.schema().to_sqlglot_column_defs("duckdb")),
            properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
        )
        columns = ", ".join(sge.to_identifier(column, quoted=True).sql("duckdb") for column in expr.columns)
        backend.con.execute(create.sql("duckdb"))
        backend.con.execute(f"INSERT INTO {table.sql('duckdb')} ({columns}) {SHAPES.sql(expr)}")
        return backend.table(name, database=("temp", "main"))

    backend.compile = compile
    backend._create_cached_table = create_cached_table
