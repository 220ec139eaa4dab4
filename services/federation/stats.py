"""Figures per county: aid (applications, aided count and amount by fund source, the share to
poor villages), school coverage and its gaps, pairings and visits, homes and activities,
selections. Counted from federation's own tables; a county officer sees its county, the city
every county."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from services.federation import callers
from services.federation.aid.workflow import COMMITTED
from services.federation.context import Context
from services.federation.models import (
    activities,
    applications,
    homes,
    pairings,
    schools,
    selections,
    villages,
    visits,
)
from shared.auth import Principal

FUND_SOURCES = ("national", "provincial", "city_charity", "city_budget")


async def county_figures(
    ctx: Context, caller: Principal, county: str | None
) -> list[dict[str, Any]]:
    callers.require(caller, callers.OFFICER)
    counties = [code for code, _ in ctx.directory.counties()]
    if not callers.is_city(caller, ctx.directory):
        counties = [callers.county_of(caller, ctx.directory) or ""]
    if county is not None:
        counties = [c for c in counties if c == county]
    async with ctx.db.sessions() as session:
        facts = await _facts(session)
    return [_county(code, facts) for code in counties]


async def _facts(session: Any) -> dict[str, Any]:
    async def rows(query: Any) -> list[Any]:
        return list((await session.execute(query)).all())

    a = applications.c
    return {
        "applications": await rows(
            select(
                a.county, a.status, a.poor_village, a.fund_source, func.count(), func.sum(a.amount)
            ).group_by(a.county, a.status, a.poor_village, a.fund_source)
        ),  # fmt: skip
        "villages": await rows(select(villages)),
        "schools": await rows(select(schools.c.county, schools.c.village_id)),
        "pairings": await rows(select(pairings.c.county, func.count()).group_by(pairings.c.county)),
        "visits": await rows(
            select(pairings.c.county, func.count())
            .select_from(visits.join(pairings, pairings.c.id == visits.c.pairing_id))
            .group_by(pairings.c.county)
        ),
        "homes": await rows(select(homes.c.county, homes.c.village_id)),
        "activities": await rows(
            select(
                activities.c.county,
                activities.c.kind,
                func.count(),
                func.sum(activities.c.attendance),
            ).group_by(activities.c.county, activities.c.kind)
        ),  # fmt: skip
        "selections": await rows(
            select(selections.c.county, selections.c.status, func.count()).group_by(
                selections.c.county, selections.c.status
            )
        ),
    }


def _county(code: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {"county": code, **_aid(code, facts), **_places(code, facts), **_rest(code, facts)}


def _aid(code: str, facts: dict[str, Any]) -> dict[str, Any]:
    applied = aided = amount = poor_amount = poor_aided = 0
    by_source: dict[str, int] = defaultdict(int)
    for county, status, poor, source, count, total in facts["applications"]:
        if county != code:
            continue
        applied += count
        if status in COMMITTED:
            aided, amount = aided + count, amount + int(total or 0)
            by_source[source] += int(total or 0)
            if poor:
                poor_aided, poor_amount = poor_aided + count, poor_amount + int(total or 0)
    return {
        "aid_applications": applied,
        "aid_granted": aided,
        "aid_amount": amount,
        "aid_amount_by_fund": {source: by_source.get(source, 0) for source in FUND_SOURCES},
        "aid_poor_village_granted": poor_aided,
        "aid_poor_village_share": round(poor_amount / amount, 4) if amount else None,
    }


def _places(code: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Coverage: every poor village where left-behind children concentrate has a school."""
    own = [v for v in facts["villages"] if v.county == code]
    with_school = {village for county, village in facts["schools"] if county == code}
    due = [v for v in own if v.poor and v.left_behind]
    gaps = sorted(v.name for v in due if v.id not in with_school)
    poor = {v.id for v in own if v.poor}
    own_homes = [village for county, village in facts["homes"] if county == code]
    return {
        "villages": len(own),
        "poor_villages": len(poor),
        "schools": sum(1 for county, _ in facts["schools"] if county == code),
        "school_coverage": round((len(due) - len(gaps)) / len(due), 4) if due else None,
        "school_gaps": gaps,
        "homes": len(own_homes),
        "homes_poor_village_share": (
            round(sum(1 for v in own_homes if v in poor) / len(own_homes), 4) if own_homes else None
        ),
    }


def _rest(code: str, facts: dict[str, Any]) -> dict[str, Any]:
    kinds = {kind: (int(n), int(people or 0))
             for county, kind, n, people in facts["activities"] if county == code}  # fmt: skip
    statuses = {status: int(n) for county, status, n in facts["selections"] if county == code}
    return {
        "pairings": sum(int(n) for county, n in facts["pairings"] if county == code),
        "visits": sum(int(n) for county, n in facts["visits"] if county == code),
        "activities": {k: kinds.get(k, (0, 0))[0] for k in ("home", "class", "themed")},
        "attendance": sum(people for _, people in kinds.values()),
        "selections_nominated": sum(statuses.values()),
        "selections_published": statuses.get("published", 0),
    }


def as_csv(figures: list[dict[str, Any]]) -> str:
    """One row per county; nested figures flattened (`aid_amount_by_fund.national`, ...)."""
    rows = [_flat(item) for item in figures]
    out = io.StringIO()
    columns = list(rows[0]) if rows else ["county"]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat |= {f"{key}.{inner}": v for inner, v in value.items()}
        elif isinstance(value, list):
            flat[key] = "、".join(value)
        else:
            flat[key] = "" if value is None else value
    return flat
