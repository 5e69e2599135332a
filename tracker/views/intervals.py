"""What the Upload page shows of the intervals an event log gave: per machine, and each interval on a timeline.

An event log proves powered-on time (System log) or signed-in time (Security log) per machine. A
machine whose logs hold one kind only has the other as unknown ("—"), never 0 h: a log that was
not uploaded proves nothing either way. Devices are matched to assets by the upload's own
matching (tracker.ingest.pipeline): an unmatched or ambiguous machine has no asset ("—").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.ingest.report import IngestReport
from tracker.ingest.sources.events import POWERED_ON, SIGNED_IN
from tracker.text.formatting import MISSING, count, moment, number
from tracker.text.i18n import Message, render

EVIDENCE_KINDS = (POWERED_ON, SIGNED_IN)


@dataclass(frozen=True)
class IntervalTable:
    """The machines of an event-log upload, one row each, with column titles in the user's language."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class TimelineBar:
    """One interval on the timeline: the machine, what it proves (in words), its start and end."""

    machine: str
    evidence: str
    start: datetime
    end: datetime


def evidence_label(evidence: str, lang: str) -> str:
    return render(Message(f"intervals.evidence.{evidence}"), lang)


def interval_table(report: IngestReport, lang: str = "en") -> IntervalTable | None:
    """Per machine: its asset, powered-on and signed-in hours ("—" where its logs hold none), intervals, first and last time."""
    if not report.interval_rows:
        return None
    assets = {str(d[0]).lower(): d[2] for d in report.devices if d[0] is not None}
    machines: dict[str, dict] = {}
    for computer, evidence, start, end in report.interval_rows:
        m = machines.setdefault(computer, {"hours": {}, "intervals": 0, "first": start, "last": end})
        m["hours"][evidence] = m["hours"].get(evidence, 0.0) + (end - start).total_seconds() / 3600.0
        m["intervals"] += 1
        m["first"], m["last"] = min(m["first"], start), max(m["last"], end)
    rows = []
    for computer in sorted(machines, key=str.lower):
        m = machines[computer]
        hours = [_hours(m["hours"][kind]) if kind in m["hours"] else MISSING for kind in EVIDENCE_KINDS]
        rows.append(
            (
                computer,
                assets.get(computer.lower()) or MISSING,
                *hours,
                count(m["intervals"]),
                moment(m["first"], lang),
                moment(m["last"], lang),
            )
        )
    keys = ("machine", "asset", "powered_on_hours", "signed_in_hours", "intervals", "first", "last")
    return IntervalTable(tuple(render(Message(f"intervals.column.{k}"), lang) for k in keys), rows)


def each_interval(report: IngestReport, lang: str = "en") -> IntervalTable | None:
    """Each interval an event log gave, one row: device, the kind of evidence (in words), start, end (UTC) and hours.

    In order of device and start; a value the log does not give is "—".
    """
    if not report.interval_rows:
        return None
    rows = [
        (
            computer or MISSING,
            evidence_label(evidence, lang) if evidence in EVIDENCE_KINDS else MISSING,
            moment(start, lang),
            moment(end, lang),
            _hours((end - start).total_seconds() / 3600.0) if start is not None and end is not None else MISSING,
        )
        for computer, evidence, start, end in sorted(
            report.interval_rows, key=lambda r: ((r[0] or "").lower(), r[2] is None, r[2] or datetime.min)
        )
    ]
    keys = ("device", "evidence", "start", "end", "hours")
    return IntervalTable(tuple(render(Message(f"intervals.column.{k}"), lang) for k in keys), rows)


def interval_timeline(report: IngestReport, lang: str = "en") -> list[TimelineBar]:
    """Each interval as a bar (machine, evidence in words, start, end), in order of machine and start."""
    return [
        TimelineBar(computer, evidence_label(evidence, lang), start, end)
        for computer, evidence, start, end in sorted(report.interval_rows, key=lambda r: (r[0].lower(), r[2]))
    ]


def _hours(value: float) -> str:
    """Hours to a tenth; a span under six minutes to a hundredth, so that a short one never reads as 0."""
    return number(value, 2 if 0 < value < 0.1 else 1)
