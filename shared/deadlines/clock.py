"""A running deadline clock that can be paused, resumed and extended."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.deadlines.days import DayKind, count_days, local_day
from shared.deadlines.deadline import Basis, Deadline, Frozen, add_days
from shared.holidays import WorkCalendar, default_calendar


class Pause(Frozen):
    """A time the clock stood still (e.g. a hearing, which Art 36 does not count)."""

    start: datetime
    end: datetime | None = None


class Clock(Frozen):
    """A running deadline: `due` moves later by the days (of its kind) it spent paused.

    A pause counts like a period: the day it begins is not counted, the day it ends is; a pause
    begun and ended the same day adds nothing.
    """

    kind: DayKind
    days: int = Field(ge=0)
    started_at: datetime
    pauses: tuple[Pause, ...] = ()
    warn_days: int = Field(default=0, ge=0)
    basis: Basis | None = None

    @property
    def paused(self) -> bool:
        """Whether the clock is stopped now."""
        return bool(self.pauses) and self.pauses[-1].end is None

    def pause(self, now: datetime) -> Clock:
        """The clock stopped at `now`."""
        if self.paused or now < self.started_at:
            raise ValueError("clock already paused, or pause before its start")
        return self.model_copy(update={"pauses": (*self.pauses, Pause(start=now))})

    def resume(self, now: datetime) -> Clock:
        """The clock running again from `now`."""
        if not self.paused or now < self.pauses[-1].start:
            raise ValueError("clock not paused, or resume before the pause")
        last = self.pauses[-1].model_copy(update={"end": now})
        return self.model_copy(update={"pauses": (*self.pauses[:-1], last)})

    def extend(self, days: int) -> Clock:
        """The clock with an approved extension of `days` more days."""
        return self.model_copy(update={"days": self.days + days})

    def paused_days(self, calendar: WorkCalendar, now: datetime | None = None) -> tuple[int, bool]:
        """Days (of the clock's kind) spent paused; an open pause counts up to `now`."""
        total, provisional = 0, False
        for pause in self.pauses:
            end = pause.end or now
            if end is None:
                raise ValueError("the clock is paused: pass `now`")
            days, unknown = count_days(local_day(pause.start), local_day(end), self.kind, calendar)
            total, provisional = total + days, provisional or unknown
        return total, provisional

    def deadline(
        self, calendar: WorkCalendar | None = None, now: datetime | None = None
    ) -> Deadline:
        """The current deadline, pauses added; `now` is needed only while paused."""
        calendar = calendar or default_calendar()
        extra, unknown = self.paused_days(calendar, now)
        due = add_days(
            self.started_at, self.days + extra, self.kind, calendar, self.basis, self.warn_days
        )
        return due.model_copy(
            update={"provisional": due.provisional or unknown, "paused": self.paused}
        )

    def is_overdue(self, now: datetime, calendar: WorkCalendar | None = None) -> bool:
        """Whether `now` is past the due moment (never while paused)."""
        return not self.paused and now > self.deadline(calendar, now).due
