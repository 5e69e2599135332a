"""Uploads: read, validate, and upsert one file in one transaction, keeping every rejected row.

The flow of docs/data-path.md: stage the file as text, type it and check every row in SQL, check rows
against each other and against the database, then either refuse (all or nothing, the default),
or commit the accepted rows (and, with `partial`, keep the rejected ones tied to the upload).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from tracker.ingest import writes
from tracker.ingest.contracts import CONTRACTS, DEVICE_KINDS, Contract, HeaderMatch, accepted_headers, contract_for, match_headers
from tracker.ingest.direct import direct_applies, ingest_direct, parquet_source
from tracker.ingest.meter_notes import counter_drops
from tracker.ingest.ocds_stage import feed_summary, ocds_upload
from tracker.ingest.readers.csv import with_engine_types
from tracker.ingest.readers.dispatch import stage_file
from tracker.ingest.readers.parquet import check_parquet_rows, parquet_columns
from tracker.ingest.readers.sniff import file_format
from tracker.ingest.readers.staged import StagedFile, query_source
from tracker.ingest.record import (
    BackgroundScan,
    collect_rejects,
    commit_checked,
    previous_upload,
)
from tracker.ingest.report import IngestReport, RowError
from tracker.ingest.validate import (
    ERRORS_DDL,
    TypedQuery,
    build_typed_query,
    engine_types,
    insert_errors_sql,
    registered_views,
    resolve_date_orders,
    resolve_devices,
    typed_sql,
    typed_view_sql,
)
from tracker.store.config import Settings
from tracker.store.db import Database
from tracker.store.progress import Progress, query_progress
from tracker.store.settings import load_settings
from tracker.text.errors import FileRefused
from tracker.text.i18n import Message

__all__ = ["IngestReport", "RowError", "choose_contract", "ingest_file"]

log = logging.getLogger(__name__)


def _kind(kind: str) -> Message:
    """A record kind named in the reader's language when a refusal is shown ("asset register", "资产登记")."""
    return Message(f"kind.{kind}")


def choose_contract(staged: StagedFile, kind: str | None, scope_agency: str | None = None) -> HeaderMatch:
    """The contract the file's headers fit; a clear refusal when required columns are missing.

    An upload limited to one agency may leave out the agency column: the agency is filled in.
    """
    if staged.shape_hint == "ocds" and kind not in (None, "procurement"):
        raise FileRefused("file.ocds_only_procurement", file=staged.file_name, kind=_kind(kind))
    headers = list(staged.headers)
    candidates = contract_for(kind) if kind else CONTRACTS
    matches = [match_headers(headers, c) for c in candidates]
    if scope_agency is not None:
        matches = [replace(m, missing=tuple(f for f in m.missing if f != "agency_code")) for m in matches]
    matches.sort(key=lambda m: (not m.missing, m.score), reverse=True)
    best = matches[0]
    if best.missing:
        complete = [m for m in (match_headers(headers, c) for c in CONTRACTS) if not m.missing and m.score >= 2]
        if kind and complete and complete[0].contract.kind != kind:
            raise FileRefused(
                "file.wrong_kind", file=staged.file_name, detected=_kind(complete[0].contract.kind), expected=_kind(kind)
            )
        if not kind and best.score < 2:
            raise FileRefused("file.kind_unknown", file=staged.file_name)
        raise FileRefused(
            "file.missing_columns",
            file=staged.file_name,
            columns=list(best.missing),
            aliases="; ".join(f"{name}: " + " / ".join(accepted_headers(best.contract, name)[:6]) for name in best.missing),
        )
    if best.conflicts:
        field_name, columns = next(iter(best.conflicts.items()))
        raise FileRefused("file.columns_same_field", file=staged.file_name, columns=columns, field=field_name)
    return best


def ingest_file(
    db: Database,
    kind: str | None,
    path: str | Path,
    *,
    file_name: str | None = None,
    actor: str = "cli",
    agency: str | None = None,
    partial: bool = False,
    dry_run: bool = False,
    date_order: str | None = None,
    progress: Progress | None = None,
    staged: StagedFile | None = None,
) -> IngestReport:
    """Validate one file and, unless it is refused or a dry run, upsert it in one transaction.

    `staged`: the file at `path` as the caller already staged it with the same limits (the upload
    preview reads its first rows from it); the caller releases it. Otherwise the file is staged here.
    """
    path = Path(path)
    name = file_name or path.name
    report_progress = progress or (lambda phase, fraction: None)
    settings = load_settings(db)
    names = _Names(secrets.token_hex(6))
    scanner: BackgroundScan | None = None
    owned = staged is None
    views: list[str] = []
    typing = {"timezone": settings.timezone, "default_currency": settings.currency, "scope_agency": agency}
    direct = {"typing": typing, "settings": settings, "actor": actor, "agency": agency, "progress": progress}
    direct["report_progress"] = report_progress
    try:
        report_progress("read", None)
        if staged is None and not dry_run and file_format(name) == "parquet":
            scanner = BackgroundScan(path, None)
            written = _direct_parquet(db, path, name, kind, names, scanner, direct)
            if written is not None:
                report_progress("done", 1.0)
                return written
        if staged is None:
            with ocds_upload(agency=agency, progress=progress):
                staged = stage_file(
                    db,
                    path,
                    names.stage,
                    file_name=name,
                    max_bytes=settings.max_upload_mb * 1_000_000,
                    max_rows=settings.max_upload_rows,
                )
        scanner = scanner or BackgroundScan(path, staged.newline)
        match = choose_contract(staged, kind, agency)
        contract = match.contract
        if staged.file_format == "csv" and direct_applies(match, staged, dry_run):
            written = ingest_direct(db, staged, match, names.token, scanner=scanner, **direct)
            if written is not None:
                report_progress("done", 1.0)
                return written
        checked = _read_and_check(
            db, staged, match, names, typing, scanner, settings, date_order, progress, report_progress, engine=True
        )
        if checked.rows_rejected and checked.q.staged.engine_types:
            # messages quote values exactly as the user wrote them: a file with problems is read again as text
            _drop_checked(db, names, checked)
            checked = _read_and_check(
                db, staged, match, names, typing, scanner, settings, date_order, progress, report_progress, engine=False
            )
        q, rows_read, rows_rejected, dedup_needed = checked.q, checked.rows_read, checked.rows_rejected, checked.dedup_needed
        views = registered_views(q)
        report = IngestReport(
            kind=contract.kind,
            shape="ocds" if staged.shape_hint == "ocds" else contract.shape,
            file_name=name,
            file_format=staged.file_format,
            sha256="",
            status="",
            rows_read=rows_read,
            rows_accepted=rows_read - rows_rejected,
            rows_rejected=rows_rejected,
            headers=staged.headers,
        )
        if staged.shape_hint == "ocds":
            report.add_feed(feed_summary(db, staged.source_table_hint))
        if contract.kind in DEVICE_KINDS:
            _describe_devices(db, report, staged, match, names)
        if contract.kind == "meters":
            report.source_notes += counter_drops(db, names.typed, names.errors)
        if rows_rejected == rows_read and contract.kind in DEVICE_KINDS:
            _refuse_if_no_asset_is_known(db, names, rows_read, name)
        if rows_rejected:
            collect_rejects(db, report, staged, match, names.errors)
        report.sha256 = scanner.result().sha256
        report.previous_upload = previous_upload(db, report.sha256, contract.kind)
        if rows_rejected and not partial:
            report.status = "dry_run" if dry_run else "rejected"
            if dry_run:
                _classify(db, contract, names, dedup_needed, report)
            return report
        report_progress("compare", None)
        _classify(db, contract, names, dedup_needed, report)
        if dry_run:
            report.status = "dry_run"
            return report
        report_progress("write", None)
        with query_progress(db, progress, "write"):
            commit_checked(db, report, contract, names.final, actor, agency)
        report_progress("done", 1.0)
        return report
    finally:
        if scanner is not None:
            scanner.join()
        _clean_up(db, views, names, staged if owned else None)


def _direct_parquet(
    db: Database, path: Path, name: str, kind: str | None, names: "_Names", scanner: BackgroundScan, direct: dict
) -> IngestReport | None:
    """A Parquet file of daily usage written in place (see tracker.ingest.direct); None when it needs staging.

    Any refusal is left to the full path, which checks the file in its own order and words.
    """
    settings: Settings = direct["settings"]
    if not path.is_file() or not 0 < path.stat().st_size <= settings.max_upload_mb * 1_000_000:
        return None
    try:
        check_parquet_rows(db, path, name, settings.max_upload_rows)
        columns = parquet_columns(db, path, name)
        described = StagedFile("", name, "parquet", tuple(column for column, _ in columns))
        match = choose_contract(described, kind, direct["agency"])
    except FileRefused:
        return None
    if not direct_applies(match, described, False):
        return None
    return ingest_direct(db, parquet_source(path, name, columns, match), match, names.token, scanner=scanner, **direct)


def _clean_up(db: Database, views: list[str], names: "_Names", staged: StagedFile | None) -> None:
    """Drop what the upload staged; a failure here must not hide the upload's own outcome."""
    steps = [lambda v=v: db.unregister(v) for v in views]
    steps.append(lambda: writes.drop_final(db, names.final))
    steps.append(lambda: db.execute(f"DROP VIEW IF EXISTS {names.typed}", name="drop typed view"))
    steps += [
        lambda t=t: db.execute(f"DROP TABLE IF EXISTS {t}", name="drop staging") for t in (names.errors, names.base, names.shifts)
    ]
    if staged is not None:
        steps.append(lambda: staged.release(db))
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001 - logged, and the next step still runs
            log.exception("clean-up after an upload failed")


@dataclass(frozen=True)
class _Names:
    """Names of the temp objects of one upload (generated, never from input)."""

    token: str

    @property
    def stage(self) -> str:
        return f"stage_{self.token}"

    @property
    def final(self) -> str:
        return f"final_{self.token}"

    @property
    def base(self) -> str:
        return f"typed_base_{self.token}"

    @property
    def typed(self) -> str:
        return f"typed_{self.token}"

    @property
    def errors(self) -> str:
        return f"errors_{self.token}"

    @property
    def shifts(self) -> str:
        return f"shifts_{self.token}"

    @property
    def rejects(self) -> str:
        return f"rejects_{self.token}"


@dataclass(frozen=True)
class _Checked:
    """The typed rows of an upload and what the checks found."""

    q: TypedQuery
    rows_read: int
    rows_rejected: int
    dedup_needed: bool


def _read_and_check(
    db: Database,
    staged: StagedFile,
    match: HeaderMatch,
    names: _Names,
    typing: dict,
    scanner: BackgroundScan,
    settings: Settings,
    date_order: str | None,
    progress: Progress | None,
    report_progress: Progress,
    *,
    engine: bool,
) -> _Checked:
    """Read the file into the typed table and record every row's problems in the errors table."""
    contract = match.contract
    with query_progress(db, progress, "read"):
        q = _read_typed(db, staged, match, names.base, names.rejects, typing, engine=engine)
        if contract.kind in DEVICE_KINDS:
            resolve_devices(db, names.base, typing["scope_agency"])
    starts, totals = scanner.result().row_shift_table(staged)
    if starts:
        db.execute(
            f"CREATE TEMP TABLE {names.shifts} AS SELECT unnest($starts) AS from_record, unnest($totals) AS shift",
            {"starts": starts, "totals": totals},
            name="empty lines",
        )
    db.execute(typed_view_sql(q, names.base, names.typed, names.shifts if starts else None), name="typed rows")
    rows_read = db.scalar(f"SELECT count(*) FROM {names.typed}", name="count rows")
    if rows_read == 0 and staged.shape_hint != "ocds":  # a feed without lines holds planned purchases (ocds.check_reading)
        raise FileRefused("file.header_only", file=staged.file_name)
    if rows_read > settings.max_upload_rows:
        raise FileRefused("file.too_many_rows", file=staged.file_name, rows=rows_read, limit=settings.max_upload_rows)
    report_progress("validate", None)
    resolve_date_orders(db, q, names.base, date_order)
    db.execute(ERRORS_DDL.format(name=names.errors), name="errors table")
    checks, joins, params = writes.cross_checks(contract, typing["scope_agency"])
    with query_progress(db, progress, "validate"):
        db.execute(
            insert_errors_sql(q.errors + checks, names.typed, names.errors, " ".join(joins)),
            {**q.params, **params},
            name="check rows",
        )
    dedup_needed = writes.duplicate_checks(db, contract, names.typed, names.errors)
    rows_rejected = db.scalar(f"SELECT count(DISTINCT _row) FROM {names.errors}", name="count rejects")
    return _Checked(q, rows_read, rows_rejected, dedup_needed)


def _describe_devices(db: Database, report: IngestReport, staged: StagedFile, match: HeaderMatch, names: _Names) -> None:
    """The devices a file names and the assets they matched; what an event log or inventory held besides rows."""
    summary = staged.device_summary
    if summary is not None:
        report.intervals = summary.intervals if summary.kind == "event_log" else None
        report.unreadable = list(summary.unreadable)
        report.interval_rows = list(summary.interval_rows)
        report.source_notes = list(summary.notes)
    if match.column_of("hostname") is None and match.column_of("serial_number") is None:
        return
    report.devices = [
        tuple(r)
        for r in db.fetchall(
            f"""SELECT hostname, serial_number, CASE WHEN max(_device_matches) = 1 THEN any_value(asset_id) END,
                       coalesce(max(_device_matches), 1), count(*)
                FROM {names.typed} WHERE hostname IS NOT NULL OR serial_number IS NOT NULL
                GROUP BY ALL ORDER BY 4 = 1, 1, 2""",
            name="devices in the file",
        )
    ]


def _refuse_if_no_asset_is_known(db: Database, names: _Names, rows_read: int, file_name: str) -> None:
    """A usage file none of whose assets is registered is one mistake (the register is missing), not N row errors."""
    unknown = db.scalar(
        f"SELECT count(DISTINCT _row) FROM {names.errors} WHERE e.code IN ('row.unknown_asset', 'row.asset_not_your_agency')",
        name="rows of unknown assets",
    )
    if unknown == rows_read:
        assets = db.scalar(f"SELECT count(DISTINCT asset_id) FROM {names.typed}", name="assets in the file")
        raise FileRefused("file.no_known_assets", file=file_name, assets=assets)


def _drop_checked(db: Database, names: _Names, checked: _Checked) -> None:
    for view in registered_views(checked.q):
        db.unregister(view)
    db.execute(f"DROP VIEW IF EXISTS {names.typed}", name="drop typed view")
    for table in (names.errors, names.shifts, names.base):
        db.execute(f"DROP TABLE IF EXISTS {table}", name="drop checked tables")


def _read_typed(
    db: Database, staged: StagedFile, match: HeaderMatch, base_table: str, rejects: str, typing: dict, *, engine: bool
) -> TypedQuery:
    """Read the file into the typed table: columns the engine can parse itself first, the text path otherwise.

    The fast read is kept only when the engine rejected no value and read no year below 1000
    (day/month text it took for a year-first date); otherwise the whole file is read again as text.
    """
    types = engine_types(staged, match) if engine else {}
    if types:
        fast = with_engine_types(staged, types, rejects)
        q = build_typed_query(db, fast, match, **typing)
        try:
            query_source(db, fast, typed_sql(q, base_table), q.params, name="read and type rows")
            rejected = db.scalar(f"SELECT count(*) FROM {rejects}_errors", name="engine rejects")
            date_columns = [f.name for f in match.contract.fields if f.type == "date" and q.engine_typed(f.name)]
            early = any(
                db.scalar(f"SELECT min({c}) < DATE '1000-01-01' FROM {base_table}", name="year check") for c in date_columns
            )
            if not rejected and not early:
                return q
        except FileRefused:
            pass  # the text path reports the problem with its own message
        finally:
            for suffix in ("_errors", "_scans"):
                db.execute(f"DROP TABLE IF EXISTS {rejects}{suffix}", name="drop engine rejects")
        for view in registered_views(q):
            db.unregister(view)
        db.execute(f"DROP TABLE IF EXISTS {base_table}", name="drop fast read")
    q = build_typed_query(db, staged, match, **typing)
    query_source(db, staged, typed_sql(q, base_table), q.params, name="read and type rows")
    return q


def _classify(db: Database, contract: Contract, names: "_Names", dedup_needed: bool, report: IngestReport) -> None:
    """Build the final rows and count what is new, replaced and unchanged against the database."""
    writes.build_final(db, contract, names.typed, names.errors, names.final, dedup_needed)
    counts = dict(db.fetchall(f"SELECT _change, count(*) FROM {names.final} GROUP BY _change", name="count changes"))
    report.rows_inserted = counts.get("inserted", 0)
    report.rows_replaced = counts.get("replaced", 0)
    report.rows_unchanged = counts.get("unchanged", 0)
