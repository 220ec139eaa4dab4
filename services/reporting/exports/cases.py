"""The case export's rows: case facts filtered as the stats are, streamed from the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import case_facts
from services.reporting.periods import TZ

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
