"""The programmes' catalogue, villages, and the per-county figures with their CSV export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.federation import programmes, stats, villages
from services.federation.callers import Officer, Recorder
from services.federation.context import Ctx
from services.federation.villages import VillageIn
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["programmes"])
County = Annotated[str | None, Query(pattern=r"^\d{6}$")]


@router.get("/programmes")
async def catalogue(request: Request) -> dict[str, Any]:
    """The four programmes (public)."""
    return programmes.programmes(wants_english(request))


@router.post("/villages", status_code=201)
async def register_village(ctx: Ctx, caller: Officer, body: VillageIn) -> dict[str, Any]:
    """Federation officers: a village of their county, poor or not, with left-behind children
    concentrated there or not."""
    return await villages.register(ctx, caller, body)


@router.get("/villages")
async def village_list(ctx: Ctx, caller: Recorder, county: County = None) -> dict[str, Any]:
    """Federation officers and village cadres: the registered villages."""
    return await villages.listing(ctx, caller, county)


@router.get("/programmes/stats")
async def figures(ctx: Ctx, caller: Officer, county: County = None) -> dict[str, Any]:
    """Federation officers: per county (their own; the city's: every county)."""
    items = await stats.county_figures(ctx, caller, county)
    return {"items": items, "total": len(items), "next": None}


@router.get("/programmes/stats.csv")
async def figures_csv(ctx: Ctx, caller: Officer, county: County = None) -> Response:
    """The same figures, one row per county, as CSV (UTF-8 with a BOM for spreadsheets)."""
    text = stats.as_csv(await stats.county_figures(ctx, caller, county))
    return Response(
        ("\ufeff" + text).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="programmes.csv"'},
    )
