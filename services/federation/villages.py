"""The villages the programmes work in: poor (贫困村) or not, left-behind children
concentrated there or not (where a 四点半学校 is due)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.federation import callers, records
from services.federation.context import Context
from services.federation.models import villages
from shared.auth import Principal
from shared.errors import Refusal
from shared.events.federation.programmes import VillageRegistered


class VillageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=2, max_length=100)
    poor: bool
    left_behind: bool = False


async def register(ctx: Context, caller: Principal, body: VillageIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER)
    callers.refuse_outside(caller, ctx.directory, body.county)
    if body.county not in dict(ctx.directory.counties()):
        raise Refusal.invalid(("body", "county"), "未知的县市区", "unknown county")
    record = {"id": records.new_id(), **body.model_dump()}
    payload = VillageRegistered(village_id=record["id"], **body.model_dump())
    try:
        async with ctx.db.sessions() as session, session.begin():
            await records.write(session, villages, record, payload, county=body.county,
                                now=ctx.clock())  # fmt: skip
    except IntegrityError:
        raise Refusal.conflict("该村已登记", "this village is registered already") from None
    return await records.done(ctx, "village", {"village_id": record["id"], **body.model_dump()})


async def listing(ctx: Context, caller: Principal, county: str | None) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    query = select(villages).order_by(villages.c.county, villages.c.name)
    if county is not None:
        query = query.where(villages.c.county == county)
    async with ctx.db.sessions() as session:
        rows = (await session.execute(query)).all()
    items = [
        {"village_id": r.id, "county": r.county, "name": r.name, "poor": r.poor,
         "left_behind": r.left_behind}
        for r in rows
    ]  # fmt: skip
    return {"items": items, "total": len(items), "next": None}
