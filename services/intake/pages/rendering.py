"""Rendering the public pages: the templates, the language of the page, local dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.intake.pages.statuses import status_word
from services.intake.pages.words import words

HERE = Path(__file__).resolve().parents[1]
LOCAL = ZoneInfo("Asia/Shanghai")
templates = Jinja2Templates(directory=str(HERE / "templates"))


def local_time(value: str | datetime | None, with_time: bool = True) -> str:
    """A moment as people there read it (Asia/Shanghai), day or day and minute."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def local_day(value: str | datetime | None, english: bool) -> str:
    """A day as people there read it (Asia/Shanghai): 2026年11月6日, or 2026-11-06."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    day = moment.astimezone(LOCAL).date()
    return day.isoformat() if english else f"{day.year}年{day.month}月{day.day}日"


templates.env.filters["local"] = local_time


def is_english(request: Request, form: dict[str, Any] | None = None) -> bool:
    """English when the link or the form asks for it (`lang=en`); zh-CN otherwise."""
    chosen = (form or {}).get("lang") or request.query_params.get("lang")
    return chosen == "en"


def render(
    request: Request, template: str, context: dict[str, Any], english: bool, status: int = 200
) -> HTMLResponse:
    base = {
        "t": words(english),
        "lang": "en" if english else "zh-CN",
        "lang_field": "en" if english else "",
        "q": "?lang=en" if english else "",
        "switch": "?" if english else "?lang=en",
        "status_word": lambda status: status_word(status, english),
        "day": lambda value: local_day(value, english),
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    response.headers["cache-control"] = "no-store"  # a receipt or a case's steps stay off disks
    return response
