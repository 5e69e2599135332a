"""The evaluation window of every figure: W = [start, as_of] and the idle horizon, with their checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, check_window_days
from tracker.text.errors import ConfigError
from tracker.text.i18n import reason


@dataclass(frozen=True)
class Window:
    """Evaluation window W = [start, as_of] and idle horizon [idle_start, as_of], both inclusive.

    never_used_min_days: a never-used asset counts as idle capital once in service that long.
    """

    as_of: date
    window_days: int = DEFAULT_WINDOW_DAYS
    idle_days: int = 90
    never_used_min_days: int = 60

    def __post_init__(self) -> None:
        for name in ("window_days", "idle_days", "never_used_min_days"):  # each a span of days ending at as_of
            check_window_days(getattr(self, name), name)
        if not isinstance(self.as_of, date):
            raise ConfigError("config.bad_value", name="as_of", value=self.as_of, reason=reason("date"))

    @property
    def start(self) -> date:
        return self.as_of - timedelta(days=self.window_days - 1)

    @property
    def end_exclusive(self) -> date:
        """The day after as_of: periods are half-open [start, end_exclusive)."""
        return self.as_of + timedelta(days=1)

    @property
    def idle_start(self) -> date:
        return self.as_of - timedelta(days=self.idle_days - 1)
