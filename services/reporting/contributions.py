"""What one case or one report adds to the aggregates; pure.

The aggregates are kept by deltas: a batch computes what its cases and reports contributed
before and after its events and adds the difference. Counts go per day of receipt
(Asia/Shanghai) and dimension key; latencies go to histograms per block of days.

Days taken are calendar days (日) in Asia/Shanghai, as the petition rules count them: accepted
the day after receipt is 1 day. Whole days keep the histograms small, so a median over any
date range reads few rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from services.reporting.facts import Row, substantiated
from services.reporting.models import COUNT_FIELDS
from services.reporting.periods import LEVELS, block_of

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991; a fixed offset converts
# several times faster than the zoneinfo lookup, which the replay does for every row.
TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
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


class Totals:
    """Deltas of the counts and histograms, from rows before and after a batch."""

    def __init__(self) -> None:
        self.counts: dict[CountKey, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
        self.hist: dict[HistKey, int] = defaultdict(int)

    def change(self, before: Parts | None, after: Parts | None) -> None:
        """Add what changed; most events move a flag or two and no key, day or days taken."""
        if before == after:
            return
        if before is None or after is None or (before.day, before.keys) != (after.day, after.keys):
            self.add(before, -1)
            self.add(after, +1)
            return
        diff = [a - b for a, b in zip(after.values, before.values, strict=True)]
        self._count(after, diff)
        for kind, old, new in zip(KINDS, before.buckets, after.buckets, strict=True):
            if old != new:
                self._hist(before, kind, old, -1)
                self._hist(after, kind, new, +1)

    def add(self, parts: Parts | None, sign: int) -> None:
        if parts is None:
            return
        self._count(parts, [sign * v for v in parts.values])
        for kind, bucket in zip(KINDS, parts.buckets, strict=True):
            self._hist(parts, kind, bucket, sign)

    def _count(self, parts: Parts, values: list[int]) -> None:
        moved = [(i, value) for i, value in enumerate(values) if value]
        if not moved:
            return
        for dim, key in parts.keys:
            slot = self.counts[(dim, parts.day, key)]
            for i, value in moved:
                slot[i] += value

    def _hist(self, parts: Parts, kind: str, bucket: int | None, sign: int) -> None:
        if bucket is None:
            return
        blocks = blocks_of(parts.day)
        for dim, key in parts.keys:
            if dim != "subject":  # the ranking needs no medians
                for level, block in blocks:
                    self.hist[(dim, level, block, key, kind, bucket)] += sign

    def add_case(self, row: Row, sign: int) -> None:
        self.add(case_parts(row), sign)

    def add_report(self, report: Row, case: Row | None, sign: int) -> None:
        self.add(report_parts(report, case), sign)

    def clear(self) -> None:
        self.counts.clear()
        self.hist.clear()

    def changed_counts(self) -> dict[CountKey, list[int]]:
        return {key: values for key, values in self.counts.items() if any(values)}

    def changed_hist(self) -> dict[HistKey, int]:
        return {key: n for key, n in self.hist.items() if n}


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


def local_day(moment: datetime) -> date:
    """Days are counted in Asia/Shanghai."""
    return moment.astimezone(TZ).date()


def calendar_days(start: datetime, end: datetime) -> int:
    """Calendar days from one moment to another, counted in Asia/Shanghai (never negative)."""
    return max((local_day(end) - local_day(start)).days, 0)


@lru_cache(maxsize=8192)
def blocks_of(day: date) -> tuple[tuple[str, date], ...]:
    """The blocks a day belongs to (periods.LEVELS; no week that crosses two months)."""
    found = ((level, block_of(level, day)) for level in LEVELS)
    return tuple((level, start) for level, start in found if start is not None)


def as_dict(values: Any) -> dict[str, int]:
    return {field: int(values[i]) for i, field in enumerate(COUNT_FIELDS)}
