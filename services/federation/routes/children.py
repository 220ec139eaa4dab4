"""四点半学校, their sponsors, pairings with children and visits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from services.federation import children
from services.federation.callers import Officer, Recorder
from services.federation.children import PairingIn, SchoolIn, SponsorIn, VisitIn
from services.federation.context import Ctx

router = APIRouter(prefix="/api/v1", tags=["left-behind children"])
Id = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/schools", status_code=201)
async def register_school(ctx: Ctx, caller: Recorder, body: SchoolIn) -> dict[str, Any]:
    """Federation officers and village cadres: a 四点半学校 in a village of their county."""
    return await children.register_school(ctx, caller, body)


@router.post("/schools/{school_id}/sponsors", status_code=201)
async def sponsor(ctx: Ctx, caller: Officer, school_id: Id, body: SponsorIn) -> dict[str, Any]:
    """Federation officers: a sponsor's donation to or pairing with the school."""
    return await children.sponsor(ctx, caller, school_id, body)


@router.post("/pairings", status_code=201)
async def pair(ctx: Ctx, caller: Recorder, body: PairingIn) -> dict[str, Any]:
    """A cadre or volunteer paired with a child, who is given a reference (no name, no id)."""
    return await children.pair(ctx, caller, body)


@router.post("/pairings/{pairing_id}/visits", status_code=201)
async def visit(ctx: Ctx, caller: Recorder, pairing_id: Id, body: VisitIn) -> dict[str, Any]:
    """A visit to the paired child, by date."""
    return await children.log_visit(ctx, caller, pairing_id, body)
