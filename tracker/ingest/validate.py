"""Typing and row checks as set-based SQL: a staged text table becomes a typed table plus its errors.

Each field of a contract gets a typed expression and a list of error expressions; an error is a
struct (code, field, value, other) whose code is a key of the translation table. Free-text
vocabularies (categories, statuses, yes/no) are mapped once per distinct value in Python and
joined back, so that no row is ever handled one at a time in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

from tracker.domain.categories import normalise_category
from tracker.domain.meters import normalise_meter
from tracker.ingest.contracts import (
    DEVICE_FIELDS,
    DEVICE_KINDS,
    EVIDENCE_KINDS,
    SEEN_DATE_SOURCES,
    Contract,
    HeaderMatch,
    normalise_bool,
    normalise_header,
    normalise_status,
    seen_only,
)
from tracker.ingest.readers.staged import StagedFile, query_source
from tracker.ingest.sql_types import (
    CURRENCY_NAMES,
    DMY_PATTERN,
    amount_expr,
    date_expr,
    day_month_expr,
    err,
    int_expr,
    number_expr,
    text_errors,
    timestamp_expr,
)
from tracker.store.db import Database
from tracker.text.errors import FileRefused


@dataclass
class TypedQuery:
    """The pieces of the typing query for one staged file and one contract."""

    staged: StagedFile
    match: HeaderMatch
    params: dict[str, object] = field(default_factory=dict)
    joins: list[str] = field(default_factory=list)
    selects: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    constants: dict[str, str] = field(default_factory=dict)  # field -> SQL for a column the file lacks
    raw_names: dict[str, str] = field(default_factory=dict)  # field -> column holding its text as read
    views: list[str] = field(default_factory=list)  # lookup tables registered on the connection
    field_errors: dict[str, list[str]] = field(default_factory=dict)  # field -> the error expressions of its own value

    def src(self, field_name: str) -> str:
        """The trimmed text of a field, or NULL when the file has no such column."""
        pos = self.match.column_of(field_name)
        if pos is not None:
            return f"s.t{pos}"
        return self.constants.get(field_name, "CAST(NULL AS VARCHAR)")

    def has(self, field_name: str) -> bool:
        return self.match.column_of(field_name) is not None

    def engine_typed(self, field_name: str) -> bool:
        return self.match.column_of(field_name) in self.staged.engine_types


def cell_text(column: str) -> str:
    """A cell's text without edge spaces, empty as NULL (trimming only cells that need it is much cheaper)."""
    return (
        f"CASE WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') THEN NULLIF(trim({column}), '') "
        f"ELSE NULLIF({column}, '') END"
    )


# -- vocabularies mapped per distinct value -----------------------------------------------------
def _distinct_values(db: Database, staged: StagedFile, pos: int) -> list[str]:
    text = cell_text(f"c{pos}")
    rows = query_source(
        db, staged, f"SELECT DISTINCT {text} FROM {{source}} WHERE {text} IS NOT NULL", name="distinct values"
    ).fetchall()
    return [r[0] for r in rows]


def _vocabulary_join(db: Database, q: TypedQuery, field_name: str, mapper, value_type: pa.DataType) -> str:
    """Register raw->mapped pairs for a field and join them; returns the mapped column's SQL name."""
    pos = q.match.column_of(field_name)
    alias = f"m_{field_name}"
    if pos is None:
        return "NULL"
    raws = _distinct_values(db, q.staged, pos)
    mapped = pa.table({"raw": pa.array(raws, pa.string()), "mapped": pa.array([mapper(r) for r in raws], value_type)})
    view = f"{q.staged.source_table_hint}_{alias}"
    db.register(view, mapped)
    q.views.append(view)
    q.joins.append(f"LEFT JOIN {view} AS {alias} ON {alias}.raw = s.t{pos}")
    return f"{alias}.mapped"


def registered_views(q: TypedQuery) -> list[str]:
    """The lookup tables the query registered on the connection (to unregister afterwards)."""
    return list(q.views)


# -- date order ------------------------------------------------------------------------------------
def resolve_date_orders(db: Database, q: TypedQuery, typed_base: str, date_order: str | None) -> None:
    """Read d/m/y or m/d/y dates once their order is known, per column, from values that can only be read one way.

    Runs after typing, on the values that no year-first format could read; files with ISO dates pay nothing.
    """
    staged = q.staged
    for f in q.match.contract.fields:
        pos = q.match.column_of(f.name)
        if f.type != "date" or pos is None or q.engine_typed(f.name):
            continue  # engine-typed dates were all read year-first
        raw = f"raw_{f.name}"
        row = db.fetchone(
            f"""
            WITH v AS (
                SELECT {raw} AS s, string_split(regexp_replace(split_part({raw}, ' ', 1), '[.\\-]', '/', 'g'), '/') AS p
                FROM {typed_base}
                WHERE {f.name} IS NULL AND {raw} IS NOT NULL AND regexp_full_match(split_part({raw}, ' ', 1), '{DMY_PATTERN}')
            )
            SELECT count(*),
                   max(CAST(p[1] AS INTEGER)), max(CAST(p[2] AS INTEGER)),
                   count(*) FILTER (WHERE p[1] <> p[2]),
                   any_value(s) FILTER (WHERE CAST(p[1] AS INTEGER) > 12),
                   any_value(s) FILTER (WHERE CAST(p[2] AS INTEGER) > 12),
                   any_value(s) FILTER (WHERE p[1] <> p[2])
            FROM v
            """,
            name="infer date order",
        )
        count, max_first, max_second, differing, dmy_example, mdy_example, example = row
        if not count:
            continue
        header = staged.headers[pos]
        if max_first > 12 and max_second > 12:
            raise FileRefused("file.mixed_date_order", file=staged.file_name, column=header, dmy=dmy_example, mdy=mdy_example)
        if max_first > 12:
            order = "dmy"
        elif max_second > 12:
            order = "mdy"
        elif date_order:
            order = date_order
        elif differing:
            raise FileRefused("file.ambiguous_dates", file=staged.file_name, column=header, example=example)
        else:
            order = "dmy"  # every value reads the same either way
        db.execute(
            f"UPDATE {typed_base} SET {f.name} = {day_month_expr(raw, order)} WHERE {f.name} IS NULL AND {raw} IS NOT NULL",
            name="read day/month dates",
        )


def build_typed_query(
    db: Database, staged: StagedFile, match: HeaderMatch, *, timezone: str, default_currency: str, scope_agency: str | None = None
) -> TypedQuery:
    """Typed columns and row-level errors for one contract; cross-row checks come later."""
    contract: Contract = match.contract
    q = TypedQuery(staged, match)
    if scope_agency is not None and match.column_of("agency_code") is None:
        q.constants["agency_code"] = "CAST($scope_agency AS VARCHAR)"  # a scoped upload may omit the agency column
        q.params["scope_agency"] = scope_agency
    code_pos = match.column_of("classification_code")
    if code_pos is not None and match.column_of("classification_scheme") is None:
        scheme = normalise_header(staged.headers[code_pos]).split(" ")[0].upper()
        if scheme in ("CPV", "UNSPSC"):
            q.constants["classification_scheme"] = f"'{scheme}'"  # the header names the catalogue
    if contract.kind == "usage" and seen_only(set(match.mapping.values())) and not q.has("evidence"):
        q.constants["evidence"] = "'seen'"
        if not q.has("source"):  # Intune's "Last check-in", Lansweeper's "Last seen"
            date_header = normalise_header(staged.headers[match.column_of("usage_date")])
            sources = {normalise_header(k): v for k, v in SEEN_DATE_SOURCES.items()}
            q.constants["source"] = f"'{sources.get(date_header, 'inventory')}'"
    q.params["tz"] = timezone
    excel = staged.excel_dates
    for f in contract.fields:
        before = len(q.errors)
        s = q.src(f.name)  # text expression over the staged row (inner query)
        raw, typed = f"raw_{f.name}", f.name  # the same values by name (outer query)
        if f.type in ("id", "text"):  # the text is the value: one column serves as both
            q.selects.append(f"{s} AS {typed}")
            raw = typed
        else:
            q.selects.append(f"{s} AS {raw}")
        if f.type in ("id", "text"):
            if q.has(f.name) and not (contract.kind in DEVICE_KINDS and f.name == "asset_id"):
                q.errors.append(text_errors(raw, f.name, f.max_length or 1000))
            elif q.has(f.name):  # usage asset ids must match a registered asset anyway
                q.errors.append(
                    f"CASE WHEN length({raw}) > {f.max_length} THEN {err('row.too_long', f.name, f'length({raw})', str(f.max_length))} END"
                )
        elif f.type == "int":
            q.selects.append(f"{int_expr(s)} AS {typed}")
            q.errors.append(f"""CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err("row.bad_int", f.name, raw)}
                                     WHEN {typed} <= 0 THEN {err("row.not_positive", f.name, raw)} END""")
        elif f.type == "decimal":
            q.selects.append(f"{amount_expr(s)} AS {typed}")
            q.errors.append(f"""CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err("row.bad_number", f.name, raw)}
                                     WHEN {typed} < 0 THEN {err("row.negative", f.name, raw)} END""")
        elif f.type in ("hours", "minutes", "date") and q.engine_typed(f.name):
            q.selects[-1] = f"{s} AS {typed}"  # the engine parsed the column: one column, no text copy
            q.errors.append(_range_check(f, typed, typed))
            raw = typed
        elif f.type in ("hours", "minutes"):
            q.selects.append(f"{number_expr(s)} AS {typed}")
            q.errors.append(_range_check(f, raw, typed))
        elif f.type == "date":
            q.selects.append(f"{date_expr(s, excel)} AS {typed}")
            q.errors.append(_range_check(f, raw, typed))
        elif f.type == "timestamp":
            q.selects.append(f"{timestamp_expr(s, excel)} AS {typed}")
            q.errors.append(
                f"""CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err("row.bad_timestamp", f.name, raw)}
                         WHEN {typed} < TIMESTAMP '1980-01-01' OR {typed} >= TIMESTAMP '2101-01-01' THEN {err("row.implausible_date", f.name, raw)}
                         WHEN CAST({typed} AS DATE) > current_date + 1 THEN {err("row.future_date", f.name, raw)} END"""
            )
        elif f.type == "currency":
            q.params["default_currency"] = default_currency
            names = ", ".join(f"'{k}': '{v}'" for k, v in CURRENCY_NAMES.items())
            q.selects.append(f"coalesce(MAP {{{names}}}[{s}], upper({s}), $default_currency) AS {typed}")
            q.errors.append(
                f"CASE WHEN {raw} IS NOT NULL AND NOT regexp_full_match({typed}, '[A-Z]{{3}}') THEN {err('row.bad_currency', f.name, raw)} END"
            )
        elif f.type == "category":
            q.selects.append(f"{_vocabulary_join(db, q, f.name, normalise_category, pa.string())} AS {typed}")
            q.errors.append(text_errors(raw, f.name, f.max_length or 1000))
        elif f.type == "status":
            q.selects.append(f"{_vocabulary_join(db, q, f.name, normalise_status, pa.string())} AS {typed}")
            q.errors.append(f"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err('row.bad_status', f.name, raw)} END")
        elif f.type == "meter":  # a known meter's canonical name, else the folded text (checked against the category later)
            q.selects.append(f"{_vocabulary_join(db, q, f.name, normalise_meter, pa.string())} AS {typed}")
            q.errors.append(text_errors(raw, f.name, f.max_length or 1000))
            if f.required:  # a placeholder such as "-" names no meter: as empty as a blank cell
                q.errors.append(f"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err('row.required', f.name)} END")
        elif f.type == "counter":
            plain = f"replace({s}, ',', '')"  # thousands separators, as spreadsheets write counters
            q.selects.append(f"{number_expr(plain)} AS {typed}")
            q.errors.append(f"""CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err("row.bad_number", f.name, raw)}
                                     WHEN {typed} < 0 THEN {err("row.negative", f.name, raw)} END""")
        elif f.type == "bool":
            q.selects.append(f"{_vocabulary_join(db, q, f.name, normalise_bool, pa.bool_())} AS {typed}")
            q.errors.append(f"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err('row.bad_bool', f.name, raw)} END")
        else:  # pragma: no cover - every contract type is handled above
            raise AssertionError(f.type)
        q.raw_names[f.name] = raw
        q.field_errors[f.name] = q.errors[before:]
        if f.required:
            q.errors.insert(0, f"CASE WHEN {raw} IS NULL THEN {err('row.required', f.name)} END")
    _kind_checks(q)
    return q


def _range_check(f, raw: str, typed: str) -> str:
    """Unreadable, negative or out-of-range values of a number or date field."""
    if f.type == "date":
        return f"""CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {err("row.bad_date", f.name, raw)}
                        WHEN {typed} < DATE '1980-01-01' OR {typed} >= DATE '2101-01-01' THEN {err("row.implausible_date", f.name, raw)} END"""
    limit, over = (24, "row.hours_over_24") if f.type == "hours" else (1440, "row.minutes_over_day")
    return f"""CASE WHEN {raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed})) THEN {err("row.bad_number", f.name, raw)}
                    WHEN {typed} < 0 THEN {err("row.negative", f.name, raw)}
                    WHEN {typed} > {limit} THEN {err(over, f.name, raw)} END"""


def engine_types(staged: StagedFile, match: HeaderMatch) -> dict[int, str]:
    """Columns of a CSV whose sampled values the engine's own parser reads exactly as the tracker would.

    ISO dates become DATE and plain decimals DOUBLE; a value the engine cannot read later in the file
    sends the whole upload back to the text path (see ingest), so results never depend on this choice.
    """
    if staged.file_format != "csv" or not staged.sample:
        return {}
    patterns = {"date": r"\d{4}-\d{2}-\d{2}", "hours": r"\d{1,4}(\.\d+)?", "minutes": r"\d{1,4}(\.\d+)?"}
    types: dict[int, str] = {}
    for f in match.contract.fields:
        pos = match.column_of(f.name)
        if pos is None or f.type not in patterns:
            continue
        values = [row[pos] for row in staged.sample if pos < len(row) and row[pos] != ""]
        if values and all(re.fullmatch(patterns[f.type], v) for v in values):
            types[pos] = "DATE" if f.type == "date" else "DOUBLE"
    return types


def _kind_checks(q: TypedQuery) -> None:
    """Checks that involve several fields of one row."""
    contract = q.match.contract
    if contract.kind == "procurement":
        price, total = q.raw_names["unit_price"], q.raw_names["total_amount"]
        # an OCDS contract value covering several items leaves each line's price unknown: kept, never guessed
        covered = f" AND {q.raw_names['order_total_amount']} IS NULL" if q.staged.shape_hint == "ocds" else ""
        q.errors.append(f"CASE WHEN {price} IS NULL AND {total} IS NULL{covered} THEN {err('row.required', 'unit_price')} END")
    if contract.kind in DEVICE_KINDS:
        device = " AND ".join(f"{q.raw_names[f]} IS NULL" for f in DEVICE_FIELDS)
        shown = next((f for f in DEVICE_FIELDS if q.has(f)), "asset_id")
        q.errors.append(f"CASE WHEN {device} THEN {err('row.required', shown)} END")
    if contract.kind == "usage":
        kinds = ", ".join(f"'{k}'" for k in EVIDENCE_KINDS)
        q.errors.append(
            f"CASE WHEN evidence IS NOT NULL AND lower(evidence) NOT IN ({kinds}) THEN {err('row.bad_evidence', 'evidence', 'evidence')} END"
        )
    if contract.shape == "daily":
        hours, minutes = q.raw_names["hours_used"], q.raw_names["minutes_used"]
        q.errors.append(
            f"CASE WHEN {hours} IS NULL AND {minutes} IS NULL AND lower(coalesce(evidence, '')) <> 'seen' "
            f"THEN {err('row.required', 'hours_used')} END"
        )


def resolve_devices(db: Database, base: str, scope_agency: str | None = None) -> None:
    """Fill in the asset of usage rows that name a device by serial number or host name, in one statement.

    A row's asset is its asset id, else the assets whose serial number matches (case-insensitive),
    else those whose host name matches (case-insensitive, the part before the first dot). The number
    of assets found is kept in `_device_matches` (NULL when the row gave an asset id): 0 and 2 or more
    are rejected by the cross checks.

    An agency's upload (`scope_agency`) is matched against that agency's own assets only: a serial or
    host name registered to another agency is unmatched, exactly like one registered nowhere, so the
    upload neither learns that the device exists elsewhere nor stores usage against it.
    """
    assert_safe_name(base)
    scoped = "" if scope_agency is None else " AND a.agency_code = $scope"
    params = {} if scope_agency is None else {"scope": scope_agency}
    db.execute(f"ALTER TABLE {base} ADD COLUMN _device_matches INTEGER", name="device matches column")
    db.execute(
        f"""UPDATE {base} AS b SET asset_id = m.found, _device_matches = m.n
            FROM (
                WITH devices AS (
                    SELECT DISTINCT serial_number, hostname FROM {base}
                    WHERE asset_id IS NULL AND (serial_number IS NOT NULL OR hostname IS NOT NULL)
                ), by_serial AS (
                    SELECT d.serial_number, d.hostname, count(a.asset_id) AS n, min(a.asset_id) AS found
                    FROM devices AS d LEFT JOIN assets AS a
                      ON d.serial_number IS NOT NULL AND lower(a.serial_number) = lower(d.serial_number){scoped}
                    GROUP BY ALL
                ), by_host AS (
                    SELECT d.serial_number, d.hostname, count(a.asset_id) AS n, min(a.asset_id) AS found
                    FROM devices AS d LEFT JOIN assets AS a
                      ON d.hostname IS NOT NULL
                     AND lower(split_part(a.hostname, '.', 1)) = lower(split_part(d.hostname, '.', 1)){scoped}
                    GROUP BY ALL
                )
                SELECT s.serial_number, s.hostname,
                       CASE WHEN s.n > 0 THEN s.n ELSE h.n END AS n,
                       CASE WHEN s.n = 1 THEN s.found WHEN s.n = 0 AND h.n = 1 THEN h.found END AS found
                FROM by_serial AS s JOIN by_host AS h
                  ON s.serial_number IS NOT DISTINCT FROM h.serial_number AND s.hostname IS NOT DISTINCT FROM h.hostname
            ) AS m
            WHERE b.asset_id IS NULL AND b.serial_number IS NOT DISTINCT FROM m.serial_number
              AND b.hostname IS NOT DISTINCT FROM m.hostname""",
        params,
        name="match devices to assets",
    )


ERRORS_DDL = "CREATE TEMP TABLE {name} (_row BIGINT, e STRUCT(code VARCHAR, field VARCHAR, value VARCHAR, other VARCHAR))"


def typed_sql(q: TypedQuery, target: str) -> str:
    """CREATE TEMP TABLE target with raw_* text, typed fields, extra JSON and a `_blank` flag, in file order."""
    return f"CREATE TEMP TABLE {target} AS {typed_select(q)}"


def typed_select(q: TypedQuery, extra_columns: str = "") -> str:
    """SELECT of raw_* text, typed fields, extra JSON and a `_blank` flag, in file order, over `{source}`.

    The inner query cleans each cell once (`t0..tN`); the typed expressions then read the clean text.
    `extra_columns`: more output columns (SQL ending in a comma), e.g. constants a later step expects.
    """
    width = len(q.staged.headers)
    source_row = "src._row AS _source_row, " if q.staged.row_offset is None else ""
    engine = q.staged.engine_types
    cells = ", ".join(f"src.c{i} AS t{i}" if i in engine else f"{cell_text(f'src.c{i}')} AS t{i}" for i in range(width))
    extras = sorted(q.match.extras.items())
    if extras:
        pairs = []
        for i, (pos, header) in enumerate(extras):
            q.params[f"x{i}"] = header
            pairs.append(f"$x{i}, s.t{pos}")
        extra_sql = f"json_object({', '.join(pairs)})"
    else:
        extra_sql = "CAST(NULL AS JSON)"
    keep_source_row = "s._source_row, " if source_row else ""
    # a row is blank when every cell is empty or spaces; AND stops at the first filled cell
    blank = " AND ".join(f"s.t{i} IS NULL" for i in range(width))
    return f"""
        SELECT {keep_source_row}{extra_columns}{blank} AS _blank, {", ".join(q.selects)}, {extra_sql} AS extra
        FROM (SELECT {source_row}{cells} FROM {{source}} AS src) AS s
        {" ".join(q.joins)}
    """


def typed_view_sql(q: TypedQuery, base: str, view: str, shifts_table: str | None = None) -> str:
    """The typed rows without blank lines, each with `_row`, its row number as a spreadsheet shows it.

    `shifts_table` (CSV files with empty lines only) holds, per empty line, the record index from
    which later rows move down one more row.
    """
    if q.staged.row_offset is None:
        return (
            f"CREATE TEMP VIEW {view} AS SELECT _source_row AS _row, * EXCLUDE (_blank, _source_row) FROM {base} WHERE NOT _blank"
        )
    offset = int(q.staged.row_offset)  # CSV: rows keep file order, so the position gives the row number
    if shifts_table is None:
        return f"CREATE TEMP VIEW {view} AS SELECT rowid + {offset} AS _row, * EXCLUDE (_blank) FROM {base} WHERE NOT _blank"
    return f"""CREATE TEMP VIEW {view} AS
        SELECT b.rowid + {offset} + coalesce(shift.shift, 0) AS _row, b.* EXCLUDE (_blank)
        FROM {base} AS b ASOF LEFT JOIN {shifts_table} AS shift ON b.rowid >= shift.from_record
        WHERE NOT b._blank"""


def insert_errors_sql(checks: list[str], source: str, errors_table: str, joins: str) -> str:
    """INSERT one row per failed check into the errors table (each check is a CASE giving an error or NULL).

    Rows are kept only when some check fails, so the list of errors is built for those rows alone.
    """
    names = [f"_check{i}" for i in range(len(checks))]
    computed = ", ".join(f"({check}) AS {name}" for check, name in zip(checks, names))
    return f"""
        INSERT INTO {errors_table}
        SELECT _row, unnest(list_filter([{", ".join(names)}], lambda e: e IS NOT NULL))
        FROM (SELECT t._row, {computed} FROM {source} AS t {joins})
        WHERE coalesce({", ".join(names)}) IS NOT NULL
    """


_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def assert_safe_name(name: str) -> str:
    """Guard for table names built by the tracker itself (never from user input)."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe identifier {name!r}")
    return name
