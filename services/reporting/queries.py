"""Stats as the contract defines them, computed from the fact tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import median
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import case_facts, report_facts

GroupBy = Literal["county", "unit", "problem", "channel", "period"]
COUNTS = (
    "received",
    "cases",
    "accepted",
    "rejected",
    "substantiated",
    "rectified",
    "overdue",
    "transferred",
    "exposed",
)


def _key(row: Any, group_by: GroupBy, period: str) -> str:
    if group_by == "unit":
        return str(row.handling_unit)
    if group_by == "period":
        return _period(row.received_at, period)
    return str(getattr(row, group_by))


def _period(moment: datetime | None, period: str) -> str:
    if moment is None:
        return "unknown"
    day = moment.date()
    if period == "month":
        return day.strftime("%Y-%m")
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


async def stats(
    session: AsyncSession,
    group_by: GroupBy,
    period: str,
    date_from: date | None,
    date_to: date | None,
) -> dict[str, Any]:
    reports, facts = select(report_facts), select(case_facts)
    # Dates filter on receipt (contract), inclusive on both ends.
    if date_from is not None:
        reports = reports.where(func.date(report_facts.c.received_at) >= date_from)
        facts = facts.where(func.date(case_facts.c.received_at) >= date_from)
    if date_to is not None:
        reports = reports.where(func.date(report_facts.c.received_at) <= date_to)
        facts = facts.where(func.date(case_facts.c.received_at) <= date_to)
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {k: 0 for k in COUNTS} | {"_acc": [], "_close": []}
    )
    for row in (await session.execute(reports)).all():
        if group_by in ("unit", "problem"):
            continue  # a report has no unit or problem until its case says so
        groups[_key(row, group_by, period)]["received"] += 1
    for row in (await session.execute(facts)).all():
        _count_case(groups[_key(row, group_by, period)], row)
    result = [_finish(key, values) for key, values in sorted(groups.items())]
    totals = _finish("total", _sum(groups.values()))
    return {"groups": result, "totals": totals}


def _count_case(group: dict[str, Any], row: Any) -> None:
    group["cases"] += 1
    for flag in ("accepted", "rejected", "rectified", "overdue", "transferred", "exposed"):
        group[flag] += int(bool(getattr(row, flag)))
    group["substantiated"] += int(row.finding in ("substantiated", "partly"))
    if (days := _days(row.received_at, row.accepted_at)) is not None:
        group["_acc"].append(days)
    if (days := _days(row.received_at, row.closed_at)) is not None:
        group["_close"].append(days)


def _sum(groups: Any) -> dict[str, Any]:
    total: dict[str, Any] = {k: 0 for k in COUNTS} | {"_acc": [], "_close": []}
    for group in groups:
        for key in COUNTS:
            total[key] += group[key]
        total["_acc"] += group["_acc"]
        total["_close"] += group["_close"]
    return total


def _finish(key: str, values: dict[str, Any]) -> dict[str, Any]:
    out = {"key": key, **{k: values[k] for k in COUNTS}}
    out["median_days_to_accept"] = round(median(values["_acc"]), 2) if values["_acc"] else None
    out["median_days_to_close"] = round(median(values["_close"]), 2) if values["_close"] else None
    return out
