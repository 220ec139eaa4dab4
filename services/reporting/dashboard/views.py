"""What the dashboard pages show, built from the same queries as the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.listing import list_alerts, visible
from services.reporting.dashboard.figures import (
    cards,
    county_bars,
    problem_bars,
    unit_bars,
    weekly_trend,
)
from services.reporting.listings import exposures
from services.reporting.models import alerts, case_facts
from services.reporting.params import Range
from services.reporting.stats.city import stats
from services.reporting.stats.scoped import scoped_stats
from services.reporting.words.names import Names
from shared.directory import Directory


async def overview(
    session: AsyncSession,
    days: Range,
    names: Names,
    detail: bool,
    q: str,
    view: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The public summary; with `detail`, the overdue cases of the units in `view` (None: all),
    and the county drill-down links for a whole-city reader."""
    by_county = await stats(session, "county", "day", days.first, days.last, medians=False)
    weekly = await stats(session, "period", "week", days.first, days.last, medians=False)
    board, _ = await exposures(session, 5, 0)
    context: dict[str, Any] = {
        "cards": cards(by_county["totals"], names),
        "totals": by_county["totals"],
        "county_chart": county_bars(by_county["groups"], names, detail and view is None, q),
        "trend": weekly_trend(weekly["groups"]),
        "exposures": board,
    }
    if detail:
        if view is None:
            by_unit = await stats(session, "unit", "day", days.first, days.last, medians=False)
        else:
            by_unit = await scoped_stats(
                session, "unit", "day", days.first, days.last, view, medians=False
            )
        context["overdue_chart"] = unit_bars(by_unit["groups"], names, "overdue", q)
    return context


async def drill(
    session: AsyncSession, days: Range, names: Names, within: tuple[str, str], q: str
) -> dict[str, Any]:
    """A county's or a unit's own figures: totals, units (for a county), problems, trend."""
    dim, key = within
    problems = await stats(session, "problem", "day", days.first, days.last, within, False)
    weekly = await stats(session, "period", "week", days.first, days.last, within, False)
    context: dict[str, Any] = {
        "cards": cards(problems["totals"], names),
        "totals": problems["totals"],
        "problem_chart": problem_bars(problems["groups"], names),
        "trend": weekly_trend(weekly["groups"]),
    }
    if dim == "county":
        units = await stats(session, "unit", "day", days.first, days.last, within, False)
        context["unit_chart"] = unit_bars(units["groups"], names, "cases", q, top=50)
    return context


async def known_unit(session: AsyncSession, directory: Directory, unit_id: str) -> bool:
    """A unit of the directory, or one the facts still name (since dropped from the directory)."""
    if unit_id in directory:
        return True
    named = or_(case_facts.c.handling_unit == unit_id, case_facts.c.responsible_unit == unit_id)
    return await session.scalar(select(case_facts.c.case_id).where(named).limit(1)) is not None


async def alert_list(
    session: AsyncSession,
    units: set[str] | frozenset[str] | None,
    counties: set[str],
    limit: int,
    only_key: str | None = None,
) -> list[dict[str, Any]]:
    query = visible(select(alerts), units, counties)
    if only_key is not None:
        query = query.where(alerts.c.key == only_key)
    items, _ = await list_alerts(session, query, limit, 0)
    return items
