"""The workbench page (`GET /workbench`): the signed-in person's cases, soonest deadline first,
with filters, search, paging and counts per status. Same scope as `GET /api/v1/cases`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.cases.context import Ctx
from services.cases.domain.vocabulary import Status
from services.cases.pages.query import filters_of
from services.cases.pages.rendering import is_english, refused, render
from services.cases.pages.words import CHANNEL
from services.cases.pages.workbench import listing
from shared.errors import Refusal
from shared.taxonomy import load_taxonomy
from shared.websession import PageCaller, require_page_role

router = APIRouter(include_in_schema=False)
WORKERS = ("officer", "leader", "supervisor", "city_office", "inspector")


@router.get("/workbench", response_class=HTMLResponse)
async def workbench(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    try:
        require_page_role(session, *WORKERS)
        filters, page = filters_of(request)
        found = await listing(ctx, session.principal, filters, page, english)
    except Refusal as refusal:
        return refused(request, session, refusal, english)
    choices = {
        "statuses": [s.value for s in Status],
        "counties": ctx.directory.counties(),
        "channels": list(CHANNEL),
        "problems": [p.number for p in load_taxonomy().problems()],
    }
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    others = {k: v for k, v in query.items() if k != "status"}
    context = {"found": found, "f": request.query_params, "choices": choices, "query": query}
    context["query_no_status"] = others
    return render(request, session, "workbench.html", context, english)
