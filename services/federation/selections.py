"""Selections (最美家庭, 好婆婆好媳妇): nominated by a village cadre or an officer, reviewed by
the county federation, published; the public sees published results only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, select, update

from services.federation import callers, records
from services.federation.context import Context
from services.federation.models import selections
from services.federation.places import village
from services.federation.publishing import publish
from shared.auth import Principal
from shared.errors import Refusal
from shared.events.federation import programmes as events

KINDS = {"best_family": ("最美家庭", "most beautiful family"),
         "good_in_laws": ("好婆婆好媳妇", "good mother- and daughter-in-law")}  # fmt: skip


class NominationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=r"^\d{6}$")
    village_id: str = Field(min_length=1, max_length=36)
    kind: events.SelectionKind
    year: int = Field(ge=2016, le=2100)
    # As the public result will show it, e.g. 张某某家庭: the nominee agreed to it.
    public_name: str = Field(min_length=2, max_length=100)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    selected: bool


async def nominate(ctx: Context, caller: Principal, body: NominationIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER, callers.CADRE)
    callers.refuse_outside(caller, ctx.directory, body.county)
    record = {"id": records.new_id(), **body.model_dump(), "status": "nominated", "version": 1}
    async with ctx.db.sessions() as session, session.begin():
        await village(session, body.village_id, body.county)
        payload = events.SelectionNominated(
            selection_id=record["id"], county=body.county, village_id=body.village_id,
            kind=body.kind, year=body.year,
        )  # fmt: skip
        await records.write(session, selections, record, payload, county=body.county,
                            now=ctx.clock())  # fmt: skip
    return await records.done(ctx, "selection", {"selection_id": record["id"], **record})


async def review(ctx: Context, caller: Principal, key: str, body: ReviewIn) -> dict[str, Any]:
    status = "selected" if body.selected else "declined"
    return await _move(ctx, caller, key, "nominated", status, body.selected)


async def publish_result(ctx: Context, caller: Principal, key: str) -> dict[str, Any]:
    return await _move(ctx, caller, key, "selected", "published", True)


async def _move(
    ctx: Context, caller: Principal, key: str, before: str, after: str, selected: bool
) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER)
    async with ctx.db.sessions() as session, session.begin():
        row = (await session.execute(select(selections).where(selections.c.id == key))).first()
        if row is None or not callers.sees(caller, ctx.directory, row.county):
            raise callers.not_found()
        if row.status != before:
            raise Refusal.conflict("评选当前状态不允许此操作", f"not allowed while {row.status}")
        done = await session.execute(
            update(selections)
            .where(and_(selections.c.id == key, selections.c.version == row.version))
            .values(status=after, version=row.version + 1)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal.conflict("评选已被他人处理，请刷新", "changed meanwhile; reload it")
        payload: events.EventData = (
            events.SelectionPublished(
                selection_id=key,
                county=row.county,
                village_id=row.village_id,
                kind=row.kind,
                year=row.year,
                public_name=row.public_name,
            )  # fmt: skip
            if after == "published"
            else events.SelectionReviewed(selection_id=key, county=row.county, selected=selected)
        )
        await publish(session, payload, county=row.county, aggregate_id=key,
                      sequence=row.version + 1)  # fmt: skip
    return {"selection_id": key, "status": after}


async def results(ctx: Context, year: int | None, english: bool) -> dict[str, Any]:
    """The public results: published selections only, by the name the nominee agreed to."""
    query = select(selections).where(selections.c.status == "published")
    if year is not None:
        query = query.where(selections.c.year == year)
    async with ctx.db.sessions() as session:
        rows = (await session.execute(query.order_by(selections.c.county, selections.c.id))).all()
    items = [
        {"selection_id": r.id, "county": r.county, "year": r.year, "kind": r.kind,
         "title": KINDS[r.kind][1 if english else 0], "public_name": r.public_name}
        for r in rows
    ]  # fmt: skip
    return {"items": items, "total": len(items), "next": None}
