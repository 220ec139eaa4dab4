"""`GET /dashboard/programmes`: the Women's Federation's programmes per county (issue 23) for
the dashboard's readers and the federation officers, in the caller's counties (the figures of
`GET /api/v1/stats/programmes`); and the dashboard's download links of the supervision and
programme exports (`/dashboard/export/…`), for a browser signed in by its page session, which
the API's token routes do not read. Either records the export as the API does."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.context import Context, Ctx
from services.reporting.dashboard.rendering import render
from services.reporting.dashboard.visitors import page_caller, reader
from services.reporting.programmes.access import PROGRAMME_READERS, programme_counties
from services.reporting.programmes.figures import FUND_SOURCES, FUND_WORDS, figures
from services.reporting.programmes.routes import programmes_file
from services.reporting.supervision.routes import supervision_file
from shared.auth import Principal

router = APIRouter(prefix="/dashboard", include_in_schema=False)
Format = Annotated[Literal["csv", "xlsx"], Path()]


async def programme_reader(request: Request, ctx: Context) -> Principal:
    """A reader of the programme figures: the dashboard's readers and federation officers."""
    caller = await page_caller(request, ctx)
    if caller is None or caller.role not in PROGRAMME_READERS:
        caller = await reader(request, ctx)  # signs in, or refuses, as every dashboard page
    return caller


@router.get("/programmes", response_class=HTMLResponse)
async def programme_page(request: Request, ctx: Ctx) -> HTMLResponse:
    caller = await programme_reader(request, ctx)
    items = await figures(ctx, programme_counties(caller, ctx.directory))
    context = {"caller": caller, "items": items, "fund_sources": FUND_SOURCES}
    return await render(request, ctx, "programmes.html", context | {"fund_words": FUND_WORDS})


@router.get("/export/programmes.{fmt}")
async def programmes_download(request: Request, ctx: Ctx, fmt: Format) -> Response:
    return await programmes_file(request, ctx, await programme_reader(request, ctx), fmt)


@router.get("/export/supervision.{fmt}")
async def supervision_download(request: Request, ctx: Ctx, fmt: Format) -> Response:
    return await supervision_file(ctx, await reader(request, ctx), fmt)
