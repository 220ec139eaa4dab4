"""The dashboard (zh-CN, English with `?lang=en`): server-rendered, no script, works offline.

The pages live under `/dashboard` (behind the one-origin proxy `/` is the public report form);
`/` here only sends there. `/dashboard` shows everyone the public summary (totals, rates,
counties, weekly trend, exposure board);
with a token or a session (dashboard/visitors.py) it adds overdue cases by unit, the alerts and
the drill-down into a county and a unit.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.reporting.access import (
    READERS,
    counties_in_view,
    figures_in_view,
    hidden_subjects,
    units_in_view,
)
from services.reporting.briefing.files import MONTH, Format, briefing_file
from services.reporting.context import Ctx
from services.reporting.dashboard.rendering import lang_query, render
from services.reporting.dashboard.views import (
    alert_list,
    cases_behind,
    compared,
    drill,
    known_unit,
    overview,
)
from services.reporting.dashboard.visitors import reader, reader_or_none
from services.reporting.listings import exposures
from services.reporting.params import DateFrom, DateTo, PhaseId, names_for, resolve_range
from services.reporting.periods import local_day
from services.reporting.scorecards.board import scorecards, thresholds
from services.reporting.supervision.figures import figures as supervision_figures
from services.reporting.supervision.figures import within_county
from services.reporting.words.pages import words
from shared.errors import Refusal

router = APIRouter(prefix="/dashboard", include_in_schema=False)
ComparedPhase = Annotated[str | None, Query(max_length=40, description="a phase to compare")]
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
    a: ComparedPhase = None,
    b: ComparedPhase = None,
) -> HTMLResponse:
    caller = await reader_or_none(request, ctx)
    days = resolve_range(ctx.phases, phase, date_from, date_to)
    names = names_for(request, ctx)
    t, phases = words(names.english), ctx.phases.phases
    view = figures_in_view(caller, ctx.directory) if caller is not None else None
    hidden = hidden_subjects(caller, ctx.directory) if caller is not None else frozenset()
    async with ctx.db.sessions() as session:
        q = lang_query(names.english)
        context = await overview(
            session, days, names, caller is not None, q, t, phases, view, hidden
        )
        if caller is not None and view is None:  # briefings are the whole city's
            last = context["last_day"] or local_day(ctx.clock())
            context["briefing_month"] = last.strftime("%Y-%m")
        if phases:
            context["compared"] = await compared(session, names, t, phases, (a, b))
        if caller is not None:
            units = units_in_view(caller, ctx.directory)
            counties = counties_in_view(caller, ctx.directory)
            context["alerts"] = await alert_list(session, units, counties, 10)
    if caller is not None and caller.role in READERS:
        context["scorecards"] = await scorecards(ctx, None, "unit", view)
        context["supervision"] = await supervision_figures(ctx, view)
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
        q, t = lang_query(names.english), words(names.english)
        within = ("county", code)
        context = await drill(session, days, names, within, q, t, ctx.phases.phases)
    found = await supervision_figures(ctx, None)  # a whole-city reader's (checked above)
    context["supervision"] = within_county(found, code, ctx.directory)
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
        q, t = lang_query(names.english), words(names.english)
        within = ("unit", unit_id)
        context = await drill(session, days, names, within, q, t, ctx.phases.phases)
        units, counties = units_in_view(caller, directory), counties_in_view(caller, directory)
        context["alerts"] = await alert_list(session, units, counties, 50, unit_id)
        context["cases"] = await cases_behind(session, days, unit_id)
    context["supervision"] = await supervision_figures(ctx, frozenset({unit_id}))
    # The workbench's case page decides again; the link shows only where the caller's role
    # reaches the unit's cases there.
    if units is None or unit_id in units:
        context["case_url"] = ctx.settings.page_url("cases", "/case/")
    heading = names.unit(unit_id)
    return await render(
        request, ctx, "drill.html", context | {"caller": caller, "heading": heading}
    )


@router.get("/briefing")
async def briefing_download(
    request: Request,
    ctx: Ctx,
    # Optional here so a signed-out browser is sent to sign-in before its query is judged.
    month: Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM")] = None,
    county: Annotated[str | None, Query(max_length=6)] = None,
    format: Annotated[Format, Query()] = "docx",
) -> Response:
    """The month's work briefing for whole-city readers (the figures of GET /api/v1/stats)."""
    caller = await reader(request, ctx)
    if figures_in_view(caller, ctx.directory) is not None:
        raise Refusal.forbidden(
            "工作通报仅限全市范围的角色", "briefings are for whole-city readers"
        )
    if month is None:
        raise Refusal.invalid(("query", "month"), "请选择月份（YYYY-MM）", "month is required")
    county = county or None
    if county is not None and county not in dict(ctx.directory.counties()):
        raise Refusal.invalid(("query", "county"), "未知的县市区", "unknown county")
    async with ctx.db.sessions() as session:
        today = local_day(ctx.clock())
        found = await briefing_file(
            session, ctx.names(False), month, county, format, today, thresholds(ctx)
        )
    disposition = f'attachment; filename="{found.name}"'
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.get("/exposures", response_class=HTMLResponse)
async def exposure_page(request: Request, ctx: Ctx) -> HTMLResponse:
    async with ctx.db.sessions() as session:
        items, total = await exposures(session, 200, 0)
    context = {"caller": await reader_or_none(request, ctx), "items": items, "total": total}
    return await render(request, ctx, "exposures.html", context)


@router.get("/alerts", response_class=HTMLResponse)
async def alert_page(
    request: Request,
    ctx: Ctx,
    responsibility: Annotated[Literal["main", "supervision", ""], Query()] = "",
) -> HTMLResponse:
    """The alerts in the caller's view, those of one responsibility (主体责任 or 监督责任) if
    asked."""
    caller = await reader(request, ctx)
    units, counties = units_in_view(caller, ctx.directory), counties_in_view(caller, ctx.directory)
    async with ctx.db.sessions() as session:
        items = await alert_list(session, units, counties, 500, None, responsibility or None)
    cards = await scorecards(ctx, None, "unit", figures_in_view(caller, ctx.directory))
    context = {"caller": caller, "alerts": items, "scorecards": cards, "duty": responsibility}
    return await render(request, ctx, "alerts.html", context)
