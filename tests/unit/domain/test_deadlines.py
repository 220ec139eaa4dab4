"""Deadline clocks: working days, provisional years, pauses, warnings and profiles."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import holidays
from shared.deadlines import (
    TZ,
    Basis,
    Clock,
    add_days,
    count_days,
    end_of_day,
    load_profiles,
    local_day,
    merge,
)
from shared.holidays import WorkCalendar, YearTable, default_calendar

CAL = default_calendar()
UNKNOWN = CAL.first_unknown_year()  # the first year the tables lack (2027 with 1.11.0)


def shanghai(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=TZ)


def day_of(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


# --- known dates, counted by hand --------------------------------------------------------------


def test_fifteen_working_days_across_national_day_2018() -> None:
    # 2018: Sep 29 (Sat) and Sep 30 (Sun) are make-up workdays, Oct 1-7 are off.
    # From Fri Sep 28 (not counted): Sep 29=1, Sep 30=2, Oct 8..12=3..7, Oct 15..19=8..12,
    # Oct 22=13, Oct 23=14, Oct 24=15.
    deadline = add_days(shanghai(2018, 9, 28), 15, "working")
    assert deadline.due == datetime(2018, 10, 24, 23, 59, 59, 999999, tzinfo=TZ)
    assert not deadline.provisional and deadline.basis is None and deadline.warn_at is None


def test_the_start_day_is_the_shanghai_date() -> None:
    # 20:00 UTC on Sep 28 is already Sep 29 in Shanghai, so counting starts after Sep 29:
    # Sep 30=1, Oct 8..12=2..6, Oct 15..19=7..11, Oct 22..25=12..15.
    utc_evening = datetime.fromisoformat("2018-09-28T20:00:00+00:00")
    assert day_of(add_days(utc_evening, 15, "working").due) == date(2018, 10, 25)
    assert local_day(utc_evening) == date(2018, 9, 29)


def test_calendar_days_ignore_holidays() -> None:
    deadline = add_days(shanghai(2018, 9, 28), 15, "calendar")
    assert day_of(deadline.due) == date(2018, 10, 13)
    assert not deadline.provisional


def test_zero_days_ends_today_and_negative_is_refused() -> None:
    assert add_days(shanghai(2018, 10, 1), 0, "working").due == end_of_day(date(2018, 10, 1))
    with pytest.raises(ValueError):
        add_days(shanghai(2018, 10, 1), -1, "calendar")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_days(datetime(2018, 9, 28), 1, "calendar")


# --- years without a table ---------------------------------------------------------------------


def test_a_deadline_reaching_the_first_unknown_year_is_provisional() -> None:
    start = shanghai(UNKNOWN - 1, 12, 20)
    deadline = add_days(start, 15, "working")
    assert deadline.provisional
    assert day_of(deadline.due).year == UNKNOWN
    assert day_of(deadline.due).weekday() < 5  # weekends only are counted there
    assert not add_days(shanghai(UNKNOWN - 1, 11, 2), 5, "working").provisional
    assert not add_days(start, 40, "calendar").provisional


def test_an_added_table_changes_the_result_and_ends_provisional() -> None:
    start = shanghai(UNKNOWN - 1, 12, 30)
    weekends_only = add_days(start, 3, "working")
    # A made-up test table: the first three weekdays of January are off.
    first_weekdays = [d for d in (date(UNKNOWN, 1, i) for i in range(1, 8)) if d.weekday() < 5]
    table = YearTable(year=UNKNOWN, holidays=frozenset(first_weekdays[:3]))
    with_table = add_days(start, 3, "working", CAL.with_tables([table]))
    assert weekends_only.provisional and not with_table.provisional
    assert with_table.due > weekends_only.due
    assert day_of(with_table.due) not in table.holidays


def test_tables_load_from_yaml_and_extend_the_known_years(tmp_path: Path) -> None:
    saturday = next(d for d in (date(UNKNOWN, 2, i) for i in range(1, 8)) if d.weekday() == 5)
    doc = {"year": UNKNOWN, "source": "test", "holidays": [date(UNKNOWN, 1, 1)]}
    doc["workdays"] = [saturday]
    (tmp_path / f"{UNKNOWN}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    calendar = default_calendar(tmp_path)
    assert calendar.knows(UNKNOWN) and calendar.first_unknown_year() == UNKNOWN + 1
    assert calendar.is_workday(saturday) and not calendar.is_workday(date(UNKNOWN, 1, 1))
    assert calendar.known_years() == holidays.known_years() | {UNKNOWN}


def test_a_deployment_table_replaces_the_packages_year() -> None:
    # 2018-10-01 is a package holiday; a replacement table for 2018 without it makes it a workday.
    calendar = CAL.with_tables([YearTable(year=2018)])
    assert not CAL.is_workday(date(2018, 10, 1)) and calendar.is_workday(date(2018, 10, 1))


def test_a_later_notice_wins_for_a_cross_year_date() -> None:
    eve = date(UNKNOWN - 1, 12, 31)
    table = YearTable(year=UNKNOWN, holidays=frozenset({eve}))
    assert not CAL.with_tables([table]).is_workday(eve)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"year": 2030, "holidays": ["2030-01-01"], "workdays": ["2030-01-01"]}, "both"),
        ({"year": 2030, "holidays": ["2032-01-01"]}, "too far"),
        ({"year": 2030, "holiday": []}, "Extra inputs"),
    ],
)
def test_bad_tables_are_refused(tmp_path: Path, doc: dict[str, object], message: str) -> None:
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        holidays.load_tables(tmp_path)


def test_two_tables_for_one_year_are_refused(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text("year: 2030\n", encoding="utf-8")
    with pytest.raises(ValueError, match="a second table for 2030"):
        holidays.load_tables(tmp_path)


def test_known_years_come_from_the_tables() -> None:
    years = holidays.known_years()
    assert holidays.first_unknown_year() == UNKNOWN
    assert UNKNOWN not in years and UNKNOWN - 1 in years
    assert min(years) == min(chinese_calendar.constants.holidays).year
    with pytest.raises(NotImplementedError):  # the package itself stops where its tables stop
        chinese_calendar.is_workday(date(UNKNOWN, 1, 5))
    assert CAL.first_unknown_year(since=1990) == 1990
    assert WorkCalendar({}).first_unknown_year() == 1
    assert not WorkCalendar({}).knows(2018)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2004, 1, 1), date(2026, 12, 31)))
def test_the_package_tables_agree_with_chinese_calendar(day: date) -> None:
    assert CAL.is_workday(day) == chinese_calendar.is_workday(day)


# --- properties --------------------------------------------------------------------------------

STARTS = st.datetimes(datetime(2004, 1, 1), datetime(UNKNOWN + 1, 12, 1), timezones=st.just(TZ))


@settings(max_examples=300, deadline=None)
@given(STARTS, st.integers(1, 80))
def test_working_deadlines_land_on_working_days(start: datetime, n: int) -> None:
    due = day_of(add_days(start, n, "working").due)
    assert CAL.is_workday(due)
    assert due > start.date()


@settings(max_examples=300, deadline=None)
@given(STARTS, st.integers(0, 80), st.sampled_from(["working", "calendar"]))
def test_more_days_never_end_sooner(start: datetime, n: int, kind: str) -> None:
    assert add_days(start, n + 1, kind).due > add_days(start, n, kind).due  # type: ignore[arg-type]


# --- clocks: pause, resume, extend, warn -------------------------------------------------------


def test_a_pause_moves_a_calendar_clock_by_the_days_paused() -> None:
    clock = Clock(kind="calendar", days=30, started_at=shanghai(2024, 3, 1))
    plain = clock.deadline()
    paused = clock.pause(shanghai(2024, 3, 10)).resume(shanghai(2024, 3, 14))
    assert paused.deadline().due - plain.due == timedelta(days=4)
    same_day = clock.pause(shanghai(2024, 3, 10, 9)).resume(shanghai(2024, 3, 10, 17))
    assert same_day.deadline().due == plain.due
    assert not paused.paused and not paused.deadline().paused


def test_a_working_clock_only_counts_paused_working_days() -> None:
    clock = Clock(kind="working", days=5, started_at=shanghai(2018, 9, 25))
    # Paused from Fri Sep 28 to Mon Oct 8: Sep 29, Sep 30, Oct 8 are working days, the
    # holiday week is not.
    paused = clock.pause(shanghai(2018, 9, 28)).resume(shanghai(2018, 10, 8))
    assert paused.paused_days(CAL) == (3, False)
    assert day_of(paused.deadline().due) == day_of(add_days(clock.started_at, 8, "working").due)


def test_an_open_pause_counts_up_to_now() -> None:
    clock = Clock(kind="calendar", days=10, started_at=shanghai(2024, 3, 1)).pause(
        shanghai(2024, 3, 5)
    )
    with pytest.raises(ValueError, match="pass `now`"):
        clock.deadline()
    deadline = clock.deadline(now=shanghai(2024, 3, 8))
    assert deadline.paused and day_of(deadline.due) == date(2024, 3, 14)
    assert not clock.is_overdue(shanghai(2025, 1, 1))  # never while paused


def test_pauses_in_an_unknown_year_are_provisional() -> None:
    start = shanghai(UNKNOWN - 1, 12, 1)
    clock = Clock(kind="working", days=1, started_at=start)
    paused = clock.pause(shanghai(UNKNOWN - 1, 12, 2)).resume(shanghai(UNKNOWN, 1, 2))
    assert count_days(date(UNKNOWN - 1, 12, 30), date(UNKNOWN, 1, 2), "working", CAL)[1]
    assert paused.deadline().provisional


def test_clock_misuse_is_refused() -> None:
    clock = Clock(kind="calendar", days=10, started_at=shanghai(2024, 3, 1))
    with pytest.raises(ValueError):
        clock.pause(shanghai(2024, 2, 1))
    with pytest.raises(ValueError):
        clock.resume(shanghai(2024, 3, 2))
    paused = clock.pause(shanghai(2024, 3, 5))
    with pytest.raises(ValueError):
        paused.pause(shanghai(2024, 3, 6))
    with pytest.raises(ValueError):
        paused.resume(shanghai(2024, 3, 4))


def test_overdue_after_the_due_moment_and_extension_moves_it() -> None:
    clock = Clock(kind="calendar", days=60, started_at=shanghai(2024, 1, 1))
    assert day_of(clock.deadline().due) == date(2024, 3, 1)
    assert not clock.is_overdue(shanghai(2024, 3, 1, 23))
    assert clock.is_overdue(shanghai(2024, 3, 2, 0))
    extended = clock.extend(30)
    assert day_of(extended.deadline().due) == date(2024, 3, 31)
    assert not extended.is_overdue(shanghai(2024, 3, 2, 0))


def test_warnings_come_the_configured_days_before() -> None:
    working = Clock(kind="working", days=5, started_at=shanghai(2018, 9, 28), warn_days=3)
    deadline = working.deadline()
    # Due Oct 10 (Sep 29, Sep 30, Oct 8, 9, 10); three working days before it is Sep 30.
    assert day_of(deadline.due) == date(2018, 10, 10)
    assert deadline.warn_at == end_of_day(date(2018, 9, 30))
    short = Clock(kind="calendar", days=2, started_at=shanghai(2024, 3, 1), warn_days=3)
    assert short.deadline().warn_at == shanghai(2024, 3, 1)  # at once, not before the start


def test_a_warning_reaching_back_into_an_unknown_year_is_provisional() -> None:
    # A table for the next year only: the warning walks back into the unknown year.
    later = YearTable(year=UNKNOWN + 1)
    calendar = CAL.with_tables([later])
    deadline = add_days(shanghai(UNKNOWN, 12, 31), 2, "working", calendar, warn_days=5)
    assert deadline.provisional


# --- profiles ----------------------------------------------------------------------------------

DEFAULTS = {
    "register_and_dispose": (15, "calendar", "第二十二条"),
    "accept_decision": (15, "calendar", "第二十三条"),
    "transfer_objection": (5, "working", "第二十三条"),
    "handle": (60, "calendar", "第三十四条"),
    "extension_max": (30, "calendar", "第三十四条"),
    "review_request": (30, "calendar", "第三十五条"),
    "review_answer": (30, "calendar", "第三十五条"),
    "re_review_request": (30, "calendar", "第三十六条"),
    "re_review_answer": (30, "calendar", "第三十六条"),
    "discipline_forward": (5, "working", "第十五条"),
}


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_the_packaged_defaults_and_their_basis(key: str) -> None:
    days, kind, article = DEFAULTS[key]
    profile = load_profiles().default
    rule = profile.rule(key)
    assert (rule.days, rule.kind) == (days, kind)
    basis = profile.basis(key)
    assert article in basis.article and basis.rule and basis.summary
    assert basis.config_key == f"clocks.{key}.days"
    assert basis.label == f"{basis.rule} {basis.article}"


def test_a_deadline_from_a_profile_carries_its_basis_and_warning() -> None:
    profile = load_profiles().default
    deadline = profile.deadline("transfer_objection", shanghai(2018, 9, 28))
    assert day_of(deadline.due) == date(2018, 10, 10)
    assert deadline.basis == profile.basis("transfer_objection")
    assert deadline.warn_at == end_of_day(date(2018, 9, 30))
    assert profile.clock("handle", shanghai(2024, 1, 1)).warn_days == profile.warn_days


def test_a_channel_overrides_only_what_it_names() -> None:
    top = {"channels": {"hotline": {"clocks": {"handle": {"days": 15, "warn_days": 1}}}}}
    profiles = load_profiles(overrides=[top])
    hotline = profiles.for_channel("hotline")
    assert hotline.rule("handle").days == 15
    assert hotline.rule("handle").article.startswith("第三十四条")
    assert hotline.basis("handle").config_key == "channels.hotline.clocks.handle.days"
    assert hotline.basis("accept_decision").config_key == "clocks.accept_decision.days"
    assert hotline.clock("handle", shanghai(2024, 1, 1)).warn_days == 1
    deadline = hotline.deadline("handle", shanghai(2024, 1, 1))
    assert day_of(deadline.due) == date(2024, 1, 16)
    assert deadline.basis is not None and deadline.basis.profile == "hotline"
    assert profiles.for_channel("web").rule("handle").days == 60
    assert profiles.for_channel(None) is profiles.default


def test_a_deployment_file_overrides_every_channel(tmp_path: Path) -> None:
    override = tmp_path / "deploy.yaml"
    override.write_text("warn_days: 5\nclocks:\n  handle:\n    days: 45\n", encoding="utf-8")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    profiles = load_profiles(overrides=[override, empty])
    assert profiles.default.rule("handle").days == 45
    assert profiles.for_channel("hotline").rule("handle").days == 45
    assert profiles.default.warn_days == 5


def test_unknown_clocks_name_the_known_ones() -> None:
    with pytest.raises(KeyError, match="handle"):
        load_profiles().default.rule("nope")


def test_a_profile_file_without_channels(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    rule = {"days": 7, "kind": "working", "rule": "test rule", "article": "Art 1"}
    path.write_text(yaml.safe_dump({"clocks": {"quick": rule}}), encoding="utf-8")
    profiles = load_profiles(path)
    assert profiles.channels == {} and profiles.default.warn_days == 3
    assert profiles.for_channel("hotline").rule("quick").days == 7


def test_merge_is_deep() -> None:
    assert merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 3}, "d": {"e": 1}}) == {
        "a": {"b": 3, "c": 2},
        "d": {"e": 1},
    }


def test_basis_fields() -> None:
    basis = Basis(key="k", days=1, kind="calendar", rule="R", article="A", config_key="clocks.k")
    assert basis.label == "R A" and basis.profile == "default"
