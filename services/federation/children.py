"""Left-behind children: the 四点半学校 registry, their sponsors, and volunteers paired with
children (结对帮扶) with their visits. A child is a category and a reference made up here:
no name, no id number, nowhere."""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.federation import callers, records
from services.federation.context import Context
from services.federation.models import pairings, schools, sponsorships, visits
from services.federation.places import village
from shared.auth import Principal
from shared.events.federation import programmes as events
from shared.http_params import IsoDate


class SchoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    village_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=2, max_length=200)


class SponsorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sponsor_kind: Literal["unit_committee", "entrepreneur", "civilised_post"]
    sponsor: str = Field(min_length=2, max_length=200)
    amount: int = Field(0, ge=0, le=100_000_000)


class PairingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    village_id: str = Field(min_length=1, max_length=36)
    child_category: events.ChildCategory
    volunteer_kind: Literal["cadre", "volunteer"]
    school_id: str | None = Field(None, max_length=36)


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visited_on: IsoDate


async def register_school(ctx: Context, caller: Principal, body: SchoolIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    callers.refuse_outside(caller, ctx.directory, body.county)
    record = {"id": records.new_id(), **body.model_dump()}
    async with ctx.db.sessions() as session, session.begin():
        await village(session, body.village_id, body.county)
        payload = events.SchoolRegistered(school_id=record["id"], **body.model_dump())
        await records.write(session, schools, record, payload, county=body.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "school", {"school_id": record["id"], **body.model_dump()})


async def _in_scope(session: Any, ctx: Context, caller: Principal, table: Any, key: str) -> Any:
    """A record of the caller's county (the city's: any); 404 otherwise."""
    row = (await session.execute(select(table).where(table.c.id == key))).first()
    if row is None or not callers.acts_in(caller, ctx.directory, row.county):
        raise callers.not_found()
    return row


async def sponsor(
    ctx: Context, caller: Principal, school_id: str, body: SponsorIn
) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER)
    async with ctx.db.sessions() as session, session.begin():
        school = await _in_scope(session, ctx, caller, schools, school_id)
        record = {"id": records.new_id(), "school_id": school.id, **body.model_dump()}
        payload = events.SchoolSponsored(
            sponsorship_id=record["id"], school_id=school.id, county=school.county,
            **body.model_dump(),
        )  # fmt: skip
        await records.write(session, sponsorships, record, payload, county=school.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "sponsorship", {"sponsorship_id": record["id"], **record})


async def pair(ctx: Context, caller: Principal, body: PairingIn) -> dict[str, Any]:
    """The child's reference is made up here: the village keeps who it is, offline."""
    callers.require(caller, callers.OFFICER, callers.CADRE)
    callers.refuse_outside(caller, ctx.directory, body.county)
    child_ref = "C-" + secrets.token_hex(4).upper()
    record = {"id": records.new_id(), **body.model_dump(), "child_ref": child_ref,
              "volunteer_unit": caller.unit}  # fmt: skip
    async with ctx.db.sessions() as session, session.begin():
        await village(session, body.village_id, body.county)
        if body.school_id is not None:
            await _in_scope(session, ctx, caller, schools, body.school_id)
        payload = events.PairingMade(pairing_id=record["id"], child_ref=child_ref,
                                     **body.model_dump())  # fmt: skip
        await records.write(session, pairings, record, payload, county=body.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "pairing", {"pairing_id": record["id"], **record})


async def log_visit(
    ctx: Context, caller: Principal, pairing_id: str, body: VisitIn
) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    async with ctx.db.sessions() as session, session.begin():
        pairing = await _in_scope(session, ctx, caller, pairings, pairing_id)
        day = body.visited_on.isoformat()
        record = {"id": records.new_id(), "pairing_id": pairing.id, "visited_on": day}
        payload = events.VisitLogged(visit_id=record["id"], pairing_id=pairing.id,
                                     county=pairing.county, visited_on=day)  # fmt: skip
        await records.write(session, visits, record, payload, county=pairing.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "visit", {"visit_id": record["id"], **record})
