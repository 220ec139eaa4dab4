"""An alert's page (issue 17, officials'): `/alerts/{alert_id}` shows the alert and the
decisions on record; for the deciders (city office, supervisors, inspectors) a form records a
decision through the JSON route's own code (`alerts.deciding`). Signed out: to sign-in; the
form carries the session's token; a refusal is shown on the page with the form again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.reporting.access import DECIDERS, READERS
from services.reporting.alerts.deciding import alert_in_view, decide
from services.reporting.alerts.decisions import DecisionBody
from services.reporting.context import Context, Ctx
from services.reporting.params import names_for
from services.reporting.periods import local_day
from services.reporting.words.labels import DECISION_LABELS, RESPONSIBILITIES, SCOPES
from services.reporting.words.pages import words
from shared import officials
from shared.errors import Refusal, localise
from shared.websession import PageCaller, PageSession, require_page_role, sessions_of

router = APIRouter(prefix="/dashboard", include_in_schema=False)
templates = officials.templates(Path(__file__).parents[1] / "templates")
templates.env.filters["day"] = lambda moment: local_day(moment).isoformat() if moment else ""
Errors = dict[str, list[str]]


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
async def alert_page(
    request: Request, ctx: Ctx, session: PageCaller, alert_id: str
) -> HTMLResponse:
    return await _page(request, ctx, session, alert_id, {}, {}, None)


@router.post("/alerts/{alert_id}", response_model=None)
async def decide_page(request: Request, ctx: Ctx, session: PageCaller, alert_id: str) -> Response:
    form = await request.form(max_fields=10)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    english = names_for(request, ctx).english or values.get("lang") == "en"
    try:
        session.check_form(sessions_of(request).secret, form)
        require_page_role(session, *READERS)
        await alert_in_view(ctx, session.principal, alert_id)  # scope first: 404
        require_page_role(session, *DECIDERS)
        body = _body(values)
        await decide(ctx, session.principal, alert_id, body)
    except ValidationError as exc:
        return await _page(request, ctx, session, alert_id, values, _errors(exc, english), 422)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        errors = {"form": [refusal.text(english)]}
        return await _page(request, ctx, session, alert_id, values, errors, refusal.status)
    # Post, redirect, get: a reload does not decide twice.
    back = f"/dashboard/alerts/{alert_id}?decided=1" + ("&lang=en" if english else "")
    return RedirectResponse(back, status_code=303)


def _body(values: dict[str, str]) -> DecisionBody:
    named = [n.strip() for n in values.get("officials", "").replace("，", ",").split(",")]
    return DecisionBody.model_validate(
        {
            "decision": values.get("decision", ""),
            "target": values.get("target", "unit"),
            "officials": [n for n in named if n],
            "note": values.get("note") or None,
        }
    )


def _errors(exc: ValidationError, english: bool) -> Errors:
    errors: Errors = {}
    for error in localise(exc.errors(include_url=False), english):  # type: ignore[arg-type]
        loc = [part for part in error["loc"] if isinstance(part, str)]
        errors.setdefault(loc[0] if loc else "form", []).append(str(error["msg"]))
    return errors


async def _page(
    request: Request, ctx: Context, session: PageSession, alert_id: str,
    values: dict[str, Any], errors: Errors, status: int | None,
) -> HTMLResponse:  # fmt: skip
    english = names_for(request, ctx).english or values.get("lang") == "en"
    names = ctx.names(english)
    require_page_role(session, *READERS)
    alert = await alert_in_view(ctx, session.principal, alert_id)  # 404 outside the view
    context = officials.frame(request, ctx.settings, session, english, "reporting") | {
        "t": words(english),
        "names": names,
        "a": alert,
        "scope_word": names.word(SCOPES[alert["scope"]]),
        "duty_word": names.word(RESPONSIBILITIES[alert["responsibility"]]),
        "decisions": [(k, en if english else zh) for k, (zh, en) in DECISION_LABELS.items()],
        "may_decide": session.claims.role in DECIDERS,
        "v": values,
        "errors": errors,
        "decided": request.query_params.get("decided") == "1",
        "lang_field": "en" if english else "",
        "q": "?lang=en" if english else "",
    }
    response = templates.TemplateResponse(
        request, "officials_pages/alert.html", context, status_code=status or 200
    )
    response.headers["cache-control"] = "no-store"
    return response
