"""Counting days in Asia/Shanghai: calendar days, or working days from `shared.holidays`.

Counting follows the usual rule for periods in days: the day the clock starts is not counted,
and the period ends at the end of its last day (Asia/Shanghai). A day in a year with no holiday
table counts by weekends only and makes the result `provisional`. Time is always passed in:
nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.holidays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
DayKind = Literal["calendar", "working"]


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai date of an aware moment (a naive one is a programming error)."""
    if moment.tzinfo is None:
        raise ValueError("deadlines need aware datetimes")
    return moment.astimezone(TZ).date()


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in Asia/Shanghai."""
    return datetime.combine(day, time.max, tzinfo=TZ)


def step_days(day: date, n: int, kind: DayKind, calendar: WorkCalendar) -> tuple[date, bool]:
    """The date `n` days (of `kind`) after `day` (before it if n < 0), and if it is provisional."""
    if kind == "calendar":
        return day + timedelta(days=n), False
    step = timedelta(days=1 if n >= 0 else -1)
    provisional, counted = False, 0
    while counted < abs(n):
        day += step
        provisional = provisional or not calendar.knows(day.year)
        counted += calendar.is_workday(day)
    return day, provisional


def count_days(
    after: date, through: date, kind: DayKind, calendar: WorkCalendar
) -> tuple[int, bool]:
    """How many days of `kind` lie in (after, through], and whether any year lacked a table."""
    span = [after + timedelta(days=i) for i in range(1, (through - after).days + 1)]
    if kind == "calendar":
        return len(span), False
    provisional = any(not calendar.knows(d.year) for d in span)
    return sum(calendar.is_workday(d) for d in span), provisional
