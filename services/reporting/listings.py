"""Lists read from the projections: the yearly ranking, the exposure board."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import case_facts, daily_counts
from shared.directory import Directory


async def ranking(
    session: AsyncSession,
    year: int,
    limit: int,
    within: frozenset[str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Units complained about most in a year (信访工作条例 Art 41): reports received about the
    unit (the accused unit, else the handling unit), then cases, then substantiated ones; only
    units `within` (None: all), never the `hidden` ones (ranks count what is shown)."""
    c = daily_counts.c
    received, cases, found = (func.sum(c[f]) for f in ("received", "cases", "substantiated"))
    query = (
        select(c.key, received, cases, found)
        .where(c.dim == "subject", c.day >= date(year, 1, 1), c.day <= date(year, 12, 31))
        .where(c.key.notin_(sorted(hidden)) if hidden else true())
        .where(c.key.in_(sorted(within)) if within is not None else true())
        .group_by(c.key)
        .having(received > 0)
        .order_by(received.desc(), cases.desc(), found.desc(), c.key)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [
        {"rank": i, "unit": k, "received": int(r), "cases": int(n), "substantiated": int(s)}
        for i, (k, r, n, s) in enumerate(rows, start=1)
    ]


async def supervision_ranking(
    session: AsyncSession,
    directory: Directory,
    year: int,
    limit: int,
    within: frozenset[str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """监督责任 kept apart from 主体责任: each unit's reports, cases and substantiated cases
    counted for the units that directly supervise it (by locality or sector), which answer for
    overseeing it; the same filters as `ranking`, applied to the supervising unit."""
    c = daily_counts.c
    received, cases, found = (func.sum(c[f]) for f in ("received", "cases", "substantiated"))
    query = (
        select(c.key, received, cases, found)
        .where(c.dim == "subject", c.day >= date(year, 1, 1), c.day <= date(year, 12, 31))
        .group_by(c.key)
    )
    totals: dict[str, list[int]] = {}
    for unit, r, n, f in (await session.execute(query)).all():
        if unit not in directory:
            continue
        for sup in {s.unit for s in directory.supervisors_of(unit)}:
            sums = totals.setdefault(sup, [0, 0, 0])
            sums[0], sums[1], sums[2] = sums[0] + int(r), sums[1] + int(n), sums[2] + int(f)
    shown = sorted(
        (
            (unit, sums)
            for unit, sums in totals.items()
            if sums[0] > 0 and unit not in hidden and (within is None or unit in within)
        ),
        key=lambda t: (-t[1][0], -t[1][1], -t[1][2], t[0]),
    )
    return [
        {"rank": i, "unit": k, "received": r, "cases": n, "substantiated": f}
        for i, (k, (r, n, f)) in enumerate(shown[:limit], start=1)
    ]


async def exposures(
    session: AsyncSession, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The public board: only the approved, redacted exposure text and where and what."""
    c = case_facts.c
    where = c.exposed_at.is_not(None)  # set with the flag; its index serves count and order
    total = (await session.execute(select(func.count()).where(where))).scalar() or 0
    query = (
        select(c.case_id, c.county, c.problem, c.exposed_at, c.exposure_text)
        .where(where)
        .order_by(c.exposed_at.desc(), c.case_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        {
            "id": r.case_id,
            "county": r.county,
            "problem": r.problem,
            "exposed_at": r.exposed_at,
            "text": r.exposure_text,
        }
        for r in (await session.execute(query)).all()
    ]
    return items, int(total)
