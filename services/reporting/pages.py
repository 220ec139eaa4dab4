"""The dashboard (zh-CN, English with `?lang=en`): server-rendered, no script, works offline.

`/` shows everyone the public summary (totals, rates, counties, weekly trend, exposure board);
with a token (the `Authorization` header) or a session (`/login` checks a token once and sets a
cookie holding only a random session id, never the token) it adds overdue cases by unit, the
alerts and the drill-down into a county and a unit.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.reporting import dashboard, sessions
from services.reporting.access import READERS, counties_in_view, figures_in_view, units_in_view
from services.reporting.contributions import local_day
from services.reporting.labels import SCOPES, Names
from services.reporting.listings import exposures
from services.reporting.params import DateFrom, DateTo, PhaseId, names_for, resolve_range
from services.reporting.settings import ReportingSettings
from services.reporting.ui import words
from shared.auth import AuthError, Principal, principal_from_token

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.filters["day"] = lambda moment: local_day(moment).isoformat() if moment else ""
COOKIE = "zuofeng_session"


CSRF_COOKIE = "zuofeng_csrf"


async def page_caller(request: Request) -> Principal | None:
    """Whoever the bearer token (the `Authorization` header) or the session (the cookie set by
    `/login`) names; a bad or expired one just means the public view."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            return await principal_from_token(request, token)
        except AuthError:
            return None
    session_id = request.cookies.get(COOKIE, "")
    if not session_id:
        return None
    return await sessions.session_caller(request.app.state.runtime.db, session_id, _now())


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(request: Request) -> ReportingSettings:
    settings: ReportingSettings = request.app.state.runtime.settings
    return settings


def _secure(request: Request) -> bool:
    """Whether cookies are `Secure`: always in production, else as configured, else when the
    request came over https (behind a proxy, as uvicorn's trusted forwarded headers say)."""
    settings = _settings(request)
    if settings.production:
        return True
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


async def reader_or_none(request: Request) -> Principal | None:
    caller = await page_caller(request)
    return caller if caller is not None and caller.role in READERS else None


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    names = names_for(request)
    lang = "?lang=en" if names.english else ""
    # Double-submit token for the page's forms (login, logout): a cross-site form cannot read
    # the cookie, so it cannot send the matching field.
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    base = {
        "t": words(names.english),
        "names": names,
        "lang": "en" if names.english else "zh-CN",
        "q": lang,
        "switch": "?" if names.english else "?lang=en",
        "scopes": {k: names.word(v) for k, v in SCOPES.items()},
        "phases": request.app.state.phases.phases,
        "args": dict(request.query_params),
        "csrf": csrf,
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != csrf:
        secure = _secure(request)
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure)
    return response


def _check_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise HTTPException(403, detail="form expired or sent from another site; reload the page")


def _q(names: Names) -> str:
    return "?lang=en" if names.english else ""


@router.get("/", response_class=HTMLResponse)
async def overview(
    request: Request,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await reader_or_none(request)
    days = resolve_range(request.app.state.phases, phase, date_from, date_to)
    names = names_for(request)
    directory = request.app.state.directory
    view = figures_in_view(caller, directory) if caller is not None else None
    async with request.app.state.runtime.db.sessions() as session:
        context = await dashboard.overview(
            session, days, names, caller is not None, _q(names), view
        )
        if caller is not None:
            units = units_in_view(caller, directory)
            counties = counties_in_view(caller, directory)
            context["alerts"] = await dashboard.alert_list(session, units, counties, 10)
    return _render(request, "index.html", context | {"caller": caller})


async def _reader(request: Request) -> Principal:
    """401 without a valid token; 403 for a role that does not read reports (as the API)."""
    caller = await page_caller(request)
    if caller is None:
        raise HTTPException(401, detail="sign in at /login")
    if caller.role not in READERS:
        raise HTTPException(403, detail=f"role {caller.role} may not read the dashboard")
    return caller


@router.get("/county/{code}", response_class=HTMLResponse)
async def county_page(
    request: Request,
    code: str,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await _reader(request)
    names = names_for(request)
    if code not in dict(request.app.state.directory.counties()) | {"371400": ""}:
        raise HTTPException(404, detail="unknown county")
    if figures_in_view(caller, request.app.state.directory) is not None:
        # A county's figures are for whole-city readers: outside the caller's view (404).
        raise HTTPException(404, detail="unknown county")
    days = resolve_range(request.app.state.phases, phase, date_from, date_to)
    async with request.app.state.runtime.db.sessions() as session:
        context = await dashboard.drill(session, days, names, ("county", code), _q(names))
    heading = names.county(code)
    return _render(request, "drill.html", context | {"caller": caller, "heading": heading})


@router.get("/unit/{unit_id}", response_class=HTMLResponse)
async def unit_page(
    request: Request,
    unit_id: str,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> HTMLResponse:
    caller = await _reader(request)
    names = names_for(request)
    days = resolve_range(request.app.state.phases, phase, date_from, date_to)
    directory = request.app.state.directory
    async with request.app.state.runtime.db.sessions() as session:
        if not await dashboard.known_unit(session, directory, unit_id):
            raise HTTPException(404, detail="unknown unit")
        view = figures_in_view(caller, directory)
        if view is not None and unit_id not in view:
            raise HTTPException(404, detail="unknown unit")  # outside the caller's view
        context = await dashboard.drill(session, days, names, ("unit", unit_id), _q(names))
        units, counties = units_in_view(caller, directory), counties_in_view(caller, directory)
        context["alerts"] = await dashboard.alert_list(session, units, counties, 50, unit_id)
    heading = names.unit(unit_id)
    return _render(request, "drill.html", context | {"caller": caller, "heading": heading})


@router.get("/exposures", response_class=HTMLResponse)
async def exposure_page(request: Request) -> HTMLResponse:
    async with request.app.state.runtime.db.sessions() as session:
        items, total = await exposures(session, 200, 0)
    context = {"caller": await reader_or_none(request), "items": items, "total": total}
    return _render(request, "exposures.html", context)


@router.get("/alerts", response_class=HTMLResponse)
async def alert_page(request: Request) -> HTMLResponse:
    caller = await _reader(request)
    directory = request.app.state.directory
    units, counties = units_in_view(caller, directory), counties_in_view(caller, directory)
    async with request.app.state.runtime.db.sessions() as session:
        items = await dashboard.alert_list(session, units, counties, 500)
    return _render(request, "alerts.html", {"caller": caller, "alerts": items})


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    context = {"caller": await reader_or_none(request), "error": False}
    return _render(request, "login.html", context)


@router.post("/login", response_model=None)
async def login(
    request: Request, token: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    _check_csrf(request, csrf)
    try:
        caller: Principal | None = await principal_from_token(request, token.strip())
    except AuthError:
        caller = None
    if caller is None or caller.role not in READERS:
        return _render(request, "login.html", {"caller": None, "error": True}, status=401)
    now = _now()
    session_id, expires = await sessions.open_session(
        request.app.state.runtime.db, caller, token.strip(), now, _settings(request).session_hours
    )
    redirect = RedirectResponse("/", status_code=303)
    redirect.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        max_age=max(1, int((expires - now).total_seconds())),
    )
    return redirect


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()]) -> RedirectResponse:
    _check_csrf(request, csrf)
    if session_id := request.cookies.get(COOKIE):
        await sessions.close_session(request.app.state.runtime.db, session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=_secure(request))
    return response
