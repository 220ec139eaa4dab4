"""What every stats query shares: the request's shape, an empty group, the date bounds and the sums
of the daily counts."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import COUNT_FIELDS, daily_counts

GroupBy = Literal["county", "unit", "problem", "channel", "period"]


Period = Literal["day", "week", "month"]


# Drilling down: within a county or a unit, group by one of these (dim of the pair).
WITHIN = {
    ("county", "unit"): "county_unit",
    ("county", "problem"): "county_problem",
    ("unit", "problem"): "unit_problem",
}


def empty(key: str) -> dict[str, Any]:
    return {"key": key, **dict.fromkeys(COUNT_FIELDS, 0)} | {
        "median_days_to_accept": None,
        "median_days_to_close": None,
    }


async def bounds(
    session: AsyncSession, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """The requested range, open ends closed by the data's first and last day."""
    if first is None or last is None:
        query = select(func.min(daily_counts.c.day), func.max(daily_counts.c.day))
        low, high = (await session.execute(query.where(daily_counts.c.dim == "total"))).one()
        first = first or low
        last = last or high
    return first, last


def count_sums() -> list[Any]:
    return [func.sum(daily_counts.c[f]).label(f) for f in COUNT_FIELDS]


def in_range(dim: str, first: date, last: date) -> Any:
    c = daily_counts.c
    return and_(c.dim == dim, c.day >= first, c.day <= last)


def no_medians() -> dict[str, float | None]:
    return {"median_days_to_accept": None, "median_days_to_close": None}
