"""Calendar helpers: periods for grouping, blocks for histograms, and configured phases."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Block = tuple[str, date]  # level ('d', 'm', 'y') and first day


def period_key(day: date, period: str) -> str:
    """`2018-03-05`, `2018-W10` (ISO week) or `2018-03`."""
    if period == "month":
        return day.strftime("%Y-%m")
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


LEVELS = ("y", "q", "m", "w", "d")  # year, quarter, month, ISO week inside a month, day


def block_of(level: str, day: date) -> date | None:
    """The first day of the block of `level` holding `day` (None: a week across two months,
    which no query uses: whole months are reached through days instead)."""
    if level == "y":
        return date(day.year, 1, 1)
    if level == "q":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if level == "m":
        return day.replace(day=1)
    if level == "w":
        monday = day - timedelta(days=day.weekday())
        return monday if monday.month == (monday + timedelta(days=6)).month else None
    return day


def block_end(level: str, start: date) -> date:
    if level == "y":
        return date(start.year, 12, 31)
    if level == "q":
        return _next_month(_next_month(_next_month(start))) - timedelta(days=1)
    if level == "m":
        return _next_month(start) - timedelta(days=1)
    return start + timedelta(days=6 if level == "w" else 0)


def blocks(first: date, last: date) -> list[Block]:
    """The fewest years, quarters, months, weeks and days that cover [first, last] exactly."""
    out: list[Block] = []
    day = first
    while day <= last:
        level = next(
            lvl for lvl in LEVELS if block_of(lvl, day) == day and block_end(lvl, day) <= last
        )
        out.append((level, day))
        day = block_end(level, day) + timedelta(days=1)
    return out


def period_spans(first: date, last: date, period: str) -> list[tuple[str, date, date]]:
    """(period key, first day, last day) of each period overlapping [first, last], clipped."""
    spans: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        if period == "month":
            end = _next_month(day) - timedelta(days=1)
        elif period == "week":
            end = day + timedelta(days=6 - day.weekday())
        else:
            end = day
        spans.append((period_key(day, period), day, min(end, last)))
        day = end + timedelta(days=1)
    return spans


class Phase(BaseModel):
    """A campaign period (e.g. the 2018 concentrated year, a quarter, the continuous phase)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    name_en: str
    first: date = Field(alias="from")
    last: date | None = Field(None, alias="to")  # open-ended: still running

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"phase {self.id}: 'to' is before 'from'")
        return self


class Phases(BaseModel):
    model_config = ConfigDict(frozen=True)
    phases: tuple[Phase, ...]

    def get(self, phase_id: str) -> Phase | None:
        return next((p for p in self.phases if p.id == phase_id), None)


@lru_cache(maxsize=4)
def load_phases(path: Path | None = None) -> Phases:
    """The configured phases: a deployment's file, or the packaged `phases.yaml`."""
    if path is None:
        text = resources.files("services.reporting").joinpath("phases.yaml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return Phases.model_validate(yaml.safe_load(text))


def date_range(
    phase: Phase | None, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """A phase narrowed by explicit from/to (both apply: the intersection)."""
    if phase is None:
        return first, last
    starts = [d for d in (phase.first, first) if d is not None]
    ends = [d for d in (phase.last, last) if d is not None]
    return max(starts), (min(ends) if ends else None)
