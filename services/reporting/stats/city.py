"""Stats as the contract defines them, read from the daily aggregates.

`received` counts reports (merged ones included), `cases` counts cases, `unit` is the handling
unit, `substantiated` means substantiated or partly, `rectified` means verified, `overdue`
counts cases that missed any deadline, dates filter on receipt (days in Asia/Shanghai, both
ends included). A report whose case is not known yet counts in the totals and under its
county, channel and period, but under no unit or problem. Medians are of calendar days taken
(Asia/Shanghai), from receipt to acceptance and to closing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import COUNT_FIELDS, daily_counts
from services.reporting.periods import blocks, period_key, period_spans
from services.reporting.projection.contributions import as_dict
from services.reporting.stats.common import (
    WITHIN,
    GroupBy,
    Period,
    bounds,
    count_sums,
    empty,
    in_range,
)
from services.reporting.stats.medians import group_medians


async def stats(
    session: AsyncSession,
    group_by: GroupBy,
    period: Period,
    date_from: date | None,
    date_to: date | None,
    within: tuple[str, str] | None = None,
    medians: bool = True,
) -> dict[str, Any]:
    """`{"groups": [...], "totals": {...}}`; `within` = (dim, key) narrows to a county or unit;
    without `medians` the groups' medians are left out (None), for charts that show none."""
    first, last = await bounds(session, date_from, date_to)
    total_dim, total_key = within or ("total", "")
    if first is None or last is None or first > last:
        return {"groups": [], "totals": empty("total")}
    totals = await _totals(session, total_dim, total_key, first, last)
    if group_by == "period":
        groups = await _by_period(session, total_dim, total_key, period, (first, last), medians)
    else:
        dim = group_by if within is None else WITHIN[(within[0], group_by)]
        prefix = None if within is None else f"{within[1]}|"
        groups = await _by_key(session, dim, prefix, (first, last), medians)
    return {"groups": groups, "totals": totals}


async def _totals(
    session: AsyncSession, dim: str, key: str, first: date, last: date
) -> dict[str, Any]:
    query = select(*count_sums()).where(in_range(dim, first, last), daily_counts.c.key == key)
    row = (await session.execute(query)).one()
    out = empty("total") | {f: int(row[i] or 0) for i, f in enumerate(COUNT_FIELDS)}
    found = await group_medians(session, dim, {key: blocks(first, last)})
    return out | found.get(key, {})


async def _by_key(
    session: AsyncSession, dim: str, prefix: str | None, days: tuple[date, date], medians: bool
) -> list[dict[str, Any]]:
    first, last = days
    query = select(daily_counts.c.key, *count_sums()).where(in_range(dim, first, last))
    if prefix is not None:  # "371402|" … "371402}" ('}' follows '|'): one range of the key
        query = query.where(daily_counts.c.key >= prefix, daily_counts.c.key < prefix[:-1] + "}")
    rows = (await session.execute(query.group_by(daily_counts.c.key))).all()
    found = {row[0]: as_dict(row[1:]) for row in rows if any(row[1:])}
    span = blocks(first, last)
    middles = await group_medians(session, dim, dict.fromkeys(found, span)) if medians else {}
    return [
        empty(_short(key, prefix)) | values | middles.get(key, {})
        for key, values in sorted(found.items())
    ]


def _short(key: str, prefix: str | None) -> str:
    return key[len(prefix) :] if prefix else key


async def _by_period(
    session: AsyncSession,
    dim: str,
    key: str,
    period: Period,
    days: tuple[date, date],
    medians: bool,
) -> list[dict[str, Any]]:
    first, last = days
    c = daily_counts.c
    query = select(c.day, *count_sums()).where(in_range(dim, first, last), c.key == key)
    groups: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query.group_by(c.day))).all():
        slot = groups[period_key(row[0], period)]
        for i, value in enumerate(row[1:]):
            slot[i] += int(value or 0)
    spans = {p: blocks(a, b) for p, a, b in period_spans(first, last, period) if p in groups}
    middles = await group_medians(session, dim, spans, key=key) if medians else {}
    return [
        empty(p) | as_dict(values) | middles.get(p, {})
        for p, values in sorted(groups.items())
        if any(values)
    ]


async def pairs(
    session: AsyncSession, dim: str, date_from: date | None, date_to: date | None
) -> list[dict[str, Any]]:
    """Counts per key of a two-part dimension over the whole city (e.g. `county_problem`,
    keys `371402|19`), without medians: the heat map's cells."""
    first, last = await bounds(session, date_from, date_to)
    if first is None or last is None or first > last:
        return []
    return await _by_key(session, dim, None, (first, last), False)
