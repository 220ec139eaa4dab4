"""The dashboard (zh-CN, English with `?lang=en`): server-rendered, no script, works offline.

The pages live under `/dashboard` (behind the one-origin proxy `/` is the public report form);
`/` here only sends there. `/dashboard` shows everyone the public summary (totals, rates,
counties, weekly trend, exposure board);
with a token or a session (dashboard/visitors.py) it adds overdue cases by unit, the alerts and
the drill-down into a county and a unit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.reporting.access import READERS, counties_in_view, figures_in_view, units_in_view
from services.reporting.context import Ctx
from services.reporting.dashboard.rendering import lang_query, render
from services.reporting.dashboard.views import alert_list, drill, known_unit, overview
from services.reporting.dashboard.visitors import reader, reader_or_none
from services.reporting.listings import exposures
from services.reporting.params import DateFrom, DateTo, PhaseId, names_for, resolve_range
from services.reporting.scorecards.board import scorecards
from shared.errors import Refusal

router = APIRouter(prefix="/dashboard", include_in_schema=False)
root = APIRouter(include_in_schema=False)


@root.get("/")
async def to_dashboard(request: Request) -> RedirectResponse:
    """The service's own address (`zuofeng run` prints it) leads to the dashboard."""
    query = request.url.query
    return RedirectResponse("/dashboard" + (f"?{query}" if query else ""), status_code=307)


def _unknown(what: str) -> Refusal:
    return Refusal.not_found(f"unknown {what}", f"unknown {what}")  # English only, as today


@router.get("", response_class=HTMLResponse)
async def overview_page(
    request: Request,
    ctx: Ctx,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await reader_or_none(request, ctx)
    days = resolve_range(ctx.phases, phase, date_from, date_to)
    names = names_for(request, ctx)
    view = figures_in_view(caller, ctx.directory) if caller is not None else None
    async with ctx.db.sessions() as session:
        q = lang_query(names.english)
        context = await overview(session, days, names, caller is not None, q, view)
        if caller is not None:
            units = units_in_view(caller, ctx.directory)
            counties = counties_in_view(caller, ctx.directory)
            context["alerts"] = await alert_list(session, units, counties, 10)
    if caller is not None and caller.role in READERS:
        context["scorecards"] = await scorecards(ctx, None, "unit", view)
    return await render(request, ctx, "index.html", context | {"caller": caller})


@router.get("/county/{code}", response_class=HTMLResponse)
async def county_page(
    request: Request,
    ctx: Ctx,
    code: str,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await reader(request, ctx)
    names = names_for(request, ctx)
    if code not in dict(ctx.directory.counties()) | {"371400": ""}:
        raise _unknown("county")
    if figures_in_view(caller, ctx.directory) is not None:
        # A county's figures are for whole-city readers: outside the caller's view (404).
        raise _unknown("county")
    days = resolve_range(ctx.phases, phase, date_from, date_to)
    async with ctx.db.sessions() as session:
        context = await drill(session, days, names, ("county", code), lang_query(names.english))
    heading = names.county(code)
    return await render(
        request, ctx, "drill.html", context | {"caller": caller, "heading": heading}
    )


@router.get("/unit/{unit_id}", response_class=HTMLResponse)
async def unit_page(
    request: Request,
    ctx: Ctx,
    unit_id: str,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await reader(request, ctx)
    names = names_for(request, ctx)
    days = resolve_range(ctx.phases, phase, date_from, date_to)
    directory = ctx.directory
    async with ctx.db.sessions() as session:
        if not await known_unit(session, directory, unit_id):
            raise _unknown("unit")
        view = figures_in_view(caller, directory)
        if view is not None and unit_id not in view:
            raise _unknown("unit")  # outside the caller's view
        q = lang_query(names.english)
        context = await drill(session, days, names, ("unit", unit_id), q)
        units, counties = units_in_view(caller, directory), counties_in_view(caller, directory)
        context["alerts"] = await alert_list(session, units, counties, 50, unit_id)
    heading = names.unit(unit_id)
    return await render(
        request, ctx, "drill.html", context | {"caller": caller, "heading": heading}
    )


@router.get("/exposures", response_class=HTMLResponse)
async def exposure_page(request: Request, ctx: Ctx) -> HTMLResponse:
    async with ctx.db.sessions() as session:
        items, total = await exposures(session, 200, 0)
    context = {"caller": await reader_or_none(request, ctx), "items": items, "total": total}
    return await render(request, ctx, "exposures.html", context)


@router.get("/alerts", response_class=HTMLResponse)
async def alert_page(request: Request, ctx: Ctx) -> HTMLResponse:
    caller = await reader(request, ctx)
    units, counties = units_in_view(caller, ctx.directory), counties_in_view(caller, ctx.directory)
    async with ctx.db.sessions() as session:
        items = await alert_list(session, units, counties, 500)
    return await render(request, ctx, "alerts.html", {"caller": caller, "alerts": items})
