"""What the event-log readers share: the events and accounts that matter, the shapes of intervals and machines.

tracker.ingest.sources.evtx reads logs into these; tracker.ingest.sources.intervals turns a machine's
events into powered-on and signed-in intervals (docs/usage-sources.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

EVTX_MAGIC = b"ElfFile\x00"
ZIP_MAGIC = b"PK\x03\x04"

POWERED_ON = "powered_on"
SIGNED_IN = "signed_in"

KERNEL_GENERAL = "Microsoft-Windows-Kernel-General"
KERNEL_POWER = "Microsoft-Windows-Kernel-Power"
POWER_TROUBLESHOOTER = "Microsoft-Windows-Power-Troubleshooter"
EVENTLOG = "EventLog"
SECURITY_AUDITING = "Microsoft-Windows-Security-Auditing"
SECURITY_EVENTLOG = "Microsoft-Windows-Eventlog"

BOOT_EVENTS = {(KERNEL_GENERAL, 12), (EVENTLOG, 6005)}
STOP_EVENTS = {(KERNEL_GENERAL, 13), (EVENTLOG, 6006)}
UNEXPECTED_SHUTDOWN = (EVENTLOG, 6008)
UPTIME_REPORT = (EVENTLOG, 6013)  # daily: seconds since the machine started (sleep included)
SLEEP_EVENTS = {(KERNEL_POWER, 42)}
WAKE_EVENTS = {(KERNEL_POWER, 107), (POWER_TROUBLESHOOTER, 1)}
LOGON, LOGOFFS, LOCK, UNLOCK = 4624, {4634, 4647}, 4800, 4801
SECURITY_START, SECURITY_STOPS = 4608, {4609, 1100}
INTERACTIVE_LOGON_TYPES = {2, 10, 11}  # interactive, remote interactive, cached interactive
SYSTEM_ACCOUNTS = {"system", "local service", "network service", "anonymous logon"}
SYSTEM_ACCOUNT_PREFIXES = ("dwm-", "umfd-", "font driver host", "window manager")


@dataclass(frozen=True)
class Interval:
    """A span of one machine's time that its log proves: powered on, or a person signed in."""

    computer: str
    start: datetime
    end: datetime
    evidence: str  # POWERED_ON | SIGNED_IN

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0


@dataclass
class MachineLog:
    """What one machine's records in the uploaded logs hold."""

    computer: str
    first_text: str | None = None  # ISO times as the log writes them: they sort as text
    last_text: str | None = None
    records: int = 0
    boots: int = 0
    sleeps: int = 0
    logons: int = 0  # interactive logons of people
    has_system_log: bool = False
    has_security_log: bool = False

    @property
    def first_event(self) -> datetime | None:
        return parse_time(self.first_text)

    @property
    def last_event(self) -> datetime | None:
        return parse_time(self.last_text)

    def saw(self, at: datetime) -> None:
        self.records += 1
        text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.first_text is None or text < self.first_text:
            self.first_text = text
        if self.last_text is None or text > self.last_text:
            self.last_text = text


@dataclass
class EventLogReading:
    """Intervals per machine from one upload of event logs, with what could not be read."""

    intervals: list[Interval] = field(default_factory=list)
    machines: dict[str, MachineLog] = field(default_factory=dict)
    records: int = 0
    unreadable: list[str] = field(default_factory=list)  # "security.evtx: 397,312–462,847" (the bytes skipped) ...
    records_lost: int = 0  # records that readable chunk headers list but that could not be read
    files: list[str] = field(default_factory=list)
    security_logs_without_logons: list[str] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)  # the logs the records come from ("System") -> records


class LogEvent(NamedTuple):
    at: datetime
    provider: str
    event_id: int
    data: dict


def parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix(" UTC").rstrip("Z")
    if "." in text:
        head, _, frac = text.partition(".")
        text = f"{head}.{frac[:6]}"
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None


def is_person_logon(data: dict) -> bool:
    try:
        logon_type = int(data.get("LogonType"))
    except (TypeError, ValueError):
        return False
    user = str(data.get("TargetUserName") or "").strip().lower()
    if logon_type not in INTERACTIVE_LOGON_TYPES or not user or user.endswith("$"):
        return False
    return user not in SYSTEM_ACCOUNTS and not user.startswith(SYSTEM_ACCOUNT_PREFIXES)
