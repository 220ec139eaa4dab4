"""Rendering the sign-in pages in the officials' frame, zh-CN first, English with `lang=en`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.cases.context import Context
from shared.officials import frame, templates
from shared.websession import PageSession, sessions_of

HERE = Path(__file__).resolve().parent
TEMPLATES = templates(HERE / "templates")


def is_english(request: Request, form: Any = None) -> bool:
    chosen = (form or {}).get("lang") or request.query_params.get("lang")
    return chosen == "en"


def render(request: Request, ctx: Context, template: str, english: bool, *,
           session: PageSession | None = None, status: int = 200,
           **context: Any) -> HTMLResponse:  # fmt: skip
    base = frame(request, ctx.settings, session, english, "cases")
    return TEMPLATES.TemplateResponse(
        request, template, base | {"q": "?lang=en" if english else ""} | context,
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )  # fmt: skip


def secure(request: Request) -> bool:
    return sessions_of(request).secure(request)


def go(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
