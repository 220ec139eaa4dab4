"""The exposure board (`/exposures`): the cases verified, judged typical and approved for
exposure, with the approved redacted text only (what Open311 lists too)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake import exposures
from services.intake.context import Ctx
from services.intake.pages.rendering import is_english, render

router = APIRouter(include_in_schema=False)


@router.get("/exposures", response_class=HTMLResponse)
async def exposure_board(request: Request, ctx: Ctx) -> HTMLResponse:
    english = is_english(request)
    async with ctx.db.sessions() as session:
        rows = await exposures.listed(session)
    counties = dict(ctx.directory.counties())
    titles = {p.number: (p.title_en if english else p.title) for p in ctx.taxonomy.problems()}
    items = [
        {
            "text": row.exposure_text,
            "county": counties.get(row.county, row.county),
            "problem": titles.get(row.problem) if row.problem is not None else None,
            "at": row.exposed_at,
        }
        for row in rows
    ]
    return render(request, "exposures.html", {"items": items}, english)
