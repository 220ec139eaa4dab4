"""Stats over a set of handling units (a caller who may not see the whole city, issue 15.17)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import COUNT_FIELDS, daily_counts, latency_hist
from services.reporting.periods import blocks, period_key, period_spans
from services.reporting.projection.contributions import as_dict
from services.reporting.stats.common import (
    GroupBy,
    Period,
    bounds,
    count_sums,
    empty,
    in_range,
    no_medians,
)
from services.reporting.stats.medians import histogram_union, medians_of, merged_medians

# Stats over a set of handling units (a caller who may not see the whole city, issue 15.17):
# read from the per-unit dimensions only, so nothing outside the units is ever summed in. Each
# group_by maps to the dimension that carries the handling unit, and how a key splits into
# (unit, group). Channels are not kept per unit, so they cannot be scoped (the route answers 403).
SCOPED = {
    "unit": ("unit", lambda key: (key, key)),
    "county": ("county_unit", lambda key: (key.partition("|")[2], key.partition("|")[0])),
    "problem": ("unit_problem", lambda key: (key.partition("|")[0], key.partition("|")[2])),
}


async def scoped_stats(
    session: AsyncSession,
    group_by: GroupBy,
    period: Period,
    date_from: date | None,
    date_to: date | None,
    units: frozenset[str],
    medians: bool = True,
) -> dict[str, Any]:
    """As `stats`, counting only cases handled by `units` (and their reports); group medians are
    those of the groups' summed histograms, as the city-wide ones."""
    first, last = await bounds(session, date_from, date_to)
    mine = sorted(units)
    if first is None or last is None or first > last or not mine:
        return {"groups": [], "totals": empty("total")}
    span = blocks(first, last)
    totals = empty("total") | await _summed(session, "unit", mine, first, last)
    totals |= (await merged_medians(session, "unit", {"total": mine}, span)).get("total", {})
    if group_by == "period":
        groups = await _scoped_periods(session, mine, period, (first, last), medians)
        return {"groups": groups, "totals": totals}
    dim, split = SCOPED[group_by]
    c = daily_counts.c
    query = select(c.key, *count_sums()).where(in_range(dim, first, last)).group_by(c.key)
    members: dict[str, list[str]] = defaultdict(list)
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query)).all():
        unit, group = split(row[0])
        if unit in units and any(row[1:]):
            members[group].append(row[0])
            slot = sums[group]
            for i, value in enumerate(row[1:]):
                slot[i] += int(value or 0)
    middles = await merged_medians(session, dim, members, span) if medians else {}
    groups = [
        empty(group) | as_dict(sums[group]) | middles.get(group, {}) for group in sorted(sums)
    ]
    return {"groups": groups, "totals": totals}


async def _summed(
    session: AsyncSession, dim: str, keys: list[str], first: date, last: date
) -> dict[str, int]:
    query = select(*count_sums()).where(in_range(dim, first, last), daily_counts.c.key.in_(keys))
    row = (await session.execute(query)).one()
    return {f: int(row[i] or 0) for i, f in enumerate(COUNT_FIELDS)}


async def _scoped_periods(
    session: AsyncSession, units: list[str], period: Period, days: tuple[date, date], medians: bool
) -> list[dict[str, Any]]:
    first, last = days
    c = daily_counts.c
    query = select(c.day, *count_sums()).where(in_range("unit", first, last), c.key.in_(units))
    groups: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query.group_by(c.day))).all():
        slot = groups[period_key(row[0], period)]
        for i, value in enumerate(row[1:]):
            slot[i] += int(value or 0)
    middles: dict[str, dict[str, float | None]] = {}
    if medians and groups:
        spans = {p: blocks(a, b) for p, a, b in period_spans(first, last, period) if p in groups}
        owner = {block: name for name, span in spans.items() for block in span}
        grp = case({start: name for (_, start), name in owner.items()}, value=latency_hist.c.start)
        middles = await medians_of(session, histogram_union("unit", grp, units, list(owner)))
        middles = {p: middles.get(p, no_medians()) for p in spans}
    return [
        empty(p) | as_dict(values) | middles.get(p, {})
        for p, values in sorted(groups.items())
        if any(values)
    ]
