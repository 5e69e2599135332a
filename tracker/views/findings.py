"""The findings the Flags page lists: the snapshot's flags inside the filters, each with its latest review."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from tracker.casework.review import with_reviews
from tracker.engine.rules.model import FLAGS_SCHEMA
from tracker.engine.snapshots import Snapshot
from tracker.views.filters import Filters, FindingFilters, filter_table
from tracker.views.source import Source


def filtered_flags(snap: Snapshot, filters: Filters) -> pa.Table:
    """Flags whose subject lies inside the filters: a filter applies to the flags that carry its column.

    A supplier or fiscal-year filter keeps the purchase-line flags of those lines (matched through
    the procurement lines) and drops the asset and agency flags that cannot be placed.
    """
    flags = snap.flags
    if filters.suppliers or filters.fiscal_years:
        lines = filter_table(snap.lines, filters)
        keys = lines.select(["agency_code", "po_number", "line_no"])
        line_flags = flags.filter(pc.equal(flags.column("subject"), "po_line"))
        line_flags = line_flags.join(
            keys.append_column("keep", pa.array([True] * keys.num_rows)),
            ["agency_code", "po_number", "line_no"],
            join_type="inner",
        ).drop_columns(["keep"])
        asset_ids = filter_table(snap.assets, filters).column("asset_id")
        asset_flags = flags.filter(pc.is_in(flags.column("asset_id"), value_set=asset_ids.combine_chunks()))
        flags = pa.concat_tables([line_flags.select(flags.column_names), asset_flags])
    return filter_table(flags, replace(filters, suppliers=(), fiscal_years=()))


OPEN = "open"  # the one meaning of an open finding: its latest review leaves it open (never reviewed, or reopened)


def findings(source: Source, snap: Snapshot | None, filters: Filters, narrowing: FindingFilters = FindingFilters()) -> pa.Table:
    """The ranked findings of `snap` inside the filters, each with its latest review (tracker.casework.review)."""
    if snap is None:
        return with_reviews(source.db, FLAGS_SCHEMA.empty_table())
    table = with_reviews(source.db, filtered_flags(snap, filters))
    for column, values in (("rule", narrowing.rules), ("severity", narrowing.severities), ("review_status", narrowing.statuses)):
        if values:
            table = table.filter(pc.is_in(table.column(column), value_set=pa.array(list(values), pa.string())))
    return table


def open_findings(source: Source, snap: Snapshot | None, filters: Filters) -> pa.Table:
    """The open findings inside the filters: what every count and sum "of open findings" is made of.

    Dismissed, confirmed and resolved findings are not open; a dismissed finding that got materially
    worse since is open again (tracker.casework.review). The Findings page filtered to Open lists the same rows.
    """
    return findings(source, snap, filters, FindingFilters(statuses=(OPEN,)))


def value_at_stake(table: pa.Table) -> float | None:
    """The value at stake of the findings listed: their known values summed; None (unknown, never 0) when some are
    listed and none has a known value (findings without usage to value); 0 for no finding."""
    total = pc.sum(table.column("value_at_stake")).as_py()
    if total is None:
        return None if table.num_rows else 0.0
    return float(total)
