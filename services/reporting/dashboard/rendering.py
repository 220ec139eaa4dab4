"""Rendering the dashboard's pages: the templates, the words of the page's language, and the
double-submit token its forms carry."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.reporting.context import Context
from services.reporting.params import names_for
from services.reporting.periods import local_day
from services.reporting.words.labels import SCOPES
from services.reporting.words.pages import words
from shared.errors import Refusal

templates = Jinja2Templates(directory=str(Path(__file__).parents[1] / "templates"))
templates.env.filters["day"] = lambda moment: local_day(moment).isoformat() if moment else ""
CSRF_COOKIE = "zuofeng_csrf"


def secure(request: Request, ctx: Context) -> bool:
    """Whether cookies are `Secure`: always in production, else as configured, else when the
    request came over https (behind a proxy, as uvicorn's trusted forwarded headers say)."""
    if ctx.settings.production:
        return True
    if ctx.settings.cookie_secure is not None:
        return ctx.settings.cookie_secure
    return request.url.scheme == "https"


def render(
    request: Request, ctx: Context, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    names = names_for(request, ctx)
    # Double-submit token for the page's forms (login, logout): a cross-site form cannot read
    # the cookie, so it cannot send the matching field.
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    base = {
        "t": words(names.english),
        "names": names,
        "lang": "en" if names.english else "zh-CN",
        "q": lang_query(names.english),
        "switch": "?" if names.english else "?lang=en",
        "scopes": {k: names.word(v) for k, v in SCOPES.items()},
        "phases": ctx.phases.phases,
        "args": dict(request.query_params),
        "csrf": csrf,
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != csrf:
        on_tls = secure(request, ctx)
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=on_tls)
    return response


def lang_query(english: bool) -> str:
    """What the page's links append to stay in its language."""
    return "?lang=en" if english else ""


def check_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        text = "form expired or sent from another site; reload the page"  # English only
        raise Refusal.forbidden(text, text)
