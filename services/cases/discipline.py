"""Discipline inspection's quarterly results for the city office (纪检监察机关季度办理情况): per
receiving organ, the cases transferred to it in the quarter, how it disposed of them by the four
ways (谈话函询, 初步核实, 暂存待查, 予以了结: `case.disposed`) and how many it closed. Counted from
the cases' own histories, within the caller's scope: an inspector its commission and those under
it, the city office and auditors every organ. Days are Asia/Shanghai's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.domain.vocabulary import Disposal, Organ
from services.cases.models import case_history, cases
from services.cases.scope import reach
from shared.auth import Principal
from shared.deadlines import TZ
from shared.directory import Directory

COUNTED = ("case.transferred", "case.disposed", "case.closed")
WAYS = tuple(d.value for d in Disposal)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The quarter's first moment and the next quarter's, in Asia/Shanghai."""
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return datetime.combine(first, time(), TZ), datetime.combine(after, time(), TZ)


async def quarterly(
    session: AsyncSession, directory: Directory, caller: Principal, year: int, quarter: int
) -> dict[str, Any]:
    """The quarter's figures per receiving organ, and their totals."""
    start, end = quarter_bounds(year, quarter)
    query = (
        select(
            case_history.c.event_type,
            case_history.c.data,
            case_history.c.actor_unit,
            cases.c.receiving_unit,
        )  # fmt: skip
        .join(cases, cases.c.id == case_history.c.case_id)
        .where(
            case_history.c.event_type.in_(COUNTED),
            and_(case_history.c.at >= start, case_history.c.at < end),
            cases.c.transfer_to == Organ.DISCIPLINE_INSPECTION.value,
            cases.c.receiving_unit.is_not(None),
        )
    )
    if caller.role == "inspector":
        query = query.where(cases.c.receiving_unit.in_(reach(directory, caller)))
    rows = [dict(row) for row in (await session.execute(query)).mappings()]
    units = _per_unit(rows)
    return {
        "year": year,
        "quarter": quarter,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "units": [{"unit": unit, **figures} for unit, figures in sorted(units.items())],
        "total": _sum(units.values()),
    }


def _empty() -> dict[str, Any]:
    return {"transferred": 0, "disposed": dict.fromkeys(WAYS, 0), "closed": 0}


def _per_unit(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    units: dict[str, dict[str, Any]] = {}
    for row in rows:
        figures = units.setdefault(row["receiving_unit"], _empty())
        kind, data = row["event_type"], row["data"] or {}
        if kind == "case.transferred" and data.get("to") == Organ.DISCIPLINE_INSPECTION.value:
            figures["transferred"] += 1
        elif kind == "case.disposed" and data.get("way") in WAYS:
            figures["disposed"][data["way"]] += 1
        elif kind == "case.closed" and row["actor_unit"] == row["receiving_unit"]:
            figures["closed"] += 1  # closed by the organ itself: its report back
    return units


def _sum(all_figures: Iterable[dict[str, Any]]) -> dict[str, Any]:
    total = _empty()
    for figures in all_figures:
        total["transferred"] += figures["transferred"]
        total["closed"] += figures["closed"]
        for way in WAYS:
            total["disposed"][way] += figures["disposed"][way]
    return total
