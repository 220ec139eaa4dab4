"""Rendering a federation page: the officials' frame, the words, `no-store` (the review page
carries sensitive details; none of these pages belongs in a cache), local times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.federation.context import Context
from services.federation.pages import words
from shared import officials
from shared.errors import Refusal
from shared.websession import PageSession

LOCAL = ZoneInfo("Asia/Shanghai")
templates = officials.templates(Path(__file__).resolve().parents[1] / "templates")


def _local(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value else ""


templates.env.filters["local"] = _local


def is_english(request: Request, form: Any = None) -> bool:
    chosen = (form or {}).get("lang") or request.query_params.get("lang")
    return chosen == "en"


def render(
    request: Request, ctx: Context, session: PageSession, template: str,
    context: dict[str, Any], english: bool, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    base = officials.frame(request, ctx.settings, session, english, "federation") | {
        "w": words.pick(words.WORDS, english),
        "statuses": words.pick(words.STATUS, english),
        "funds": words.pick(words.FUNDS, english),
        "counties": {code: name for code, name in ctx.directory.counties()},
        "lang_field": "en" if english else "",
        "q": "?lang=en" if english else "",
        "amp": "&lang=en" if english else "",
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def refused(
    request: Request, ctx: Context, session: PageSession, refusal: Refusal, english: bool
) -> HTMLResponse:
    context = {"message": refusal.text(english)}
    return render(request, ctx, session, "federation/refused.html", context, english,
                  refusal.status)  # fmt: skip
