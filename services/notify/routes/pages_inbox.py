"""The inbox pages (issue 17, officials'): `/inbox` lists the unit's notices, unread first, a
page at a time, with forms marking one or all read; `/inbox/preferences` shows the unit's
delivery preferences (read-only: they live in the contacts file). Same rows and rules as the
JSON inbox (`inbox_notices`); server-rendered, no script; POSTs carry the form token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.notify import inbox_notices
from services.notify.context import Context, Ctx
from services.notify.inbox_notices import INBOX_READERS, unit_notices
from services.notify.inbox_page import is_english, page_words, preferences, render
from shared.errors import Refusal
from shared.websession import PageCaller, PageSession, sessions_of

router = APIRouter(include_in_schema=False)
Page = Annotated[int, Query(ge=1, le=10_000)]
Size = Annotated[int, Query(ge=1, le=100)]


def _role(session: PageSession) -> Refusal | None:
    if session.claims.role in INBOX_READERS:
        return None
    words = page_words(False), page_words(True)
    return Refusal.forbidden(words[0]["no_inbox"], words[1]["no_inbox"])


def _refused(
    request: Request, ctx: Context, session: PageSession, refusal: Refusal, english: bool
) -> HTMLResponse:
    context = {"message": refusal.text(english)}
    return render(request, ctx, session, "pages/refused.html", context, english, refusal.status)


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(
    request: Request, ctx: Ctx, session: PageCaller, page: Page = 1, size: Size = 20,
    marked: int | None = None,
) -> HTMLResponse:  # fmt: skip
    english = is_english(request)
    if (refusal := _role(session)) is not None:
        return _refused(request, ctx, session, refusal, english)
    items, total, unread, more = await unit_notices(
        ctx.db, session.claims.unit, english, size, offset=(page - 1) * size, unread_first=True
    )
    context = {
        "items": items, "total": total, "unread": unread, "page": page, "size": size,
        "more": more, "marked": marked,
    }  # fmt: skip
    return render(request, ctx, session, "pages/inbox.html", context, english)


@router.post("/inbox/read", response_model=None)
async def mark_read_page(request: Request, ctx: Ctx, session: PageCaller) -> Response:
    """One notice (`notice`) or every unread one (`all`) marked read; back to the inbox."""
    form = await request.form(max_fields=6)
    english = is_english(request, form)
    try:
        session.check_form(sessions_of(request).secret, form)
        if (refusal := _role(session)) is not None:
            raise refusal
        back = f"/inbox?page={_page_of(form)}"
        if form.get("all"):
            count = await inbox_notices.mark_all_read(ctx.db, session.principal)
            back = f"/inbox?marked={count}"
        else:
            notice = str(form.get("notice") or "")
            if not notice.isdigit():
                raise Refusal.not_found("没有这条通知", "no such notice")
            await inbox_notices.mark_read(ctx.db, session.principal, int(notice))
    except Refusal as refusal:
        return _refused(request, ctx, session, refusal, english)
    # Post, redirect, get: a reload does not send the form again.
    return RedirectResponse(back + ("&lang=en" if english else ""), status_code=303)


def _page_of(form: object) -> int:
    page = str(getattr(form, "get", lambda _: "1")("page") or "1")
    return int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1


@router.get("/inbox/preferences", response_class=HTMLResponse)
async def preferences_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    if (refusal := _role(session)) is not None:
        return _refused(request, ctx, session, refusal, english)
    context = {"p": preferences(ctx, session.claims.unit)}
    return render(request, ctx, session, "pages/preferences.html", context, english)
