"""What the dashboard pages show, built from the same queries as the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.listing import list_alerts, under, visible
from services.reporting.dashboard import figures as fig
from services.reporting.exports.cases import CaseFilter, case_query
from services.reporting.listings import exposures, ranking
from services.reporting.models import alerts, case_facts
from services.reporting.params import Range
from services.reporting.phases import Phase, date_range
from services.reporting.stats.city import pairs, stats
from services.reporting.stats.common import bounds
from services.reporting.stats.scoped import scoped_stats
from services.reporting.words.names import Names
from shared.directory import Directory


async def overview(
    session: AsyncSession,
    days: Range,
    names: Names,
    detail: bool,
    q: str,
    t: dict[str, str],
    phases: tuple[Phase, ...],
    view: frozenset[str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The public summary; with `detail`, the overdue cases of the units in `view` (None: all),
    the ranking, the heat map and the county drill-down links for a whole-city reader."""
    by_county = await stats(session, "county", "day", days.first, days.last, medians=False)
    city = detail and view is None
    context: dict[str, Any] = {
        "cards": fig.cards(by_county["totals"], names),
        "totals": by_county["totals"],
        "charts": await _time_charts(session, days, names, t, phases, None),
        "county_charts": [
            fig.county_bars(by_county["groups"], names, city, q, t),
            fig.county_rates(by_county["groups"], names, city, q, t),
        ],
        "exposures": (await exposures(session, 5, 0))[0],
        "last_day": (await bounds(session, days.first, days.last))[1],
    }
    if detail:
        found = await _detail_charts(session, days, names, q, t, view, hidden)
        context["detail_charts"] = found
    return context


async def _time_charts(
    session: AsyncSession,
    days: Range,
    names: Names,
    t: dict[str, str],
    phases: tuple[Phase, ...],
    within: tuple[str, str] | None,
) -> list[Any]:
    english = names.english
    monthly = await stats(session, "period", "month", days.first, days.last, within)
    weekly = await stats(session, "period", "week", days.first, days.last, within, False)
    first, last = await bounds(session, days.first, days.last)
    # Every period of the range on the axis, the quiet ones too (stats leave them out).
    months = fig.every_period(monthly["groups"], first, last, "month")
    weeks = fig.every_period(weekly["groups"], first, last, "week")[-53:]
    return [
        fig.volume("monthly", t["monthly"], months, names, t, fig.marks(phases, "month", english)),
        fig.volume("trend", t["weekly"], weeks, names, t, fig.marks(phases, "week", english)),
        fig.overdue_trend(months, names, t),
        fig.acceptance_trend(months, names, t),
    ]


async def _detail_charts(
    session: AsyncSession,
    days: Range,
    names: Names,
    q: str,
    t: dict[str, str],
    view: frozenset[str] | None,
    hidden: frozenset[str],
) -> list[Any]:
    if view is None:
        by_unit = await stats(session, "unit", "day", days.first, days.last, medians=False)
    else:
        by_unit = await scoped_stats(session, "unit", "day", days.first, days.last, view, False)
    overdue = fig.unit_bars(
        "overdue-by-unit", t["overdue_by_unit"], by_unit["groups"], names, "overdue", q
    )
    charts = [overdue]
    if view is None:  # the whole city's pictures are for whole-city readers
        _, last = await bounds(session, days.first, days.last)
        year = (last or date.today()).year  # the year the figures reach, not the calendar's
        top = await ranking(session, year, 15, None, hidden)
        charts.append(fig.ranking_bars(top, names, q, t, True))
        cells = await pairs(session, "county_problem", days.first, days.last)
        charts.append(fig.heat(cells, names, True, q, t))
    return charts


async def compared(
    session: AsyncSession,
    names: Names,
    t: dict[str, str],
    phases: tuple[Phase, ...],
    chosen: tuple[str | None, str | None],
) -> dict[str, Any]:
    """Two phases' totals side by side (whole city): the ones asked for, else the last two
    configured phases that hold any report."""
    totals = {}
    for phase in phases:
        a, b = date_range(phase, None, None)
        totals[phase.id] = (await stats(session, "county", "day", a, b, medians=False))["totals"]
    with_data = [p.id for p in phases if totals[p.id]["received"]]
    fallback = (with_data or [p.id for p in phases])[-2:]
    ids = [c if c in totals else None for c in chosen]
    a_id = ids[0] or fallback[0]
    b_id = ids[1] or fallback[-1]
    by_id = {p.id: p for p in phases}
    sides = [(_phase_name(by_id[i], names), totals[i]) for i in (a_id, b_id)]
    return {"chart": fig.phases_compared(sides[0], sides[1], names, t), "a": a_id, "b": b_id}


def _phase_name(phase: Phase, names: Names) -> str:
    return phase.name_en if names.english else phase.name


async def drill(
    session: AsyncSession,
    days: Range,
    names: Names,
    within: tuple[str, str],
    q: str,
    t: dict[str, str],
    phases: tuple[Phase, ...],
) -> dict[str, Any]:
    """A county's or a unit's own figures: totals, units (for a county), problems, trends."""
    dim, key = within
    problems = await stats(session, "problem", "day", days.first, days.last, within, False)
    charts = []
    if dim == "county":
        units = await stats(session, "unit", "day", days.first, days.last, within, False)
        by_unit = units["groups"]
        charts.append(fig.unit_bars("by-unit", t["by_unit"], by_unit, names, "cases", q, 50))
    charts.append(fig.problem_bars(problems["groups"], names, t))
    charts += await _time_charts(session, days, names, t, phases, within)
    return {"cards": fig.cards(problems["totals"], names), "totals": problems["totals"],
            "charts": charts}  # fmt: skip


async def cases_behind(
    session: AsyncSession, days: Range, unit: str, limit: int = 200
) -> list[Any]:
    """The cases a unit's figures count (handled by it, received in the range), newest first."""
    query = case_query(CaseFilter(days.first, days.last, unit=unit))
    rows = (await session.execute(query)).mappings().all()
    return [dict(r) for r in rows][::-1][:limit]


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
    responsibility: str | None = None,
) -> list[dict[str, Any]]:
    query = under(visible(select(alerts), units, counties), responsibility)
    if only_key is not None:
        query = query.where(alerts.c.key == only_key)
    items, _ = await list_alerts(session, query, limit, 0)
    return items
