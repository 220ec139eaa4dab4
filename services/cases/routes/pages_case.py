"""The case page (`GET /case/{case_id}`) and its forms (`POST /case/{case_id}/{action}`): each
form runs the JSON action's own code (`actions.perform`: scope 404, role 403, state 409,
payload 422) with the version the page was read at, so an action on a case that changed since
is refused and the current state shown — never a lost update. Then 303 back to the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.cases import actions, identity, store
from services.cases.context import Context, Ctx
from services.cases.domain.refusals import no_such_case
from services.cases.domain.vocabulary import Action
from services.cases.pages.case_page import view
from services.cases.pages.forms import Errors, errors_of, payload_of
from services.cases.pages.rendering import is_english, refused, render
from services.cases.scope import CASE_READERS
from shared.errors import Refusal
from shared.websession import PageCaller, PageSession, require_page_role

router = APIRouter(include_in_schema=False)
READERS = tuple(CASE_READERS)


@router.get("/case/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, ctx: Ctx, session: PageCaller) -> Response:
    english = is_english(request)
    done = request.query_params.get("done", "")
    return await _page(request, ctx, session, case_id, english, {"done": done})


@router.post("/case/{case_id}/reveal-identity", response_class=HTMLResponse)
async def reveal(request: Request, case_id: str, ctx: Ctx, session: PageCaller) -> Response:
    """The reporter's identity for an entitled inspector, with a reason: on this answer only
    (`no-store`), recorded in the case's history and the audit trail."""
    form = await _form(request)
    english = is_english(request, form)
    if (forged := _forged(request, session, form, english)) is not None:
        return forged
    try:
        reason = str(form.get("reason") or "").strip()  # required: checked after scope and role
        shown = await identity.reveal(ctx, session.principal, case_id, reason[:5000])
    except Refusal as refusal:
        return await _again(request, ctx, session, case_id, english, "reveal-identity", form,
                            refusal)  # fmt: skip
    extra = {"identity": shown["identity"]}
    return await _page(request, ctx, session, case_id, english, extra)


@router.post("/case/{case_id}/{action}", response_class=HTMLResponse)
async def act(
    request: Request, case_id: str, action: str, ctx: Ctx, session: PageCaller
) -> Response:
    form = await _form(request)
    english = is_english(request, form)
    if (forged := _forged(request, session, form, english)) is not None:
        return forged
    try:
        if action not in set(Action) - {Action.REVEAL_IDENTITY}:
            raise no_such_case()
        require_page_role(session, *READERS)
        version = str(form.get("version") or "") or None
        await actions.perform(
            ctx, session.principal, case_id, Action(action), payload_of(action, form), version
        )
    except Refusal as refusal:
        return await _again(request, ctx, session, case_id, english, action, form, refusal)
    back = f"/case/{case_id}?done={action}" + ("&lang=en" if english else "")
    return RedirectResponse(back, status_code=303)


async def _form(request: Request) -> Any:
    return await request.form(max_files=0, max_fields=30)


def _forged(request: Request, session: PageSession, form: Any, english: bool) -> Response | None:
    """A refusal page unless the form carries the session's token (checked before anything)."""
    try:
        session.check_form(request.app.state.websession.secret, form)
    except Refusal as refusal:
        return refused(request, session, refusal, english)
    return None


async def _page(
    request: Request, ctx: Context, session: PageSession, case_id: str, english: bool,
    extra: dict[str, Any], status: int = 200,
) -> Response:  # fmt: skip
    try:
        require_page_role(session, *READERS)
        found = await view(ctx, session.principal, case_id, english)
    except Refusal as refusal:
        return refused(request, session, refusal, english)
    context = {"v": {}, "errors": {}, "failed": "", "stale": False, "done": "", **found, **extra}
    response = render(request, session, "case.html", context, english, status)
    if "identity" in extra:
        response.headers["pragma"] = "no-cache"
    return response


async def _again(
    request: Request, ctx: Context, session: PageSession, case_id: str, english: bool,
    action: str, form: Any, refusal: Refusal,
) -> Response:  # fmt: skip
    """The page again with the refusal beside the form's fields (the values kept); a stale
    version says so above the case's current state."""
    if refusal.status == 404:
        return refused(request, session, refusal, english)
    errors: Errors = errors_of(refusal, english)
    stale = refusal.status == 409 and await _moved(ctx, session, case_id, form)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    extra = {"v": values, "errors": {} if stale else errors, "failed": action, "stale": stale}
    return await _page(request, ctx, session, case_id, english, extra, refusal.status)


async def _moved(ctx: Context, session: PageSession, case_id: str, form: Any) -> bool:
    """Whether the case is at another version than the form was read at."""
    expected = actions.expected_version(str(form.get("version") or "") or None)
    if expected is None:
        return False
    async with ctx.db.sessions() as db:
        case = await store.load(db, case_id)
    return case is not None and case.state.version != expected
