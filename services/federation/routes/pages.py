"""The federation's officials' pages (issue 23), under `/federation`, signed in with the page
session like every officials' page: federation officers list the aid applications of their
county (the city's: all), open one (the only page showing the sealed medical and payment
details) and take its steps (check → review → approve with amount and fund source → disburse
→ close, or refuse with the reason she is told); village cadres (and officers) submit an
application for a woman; both see the schools, pairings, homes and selections of their
county. The steps call what the API calls (`aid.applications`), so the rules are the same.
Forms carry the session's token; each step answers post, redirect, get."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from services.federation import callers
from services.federation.aid import applications, views, workflow
from services.federation.aid.applications import (
    ApplicationIn,
    ApproveIn,
    CheckIn,
    DisburseIn,
    RefuseIn,
)
from services.federation.aid.details import AidDetails
from services.federation.context import Context, Ctx
from services.federation.pages import lists, words
from services.federation.pages.rendering import is_english, refused, render
from services.federation.selections import KINDS as SELECTION_KINDS
from shared.errors import Refusal
from shared.websession import PageCaller, PageSession, sessions_of

router = APIRouter(prefix="/federation", include_in_schema=False)
AppId = Annotated[str, Path(min_length=1, max_length=36)]
Action = Literal["check", "review", "approve", "disburse", "close", "refuse"]
Status = Literal["submitted", "eligible", "reviewed", "approved", "disbursed", "closed", "refused"]
DETAILS = tuple(AidDetails.model_fields)
CONTACT = ("phone", "email")  # optional: where notify tells the applicant of each step
RECORDERS = (callers.OFFICER, callers.CADRE)


def _role(session: PageSession, *roles: str) -> Refusal | None:
    if session.claims.role in roles:
        return None
    zh, en = words.WORDS["no_page"]
    return Refusal.forbidden(zh, en)


def _lang(english: bool, first: str = "?") -> str:
    return f"{first}lang=en" if english else ""


@router.get("", response_model=None)
async def landing(request: Request, session: PageCaller) -> Response:
    """Officers to the applications, cadres to the submission form."""
    english = is_english(request)
    where = "applications" if session.claims.role == callers.OFFICER else "submit"
    return RedirectResponse(f"/federation/{where}{_lang(english)}", status_code=303)


@router.get("/applications", response_class=HTMLResponse)
async def applications_page(
    request: Request, ctx: Ctx, session: PageCaller, status: Status | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:  # fmt: skip
    english = is_english(request)
    if (refusal := _role(session, callers.OFFICER)) is not None:
        return refused(request, ctx, session, refusal, english)
    size = 50
    found = await views.listing(ctx, session.principal, None, status, size, (page - 1) * size)
    context = {
        "items": found["items"], "total": found["total"], "more": found["next"] is not None,
        "page": page, "status": status or "", "places": await lists.village_names(ctx),
    }  # fmt: skip
    return render(request, ctx, session, "federation/applications.html", context, english)


def _actions(ctx: Context, session: PageSession, status: str) -> list[str]:
    """The steps this officer may take now: the county's at county level, all at the city."""
    city = callers.is_city(session.principal, ctx.directory)
    found = [
        action
        for action, (before, _, level) in workflow.MOVES.items()
        if before == status and (level == "county" or city)
    ]
    level = workflow.REFUSED_BY.get(status)
    if level is not None and (level == "county" or city):
        found.append("refuse")
    return found


async def _application(
    request: Request, ctx: Context, session: PageSession, app_id: str, english: bool,
    error: str = "", status: int = 200, done: str = "",
) -> HTMLResponse:  # fmt: skip
    try:
        item = await views.for_officer(ctx, session.principal, app_id)
    except Refusal as refusal:
        return refused(request, ctx, session, refusal, english)
    context = {
        "a": item, "actions": _actions(ctx, session, item["status"]), "error": error,
        "done": done, "places": await lists.village_names(ctx),
        "diagnoses": words.pick({k: words.WORDS[k] for k in ("cervical", "breast")}, english),
    }  # fmt: skip
    return render(request, ctx, session, "federation/application.html", context, english, status)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def application_page(
    request: Request, ctx: Ctx, session: PageCaller, application_id: AppId,
    done: Action | None = None,
) -> HTMLResponse:  # fmt: skip
    """The reviewing officer's view: the sealed details opened, the steps it may take."""
    english = is_english(request)
    if (refusal := _role(session, callers.OFFICER)) is not None:
        return refused(request, ctx, session, refusal, english)
    return await _application(request, ctx, session, application_id, english, done=done or "")


def _step_body(action: str, form: Any) -> BaseModel | None:
    if action == "check":
        return CheckIn(**{k: form.get(k) == "yes" for k in CheckIn.model_fields})
    if action == "approve":
        return ApproveIn.model_validate(
            {"amount": form.get("amount") or "0", "fund_source": form.get("fund_source") or ""}
        )
    if action == "disburse":
        return DisburseIn.model_validate(
            {"paid_on": form.get("paid_on") or "", "payment_ref": form.get("payment_ref") or ""}
        )
    if action == "refuse":
        return RefuseIn.model_validate({"reason": str(form.get("reason") or "").strip()})
    return None


@router.post("/applications/{application_id}/{action}", response_model=None)
async def step_page(
    request: Request, ctx: Ctx, session: PageCaller, application_id: AppId, action: Action
) -> Response:
    form = await request.form(max_fields=10)
    english = is_english(request, form)
    try:
        session.check_form(sessions_of(request).secret, form)
        if (refusal := _role(session, callers.OFFICER)) is not None:
            raise refusal
        body = _step_body(action, form)
        await applications.act(ctx, session.principal, application_id, action, body)
    except ValidationError as invalid:
        fields = ", ".join(str(e["loc"][-1]) for e in invalid.errors())
        message = words.WORDS["fix"][1 if english else 0] + f" ({fields})"
        return await _application(request, ctx, session, application_id, english, message, 422)
    except Refusal as refusal:
        if refusal.status in (403, 404):
            return refused(request, ctx, session, refusal, english)
        return await _application(request, ctx, session, application_id, english,
                                  refusal.text(english), refusal.status)  # fmt: skip
    back = f"/federation/applications/{application_id}?done={action}{_lang(english, '&')}"
    return RedirectResponse(back, status_code=303)


async def _form_page(
    request: Request, ctx: Context, session: PageSession, english: bool,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    message: str = "", status: int = 200,
) -> HTMLResponse:  # fmt: skip
    context = {
        "villages": await lists.villages_for(ctx, session.principal),
        "drives": await lists.drive_list(ctx),
        "v": values or {}, "errors": errors or {}, "message": message,
        "fields": DETAILS,
        "diagnoses": words.pick({k: words.WORDS[k] for k in ("cervical", "breast")}, english),
    }  # fmt: skip
    return render(request, ctx, session, "federation/submit.html", context, english, status)


@router.get("/submit", response_class=HTMLResponse)
async def submit_form(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    if (refusal := _role(session, *RECORDERS)) is not None:
        return refused(request, ctx, session, refusal, english)
    return await _form_page(request, ctx, session, english)


@router.post("/submit", response_class=HTMLResponse)
async def submit_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    """The application sent as the API's body; the receipt shown once (`no-store`)."""
    form = await request.form(max_fields=20)
    english = is_english(request, form)
    names = (*DETAILS, *CONTACT, "village_id", "drive_id")
    values = {k: str(form.get(k) or "").strip() for k in names}
    contact = {k: values[k] for k in CONTACT if values[k]}  # sealed to notify, to tell her
    try:
        session.check_form(sessions_of(request).secret, form)
        if (refusal := _role(session, *RECORDERS)) is not None:
            raise refusal
        places = await lists.village_names(ctx)
        place = places.get(values["village_id"])
        body = ApplicationIn.model_validate({
            "county": place.county if place else "000000",
            "village_id": values["village_id"] or "-",
            "drive_id": values["drive_id"] or None,
            "details": {k: values[k] for k in DETAILS},
            "contact": contact or None,
        })  # fmt: skip
        answer = await applications.submit(ctx, session.principal, body)
    except ValidationError as invalid:
        errors = {str(e["loc"][-1]): words.WORDS["invalid"][1 if english else 0]
                  for e in invalid.errors()}  # fmt: skip
        message = words.WORDS["fix"][1 if english else 0]
        return await _form_page(request, ctx, session, english, values, errors, message, 422)
    except Refusal as refusal:
        if refusal.status == 403 and not refusal.loc:
            return refused(request, ctx, session, refusal, english)
        errors = {str(p.loc[-1]): p.text(english) for p in refusal.problems if p.loc}
        return await _form_page(request, ctx, session, english, values, errors,
                                refusal.text(english), refusal.status)  # fmt: skip
    context = {"receipt": answer["receipt"], "due_at": answer["due_at"]}
    return render(request, ctx, session, "federation/receipt.html", context, english, 201)


async def _records(request: Request, ctx: Context, session: PageSession, kind: str) -> HTMLResponse:
    """The programme records of the caller's county (the city federation: every county)."""
    english = is_english(request)
    if (refusal := _role(session, *RECORDERS)) is not None:
        return refused(request, ctx, session, refusal, english)
    rows = await lists.records(ctx, session.principal, kind)
    counts = await lists.activity_counts(ctx, [r.id for r in rows]) if kind == "homes" else {}
    context = {
        "kind": kind, "rows": rows, "places": await lists.village_names(ctx), "counts": counts,
        "categories": words.pick(words.CATEGORIES, english),
        "volunteers": words.pick(words.VOLUNTEERS, english),
        "functions": words.pick(words.FUNCTIONS, english),
        "selection_status": words.pick(words.SELECTION_STATUS, english),
        "selection_kinds": words.pick(SELECTION_KINDS, english),
    }  # fmt: skip
    return render(request, ctx, session, "federation/records.html", context, english)


@router.get("/schools", response_class=HTMLResponse)
async def schools_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    return await _records(request, ctx, session, "schools")


@router.get("/pairings", response_class=HTMLResponse)
async def pairings_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    """Children by their made-up reference and category only."""
    return await _records(request, ctx, session, "pairings")


@router.get("/homes", response_class=HTMLResponse)
async def homes_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    return await _records(request, ctx, session, "homes")


@router.get("/selections", response_class=HTMLResponse)
async def selections_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    return await _records(request, ctx, session, "selections")
