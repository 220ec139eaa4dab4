"""The clerk's desk pages (issue 17, officials'): `/desk` enters a hotline call, letter or visit
as a report and shows the tracking code to read to the reporter; `/desk/import` imports a CSV or
XLSX of inspection findings through the JSON import's code and shows each row's result.
Server-rendered, no script; every POST carries the session's form token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from services.intake.context import Ctx
from services.intake.importing.rows import import_file
from services.intake.pages.desk import (
    NONCE,
    enter_report,
    form_context,
    new_nonce,
    refused,
    render,
    role_refusal,
)
from services.intake.pages.rendering import is_english
from shared.errors import Refusal
from shared.websession import PageCaller, sessions_of

router = APIRouter(include_in_schema=False)


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    if (refusal := role_refusal(session)) is not None:
        return refused(request, ctx, session, refusal, english)
    context = form_context(ctx, session, english, {"identity": "anonymous"}, {})
    return render(request, ctx, session, "desk/entry.html", context, english)


@router.post("/desk", response_class=HTMLResponse)
async def desk_send(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    form = await request.form(max_files=ctx.settings.page_files_max + 1, max_fields=40)
    try:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        english = is_english(request, values)
        if (refusal := _refusal(request, session, form)) is not None:
            return refused(request, ctx, session, refusal, english)
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        outcome = await enter_report(ctx, request, session, values, uploads, english)
    finally:
        await form.close()
    if outcome.code is None:
        context = form_context(ctx, session, english, values, outcome.errors)
        return render(request, ctx, session, "desk/entry.html", context, english, outcome.status)
    context = {"code": outcome.code, "at": ctx.clock(), "channel": values.get("channel")}
    return render(request, ctx, session, "desk/receipt.html", context, english)


@router.get("/desk/import", response_class=HTMLResponse)
async def import_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    if (refusal := role_refusal(session)) is not None:
        return refused(request, ctx, session, refusal, english)
    context = {"errors": {}, "nonce": new_nonce()}
    return render(request, ctx, session, "desk/import.html", context, english)


@router.post("/desk/import", response_class=HTMLResponse)
async def import_send(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    form = await request.form(max_files=1, max_fields=5)
    try:
        english = is_english(request, {"lang": form.get("lang")})
        if (refusal := _refusal(request, session, form)) is not None:
            return refused(request, ctx, session, refusal, english)
        upload = form.get("file")
        nonce = str(form.get("nonce") or "")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Refusal.invalid(("file",), "请选择要导入的文件", "choose a file to import")
            rows = await import_file(
                ctx,
                await upload.read(),
                upload.filename,
                caller=session.principal,
                # Sending the same form again answers each row as the first time.
                key=f"desk-import:{nonce}" if NONCE.match(nonce) else None,
                english=english,
            )
        except Refusal as exc:
            again = {"errors": {"file": [exc.text(english)]}, "nonce": new_nonce()}
            return render(request, ctx, session, "desk/import.html", again, english, exc.status)
    finally:
        await form.close()
    ok = sum(1 for row in rows if row.tracking_code)
    context: dict[str, Any] = {"rows": rows, "ok": ok, "bad": len(rows) - ok}
    return render(request, ctx, session, "desk/results.html", context, english)


def _refusal(request: Request, session: Any, form: Any) -> Refusal | None:
    """The role, then the form's token (a forged or stale form stores nothing)."""
    if (refusal := role_refusal(session)) is not None:
        return refusal
    try:
        session.check_form(sessions_of(request).secret, form)
    except Refusal as exc:
        return exc
    return None
