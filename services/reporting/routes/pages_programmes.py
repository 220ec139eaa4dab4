"""`GET /dashboard/programmes`: the Women's Federation's programmes per county (issue 23) for
the dashboard's readers and the federation officers, in the caller's counties (the figures of
`GET /api/v1/stats/programmes`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.reporting.context import Ctx
from services.reporting.dashboard.rendering import render
from services.reporting.dashboard.visitors import page_caller, reader
from services.reporting.programmes.access import PROGRAMME_READERS, programme_counties
from services.reporting.programmes.figures import FUND_SOURCES, FUND_WORDS, figures

router = APIRouter(prefix="/dashboard", include_in_schema=False)


@router.get("/programmes", response_class=HTMLResponse)
async def programme_page(request: Request, ctx: Ctx) -> HTMLResponse:
    caller = await page_caller(request, ctx)
    if caller is None or caller.role not in PROGRAMME_READERS:
        caller = await reader(request, ctx)  # signs in, or refuses, as every dashboard page
    items = await figures(ctx, programme_counties(caller, ctx.directory))
    context = {"caller": caller, "items": items, "fund_sources": FUND_SOURCES}
    return await render(request, ctx, "programmes.html", context | {"fund_words": FUND_WORDS})
