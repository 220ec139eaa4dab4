"""Deadline clocks: calendar and working days in Asia/Shanghai, profiles from data, pauses.

Counting follows the usual rule for periods in days: the day the clock starts is not counted,
and the period ends at the end of its last day (Asia/Shanghai). Working days come from
`shared.holidays`; a day in a year with no holiday table counts by weekends only and makes the
result `provisional`. Time is always passed in (`start`, `now`): nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.holidays import WorkCalendar, default_calendar
from shared.holidays import first_unknown_year as first_unknown_year  # re-exported
from shared.holidays import known_years as known_years  # re-exported

TZ = ZoneInfo("Asia/Shanghai")
PROFILES_FILE = Path(__file__).with_name("deadline_profiles.yaml")
DayKind = Literal["calendar", "working"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Basis(_Frozen):
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


class Deadline(_Frozen):
    """A due moment (end of a day, Asia/Shanghai) and whether a holiday table backs it."""

    due: datetime
    provisional: bool = False
    basis: Basis | None = None
    warn_at: datetime | None = None
    paused: bool = False


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


class Pause(_Frozen):
    """A time the clock stood still (e.g. a hearing, which Art 36 does not count)."""

    start: datetime
    end: datetime | None = None


class Clock(_Frozen):
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


class ClockRule(_Frozen):
    """One configurable clock: how many days of which kind, and its legal basis."""

    days: int = Field(ge=0)
    kind: DayKind
    rule: str
    article: str
    summary: str = ""
    summary_en: str = ""
    warn_days: int | None = Field(default=None, ge=0)


class Profile(_Frozen):
    """The clocks for one channel: the defaults with that channel's overrides merged in."""

    name: str = "default"
    warn_days: int = Field(default=3, ge=0)
    clocks: dict[str, ClockRule]
    overridden: frozenset[str] = frozenset()

    def rule(self, key: str) -> ClockRule:
        """The rule named `key`; KeyError names the known ones."""
        if key not in self.clocks:
            raise KeyError(f"no clock {key!r}; known: {', '.join(sorted(self.clocks))}")
        return self.clocks[key]

    def basis(self, key: str) -> Basis:
        """The basis a deadline from rule `key` carries, with the setting that holds its days."""
        rule = self.rule(key)
        where = f"channels.{self.name}.clocks.{key}" if key in self.overridden else f"clocks.{key}"
        fields = rule.model_dump(include={"days", "kind", "rule", "article", "summary"})
        return Basis(key=key, config_key=f"{where}.days", profile=self.name, **fields)

    def clock(self, key: str, started_at: datetime) -> Clock:
        """A clock for rule `key` started at `started_at`."""
        rule = self.rule(key)
        warn = self.warn_days if rule.warn_days is None else rule.warn_days
        return Clock(
            kind=rule.kind,
            days=rule.days,
            started_at=started_at,
            warn_days=warn,
            basis=self.basis(key),
        )

    def deadline(self, key: str, start: datetime, calendar: WorkCalendar | None = None) -> Deadline:
        """The deadline of rule `key` for a clock started at `start`."""
        return self.clock(key, start).deadline(calendar)


class Profiles(_Frozen):
    """The default profile and one per channel that overrides it."""

    default: Profile
    channels: dict[str, Profile] = {}

    def for_channel(self, channel: str | None) -> Profile:
        """The profile for `channel`; a channel without overrides gets the defaults."""
        return self.channels.get(channel or "", self.default)


def merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` deep-merged over `base` (mappings merge, anything else replaces)."""
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        both = isinstance(below, Mapping) and isinstance(value, Mapping)
        merged[key] = merge(below, value) if both else value  # type: ignore[arg-type]
    return merged


def build_profiles(raw: Mapping[str, Any]) -> Profiles:
    """Profiles from the YAML shape: `warn_days`, `clocks`, `channels: {name: overrides}`."""
    base = {"warn_days": raw.get("warn_days", 3), "clocks": raw["clocks"]}
    channels = {
        name: Profile(
            name=name, overridden=frozenset((top or {}).get("clocks", {})), **merge(base, top or {})
        )
        for name, top in (raw.get("channels") or {}).items()
    }
    return Profiles(default=Profile(**base), channels=channels)


def load_profiles(
    path: Path = PROFILES_FILE, overrides: Iterable[Mapping[str, Any] | Path] = ()
) -> Profiles:
    """The packaged profiles with a deployment's overrides (mappings or YAML files) merged over."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for top in overrides:
        if isinstance(top, Path):
            top = yaml.safe_load(top.read_text(encoding="utf-8")) or {}
        raw = merge(raw, top)
    return build_profiles(raw)
