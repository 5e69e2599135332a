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
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler
from ibis.expr import datashape as ds

MAX_SHAPES = 512  # distinct shapes kept per process (a catalogue run has a few dozen)
_NONCE = secrets.token_hex(6)  # markers no string literal of the expression can spell by chance
_SLOT = f"__slot_{_NONCE}_{{}}__"
_TABLE = f"__table_{_NONCE}_{{}}__"
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
                name = _TABLE.format(table_of[name])
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

    def clear(self) -> None:
        """Forget every compiled shape (the benchmark measures a run that compiles everything)."""
        with self._lock:
            self._sql.clear()

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
