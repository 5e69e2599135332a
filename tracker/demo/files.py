"""Writing the demo files: procurement lines and the asset register as CSV or Parquet, and daily usage, generated
and written chunk by chunk.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tracker.demo.catalogue import PROFILES, SOURCE, SOURCES, USE
from tracker.demo.world import AS_OF, WINDOW_START, World

PROCUREMENT_HEADERS = (
    "采购订单号",
    "行号",
    "单位代码",
    "单位名称",
    "供应商",
    "品名",
    "品目名称",
    "数量",
    "单价",
    "金额",
    "采购日期",
    "验收日期",
    "资金来源",
)
ASSET_COLUMNS = (
    "asset_id",
    "agency_code",
    "department",
    "category",
    "model",
    "serial_number",
    "po_number",
    "line_no",
    "purchase_cost",
    "purchase_date",
    "in_service_date",
    "status",
    "disposal_date",
    "location",
    "standby",
)
USAGE_COLUMNS = ("asset_id", "usage_date", "hours_used", "source")


def procurement_rows(b: World) -> list[tuple]:
    rows = []
    for po in sorted(b.pos, key=lambda p: (p.agency, p.number)):
        for line in po.lines:
            rows.append(
                (
                    po.number,
                    line.line_no,
                    b.codes[po.agency],
                    b.names[po.agency],
                    po.supplier,
                    f"{line.item.brand} {line.item.model} {line.item.name_zh}",
                    line.item.name_zh,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    po.order_date,
                    po.delivery_date,
                    po.funding,
                )
            )
    return rows


def asset_rows(b: World) -> list[tuple]:
    return [
        (
            a.asset_id,
            b.codes[a.agency],
            a.department,
            a.category,
            f"{a.line.item.brand} {a.line.item.model}",
            a.serial,
            a.line.po.number,
            a.line.line_no,
            a.line.unit_price,
            a.line.po.delivery_date,
            a.in_service,
            a.status,
            a.disposal,
            a.location,
            a.standby,
        )
        for a in b.assets
    ]


def _csv_cell(value: object, is_money: bool) -> object:
    """CSV text of one value: amounts in yuan with 2 decimals, ISO dates, lower-case booleans, empty for none."""
    if value is None:
        return ""
    if is_money:
        return f"{value}.00"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_table(path: Path, headers: tuple[str, ...], rows: list[tuple], money: tuple[int, ...], fmt: str) -> None:
    """Write procurement or asset rows as CSV (UTF-8) or Parquet (typed: int32, decimal(14, 2), date32, bool)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows([_csv_cell(v, i in money) for i, v in enumerate(row)] for row in rows)
        return
    columns = list(zip(*rows)) if rows else [[] for _ in headers]
    arrays = []
    for i, values in enumerate(columns):
        sample = next((v for v in values if v is not None), "")
        if i in money:
            arrays.append(pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(14, 2)))
        elif isinstance(sample, bool):
            arrays.append(pa.array(values, pa.bool_()))
        elif isinstance(sample, int):
            arrays.append(pa.array(values, pa.int32()))
        elif isinstance(sample, date):
            arrays.append(pa.array(values, pa.date32()))
        else:
            arrays.append(pa.array(values, pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=list(headers)), path, compression="zstd")


def workdays(start: date, days: int) -> np.ndarray:
    calendar = holidays.China(years=range(start.year, AS_OF.year + 1))
    return np.array([calendar.is_working_day(start + timedelta(days=i)) for i in range(days)])


def write_usage(b: World, path: Path, fmt: str) -> tuple[int, np.ndarray, np.ndarray]:
    """Generate and write daily usage chunk by chunk; returns rows, window hours and last-use day per asset."""
    start = b.tier.usage_start
    n_days = (AS_OF - start).days + 1
    workday = workdays(start, n_days)
    window_index = (WINDOW_START - start).days
    epoch = (start - date(1970, 1, 1)).days
    n = len(b.assets)
    p_work, p_off, lo, hi = (np.zeros(n) for _ in range(4))
    first, last, forced, source = (np.full(n, -1, dtype=np.int64) for _ in range(4))
    for i, a in enumerate(b.assets):
        category = a.category
        if a.mode == "regular":
            w_lo, w_hi, off, lo[i], hi[i] = USE[category]
            p_work[i] = b.rng.uniform(w_lo, w_hi)
            p_off[i] = p_work[i] if PROFILES[category].days == "all" else off
        elif a.mode == "low":
            p_work[i], lo[i], hi[i] = 0.2, 0.25, 0.75
            p_off[i] = 0.2 if PROFILES[category].days == "all" else 0.0
        if a.mode != "none":
            first[i] = max(0, (a.in_service - start).days)
            last[i] = (a.use_until - start).days
            forced[i] = (a.forced - start).days if a.forced else max(first[i], last[i] - b._int(0, 6))
        source[i] = SOURCES.index(SOURCE.get(category, b.sources[a.agency]))
    ids = np.array([a.asset_id for a in b.assets])
    hours_in_window = np.zeros(n)
    last_day = np.full(n, -1, dtype=np.int64)
    day_numbers = np.arange(n_days)
    schema = pa.schema(
        [("asset_id", pa.string()), ("usage_date", pa.date32()), ("hours_used", pa.float64()), ("source", pa.string())]
    )
    rows = 0
    if fmt == "csv":
        sink = path.open("wb")
        sink.write((",".join(USAGE_COLUMNS) + "\n").encode())
        writer = pacsv.CSVWriter(sink, schema, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
    else:
        sink = None
        writer = pq.ParquetWriter(path, schema, compression="zstd")
    try:
        for chunk_no, lo_i in enumerate(range(0, n, b.tier.chunk_assets)):
            hi_i = min(n, lo_i + b.tier.chunk_assets)
            rng = np.random.default_rng([b.seed, chunk_no])
            sl = slice(lo_i, hi_i)
            draws = rng.random((hi_i - lo_i, n_days), dtype=np.float32)
            chance = np.where(workday[None, :], p_work[sl, None], p_off[sl, None])
            used = (draws < chance) & (day_numbers >= first[sl, None]) & (day_numbers <= last[sl, None])
            has_forced = np.nonzero(forced[sl] >= 0)[0]
            used[has_forced, forced[sl][has_forced]] = True
            asset_index, day_index = np.nonzero(used)
            asset_index += lo_i
            hours = lo[asset_index] + (hi[asset_index] - lo[asset_index]) * rng.random(len(asset_index))
            hours = np.clip(np.round(hours * 100) / 100, 0.01, 24.0)
            in_window = day_index >= window_index
            hours_in_window += np.bincount(asset_index[in_window], weights=hours[in_window], minlength=n)
            if len(asset_index):
                ends = np.r_[asset_index[1:] != asset_index[:-1], True]
                last_day[asset_index[ends]] = day_index[ends]
            table = pa.Table.from_arrays(
                [
                    pa.DictionaryArray.from_arrays(pa.array(asset_index - lo_i, pa.int32()), pa.array(ids[sl])),
                    pa.array((day_index + epoch).astype(np.int32), pa.date32()),
                    pa.array(hours),
                    pa.DictionaryArray.from_arrays(pa.array(source[asset_index], pa.int32()), pa.array(SOURCES)),
                ],
                names=list(USAGE_COLUMNS),
            )
            if fmt == "csv":
                writer.write_table(table.cast(schema))
            else:
                writer.write_table(table.cast(schema), row_group_size=1_000_000)
            rows += len(asset_index)
            b.say("writing_usage", file=path.name, millions=f"{rows / 1e6:.1f}")
    finally:
        writer.close()
        if sink:
            sink.close()
    return rows, hours_in_window, last_day
