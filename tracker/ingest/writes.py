"""Set-based SQL of an upload after typing: checks across rows, final rows, and the upsert itself.

Table and column names here come from fixed lists in this module and from names the ingest
generates (`typed_<hex>`); every value from a file or a user is bound as a parameter.
"""

from __future__ import annotations

from tracker.domain.meters import CATEGORY_METERS
from tracker.ingest.contracts import DEVICE_KINDS, Contract
from tracker.ingest.sql_types import err
from tracker.ingest.validate import assert_safe_name
from tracker.store import usage_months
from tracker.store.assignments import start_holdings
from tracker.store.db import Database

TARGETS = {
    "procurement": "procurement_lines",
    "assets": "assets",
    "usage": "usage_daily",
    "meters": "meter_readings",
    "requests": "purchase_requests",
}
KEYS = {
    "requests": ("agency_code", "request_id"),
    "procurement": ("agency_code", "ocid", "po_number", "line_no"),
    "assets": ("asset_id",),
    "usage": ("asset_id", "usage_date", "source"),
    "meters": ("asset_id", "meter", "read_at"),
}
COLUMNS = {
    "procurement": (
        "agency_code",
        "ocid",
        "po_number",
        "line_no",
        "agency_name",
        "supplier",
        "item_description",
        "category",
        "category_raw",
        "classification_code",
        "classification_scheme",
        "quantity",
        "unit_price",
        "total_amount",
        "order_total_amount",
        "currency",
        "order_date",
        "delivery_date",
        "funding_source",
        "extra",
    ),
    "assets": (
        "asset_id",
        "agency_code",
        "department",
        "category",
        "category_raw",
        "model",
        "serial_number",
        "hostname",
        "ocid",
        "po_number",
        "line_no",
        "purchase_cost",
        "purchase_date",
        "in_service_date",
        "status",
        "status_raw",
        "disposal_date",
        "location",
        "standby",
        "extra",
    ),
    "usage": ("asset_id", "usage_date", "source", "hours_used", "evidence", "extra"),
    "meters": ("asset_id", "meter", "read_at", "value", "source", "extra"),
    "requests": (
        "agency_code",
        "request_id",
        "category",
        "category_raw",
        "quantity",
        "needed_by",
        "unit_budget",
        "justification",
        "extra",
    ),
}

# Final values of each kind, from the typed columns (defaults and derived values applied).
FINAL_SELECT = {
    "procurement": """
        agency_code, coalesce(ocid, '') AS ocid, po_number, coalesce(line_no, 1) AS line_no, agency_name, supplier,
        item_description, category, raw_category AS category_raw, classification_code, classification_scheme,
        quantity,
        CAST(coalesce(unit_price, total_amount / quantity) AS DECIMAL(18, 2)) AS unit_price,
        CAST(coalesce(total_amount, unit_price * quantity) AS DECIMAL(18, 2)) AS total_amount,
        CAST(order_total_amount AS DECIMAL(18, 2)) AS order_total_amount, currency, order_date, delivery_date, funding_source, extra, _row AS source_row""",
    "assets": """
        asset_id, agency_code, department, category, raw_category AS category_raw, model, serial_number, hostname, ocid,
        po_number, line_no, purchase_cost, purchase_date, coalesce(in_service_date, purchase_date) AS in_service_date,
        coalesce(status, CASE WHEN standby THEN 'standby' ELSE 'in_use' END) AS status, raw_status AS status_raw,
        disposal_date, location, coalesce(standby, status = 'standby', false) AS standby, extra, _row AS source_row""",
    "requests": """
        agency_code, request_id, category, raw_category AS category_raw, quantity, needed_by,
        CAST(unit_budget AS DECIMAL(18, 2)) AS unit_budget, justification, extra, _row AS source_row""",
    "daily": """
        asset_id, usage_date, coalesce(source, '') AS source,
        CASE WHEN lower(evidence) = 'seen' THEN NULL ELSE round(coalesce(hours_used, minutes_used / 60.0), 4) END AS hours_used,
        coalesce(lower(evidence), 'usage') AS evidence, extra, _row AS source_row""",
    "meters": """asset_id, meter, read_at, value, coalesce(source, '') AS source, extra, _row AS source_row""",
}
DEDUP_KEY = {  # "{t}" is replaced by a table alias and a dot, or by nothing
    "procurement": ("{t}agency_code", "coalesce({t}ocid, '')", "{t}po_number", "coalesce({t}line_no, 1)"),
    "assets": ("{t}asset_id",),
    "requests": ("{t}agency_code", "{t}request_id"),
    "daily": ("{t}asset_id", "{t}usage_date", "coalesce({t}source, '')"),
    "meters": ("{t}asset_id", "{t}meter", "{t}read_at"),
}


def key_columns(shape: str, alias: str = "") -> list[str]:
    return [k.replace("{t}", f"{alias}." if alias else "") for k in DEDUP_KEY[shape]]


# Value columns whose difference makes two rows with one key a conflict.
CONFLICT_VALUES = {
    "procurement": "agency_name, supplier, item_description, category, classification_code, quantity, unit_price, "
    "total_amount, order_total_amount, currency, order_date, delivery_date, funding_source",
    "assets": "agency_code, department, category, model, serial_number, hostname, ocid, po_number, line_no, purchase_cost, "
    "purchase_date, in_service_date, status, disposal_date, location, standby",
    "requests": "category, quantity, needed_by, unit_budget, justification",
    "daily": "coalesce(hours_used, minutes_used / 60.0), lower(evidence)",
    "meters": "value",
}


def _shape_key(contract: Contract) -> str:
    return contract.kind if contract.kind != "usage" else contract.shape


def cross_checks(contract: Contract, scope_agency: str | None) -> tuple[list[str], list[str], dict[str, object]]:
    """Checks between fields and against the database: (checks, joins, parameters) for one scan with the row checks.

    Joined tables expose only prefixed names, so the row checks' bare column names stay unambiguous.
    """
    checks: list[str] = []
    joins: list[str] = []
    params: dict[str, object] = {}
    if scope_agency is not None:
        params["scope"] = scope_agency
    if contract.kind in ("procurement", "assets", "requests") and scope_agency is not None:
        checks.append(
            f"CASE WHEN t.agency_code <> $scope THEN {err('row.other_agency', 'agency_code', 't.agency_code', '$scope')} END"
        )
    if contract.kind == "procurement":
        checks.append(f"""CASE WHEN t.unit_price IS NOT NULL AND t.total_amount IS NOT NULL AND t.quantity IS NOT NULL
                  AND abs(t.total_amount - t.quantity * t.unit_price) > 0.01 * greatest(abs(t.total_amount), abs(t.quantity * t.unit_price)) + 0.005
                 THEN {err("row.total_mismatch", "total_amount", "t.raw_total_amount", "CAST(t.quantity * t.unit_price AS DECIMAL(18, 2))")} END""")
        checks.append(
            f"CASE WHEN t.delivery_date < t.order_date THEN {err('row.delivery_before_order', 'delivery_date', 't.delivery_date', 't.order_date')} END"
        )
    if contract.kind == "assets":
        checks.append(f"""CASE WHEN t.disposal_date < coalesce(t.in_service_date, t.purchase_date)
                 THEN {err("row.disposal_before_service", "disposal_date", "t.disposal_date", "coalesce(t.in_service_date, t.purchase_date)")} END""")
        if scope_agency is not None:
            joins.append(KNOWN_ASSETS)
            checks.append(
                f"CASE WHEN known.known_agency <> $scope THEN {err('row.asset_id_not_yours', 'asset_id', 't.asset_id')} END"
            )
        # a device moved by an approved transfer: its register row names the agency holding it now
        joins.append(TRANSFERRED_ASSETS)
        checks.append(
            f"CASE WHEN moved.moved_agency <> t.agency_code THEN {err('row.transferred_elsewhere', 'agency_code', 't.agency_code', 'moved.moved_agency')} END"
        )
        joins.append("""LEFT JOIN (SELECT agency_code AS multi_agency, po_number AS multi_po, list(DISTINCT ocid ORDER BY ocid) AS multi_ocids
                                   FROM procurement_lines GROUP BY ALL HAVING count(DISTINCT ocid) > 1) AS multi
                        ON multi.multi_agency = t.agency_code AND multi.multi_po = t.po_number AND t.ocid IS NULL""")
        checks.append(
            f"CASE WHEN multi.multi_ocids IS NOT NULL THEN {err('row.ambiguous_po', 'po_number', 't.po_number', 'array_to_string(multi.multi_ocids, chr(44) || chr(32))')} END"
        )
    if contract.kind in DEVICE_KINDS:
        joins.append(KNOWN_ASSETS)
        # an agency's upload is matched against its own assets only (validate.resolve_devices), and told so;
        # the error names the column the row gave: the host name when it has one, else its serial number
        unmatched = "row.unknown_device" if scope_agency is None else "row.device_not_your_agency"
        checks.append(f"""CASE WHEN t._device_matches = 0 AND t.hostname IS NOT NULL THEN {err(unmatched, "hostname", "t.hostname")}
                   WHEN t._device_matches = 0 THEN {err(unmatched, "serial_number", "t.serial_number")}
                   WHEN t._device_matches > 1 AND t.hostname IS NOT NULL
                       THEN {err("row.ambiguous_device", "hostname", "t.hostname", "t._device_matches")}
                   WHEN t._device_matches > 1
                       THEN {err("row.ambiguous_device", "serial_number", "t.serial_number", "t._device_matches")} END""")
        if scope_agency is None:
            checks.append(
                f"CASE WHEN t.asset_id IS NOT NULL AND known.known_asset IS NULL THEN {err('row.unknown_asset', 'asset_id', 't.asset_id')} END"
            )
        else:  # an agency user is told the same of an asset that does not exist and of another agency's asset
            checks.append(
                f"""CASE WHEN t.asset_id IS NOT NULL AND (known.known_asset IS NULL OR known.known_agency <> $scope)
                         THEN {err("row.asset_not_your_agency", "asset_id", "t.asset_id")} END"""
            )
    if contract.kind == "meters":
        checks.append(_meter_check())
    if contract.shape == "daily":
        checks.append(f"CASE WHEN t.usage_date > current_date THEN {err('row.future_date', 'usage_date', 't.usage_date')} END")
    if contract.shape == "sessions":
        checks.append(f"""CASE WHEN t.end_time < t.start_time THEN {err("row.end_before_start", "end_time", "t.end_time", "t.start_time")}
                   WHEN t.end_time - t.start_time > INTERVAL 366 DAY THEN {err("row.session_too_long", "end_time", "t.end_time", "t.start_time")} END""")
    return checks, joins, params


TRANSFERRED_ASSETS = (
    "LEFT JOIN (SELECT asset_id AS moved_asset, agency_code AS moved_agency FROM asset_assignments "
    "WHERE valid_to IS NULL AND transfer_id IS NOT NULL) AS moved ON moved.moved_asset = t.asset_id"
)
KNOWN_ASSETS = (
    "LEFT JOIN (SELECT asset_id AS known_asset, agency_code AS known_agency, category AS known_category FROM assets) AS known "
    "ON known.known_asset = t.asset_id"
)


def _meter_check() -> str:
    """A meter the asset's category does not know is refused, naming the ones it knows (fixed lists, no input)."""
    cases = " ".join(f"WHEN '{category}' THEN {_sql_list(meters)}" for category, meters in CATEGORY_METERS.items())
    known = f"CASE known.known_category {cases} ELSE [] END"
    return f"""CASE WHEN known.known_asset IS NOT NULL AND t.meter IS NOT NULL AND NOT list_contains({known}, t.meter)
                 THEN {err("row.unknown_meter", "meter", "t.raw_meter", "known.known_category || ': ' || coalesce(nullif(array_to_string(" + known + ", ', '), ''), '—')")} END"""


def _sql_list(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{n}'" for n in names) + "]"


def duplicate_checks(db: Database, contract: Contract, typed: str, errors: str) -> bool:
    """Rows sharing a key with different values are all rejected; identical repeats are kept once.

    Returns whether identical repeats exist. Candidates are found by grouping on one 64-bit hash
    of the key (cheap on millions of rows); only candidate rows are then grouped on the real key.
    """
    assert_safe_name(typed)
    assert_safe_name(errors)
    shape = _shape_key(contract)
    if shape == "sessions":
        return False  # overlapping sessions are merged, not refused
    keys = key_columns(shape)
    if not may_repeat(db, typed, shape, keys):
        return False
    candidates = f"{typed}_dup_hashes"
    db.execute(
        f"""CREATE TEMP TABLE {candidates} AS
            SELECT h FROM (SELECT hash({", ".join(keys)}) AS h FROM {typed}) GROUP BY h HAVING count(*) > 1""",
        name="find duplicate keys",
    )
    try:
        if not db.scalar(f"SELECT count(*) FROM {candidates}", name="count duplicate candidates"):
            return False
        key_select = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        groups = f"""
            SELECT {", ".join(f"k{i}" for i in range(len(keys)))}, count(DISTINCT hash({CONFLICT_VALUES[shape]})) AS variants,
                   list(_row ORDER BY _row) AS rows, count(*) AS n
            FROM (SELECT {key_select}, * FROM {typed} WHERE hash({", ".join(keys)}) IN (SELECT h FROM {candidates}))
            GROUP BY ALL HAVING count(*) > 1"""
        any_dups, conflicts = db.fetchone(
            f"SELECT count(*), count(*) FILTER (WHERE variants > 1) FROM ({groups})", name="count duplicates"
        )
        if conflicts:
            rows_text = "array_to_string(list_transform(d.rows, lambda r: CAST(r AS VARCHAR)), ', ')"
            db.execute(
                f"""INSERT INTO {errors}
                    SELECT r, {err("row.duplicate_key", "key", "'key'", rows_text)}
                    FROM (SELECT *, unnest(rows) AS r FROM ({groups}) WHERE variants > 1) AS d""",
                name="mark conflicting duplicates",
            )
        return bool(any_dups)
    finally:
        db.execute(f"DROP TABLE IF EXISTS {candidates}", name="drop duplicate candidates")


MAX_BITMAP_DAYS = 4000


def may_repeat(db: Database, typed: str, shape: str, keys: list[str]) -> bool:
    """Whether any key may occur twice; False is exact.

    Daily usage: per asset and source, a bitmap of days (one bit a day) has as many bits set as there
    are rows exactly when no day repeats; grouping by asset is far cheaper than by every key.
    Other kinds: the number of distinct key hashes equals the number of rows.
    """
    if shape == "daily":
        first, last = db.fetchone(f"SELECT min(usage_date), max(usage_date) FROM {typed}", name="usage period")
        if first is not None and (last - first).days < MAX_BITMAP_DAYS:
            return bool(
                db.scalar(
                    f"""SELECT count(*) FROM (
                        SELECT count(usage_date) AS n,
                               bit_count(bitstring_agg(CAST(usage_date - $first AS INTEGER), 0, $span)) AS days
                        FROM {typed} GROUP BY asset_id, coalesce(source, '')) WHERE n <> days""",
                    {"first": first, "span": (last - first).days},
                    name="any repeated days",
                )
            )
    return bool(db.scalar(f"SELECT count(*) - count(DISTINCT hash({', '.join(keys)})) FROM {typed}", name="any repeated keys"))


def build_final(db: Database, contract: Contract, typed: str, errors: str, final: str, dedup_needed: bool) -> None:
    """The rows to store, each marked inserted, replaced or unchanged against the database."""
    assert_safe_name(typed)
    assert_safe_name(final)
    shape = _shape_key(contract)
    kind = contract.kind
    has_errors = db.scalar(f"SELECT count(*) FROM {errors}", name="count errors") > 0
    accepted = f"(SELECT * FROM {typed} ANTI JOIN {errors} USING (_row))" if has_errors else typed
    if shape == "sessions":
        rows_sql = _sessions_to_days(accepted)
    else:
        dedup = (
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(key_columns(shape))} ORDER BY _row) = 1" if dedup_needed else ""
        )
        rows_sql = f"SELECT {FINAL_SELECT[shape]} FROM {accepted} {dedup}"
    target = TARGETS[kind]
    keys = KEYS[kind]
    if shape == "daily" and not _usage_overlaps(db, accepted):
        # nothing stored for these assets and days: every row is new, and nothing needs comparing
        db.execute(f"CREATE TEMP VIEW {final} AS SELECT *, 'inserted' AS _change FROM ({rows_sql})", name="new rows")
        return
    on = " AND ".join(f"e.{k} = f.{k}" for k in keys)
    values = [c for c in COLUMNS[kind] if c not in keys]
    same = " AND ".join(
        f"CAST(e.{c} AS VARCHAR) IS NOT DISTINCT FROM CAST(f.{c} AS VARCHAR)"
        if c == "extra"
        else (
            f"(abs(e.{c} - f.{c}) < 1e-9 OR (e.{c} IS NULL AND f.{c} IS NULL))"
            if c == "hours_used"
            else f"e.{c} IS NOT DISTINCT FROM f.{c}"
        )
        for c in values
    )
    db.execute(
        f"""CREATE TEMP TABLE {final} AS
            SELECT f.*, CASE WHEN e.{keys[0]} IS NULL THEN 'inserted' WHEN {same} THEN 'unchanged' ELSE 'replaced' END AS _change
            FROM ({rows_sql}) AS f LEFT JOIN {target} AS e ON {on}""",
        name="compare with stored rows",
    )


def _usage_overlaps(db: Database, accepted: str) -> bool:
    """Whether any stored usage day shares an asset and falls within the dates of the upload."""
    first, last = db.fetchone(f"SELECT min(usage_date), max(usage_date) FROM {accepted}", name="upload period")
    if first is None:
        return False
    return bool(
        db.scalar(
            f"""SELECT count(*) FROM usage_daily AS u
            SEMI JOIN (SELECT DISTINCT asset_id FROM {accepted}) AS a ON a.asset_id = u.asset_id
            WHERE u.usage_date BETWEEN $first AND $last""",
            {"first": first, "last": last},
            name="stored days overlapping the upload",
        )
    )


def drop_final(db: Database, final: str) -> None:
    """Drop the final rows, a view or a table depending on the path taken."""
    kind = db.scalar("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [final], name="final kind")
    if kind == "VIEW":
        db.execute(f"DROP VIEW {final}", name="drop final view")
    elif kind is not None:
        db.execute(f"DROP TABLE {final}", name="drop final rows")


def _sessions_to_days(accepted: str) -> str:
    """Sessions merged where they overlap (per asset and source), then split at midnight into daily hours."""
    return f"""
        WITH s AS (
            SELECT asset_id, coalesce(source, '') AS source, coalesce(lower(evidence), 'usage') AS evidence,
                   start_time AS st, end_time AS et, extra, _row
            FROM {accepted} WHERE end_time > start_time
        ), ordered AS (
            SELECT *, max(et) OVER (PARTITION BY asset_id, source ORDER BY st, et
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM s
        ), islands AS (
            SELECT *, sum(CASE WHEN prev_end IS NULL OR st > prev_end THEN 1 ELSE 0 END)
                      OVER (PARTITION BY asset_id, source ORDER BY st, et ROWS UNBOUNDED PRECEDING) AS island
            FROM ordered
        ), merged AS (
            SELECT asset_id, source, max(evidence) AS evidence, min(st) AS st, max(et) AS et, min(_row) AS source_row,
                   list(DISTINCT CAST(extra AS VARCHAR)) FILTER (WHERE extra IS NOT NULL) AS extras
            FROM islands GROUP BY asset_id, source, island
        ), days AS (
            SELECT asset_id, source, evidence, st, et, source_row, extras,
                   unnest(generate_series(CAST(CAST(st AS DATE) AS TIMESTAMP),
                                          CAST(CAST(et - INTERVAL 1 MICROSECOND AS DATE) AS TIMESTAMP),
                                          INTERVAL 1 DAY)) AS day_start
            FROM merged
        )
        SELECT asset_id, CAST(day_start AS DATE) AS usage_date, source,
               round(sum(epoch(least(et, day_start + INTERVAL 1 DAY) - greatest(st, day_start))) / 3600.0, 4) AS hours_used,
               max(evidence) AS evidence,
               CASE WHEN count(extras) > 0 THEN CAST(to_json(flatten(list(extras) FILTER (WHERE extras IS NOT NULL))) AS JSON) END AS extra,
               min(source_row) AS source_row
        FROM days GROUP BY asset_id, usage_date, source"""


def apply_changes(db: Database, contract: Contract, final: str, upload_id: int) -> None:
    """Delete the stored rows being replaced, insert new and replacing rows (inside the caller's transaction)."""
    kind = contract.kind
    target = TARGETS[kind]
    keys = KEYS[kind]
    on = " AND ".join(f"t.{k} = f.{k}" for k in keys)
    db.execute(f"DELETE FROM {target} AS t USING {final} AS f WHERE f._change = 'replaced' AND {on}", name="delete replaced rows")
    columns = ", ".join(COLUMNS[kind])
    source_row = ", source_row" if kind != "usage" else ""  # meter readings keep their row too
    db.execute(
        f"INSERT INTO {target} ({columns}, upload_id{source_row}) "
        f"SELECT {columns}, $upload_id{source_row} FROM {final} WHERE _change <> 'unchanged'",
        {"upload_id": upload_id},
        name="insert rows",
    )
    if kind == "usage":  # the monthly roll-ups of the months these rows fall in
        usage_months.refresh(db, f"SELECT asset_id, usage_date FROM {final} WHERE _change <> 'unchanged'")
    if kind == "assets":
        start_holdings(db, final)  # the assignment history follows the register (docs/transfers.md)
    if kind in ("procurement", "assets"):
        name_sql = "max(agency_name)" if kind == "procurement" else "CAST(NULL AS VARCHAR)"
        db.execute(
            f"""INSERT INTO agencies (agency_code, agency_name)
                SELECT agency_code, {name_sql} FROM {final} GROUP BY agency_code
                ON CONFLICT (agency_code) DO UPDATE SET agency_name = coalesce(excluded.agency_name, agencies.agency_name)""",
            name="upsert agencies",
        )


def touched_agencies(db: Database, contract: Contract, final: str) -> list[str]:
    """The agencies whose rows an upload touched (recorded with the upload, used for scoping)."""
    if contract.kind in DEVICE_KINDS:
        sql = f"SELECT DISTINCT a.agency_code FROM (SELECT DISTINCT asset_id FROM {final}) f JOIN assets a USING (asset_id) ORDER BY 1"
    else:
        sql = f"SELECT DISTINCT agency_code FROM {final} ORDER BY 1"
    return [r[0] for r in db.fetchall(sql, name="touched agencies")]
