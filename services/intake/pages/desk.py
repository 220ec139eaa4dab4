"""The clerk's desk (issue 17): a hotline call, letter or visit entered as a report, through the
JSON clerk route's own code path — the form becomes `ReportIn` (as the public form does, so the
same field errors), then `authorize`, `authorize_county` and `submission.submit`, which seals
the reporter's name and phone exactly as `POST /api/v1/reports` does for a clerk."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from services.intake.authorization import authorize, authorize_county
from services.intake.context import Context
from services.intake.pages import files as page_files
from services.intake.pages.desk_words import desk_words
from services.intake.pages.form import Errors, refusal_errors
from services.intake.pages.places import choices
from services.intake.pages.rendering import HERE, local_time
from services.intake.pages.reporting import Outcome, checked
from services.intake.pages.words import words
from services.intake.routes.imports import IMPORT_ROLES
from services.intake.submission import submit
from shared import officials
from shared.errors import Refusal
from shared.websession import PageSession

DESK_ROLES = IMPORT_ROLES  # who may import findings may enter calls, letters and visits
CHANNELS = ("hotline", "letter", "visit")
# A form's own id, made when it is shown: sending it twice (a double click, a reload) stores
# one report, as an Idempotency-Key does for the API.
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
templates = officials.templates(HERE / "templates")
templates.env.filters["local"] = local_time


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def render(
    request: Request, ctx: Context, session: PageSession, template: str,
    context: dict[str, Any], english: bool, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    base = officials.frame(request, ctx.settings, session, english, "intake") | {
        "t": words(english),
        "d": desk_words(english),
        "lang_field": "en" if english else "",
        "q": "?lang=en" if english else "",
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    response.headers["cache-control"] = "no-store"  # tracking codes stay off disks
    return response


def refused(
    request: Request, ctx: Context, session: PageSession, refusal: Refusal, english: bool
) -> HTMLResponse:
    """A refusal as a page in the frame (never raw JSON on an officials' page)."""
    context = {"message": refusal.text(english)}
    return render(request, ctx, session, "desk/refused.html", context, english, refusal.status)


def role_refusal(session: PageSession) -> Refusal | None:
    if session.claims.role in DESK_ROLES:
        return None
    return Refusal.forbidden(
        "您的角色无权使用来件登记", f"role {session.claims.role} may not use the desk"
    )


def counties_for(ctx: Context, session: PageSession) -> list[tuple[str, str]]:
    """The counties the person may enter reports for: their unit's, or all for the city's."""
    unit = session.claims.unit
    home = ctx.directory.unit(unit).county if unit in ctx.directory else None
    every = ctx.directory.counties()
    return every if home == ctx.directory.city_code else [c for c in every if c[0] == home]


def form_context(
    ctx: Context, session: PageSession, english: bool, values: dict[str, Any], errors: Errors
) -> dict[str, Any]:
    places = choices(ctx.directory, ctx.taxonomy, english)
    counties = counties_for(ctx, session)
    values = {"county": counties[0][0] if len(counties) == 1 else ""} | values
    return {
        "v": values | {"nonce": values.get("nonce") or new_nonce()},
        "errors": errors,
        "c": places,
        "counties": counties,
        "channels": CHANNELS,
        "files_max": ctx.settings.page_files_max,
    }


async def enter_report(
    ctx: Context, request: Request, session: PageSession, form: dict[str, Any],
    uploads: list[UploadFile], english: bool,
) -> Outcome:  # fmt: skip
    """Check the form as the API checks a body, then submit it for the person's unit."""
    caller = session.principal
    extra = {"channel": form.get("channel") or ""} | (
        {"title": form["title"]} if form.get("title") else {}
    )
    report, picked, errors = checked(ctx, form, uploads, english, extra)
    if errors or report is None:
        return Outcome(errors=errors, status=422)
    nonce = form.get("nonce", "")
    key = f"desk:{nonce}" if NONCE.match(nonce) else None
    try:
        authorize(caller, report.channel)
        authorize_county(ctx, caller, report.county)
        report.attachments = await page_files.store(ctx, request, picked)
        accepted = await submit(ctx, report, idempotency_key=key, unit=caller.unit)
    except Refusal as refusal:
        return Outcome(errors=refusal_errors(refusal, english), status=refusal.status)
    return Outcome(code=accepted.tracking_code)
