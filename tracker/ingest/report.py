"""What an upload did: its counts, every row problem, and the rejected rows ready to fix and re-upload."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from tracker.text.i18n import Message, render


@dataclass(frozen=True)
class RowError:
    """One problem in one row: where it is, what the value was, and why, in the user's language."""

    row_number: int
    column: str
    value: str | None
    code: str
    other: str | None = None

    def message(self) -> Message:
        return Message(
            self.code,
            {
                "column": self.column,
                "value": self.value,
                "other": self.other,
                "expected": self.other,
                "length": self.value,
                "limit": self.other,
                "rows": self.other,
                "key": self.value,
            },
        )

    def text(self, lang: str = "en") -> str:
        return render(self.message(), lang)


@dataclass
class IngestReport:
    """What an upload did (or, refused or dry run, would have done)."""

    kind: str
    shape: str
    file_name: str
    file_format: str
    sha256: str
    status: str  # committed | partial | rejected | dry_run | unchanged
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_inserted: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    upload_id: int | None = None
    headers: tuple[str, ...] = ()
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[tuple[int, tuple[str | None, ...]]] = field(default_factory=list)
    previous_upload: tuple[int, str] | None = None
    # OCDS feeds: lines set aside by reason, buyers and their agency codes, equipment kept as "other",
    # lines whose price is unknown (one contract value for several items), planned purchases not loaded
    set_aside: dict[str, int] = field(default_factory=dict)
    set_aside_rows: pa.Table | None = None
    buyers: list[tuple[str | None, str, str, int]] = field(default_factory=list)
    kept_other: int = 0
    price_unknown: int = 0
    planned_items: int = 0  # planned purchases (tenders not yet awarded) the feed gives
    feed_table: str | None = None  # the staged feed, whose planned purchases the commit stores (ocds_planned)
    planned_stored: int | None = None  # after the commit: planned purchases stored, of them new, and removed as awarded
    planned_new: int = 0
    planned_removed: int = 0
    # files naming devices (event logs, inventories, exports): each device as the file names it, the asset
    # it matched (None) and how many assets matched (0: none, 2+: ambiguous), its rows; what a log held
    devices: list[tuple[str | None, str | None, str | None, int, int]] = field(default_factory=list)
    intervals: int | None = None  # event logs: powered-on and signed-in intervals read
    interval_rows: list = field(default_factory=list)  # event logs: (computer, evidence, start, end) of each interval
    unreadable: list[str] = field(default_factory=list)  # damaged parts of an event log, skipped
    source_notes: list = field(default_factory=list)  # Messages: dates left out, logs that prove nothing

    @property
    def unmatched_devices(self) -> list[tuple[str | None, str | None]]:
        """(host name, serial) of the devices that matched no asset, for a register template."""
        return [(d[0], d[1]) for d in self.devices if d[3] == 0]

    def add_feed(self, summary) -> None:
        """Take what an OCDS feed's staging found besides its lines (a `FeedSummary`)."""
        self.set_aside = dict(summary.set_aside)
        self.set_aside_rows = summary.set_aside_rows
        self.buyers = list(summary.buyers)
        self.kept_other = summary.kept_other
        self.price_unknown = summary.price_unknown
        self.planned_items = summary.planned_items
        self.feed_table = summary.planned_table

    @property
    def derived_buyers(self) -> list[tuple[str | None, str, str, int]]:
        """Buyers named without an id: (name, agency code, where the code came from, lines)."""
        return [b for b in self.buyers if b[2] in ("derived", "mapped", "scope")]

    def feed_notes(self, lang: str = "en") -> list[str]:
        """What an OCDS upload set aside, kept as other, left unpriced or not loaded, and the codes given to buyers."""
        notes = []
        if self.set_aside:
            counts = [
                Message("ocds.reason_count", {"count": n, "reason": Message(f"ocds.reason.{r}")})
                for r, n in sorted(self.set_aside.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            notes.append(render(Message("ocds.set_aside", {"count": sum(self.set_aside.values()), "counts": counts}), lang))
        if self.kept_other:
            notes.append(render(Message("ocds.kept_other", {"count": self.kept_other}), lang))
        if self.price_unknown:
            notes.append(render(Message("ocds.price_unknown", {"count": self.price_unknown}), lang))
        if self.planned_stored is not None:
            counts = {"stored": self.planned_stored, "new": self.planned_new, "removed": self.planned_removed}
            if self.planned_stored or self.planned_removed:
                notes.append(render(Message("ocds.planned_stored", counts), lang))
        elif self.planned_items:
            notes.append(render(Message("ocds.planned", {"items": self.planned_items}), lang))
        for name, code, source, _lines in self.derived_buyers:
            source_text = Message(f"ocds.buyer_source.{source}")
            notes.append(render(Message("ocds.buyer_code", {"name": name, "code": code, "source": source_text}), lang))
        return notes + self.device_notes(lang)

    def device_notes(self, lang: str = "en") -> list[str]:
        """The devices a log or export named, matched and not; the intervals and days derived; damaged parts skipped."""
        notes = []
        if self.devices:
            unmatched = [d for d in self.devices if d[3] != 1]
            names = ", ".join(str(d[0] or d[1]) for d in unmatched[:20]) + (" …" if len(unmatched) > 20 else "")
            notes.append(
                render(
                    Message(
                        "devices.found",
                        {"found": len(self.devices), "matched": len(self.devices) - len(unmatched), "unmatched": len(unmatched)},
                    ),
                    lang,
                )
                + (f" {names}" if unmatched else "")
            )
        if self.intervals is not None:
            days = self.rows_inserted + self.rows_replaced + self.rows_unchanged
            notes.append(render(Message("devices.intervals", {"intervals": self.intervals, "days": days}), lang))
        if self.unreadable:
            notes.append(render(Message("devices.unreadable", {"parts": "; ".join(self.unreadable)}), lang))
        notes += [render(m, lang) for m in self.source_notes]
        return notes

    def set_aside_table(self, lang: str = "en") -> pa.Table:
        """The lines set aside, each with its reason (code and words), ready to download as CSV."""
        rows = self.set_aside_rows if self.set_aside_rows is not None else pa.table({"reason": pa.array([], pa.string())})
        words = [render(Message(f"ocds.reason.{r}"), lang) if r else "" for r in rows.column("reason").to_pylist()]
        return rows.add_column(1, "reason_text", pa.array(words, pa.string()))

    @property
    def committed(self) -> bool:
        return self.status in ("committed", "partial", "unchanged")

    def audit_details(self, *, status: str | None = None, upload_id: int | None = None) -> dict:
        """What an `upload` audit entry says: outcome, counts and the file's SHA-256.

        `status` and `upload_id` override the report's own while a commit is still in progress.
        """
        return {
            "status": status or self.status,
            "upload_id": upload_id if upload_id is not None else self.upload_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_inserted": self.rows_inserted,
            "rows_replaced": self.rows_replaced,
            "rows_unchanged": self.rows_unchanged,
            **({"set_aside": dict(self.set_aside)} if self.set_aside else {}),
            **(
                {"planned_stored": self.planned_stored, "planned_removed": self.planned_removed}
                if self.planned_stored is not None
                else {}
            ),
            **({"devices": len(self.devices), "unmatched_devices": len(self.unmatched_devices)} if self.devices else {}),
            **({"unreadable": list(self.unreadable)} if self.unreadable else {}),
            **({"buyer_codes": {str(b[0]): b[1] for b in self.derived_buyers}} if self.derived_buyers else {}),
        }

    def summary(self, lang: str = "en") -> str:
        params = {
            "file": self.file_name,
            "read": self.rows_read,
            "accepted": self.rows_accepted,
            "rejected": self.rows_rejected,
            "inserted": self.rows_inserted,
            "replaced": self.rows_replaced,
            "unchanged": self.rows_unchanged,
            "upload_id": self.upload_id,
        }
        key = {
            "rejected": "ingest.rejected_all",
            "dry_run": "ingest.dry_run",
            "unchanged": "ingest.unchanged",
        }.get(self.status, "ingest.committed")
        text = render(Message(key, params), lang)
        if self.previous_upload and self.status == "unchanged":
            upload_id, when = self.previous_upload
            text += " " + render(Message("file.same_file", {"file": self.file_name, "upload_id": upload_id, "when": when}), lang)
        return text

    def errors_by_row(self, lang: str = "en") -> dict[int, str]:
        """Row number -> every reason for that row, joined."""
        joined: dict[int, list[str]] = {}
        for e in self.errors:
            joined.setdefault(e.row_number, []).append(e.text(lang))
        return {row: " ".join(texts) for row, texts in joined.items()}

    def rejects_table(self, lang: str = "en") -> pa.Table:
        """The rejected rows as the user sent them, with `row` and `error` columns, ready to fix and re-upload."""
        reasons = self.errors_by_row(lang)
        headers = unique_headers(self.headers)
        columns: dict[str, list] = {"row": [r for r, _ in self.rejected_rows]}
        for i, header in enumerate(headers):
            columns[header] = [values[i] for _, values in self.rejected_rows]
        columns["error"] = [reasons.get(r, "") for r, _ in self.rejected_rows]
        return pa.table({k: pa.array(v, pa.int64() if k == "row" else pa.string()) for k, v in columns.items()})


def unique_headers(headers: tuple[str, ...]) -> list[str]:
    """The file's headers made unique and distinct from `row` and `error` (empty ones get a name)."""
    seen: set[str] = {"row", "error"}
    out = []
    for i, header in enumerate(headers):
        name = header or f"column_{i + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        out.append(name)
    return out
