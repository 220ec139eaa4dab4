"""The lists that wait on someone (issue 17): approvals for leaders, supervisors and the city
office (`GET /approvals`), and the city office's triage (`GET /triage`), transfers to discipline
inspection and prosecutors (`GET /transfers`) and exposure board (`GET /exposure-board`). Each
is the workbench's query (same scope, same audit) with the list's own conditions; the actions
themselves are the case page's forms (reclassify, assign, propose or approve exposure...)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import ColumnElement

from services.cases.context import Ctx
from services.cases.pages import approvals, candidates
from services.cases.pages.query import filters_of
from services.cases.pages.rendering import is_english, refused, render
from services.cases.pages.workbench import listing
from shared.errors import Refusal
from shared.websession import PageCaller, PageSession, require_page_role

router = APIRouter(include_in_schema=False)
APPROVERS = ("leader", "supervisor", "city_office")


async def _lists(
    request: Request, ctx: Ctx, session: PageSession, roles: tuple[str, ...], title: str,
    sections: list[tuple[str, ColumnElement[bool]]], intro: str = "", with_candidates: bool = False,
) -> HTMLResponse:  # fmt: skip
    english = is_english(request)
    try:
        require_page_role(session, *roles)
        filters, page = filters_of(request)
        found: list[dict[str, Any]] = []
        for key, condition in sections:
            filters.extra = {key: condition}
            rows = await listing(ctx, session.principal, filters, page, english, key)
            if with_candidates:  # the triage queue: what the classifier would pick
                await candidates.add_to_rows(ctx, session.principal, rows["rows"])
            found.append({"key": key, "found": rows})
    except Refusal as refusal:
        return refused(request, session, refusal, english)
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    context = {"title": title, "intro": intro, "sections": found, "query": query}
    return render(request, session, "lists.html", context, english)


@router.get("/approvals", response_class=HTMLResponse)
async def approvals_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    sections = approvals.sections(session.principal)
    return await _lists(request, ctx, session, APPROVERS, "approvals", sections)


@router.get("/triage", response_class=HTMLResponse)
async def triage_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    sections = [("triage", approvals.triage())]
    return await _lists(
        request, ctx, session, ("city_office",), "triage", sections, "triage_intro", True
    )


@router.get("/transfers", response_class=HTMLResponse)
async def transfers_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    sections = [("transfers", approvals.transfers())]
    return await _lists(request, ctx, session, ("city_office",), "transfers", sections)


@router.get("/exposure-board", response_class=HTMLResponse)
async def exposure_board(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    sections = [("exposures", approvals.exposure_pending()), ("exposed", approvals.exposed())]
    return await _lists(request, ctx, session, ("city_office",), "exposure_board", sections)
