"""What the pages list: villages to choose from, and the programme records of the counties a
signed-in person works in (the city federation's officers: every county). Children appear by
their made-up reference and category only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from services.federation import callers
from services.federation.context import Context
from services.federation.models import (
    activities,
    drives,
    homes,
    pairings,
    schools,
    selections,
    villages,
)
from shared.auth import Principal
from shared.events.base import CITY_COUNTY


def counties_of(ctx: Context, caller: Principal) -> list[str] | None:
    """The counties the caller works in; None: every county (the city federation)."""
    own = callers.county_of(caller, ctx.directory)
    if callers.is_city(caller, ctx.directory):
        return None
    return [own] if own and own != CITY_COUNTY else []


def _scoped(table: Table, counties: list[str] | None) -> Any:
    query = select(table)
    return query if counties is None else query.where(table.c.county.in_(counties))


async def village_names(ctx: Context) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        rows = (await session.execute(select(villages))).all()
    return {row.id: row for row in rows}


async def villages_for(ctx: Context, caller: Principal) -> list[Any]:
    query = _scoped(villages, counties_of(ctx, caller)).order_by(villages.c.county, villages.c.name)
    async with ctx.db.sessions() as session:
        return list((await session.execute(query)).all())


async def drive_list(ctx: Context) -> list[Any]:
    async with ctx.db.sessions() as session:
        query = select(drives).order_by(drives.c.year.desc(), drives.c.name)
        return list((await session.execute(query)).all())


KINDS = {"schools": schools, "pairings": pairings, "homes": homes, "selections": selections}


async def records(ctx: Context, caller: Principal, kind: str, limit: int = 200) -> list[Any]:
    table = KINDS[kind]
    query = _scoped(table, counties_of(ctx, caller))
    query = query.order_by(table.c.county, table.c.created_at.desc()).limit(limit)
    async with ctx.db.sessions() as session:
        return list((await session.execute(query)).all())


async def activity_counts(ctx: Context, home_ids: list[str]) -> dict[str, int]:
    if not home_ids:
        return {}
    async with ctx.db.sessions() as session:
        rows = (
            await session.execute(
                select(activities.c.home_id).where(activities.c.home_id.in_(home_ids))
            )
        ).all()
    counts: dict[str, int] = {}
    for (home_id,) in rows:
        counts[home_id] = counts.get(home_id, 0) + 1
    return counts
