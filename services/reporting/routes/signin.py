"""Signing in to the dashboard and out (issue 15.16): `/login` checks the pasted token once and
opens a session whose random id is the cookie; `/logout` ends it on the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.reporting.access import READERS
from services.reporting.context import Ctx
from services.reporting.dashboard.rendering import check_csrf, render, secure
from services.reporting.dashboard.visitors import COOKIE, reader_or_none
from services.reporting.sessions import close_session, open_session
from shared.auth import AuthError, Principal, principal_from_token

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, ctx: Ctx) -> HTMLResponse:
    context = {"caller": await reader_or_none(request, ctx), "error": False}
    return render(request, ctx, "login.html", context)


@router.post("/login", response_model=None)
async def login(
    request: Request, ctx: Ctx, token: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    try:
        caller: Principal | None = await principal_from_token(request, token.strip())
    except AuthError:
        caller = None
    if caller is None or caller.role not in READERS:
        return render(request, ctx, "login.html", {"caller": None, "error": True}, status=401)
    now = ctx.clock()
    hours = ctx.settings.session_hours
    session_id, expires = await open_session(ctx.db, caller, token.strip(), now, hours)
    redirect = RedirectResponse("/", status_code=303)
    redirect.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=secure(request, ctx),
        max_age=max(1, int((expires - now).total_seconds())),
    )
    return redirect


@router.post("/logout")
async def logout(request: Request, ctx: Ctx, csrf: Annotated[str, Form()]) -> RedirectResponse:
    check_csrf(request, csrf)
    if session_id := request.cookies.get(COOKIE):
        await close_session(ctx.db, session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=secure(request, ctx))
    return response
