"""What one case or one report adds to the aggregates; pure.

The aggregates are kept by deltas: a batch computes what its cases and reports contributed
before and after its events and adds the difference. Counts go per day of receipt
(Asia/Shanghai) and dimension key; latencies go to histograms per block of days.

Days taken are calendar days (日) in Asia/Shanghai, as the petition rules count them: accepted
the day after receipt is 1 day. Whole days keep the histograms small, so a median over any
date range reads few rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from services.reporting.models import COUNT_FIELDS
from services.reporting.periods import LEVELS, block_of, calendar_days, local_day
from services.reporting.projection.case_facts import substantiated
from services.reporting.projection.storage import Row

UNCLASSIFIED = "unclassified"


# Dimensions a query can group by, and pairs for drilling down into a county or a unit.
# `subject` (the unit complained about) serves the yearly ranking, which needs no medians.
DIMS = (
    "total",
    "county",
    "unit",
    "problem",
    "channel",
    "subject",
    "county_unit",
    "county_problem",
    "unit_problem",
)


INDEX = {field: i for i, field in enumerate(COUNT_FIELDS)}


RECEIVED = tuple(int(field == "received") for field in COUNT_FIELDS)


KINDS = ("accept", "close")


CountKey = tuple[str, date, str]  # dim, day, key


HistKey = tuple[str, str, date, str, str, int]  # dim, level, start, key, kind, bucket


@dataclass(frozen=True)
class Parts:
    """What a case or a report counts under: its day, its keys, its counts, its days taken."""

    day: date
    keys: tuple[tuple[str, str], ...]
    values: tuple[int, ...]
    buckets: tuple[int | None, int | None] = (None, None)  # days to accept, to close


def case_parts(row: Row | None) -> Parts | None:
    if row is None or row["received_at"] is None:
        return None  # counted once case.opened has told when it was received
    day = local_day(row["received_at"])
    keys = dim_keys(row["county"], row["handling_unit"], row["problem"], row)
    ends = (row["accepted_at"], row["closed_at"])
    buckets = tuple(None if end is None else calendar_days(row["received_at"], end) for end in ends)
    return Parts(day, tuple(keys), case_values(row), buckets)  # type: ignore[arg-type]


def report_parts(report: Row | None, case: Row | None) -> Parts | None:
    if report is None or report["received_at"] is None:
        return None
    if case is None:
        keys = [("total", ""), ("county", report["county"])]
    else:
        keys = dim_keys(report["county"], case["handling_unit"], case["problem"], case)
    keys = [(d, k) for d, k in keys if d != "channel"] + [("channel", report["channel"])]
    return Parts(local_day(report["received_at"]), tuple(keys), RECEIVED)


def case_values(row: Row) -> tuple[int, ...]:
    """The counts a case adds (`received` is the reports')."""
    flags = (
        False,
        True,
        row["accepted"],
        row["rejected"],
        substantiated(row),
        row["rectified"],
        row["overdue"],
        row["transferred"],
        row["exposed"],
    )
    return tuple(int(bool(flag)) for flag in flags)


def dim_keys(county: str, unit: str, problem: int | None, case: Row) -> list[tuple[str, str]]:
    """The (dimension, key) pairs a case or a report of it counts under."""
    number = UNCLASSIFIED if problem is None else str(problem)
    return [
        ("total", ""),
        ("county", county),
        ("unit", unit),
        ("problem", number),
        ("channel", case["channel"] or ""),
        ("subject", case["responsible_unit"] or unit),
        ("county_unit", f"{county}|{unit}"),
        ("county_problem", f"{county}|{number}"),
        ("unit_problem", f"{unit}|{number}"),
    ]


@lru_cache(maxsize=8192)
def blocks_of(day: date) -> tuple[tuple[str, date], ...]:
    """The blocks a day belongs to (periods.LEVELS; no week that crosses two months)."""
    found = ((level, block_of(level, day)) for level in LEVELS)
    return tuple((level, start) for level, start in found if start is not None)


def as_dict(values: Any) -> dict[str, int]:
    return {field: int(values[i]) for i, field in enumerate(COUNT_FIELDS)}
