"""妇儿家园 / 妇女之家 with the plan's six service functions, and activities: at a home, a
新农村新生活新女性 training class, or a themed activity, each with its attendance."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from services.federation import callers, records
from services.federation.context import Context
from services.federation.models import activities, homes
from services.federation.places import village
from shared.auth import Principal
from shared.errors import Refusal
from shared.events.federation import programmes as events
from shared.http_params import IsoDate

# The plan's words for each function (宣传教育, 维权服务, 家庭教育, 帮扶救助, 就业指导, 文化娱乐).
FUNCTIONS = {
    "education": ("宣传教育", "publicity and education"),
    "rights": ("维权服务", "rights protection"),
    "family": ("家庭教育", "family education"),
    "relief": ("帮扶救助", "help and relief"),
    "employment": ("就业指导", "employment guidance"),
    "culture": ("文化娱乐", "culture and recreation"),
}


class HomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    village_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=2, max_length=200)
    functions: list[events.HomeFunction] = Field(min_length=1, max_length=6)


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    village_id: str = Field(min_length=1, max_length=36)
    kind: events.ActivityKind
    theme: str = Field(min_length=2, max_length=200)
    held_on: IsoDate
    attendance: int = Field(ge=0, le=100_000)
    home_id: str | None = Field(None, max_length=36)
    function: events.HomeFunction | None = None

    @model_validator(mode="after")
    def _home_activity_names_its_home(self) -> ActivityIn:
        if self.kind == "home" and (self.home_id is None or self.function is None):
            raise ValueError(
                "家园活动须写明家园和服务功能 | a home's activity names the home and function"
            )
        return self


async def register_home(ctx: Context, caller: Principal, body: HomeIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    callers.refuse_outside(caller, ctx.directory, body.county)
    values = body.model_dump()
    values["functions"] = sorted(set(values["functions"]))
    record = {"id": records.new_id(), **values}
    async with ctx.db.sessions() as session, session.begin():
        await village(session, body.village_id, body.county)
        payload = events.HomeRegistered(home_id=record["id"], **values)
        await records.write(session, homes, record, payload, county=body.county, now=ctx.clock())
    return await records.done(ctx, "home", {"home_id": record["id"], **values})


async def record_activity(ctx: Context, caller: Principal, body: ActivityIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    callers.refuse_outside(caller, ctx.directory, body.county)
    values = {**body.model_dump(), "held_on": body.held_on.isoformat()}
    record = {"id": records.new_id(), **values}
    async with ctx.db.sessions() as session, session.begin():
        await village(session, body.village_id, body.county)
        if body.home_id is not None:
            await _home_offers(session, body.home_id, body.village_id, body.function)
        payload = events.ActivityRecorded(activity_id=record["id"], **values)
        await records.write(session, activities, record, payload, county=body.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "activity", {"activity_id": record["id"], **values})


async def _home_offers(session: Any, home_id: str, village_id: str, function: str | None) -> None:
    home = (await session.execute(select(homes).where(homes.c.id == home_id))).first()
    if home is None or home.village_id != village_id:
        raise Refusal.invalid(("body", "home_id"), "该村没有此家园", "no such home in the village")
    if function is not None and function not in home.functions:
        raise Refusal.invalid(
            ("body", "function"), "该家园未开展此项服务功能", "the home does not offer it"
        )
