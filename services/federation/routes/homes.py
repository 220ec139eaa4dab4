"""妇儿家园, activities and classes, and selections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from services.federation import homes, selections
from services.federation.callers import Officer, Recorder
from services.federation.context import Ctx
from services.federation.homes import ActivityIn, HomeIn
from services.federation.selections import NominationIn, ReviewIn
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["homes and spirit"])
Id = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/homes", status_code=201)
async def register_home(ctx: Ctx, caller: Recorder, body: HomeIn) -> dict[str, Any]:
    """Federation officers and village cadres: a home with the service functions it offers."""
    return await homes.register_home(ctx, caller, body)


@router.post("/activities", status_code=201)
async def record_activity(ctx: Ctx, caller: Recorder, body: ActivityIn) -> dict[str, Any]:
    """An activity at a home (naming its function), a training class or a themed activity."""
    return await homes.record_activity(ctx, caller, body)


@router.post("/selections", status_code=201)
async def nominate(ctx: Ctx, caller: Recorder, body: NominationIn) -> dict[str, Any]:
    """Federation officers and village cadres: a nomination for 最美家庭 or 好婆婆好媳妇."""
    return await selections.nominate(ctx, caller, body)


@router.post("/selections/{selection_id}/review")
async def review(ctx: Ctx, caller: Officer, selection_id: Id, body: ReviewIn) -> dict[str, Any]:
    """The county federation: selected or declined."""
    return await selections.review(ctx, caller, selection_id, body)


@router.post("/selections/{selection_id}/publish")
async def publish(ctx: Ctx, caller: Officer, selection_id: Id) -> dict[str, Any]:
    """The county federation: a selected nomination made public."""
    return await selections.publish_result(ctx, caller, selection_id)


@router.get("/selections/results")
async def results(
    ctx: Ctx, request: Request, year: Annotated[int | None, Query(ge=2016, le=2100)] = None
) -> dict[str, Any]:
    """The public results: published selections, by the names the nominees agreed to."""
    return await selections.results(ctx, year, wants_english(request))
