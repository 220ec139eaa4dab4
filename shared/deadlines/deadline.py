"""A deadline: the due moment `n` days after a start, with the legal basis it carries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.deadlines.days import TZ, DayKind, end_of_day, local_day, step_days
from shared.holidays import WorkCalendar, default_calendar


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Basis(Frozen):
    """Where a deadline comes from: the rule, its article, and the setting that holds the number."""

    key: str
    days: int
    kind: DayKind
    rule: str
    article: str
    summary: str = ""
    config_key: str
    profile: str = "default"

    @property
    def label(self) -> str:
        """Rule and article in one string, e.g. for `DeadlineInfo.basis` in events."""
        return f"{self.rule} {self.article}"


class Deadline(Frozen):
    """A due moment (end of a day, Asia/Shanghai) and whether a holiday table backs it."""

    due: datetime
    provisional: bool = False
    basis: Basis | None = None
    warn_at: datetime | None = None
    paused: bool = False


def add_days(
    start: datetime,
    n: int,
    kind: DayKind,
    calendar: WorkCalendar | None = None,
    basis: Basis | None = None,
    warn_days: int = 0,
) -> Deadline:
    """The deadline `n` calendar or working days after `start`; `warn_at` is `warn_days` earlier."""
    if n < 0:
        raise ValueError("a deadline needs n >= 0 days")
    calendar = calendar or default_calendar()
    due_day, provisional = step_days(local_day(start), n, kind, calendar)
    warn_at = None
    if warn_days > 0:
        warn_day, early = step_days(due_day, -warn_days, kind, calendar)
        # Warn when `warn_days` days are left; a short clock warns at once.
        warn_at = max(end_of_day(warn_day), start.astimezone(TZ))
        provisional = provisional or early
    return Deadline(due=end_of_day(due_day), provisional=provisional, basis=basis, warn_at=warn_at)
