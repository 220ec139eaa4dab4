"""Deadline clocks at their edges: what `make mutants` found the other tests let through."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from shared.deadlines import TZ, Clock, add_days, count_days, end_of_day, load_profiles
from shared.holidays import YearTable, default_calendar

CAL = default_calendar()
UNKNOWN = CAL.first_unknown_year()


def shanghai(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=TZ)


def first_weekend_of(year: int) -> tuple[date, date]:
    saturday = next(d for d in (date(year, 1, i) for i in range(1, 8)) if d.weekday() == 5)
    return saturday, saturday + timedelta(days=1)


def test_a_one_day_warning_comes_the_day_before() -> None:
    deadline = add_days(shanghai(2024, 3, 1), 10, "calendar", warn_days=1)
    assert deadline.warn_at == end_of_day(date(2024, 3, 10))
    assert add_days(shanghai(2024, 3, 1), 10, "calendar").warn_at is None


def test_an_immediate_warning_is_given_in_shanghai_time() -> None:
    # A clock too short for its warning warns at its start, stated like every other moment here.
    start = datetime.fromisoformat("2024-03-01T02:00:00+00:00")
    deadline = add_days(start, 2, "calendar", warn_days=3)
    assert deadline.warn_at == start
    assert deadline.warn_at is not None and deadline.warn_at.isoformat().endswith("+08:00")


def test_calendar_days_count_holidays_and_are_never_provisional() -> None:
    # Oct 1-7 2018 are holidays; as calendar days they all count.
    assert count_days(date(2018, 9, 30), date(2018, 10, 7), "calendar", CAL) == (7, False)
    assert count_days(date(2018, 9, 30), date(2018, 10, 7), "working", CAL) == (0, False)
    span = (date(UNKNOWN, 1, 1), date(UNKNOWN, 1, 10))
    assert count_days(*span, "calendar", CAL) == (9, False)
    assert count_days(*span, "working", CAL)[1]


def test_a_clock_counts_with_the_calendar_it_is_given() -> None:
    # A table for the unknown year makes the clock's deadline firm, and its holidays count.
    first_weekdays = [d for d in (date(UNKNOWN, 1, i) for i in range(1, 8)) if d.weekday() < 5]
    calendar = CAL.with_tables([YearTable(year=UNKNOWN, holidays=frozenset(first_weekdays))])
    clock = Clock(kind="working", days=3, started_at=shanghai(UNKNOWN - 1, 12, 31))
    assert clock.deadline().provisional
    firm = clock.deadline(calendar)
    assert not firm.provisional and firm.due > clock.deadline().due
    assert clock.is_overdue(clock.deadline().due + timedelta(seconds=1))
    assert not clock.is_overdue(clock.deadline().due + timedelta(seconds=1), calendar)
    profile = load_profiles().default
    start = shanghai(UNKNOWN - 1, 12, 31)
    assert profile.deadline("transfer_objection", start).provisional
    assert not profile.deadline("transfer_objection", start, calendar).provisional


def test_a_pause_over_an_unknown_weekend_makes_the_deadline_provisional() -> None:
    # The pause adds no working day (a weekend), but no table says that weekend was not moved.
    saturday, sunday = first_weekend_of(UNKNOWN)
    clock = Clock(kind="working", days=1, started_at=shanghai(UNKNOWN - 1, 12, 1))
    friday = saturday - timedelta(days=1)
    paused = clock.pause(shanghai(friday.year, friday.month, friday.day))
    paused = paused.resume(shanghai(sunday.year, sunday.month, sunday.day))
    assert paused.paused_days(CAL) == (0, True)
    assert not clock.deadline().provisional
    deadline = paused.deadline()
    assert deadline.provisional and deadline.due == clock.deadline().due


def test_a_working_clock_keeps_its_kind_while_paused() -> None:
    # Paused over the 2018 National Day week: only the make-up workdays count.
    clock = Clock(kind="working", days=5, started_at=shanghai(2018, 9, 20))
    paused = clock.pause(shanghai(2018, 9, 30)).resume(shanghai(2018, 10, 7))
    assert paused.paused_days(CAL) == (0, False)
    assert paused.deadline().due == clock.deadline().due


def test_due_is_the_last_moment_that_is_still_in_time() -> None:
    for kind in ("calendar", "working"):
        clock = Clock(kind=kind, days=5, started_at=shanghai(2024, 3, 1))  # type: ignore[arg-type]
        due = clock.deadline().due
        assert not clock.is_overdue(due)
        assert clock.is_overdue(due + timedelta(microseconds=1))


def test_a_clock_may_pause_at_its_start_and_resume_at_once() -> None:
    clock = Clock(kind="calendar", days=10, started_at=shanghai(2024, 3, 1))
    paused = clock.pause(clock.started_at)
    resumed = paused.resume(clock.started_at)
    assert resumed.pauses[-1].end == clock.started_at
    assert resumed.deadline().due == clock.deadline().due


def test_resuming_keeps_every_earlier_pause() -> None:
    clock = Clock(kind="calendar", days=10, started_at=shanghai(2024, 3, 1))
    for day in (2, 6, 12):
        clock = clock.pause(shanghai(2024, 3, day)).resume(shanghai(2024, 3, day + 2))
    assert [p.start.day for p in clock.pauses] == [2, 6, 12]
    assert clock.paused_days(CAL) == (6, False)
    assert clock.deadline().due == end_of_day(date(2024, 3, 17))


def test_an_unknown_clock_lists_the_known_ones() -> None:
    profiles = load_profiles(overrides=[{"clocks": {"a_first": dict(_RULE), "b_second": _RULE}}])
    with pytest.raises(KeyError) as refused:
        profiles.default.rule("nope")
    known = sorted(profiles.default.clocks)
    assert str(refused.value) == repr(f"no clock 'nope'; known: {', '.join(known)}")


_RULE = {"days": 7, "kind": "working", "rule": "test rule", "article": "Art 1"}
