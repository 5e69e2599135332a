"""Daily usage written straight from the reader (tracker.ingest.direct) ends exactly as the full path ends.

For generated usage files, CSV and Parquet, good and bad: the report (counts, status, every error
with its row, column and value), the stored rows, the upload record and the rejected rows are the
same whether the direct write is allowed or not; clean files do take the direct write (no staged
typed table), and a file it cannot take leaves nothing of its attempt behind.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.ingest import pipeline
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.text.errors import FileRefused

ASSETS_CSV = "asset_id,agency_code,category,purchase_cost,purchase_date\nPC-1,A001,laptop,5000,2019-06-01\nPC-2,A002,laptop,5000,2019-06-01\n"
UPLOAD_COLUMNS = (
    "kind, shape, file_name, file_format, sha256, scope_agency, status, rows_read, rows_accepted, rows_rejected, "
    "rows_inserted, rows_replaced, rows_unchanged, agencies"
)
FIRST_DAY = dt.date(2024, 1, 1)


@cache
def template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="direct-template-"))
    (folder / "assets.csv").write_text(ASSETS_CSV, encoding="utf-8")
    with Database.open(folder / "t.duckdb") as db:
        assert ingest_file(db, "assets", folder / "assets.csv", actor="test").status == "committed"
    return folder / "t.duckdb"


def outcome(folder: Path, path: Path, *, direct: bool, partial: bool = False, stored: Path | None = None) -> tuple:
    target = folder / f"{'direct' if direct else 'full'}.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template(), target)
    shutil.copy(template().with_suffix(".audit-key"), target.with_suffix(".audit-key"))
    saved = pipeline.ingest_direct, pipeline._direct_parquet
    if not direct:
        pipeline.ingest_direct = lambda *a, **k: None
        pipeline._direct_parquet = lambda *a, **k: None
    try:
        with Database.open(target) as db:
            if stored is not None:
                ingest_file(db, "usage", stored, actor="test")
            try:
                report = ingest_file(db, "usage", path, actor="test", partial=partial)
            except FileRefused as refused:  # a whole file refused must be refused alike by both paths
                return ("refused", refused.message.key, refused.message.params, db.fetchall("SELECT count(*) FROM usage_daily"))
            return (
                report.summary(),
                [(e.row_number, e.column, e.value, e.code, e.other) for e in report.errors],
                db.fetchall(f"SELECT {UPLOAD_COLUMNS} FROM uploads ORDER BY upload_id"),
                db.fetchall("SELECT * EXCLUDE (upload_id) FROM usage_daily ORDER BY ALL"),
                db.fetchall("SELECT upload_id, count(*) FROM usage_daily GROUP BY ALL ORDER BY ALL"),
                db.fetchall("SELECT * FROM rejected_rows ORDER BY ALL"),
            )
    finally:
        pipeline.ingest_direct, pipeline._direct_parquet = saved


hours = st.one_of(
    st.decimals(min_value=0, max_value=24, places=2).map(str),
    st.sampled_from(["25", "-1", "abc", "", "1e400"]),
)
row = st.tuples(
    st.sampled_from(["PC-1", "PC-2", "PC-9", " PC-1 ", ""]),
    st.integers(0, 40).map(lambda d: (FIRST_DAY + dt.timedelta(days=d)).isoformat()),
    hours,
    st.sampled_from(["agent", "", "mdm", "=cmd()", "a\x01b"]),
)
# mostly clean files, so that the direct write is taken often; ids and sources read as written
# there, so an edge space that is the file's only oddity must end as the full path's trimming
clean_row = st.tuples(
    st.sampled_from(["PC-1", "PC-2", "PC-1", "PC-2", " PC-2", "PC-1 "]),
    st.integers(0, 40).map(lambda d: (FIRST_DAY + dt.timedelta(days=d)).isoformat()),
    st.decimals(min_value=0, max_value=24, places=2).map(str),
    st.sampled_from(["agent", "mdm", "", "agent", " mdm", "agent "]),
)
files = st.one_of(st.lists(clean_row, min_size=1, max_size=30), st.lists(row, min_size=1, max_size=12))


def write(folder: Path, rows: list[tuple], fmt: str) -> Path:
    if fmt == "csv":
        path = folder / "usage.csv"
        path.write_text("asset_id,usage_date,hours_used,source\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
        return path
    path = folder / "usage.parquet"
    clean = all(r[2] and r[2].replace(".", "").isdigit() for r in rows)
    table = pa.table(
        {
            "asset_id": [r[0] for r in rows],
            "usage_date": pa.array([dt.date.fromisoformat(r[1]) for r in rows], pa.date32()),
            "hours_used": [float(r[2]) for r in rows] if clean else [r[2] for r in rows],
            "source": [r[3] for r in rows],
        }
    )
    pq.write_table(table, path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=files, fmt=st.sampled_from(["csv", "parquet"]), partial=st.booleans())
def test_direct_write_ends_as_the_full_path(tmp_path_factory, rows, fmt, partial):
    folder = tmp_path_factory.mktemp("direct")
    path = write(folder, rows, fmt)
    assert outcome(folder, path, direct=True, partial=partial) == outcome(folder, path, direct=False, partial=partial)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_clean_file_is_written_in_one_statement_without_a_typed_copy(tmp_path, fmt, monkeypatch):
    rows = [("PC-1", (FIRST_DAY + dt.timedelta(days=d)).isoformat(), "3.5", "agent") for d in range(20)]
    path = write(tmp_path, rows, fmt)
    stored = template()  # built before recording: the register's own upload takes the full path
    names: list[str] = []
    execute = Database.execute

    def recording(self, sql, params=None, *, name="query"):
        names.append(name)
        return execute(self, sql, params, name=name)

    monkeypatch.setattr(Database, "execute", recording)
    shutil.copy(stored, tmp_path / "db.duckdb")
    shutil.copy(stored.with_suffix(".audit-key"), tmp_path / "db.audit-key")
    with Database.open(tmp_path / "db.duckdb") as db:
        report = ingest_file(db, "usage", path, actor="test")
        assert (report.status, report.rows_inserted) == ("committed", 20)
        assert db.scalar("SELECT count(*) FROM usage_daily WHERE upload_id = ?", [report.upload_id]) == 20
    assert "write usage rows" in names
    assert "read and type rows" not in names and "read parquet" not in names


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("bad", [False, True])
def test_the_connection_keeps_file_order_after_a_direct_write(tmp_path, fmt, bad):
    """The write appends in any order on its own connection only; the full path after it numbers rows in file order."""
    rows = [
        ("PC-1", (FIRST_DAY + dt.timedelta(days=d)).isoformat(), "25" if bad and d == 7 else "3.5", "agent") for d in range(20)
    ]
    path = write(tmp_path, rows, fmt)
    shutil.copy(template(), tmp_path / "db.duckdb")
    shutil.copy(template().with_suffix(".audit-key"), tmp_path / "db.audit-key")
    with Database.open(tmp_path / "db.duckdb") as db:
        report = ingest_file(db, "usage", path, actor="test")
        assert db.scalar("SELECT current_setting('preserve_insertion_order')") is True
    assert report.status == ("rejected" if bad else "committed")
    assert [(e.row_number, e.code) for e in report.errors] == ([(9, "row.hours_over_24")] if bad else [])


@pytest.mark.parametrize("stored_rows", [[("PC-1", "2024-01-05", "2.0", "agent")], [("PC-1", "2024-01-05", "9.0", "agent")]])
def test_rows_replacing_or_repeating_stored_days_end_as_the_full_path(tmp_path, stored_rows):
    """A file whose days are already stored (unchanged or replaced) is compared by the full path, with the same ids."""
    stored = write(tmp_path, stored_rows, "csv").rename(tmp_path / "stored.csv")
    rows = [("PC-1", (FIRST_DAY + dt.timedelta(days=d)).isoformat(), "2.0", "agent") for d in range(10)]
    path = write(tmp_path, rows, "csv")
    direct, full = outcome(tmp_path, path, direct=True, stored=stored), outcome(tmp_path, path, direct=False, stored=stored)
    assert direct == full
    assert direct[4][-1][0] == 3  # the new rows carry the third upload's id: no id lost to the attempt
