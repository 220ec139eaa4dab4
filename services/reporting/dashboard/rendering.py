"""Rendering the dashboard's pages: the templates, the words of the page's language, and the
links to sign in and out (the shared page session's, at cases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.reporting.context import Context
from services.reporting.dashboard.visitors import session_of
from services.reporting.params import names_for
from services.reporting.periods import local_day
from services.reporting.words.labels import RESPONSIBILITIES, SCOPES
from services.reporting.words.pages import words

templates = Jinja2Templates(directory=str(Path(__file__).parents[1] / "templates"))
templates.env.filters["day"] = lambda moment: local_day(moment).isoformat() if moment else ""
templates.env.globals["DUTY_WORDS"] = RESPONSIBILITIES  # 主体责任 / 监督责任 (alerts)


async def render(
    request: Request, ctx: Context, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    names = names_for(request, ctx)
    session = await session_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    base = {
        "t": words(names.english),
        "names": names,
        "lang": "en" if names.english else "zh-CN",
        "q": lang_query(names.english),
        "switch": "?" if names.english else "?lang=en",
        "scopes": {k: names.word(v) for k, v in SCOPES.items()},
        "phases": ctx.phases.phases,
        "args": dict(request.query_params),
        # The sign-out form posts to cases' /signout with the session's token.
        "csrf": session.csrf if session else "",
        "signed_in": session is not None,
        "signin_url": f"{ctx.settings.signin_url}?{urlencode({'next': here})}",
        "signout_url": ctx.settings.page_url("cases", "/signout"),
    }
    return templates.TemplateResponse(request, template, base | context, status_code=status)


def lang_query(english: bool) -> str:
    """What the page's links append to stay in its language."""
    return "?lang=en" if english else ""
