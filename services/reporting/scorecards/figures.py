"""A period's scorecards: per handling unit (or county) the rates people are ranked by —
acceptance on time, completion on time, satisfaction (satisfied and basically satisfied, of
those rated), redo (sent back, of completions) — with disputes upheld and lost and urges
received; a group below a threshold of the setting is flagged, naming which."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.scorecards.tables import scorecard_marks as marks

Counts = dict[tuple[str, str], int]  # (measure, outcome) -> n


@dataclass(frozen=True)
class Thresholds:
    """The least rates a unit should reach, and the most redo it may have (fractions)."""

    on_time_acceptance: float = 0.9
    on_time_completion: float = 0.9
    satisfaction: float = 0.8
    redo: float = 0.2


async def counts(
    session: AsyncSession,
    first: date,
    last: date,
    group_by: str,
    units: Collection[str] | None,
) -> dict[str, Counts]:
    """Marks counted per group (`unit` or `county`) and (measure, outcome), over [first, last],
    within `units` (None: every unit)."""
    column = marks.c.unit if group_by == "unit" else marks.c.county
    query = (
        select(column, marks.c.measure, marks.c.outcome, func.count())
        .where(marks.c.day >= first, marks.c.day <= last)
        .group_by(column, marks.c.measure, marks.c.outcome)
    )
    if units is not None:
        query = query.where(marks.c.unit.in_(sorted(units)))
    out: dict[str, Counts] = defaultdict(dict)
    for key, measure, outcome, n in await session.execute(query):
        out[key][(measure, outcome)] = int(n)
    return dict(out)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def card(key: str, c: Counts, limits: Thresholds) -> dict[str, Any]:
    """One group's figures, rates (None with nothing to rate) and the thresholds it misses."""
    accepted = c.get(("acceptance", "on_time"), 0) + c.get(("acceptance", "late"), 0)
    completed = c.get(("completion", "on_time"), 0) + c.get(("completion", "late"), 0)
    good = c.get(("rating", "satisfied"), 0) + c.get(("rating", "basically_satisfied"), 0)
    rated = good + c.get(("rating", "unsatisfied"), 0)
    redos = c.get(("redo", "sent_back"), 0)
    figures: dict[str, Any] = {
        "key": key,
        "accepted": accepted,
        "accepted_on_time": c.get(("acceptance", "on_time"), 0),
        "completed": completed,
        "completed_on_time": c.get(("completion", "on_time"), 0),
        "rated": rated,
        "satisfied": c.get(("rating", "satisfied"), 0),
        "basically_satisfied": c.get(("rating", "basically_satisfied"), 0),
        "unsatisfied": c.get(("rating", "unsatisfied"), 0),
        "redos": redos,
        "disputes_upheld": c.get(("dispute", "upheld"), 0),
        "disputes_lost": c.get(("dispute", "lost"), 0),
        "urges": c.get(("urge", "formal"), 0) + c.get(("urge", "informal"), 0),
        "formal_urges": c.get(("urge", "formal"), 0),
    }
    rates = {
        "on_time_acceptance": _rate(figures["accepted_on_time"], accepted),
        "on_time_completion": _rate(figures["completed_on_time"], completed),
        "satisfaction": _rate(good, rated),
        "redo": _rate(redos, completed),
    }
    below = [name for name, value in rates.items() if _misses(name, value, limits)]
    return {**figures, "rates": rates, "below": below, "flagged": bool(below)}


def _misses(name: str, value: float | None, limits: Thresholds) -> bool:
    if value is None:
        return False  # nothing to judge by
    limit = getattr(limits, name)
    return value > limit if name == "redo" else value < limit


def cards(grouped: dict[str, Counts], limits: Thresholds) -> list[dict[str, Any]]:
    """Every group's card, flagged ones first, then by key."""
    out = [card(key, c, limits) for key, c in grouped.items()]
    return sorted(out, key=lambda item: (not item["flagged"], item["key"]))
