"""Reporting's figures over HTTP: stats, phases, the yearly ranking and the exposure board."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from services.reporting.access import READERS, figures_in_view, hidden_subjects
from services.reporting.context import Ctx
from services.reporting.listings import exposures, ranking, supervision_ranking
from services.reporting.params import (
    Cursor,
    Limit,
    StatsParams,
    names_for,
    next_cursor,
    offset_of,
    stats_params,
)
from services.reporting.stats.view import caller_stats
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])


@router.get("/stats")
async def get_stats(
    ctx: Ctx, caller: Caller, params: Annotated[StatsParams, Depends(stats_params)]
) -> dict[str, Any]:
    """Counts per group and in total; rates are for clients to derive.

    `received` counts reports (merged ones included), `cases` counts cases, `unit` is the
    handling unit, `substantiated` means substantiated or partly, `rectified` means verified,
    `overdue` counts cases that missed any deadline; dates filter on receipt (Asia/Shanghai
    days); `phase` names a configured campaign period (GET /api/v1/phases).

    Only what the caller may see: the whole city for the city office, auditors, inspectors and
    the city leading group's and office's leaders; otherwise the cases handled by the caller's
    unit (and the units it supervises), so `group_by=channel` is for whole-city readers (403)."""
    require_role(caller, *READERS)
    return await caller_stats(ctx, caller, params)


@router.get("/phases")
async def get_phases(ctx: Ctx) -> dict[str, Any]:
    """The configured campaign phases (public)."""
    items = [p.model_dump(mode="json", by_alias=True) for p in ctx.phases.phases]
    return {"items": items, "total": len(items), "next": None}


@router.get("/ranking")
async def get_ranking(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 20,
    responsibility: Annotated[Literal["main", "supervision"], Query()] = "main",
) -> dict[str, Any]:
    """The units complained about most in a year (信访工作条例 Art 41): reports about the unit
    (the accused unit, else the handling unit), then cases, then substantiated cases.

    `responsibility`: `main` (主体责任, the default) ranks the units reported on themselves;
    `supervision` (监督责任) ranks the units that directly supervise them, each counting what is
    reported about the units it oversees — the two are never added together.

    Only the units in the caller's view (as the stats), and never the caller's own unit nor a
    unit above it: what is reported about a unit does not reach that unit (auditors see all)."""
    require_role(caller, *READERS)
    year = year or ctx.clock().year
    names = names_for(request, ctx)
    within = figures_in_view(caller, ctx.directory)
    hidden = hidden_subjects(caller, ctx.directory)
    async with ctx.db.sessions() as session:
        if responsibility == "supervision":
            args = (session, ctx.directory, year, limit, within, hidden)
            items = await supervision_ranking(*args)
        else:
            items = await ranking(session, year, limit, within, hidden)
    for item in items:
        item["name"] = names.unit(item["unit"])
    listed = {"items": items, "total": len(items), "next": None}
    return {"year": year, "responsibility": responsibility, **listed}


@router.get("/exposures")
async def get_exposures(ctx: Ctx, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    """The exposure board (public): approved, redacted texts of verified typical cases."""
    offset = offset_of(cursor)
    async with ctx.db.sessions() as session:
        items, total = await exposures(session, limit, offset)
    return {"items": items, "total": total, "next": next_cursor(offset, len(items), total)}
