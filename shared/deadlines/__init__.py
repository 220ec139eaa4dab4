"""Deadline clocks: calendar and working days in Asia/Shanghai (`days`), a deadline and its
basis (`deadline`), pausable clocks (`clock`), the profiles from data (`profiles`)."""

from shared.deadlines.clock import Clock, Pause
from shared.deadlines.days import TZ, DayKind, count_days, end_of_day, local_day, step_days
from shared.deadlines.deadline import Basis, Deadline, add_days
from shared.deadlines.profiles import (
    PROFILES_FILE,
    ClockRule,
    Profile,
    Profiles,
    build_profiles,
    load_profiles,
    merge,
)
from shared.holidays import first_unknown_year, known_years

__all__ = [
    "PROFILES_FILE",
    "TZ",
    "Basis",
    "Clock",
    "ClockRule",
    "Deadline",
    "DayKind",
    "Pause",
    "Profile",
    "Profiles",
    "add_days",
    "build_profiles",
    "count_days",
    "end_of_day",
    "first_unknown_year",
    "known_years",
    "load_profiles",
    "local_day",
    "merge",
    "step_days",
]
