"""SQL expressions that type one staged text cell and describe what is wrong with it.

Each returns SQL text built only from fixed patterns and column names the contracts declare (never a value from a
file): a date in the formats the contracts accept (Excel serials and day-first or month-first orders included), an
amount with its currency sign, a whole number or a number, and the checks of free text (length, formula prefixes).
`err` writes the error struct (code, field, value, other) every check produces.
"""

from __future__ import annotations

from tracker.text.tables import FORMULA_PREFIXES, SIGN_PREFIXES

DMY_PATTERN = r"\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})"
AMOUNT_PATTERN = r"[-]?[¥￥$€£]?\s*[-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*元?"
CURRENCY_NAMES = {
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "US$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
}


def err(code: str, field_name: str, value_sql: str = "NULL", other_sql: str = "NULL") -> str:
    """SQL for one error struct; code and field come from fixed lists in this module."""
    return (
        f"struct_pack(code := '{code}', field := '{field_name}', "
        f"value := CAST({value_sql} AS VARCHAR), other := CAST({other_sql} AS VARCHAR))"
    )


def as_flag(check_sql: str) -> str:
    """The same check giving true instead of its error struct (NULL still means no problem).

    For a statement that only needs to know whether a row has a problem: building the structs of a
    dozen checks for every row costs the engine far more than comparing the values. Each `err(...)`
    in the text becomes `true`; quoted text (codes, field names) is skipped while matching brackets.
    """
    out: list[str] = []
    start = 0
    while (found := check_sql.find("struct_pack(", start)) >= 0:
        out.append(check_sql[start:found])
        depth, quoted, i = 0, False, found + len("struct_pack")
        while True:
            ch = check_sql[i]
            if ch == "'":
                quoted = not quoted
            elif not quoted and ch == "(":
                depth += 1
            elif not quoted and ch == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        out.append("true")
        start = i + 1
    return "".join(out) + check_sql[start:]


def day_month_expr(s: str, order: str) -> str:
    """SQL DATE from d/m/y or m/d/y text (2-digit years: 00-69 are 2000s, 70-99 are 1900s)."""
    day, month = ("p[1]", "p[2]") if order == "dmy" else ("p[2]", "p[1]")
    first = f"split_part({s}, ' ', 1)"
    year = "CAST(p[3] AS INTEGER)"
    return f"""(SELECT CASE WHEN regexp_full_match({first}, '{DMY_PATTERN}') THEN
                  TRY_CAST(printf('%04d-%02d-%02d',
                      CASE WHEN length(p[3]) = 2 THEN CASE WHEN {year} < 70 THEN 2000 ELSE 1900 END + {year} ELSE {year} END,
                      CAST({month} AS INTEGER), CAST({day} AS INTEGER)) AS DATE) END
                FROM (SELECT string_split(regexp_replace({first}, '[.\\-]', '/', 'g'), '/') AS p))"""


def date_expr(s: str, excel: bool) -> str:
    """SQL DATE from text in ISO, YYYY/MM/DD, YYYY年MM月DD日, dotted, YYYYMMDD, or an Excel serial."""
    parts = [
        # the engine's own cast reads year-first dates fast; a year below 1000 means it misread d/m/y text
        f"CASE WHEN TRY_CAST({s} AS DATE) >= DATE '1000-01-01' THEN TRY_CAST({s} AS DATE) END",
        f"CASE WHEN regexp_matches({s}, '^\\d{{4}}/') THEN CAST(try_strptime(split_part({s}, ' ', 1), '%Y/%m/%d') AS DATE) END",
        f"CASE WHEN regexp_matches({s}, '^\\d{{4}}年') THEN CAST(try_strptime({s}, '%Y年%m月%d日') AS DATE) END",
        f"CASE WHEN regexp_matches({s}, '^\\d{{4}}\\.') THEN CAST(try_strptime(split_part({s}, ' ', 1), '%Y.%m.%d') AS DATE) END",
        f"CASE WHEN regexp_full_match({s}, '\\d{{8}}') THEN CAST(try_strptime({s}, '%Y%m%d') AS DATE) END",
    ]
    if excel:
        parts.append(
            f"CASE WHEN regexp_full_match({s}, '\\d{{4,5}}(\\.\\d+)?') AND TRY_CAST({s} AS DOUBLE) BETWEEN 1 AND 80000 "
            f"THEN DATE '1899-12-30' + CAST(floor(CAST({s} AS DOUBLE)) AS INTEGER) END"
        )
    return "coalesce(" + ", ".join(parts) + ")"


def timestamp_expr(s: str, excel: bool) -> str:
    """SQL TIMESTAMP (local to $tz) from ISO text with or without offset, or Y/M/D forms."""
    parts = [
        f"CASE WHEN regexp_matches({s}, '(Z|[+\\-]\\d{{2}}:?\\d{{2}})$') "
        f"AND TRY_CAST({s} AS TIMESTAMPTZ) >= TIMESTAMPTZ '1000-01-01 00:00:00+00' "
        f"THEN timezone($tz, TRY_CAST({s} AS TIMESTAMPTZ)) END",
        f"CASE WHEN TRY_CAST({s} AS TIMESTAMP) >= TIMESTAMP '1000-01-01' THEN TRY_CAST({s} AS TIMESTAMP) END",
        f"try_strptime({s}, '%Y/%m/%d %H:%M:%S')",
        f"try_strptime({s}, '%Y/%m/%d %H:%M')",
        f"try_strptime({s}, '%Y年%m月%d日 %H:%M:%S')",
        f"try_strptime({s}, '%Y年%m月%d日 %H:%M')",
    ]
    if excel:
        parts.append(
            f"CASE WHEN regexp_full_match({s}, '\\d{{4,5}}(\\.\\d+)?') "
            f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST({s} AS DOUBLE) * 86400000000) AS BIGINT)) END"
        )
    return "coalesce(" + ", ".join(parts) + ")"


def amount_expr(s: str) -> str:
    cleaned = f"regexp_replace(regexp_replace({s}, '[¥￥$€£,\\s元]', '', 'g'), '^-?', '')"
    sign = f"CASE WHEN strpos({s}, '-') > 0 THEN -1 ELSE 1 END"
    return f"CASE WHEN regexp_full_match({s}, '{AMOUNT_PATTERN}') THEN {sign} * TRY_CAST({cleaned} AS DECIMAL(18, 2)) END"


def int_expr(s: str) -> str:
    return (
        f"CASE WHEN regexp_full_match(replace({s}, ',', ''), '[-+]?\\d{{1,12}}') THEN CAST(replace({s}, ',', '') AS BIGINT) END"
    )


def number_expr(s: str) -> str:
    return f"CASE WHEN isfinite(TRY_CAST({s} AS DOUBLE)) THEN TRY_CAST({s} AS DOUBLE) END"


def _sql_chars(chars: tuple[str, ...]) -> str:
    """SQL literals of single characters: 'x', or chr(n) for a control character."""
    return ", ".join(f"chr({ord(c)})" if not c.isprintable() else "'" + c.replace("'", "''") + "'" for c in chars)


_FORMULA_STARTS = _sql_chars(tuple(c for c in FORMULA_PREFIXES if c not in SIGN_PREFIXES))
_SIGN_STARTS = _sql_chars(SIGN_PREFIXES)


def text_errors(s: str, f_name: str, limit: int) -> str:
    """Errors of a free-text or identifier field: too long, formula-looking, control characters."""
    return f"""CASE
        WHEN {s} IS NULL THEN NULL
        WHEN length({s}) > {int(limit)} THEN {err("row.too_long", f_name, f"length({s})", str(int(limit)))}
        WHEN left({s}, 1) IN ({_FORMULA_STARTS})
             OR (left({s}, 1) IN ({_SIGN_STARTS}) AND regexp_matches({s}, '[=(!|;*/^&]|\\d\\s*[+\\-]|^[+\\-]\\s*[A-Za-z]'))
             THEN {err("row.formula", f_name, f"left({s}, 40)")}
        WHEN regexp_matches({s}, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]') THEN {err("row.control_chars", f_name)}
    END"""
