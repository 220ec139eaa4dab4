"""Working-day calendars for mainland China: statutory holidays and make-up workdays (调休).

The tables come from the `chinese_calendar` package for the years it knows, and from YAML files a
deployment adds, one per year (format in `README.md` beside this file). A year with no table
counts weekends only; `WorkCalendar.knows(year)` tells callers to mark what they computed as
provisional and recompute when the table arrives. Nothing here raises for a missing year: the
State Council publishes each year's table late in the year before, and a case must never be
refused for want of a calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

import chinese_calendar.constants as package_data
import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from shared import configdir

HERE = Path(__file__).parent


class YearTable(BaseModel):
    """One year's schedule as the State Council's notice publishes it.

    Dates may fall in the neighbouring year: a notice for year Y can move a workday to 31
    December of Y-1 to make a New Year bridge.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> YearTable:
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates listed as both holiday and workday: {sorted(both)}")
        stray = sorted(d for d in self.holidays | self.workdays if abs(d.year - self.year) > 1)
        if stray:
            raise ValueError(f"dates too far from year {self.year}: {stray}")
        return self


def package_tables() -> dict[int, YearTable]:
    """The tables the `chinese_calendar` package ships, one per year it supports."""
    holidays, workdays = package_data.holidays, package_data.workdays
    # The package's own notion of "supported" is this range (it raises outside it).
    first, last = min(holidays).year, max(holidays).year
    return {
        year: YearTable(
            year=year,
            holidays=frozenset(d for d in holidays if d.year == year),
            workdays=frozenset(d for d in workdays if d.year == year),
            source="chinese_calendar",
        )
        for year in range(first, last + 1)
    }


def load_tables(folder: Path) -> dict[int, YearTable]:
    """Year tables from `folder/*.yaml`, keyed by year; two files for one year is an error."""
    tables: dict[int, YearTable] = {}
    for path in sorted(folder.glob("*.yaml")):
        table = YearTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if table.year in tables:
            raise ValueError(f"{path}: a second table for {table.year}")
        tables[table.year] = table
    return tables


class WorkCalendar:
    """Answers "is this a working day?" for any date, and whether a table backs the answer."""

    def __init__(self, tables: Mapping[int, YearTable]) -> None:
        self.tables = dict(tables)
        self._days: dict[date, bool] = {}
        # Ascending years, so a later notice's cross-year dates win over the earlier table.
        for year in sorted(self.tables):
            table = self.tables[year]
            self._days.update(dict.fromkeys(table.holidays, False))
            self._days.update(dict.fromkeys(table.workdays, True))

    def with_tables(self, tables: Iterable[YearTable]) -> WorkCalendar:
        """A calendar where each given table replaces (or adds) its whole year."""
        return WorkCalendar({**self.tables, **{t.year: t for t in tables}})

    def knows(self, year: int) -> bool:
        """Whether a published table covers `year`."""
        return year in self.tables

    def known_years(self) -> frozenset[int]:
        """Every year a table covers."""
        return frozenset(self.tables)

    def first_unknown_year(self, since: int | None = None) -> int:
        """The first year from `since` (default: the earliest known year) without a table."""
        year = min(self.tables, default=1) if since is None else since
        while year in self.tables:
            year += 1
        return year

    def is_workday(self, day: date) -> bool:
        """Working day: listed make-up workday, or a weekday not listed as a holiday."""
        return self._days.get(day, day.weekday() < 5)


def default_calendar(extra: Path | None = None) -> WorkCalendar:
    """The package's tables, then the YAML tables in this folder, then those in `extra`
    (by default the county configuration's `holidays/` folder, `shared.configdir`)."""
    if extra is None:
        extra = configdir.file(configdir.HOLIDAYS)
    return _calendar(extra)


def read_calendar(extra: Path | None = None) -> WorkCalendar:
    """`default_calendar` read afresh: a table added since start counts (deadlines recompute)."""
    if extra is None:
        extra = configdir.file(configdir.HOLIDAYS)
    return _calendar.__wrapped__(extra)


@lru_cache(maxsize=8)
def _calendar(extra: Path | None) -> WorkCalendar:
    tables = {**package_tables(), **load_tables(HERE)}
    if extra is not None:
        tables.update(load_tables(extra))
    return WorkCalendar(tables)


def known_years() -> frozenset[int]:
    """Years the default calendar has a table for."""
    return default_calendar().known_years()


def first_unknown_year() -> int:
    """The first year after the default calendar's earliest one that has no table yet."""
    return default_calendar().first_unknown_year()
