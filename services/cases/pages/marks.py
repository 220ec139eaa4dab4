"""Deadlines as the pages show them: red (overdue) or amber (due soon) with words beside the
colour, and a countdown in the deadline's own kind of days (working days for a working-day
clock), counted like the deadline itself (Asia/Shanghai, holiday tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.cases.pages.words import UI, say
from shared.deadlines import Profile, count_days, local_day
from shared.holidays import default_calendar

LIVE = ("running", "warned", "missed")


@dataclass(frozen=True)
class Mark:
    css: str  # "overdue", "soon" or ""
    word: str  # what the colour says, for those who cannot see it
    countdown: str


def kind_of(profile: Profile, kind: str) -> str:
    """Working or calendar: the profile's rule for the clock (a rectification: calendar)."""
    return profile.clocks[kind].kind if kind in profile.clocks else "calendar"


def mark(clock: Any, now: datetime, profile: Profile, english: bool) -> Mark:
    """The mark of one deadline (`clock` has kind, due, warn_at, state)."""
    if clock is None or clock.state not in LIVE:
        return Mark("", "", "")
    days_kind = kind_of(profile, clock.kind)
    today, due_day = local_day(now), local_day(clock.due)
    if clock.state == "missed" or now > clock.due:
        n, provisional = count_days(due_day, today, days_kind, default_calendar())  # type: ignore[arg-type]
        text = say(UI[f"{days_kind}_over"], english).format(n=max(n, 1) if now > clock.due else n)
        css, word = "overdue", say(UI["overdue"], english)
    else:
        n, provisional = count_days(today, due_day, days_kind, default_calendar())  # type: ignore[arg-type]
        text = say(UI[f"{days_kind}_left"], english).format(n=n)
        soon = clock.state == "warned" or (clock.warn_at is not None and now >= clock.warn_at)
        css, word = ("soon", say(UI["soon"], english)) if soon else ("", "")
    if provisional:
        text += say(UI["provisional"], english)
    return Mark(css, word, text)


def next_clock(clocks: list[Any]) -> Any:
    """The live deadline that falls first, or None."""
    live = [c for c in clocks if c.state in LIVE]
    return min(live, key=lambda c: c.due) if live else None
