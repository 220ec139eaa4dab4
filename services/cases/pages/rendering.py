"""Rendering the officials' pages of cases: the templates (finding the common layout), the
language of the request, local times, and refusals shown as a page, never as raw JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.cases.pages.words import UI, helpers, say, words
from shared import officials
from shared.deadlines import TZ
from shared.directory import Directory
from shared.errors import Refusal
from shared.taxonomy import load_taxonomy
from shared.websession import PageSession

HERE = Path(__file__).resolve().parents[1]
templates = officials.templates(HERE / "templates")


def local_time(value: str | datetime | None) -> str:
    """A moment as people there read it (Asia/Shanghai), to the minute."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


templates.env.filters["local"] = local_time


def names(directory: Directory, english: bool) -> dict[str, Any]:
    """Units and problems by name in the page's language (the id when unknown)."""
    taxonomy = load_taxonomy()

    def unit_name(unit_id: str | None) -> str:
        if not unit_id or unit_id not in directory:
            return unit_id or ""
        unit = directory.unit(unit_id)
        return (unit.name_en or unit.name) if english else unit.name

    def problem_title(number: int | None) -> str:
        if number is None or number not in taxonomy:
            return say(UI["problem_none"], english)
        problem = taxonomy.problem(number)
        return f"{number}. {problem.title_en if english else problem.title}"

    counties = dict(directory.counties())

    def county_name(code: str | None) -> str:
        return counties.get(code or "", code or "")

    return {"unit_name": unit_name, "problem_title": problem_title, "county_name": county_name}


def is_english(request: Request, form: Any = None) -> bool:
    """English when the link or the form asks for it (`lang=en`); zh-CN otherwise."""
    chosen = (form or {}).get("lang") or request.query_params.get("lang")
    return chosen == "en"


def render(
    request: Request,
    session: PageSession | None,
    template: str,
    context: dict[str, Any],
    english: bool,
    status: int = 200,
) -> HTMLResponse:
    settings = request.app.state.context.settings
    base = officials.frame(request, settings, session, english, "cases")
    base |= {"t": words(english), "lang_field": "en" if english else "", **helpers(english)}
    base["q"] = "?lang=en" if english else ""
    base |= names(request.app.state.context.directory, english)
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    # Case pages carry reports and notes: never kept in a shared cache or on disk.
    response.headers["cache-control"] = "no-store"
    return response


def refused(
    request: Request, session: PageSession | None, refusal: Refusal, english: bool
) -> HTMLResponse:
    """A refusal (403, 404...) as a page in the frame, with its status."""
    context = {"message": refusal.text(english), "status": refusal.status}
    return render(request, session, "refused.html", context, english, refusal.status)
