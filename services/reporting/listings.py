"""Lists read from the projections: the yearly ranking, the exposure board."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import case_facts, daily_counts


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
