"""Lists read from the projections: the yearly ranking, the exposure board, case facts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.contributions import TZ
from services.reporting.models import case_facts, daily_counts

CASE_COLUMNS = (
    "case_id",
    "county",
    "handling_unit",
    "responsible_unit",
    "problem",
    "channel",
    "status",
    "finding",
    "received_at",
    "accepted_at",
    "concluded_at",
    "closed_at",
    "accepted",
    "rejected",
    "overdue",
    "overdue_kinds",
    "transferred",
    "transfer_to",
    "rectifying_unit",
    "rectified",
    "rectified_at",
    "exposed",
    "exposed_at",
)


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


@dataclass(frozen=True)
class CaseFilter:
    """Filters of the case export (dates on receipt, as the stats)."""

    first: date | None = None
    last: date | None = None
    county: str | None = None
    unit: str | None = None
    problem: int | None = None
    channel: str | None = None
    status: str | None = None
    units: frozenset[str] | None = None  # what the caller may see; None: everything


def day_start(day: date) -> datetime:
    """The first moment of a day in Asia/Shanghai."""
    return datetime.combine(day, time(), TZ)


def case_query(f: CaseFilter) -> Select[Any]:
    c = case_facts.c
    query = select(*(c[name] for name in CASE_COLUMNS)).where(c.received_at.is_not(None))
    if f.first is not None:
        query = query.where(c.received_at >= day_start(f.first))
    if f.last is not None:
        query = query.where(c.received_at < day_start(f.last + timedelta(days=1)))
    for name in ("county", "problem", "channel", "status"):
        if getattr(f, name) is not None:
            query = query.where(c[name] == getattr(f, name))
    if f.unit is not None:
        query = query.where(c.handling_unit == f.unit)
    if f.units is not None:
        query = query.where(c.handling_unit.in_(sorted(f.units)))
    return query.order_by(c.received_at, c.case_id)


async def case_rows(session: AsyncSession, f: CaseFilter) -> AsyncIterator[dict[str, Any]]:
    """Case facts one by one, streamed from the database."""
    result = await session.stream(case_query(f).execution_options(yield_per=2000))
    async for row in result.mappings():
        yield dict(row)
