"""The public report page (`/`, zh-CN, English with `?lang=en`): the form, and the receipt
with the tracking code. Server-rendered; scripts only enhance (pickers, file checks, copy, the
proof of work), the form works without them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from services.intake.context import Context, Ctx
from services.intake.pages.form import Errors
from services.intake.pages.places import choices
from services.intake.pages.rendering import is_english, render
from services.intake.pages.reporting import report_from_form, too_many

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def report_page(request: Request, ctx: Ctx) -> HTMLResponse:
    english = is_english(request)
    return _form(request, ctx, english, {"identity": "anonymous"}, {}, 200)


@router.post("/report", response_class=HTMLResponse)
async def send_report(request: Request, ctx: Ctx) -> HTMLResponse:
    form = await request.form(max_files=ctx.settings.page_files_max + 1, max_fields=40)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    english = is_english(request, values)
    try:
        outcome = await report_from_form(ctx, request, values, uploads, english)
    except HTTPException as exc:  # a rate limit or an upload quota
        outcome = too_many(exc)
    finally:
        await form.close()
    if outcome.code is None:
        return _form(request, ctx, english, values, outcome.errors, outcome.status)
    moment = ctx.clock()
    return render(request, "receipt.html", {"code": outcome.code, "at": moment}, english)


def _form(
    request: Request,
    ctx: Context,
    english: bool,
    values: dict[str, Any],
    errors: Errors,
    status: int,
) -> HTMLResponse:
    context = {
        "v": values,
        "errors": errors,
        "c": choices(ctx.directory, ctx.taxonomy, english),
        "challenge": ctx.challenges.issue(ctx.clock()),
        "files_max": ctx.settings.page_files_max,
        "file_mb": ctx.settings.attachment_max_bytes // 1_000_000,
        "file_bytes": ctx.settings.attachment_max_bytes,
        "file_types": ",".join(ctx.settings.attachment_types),
    }
    return render(request, "report.html", context, english, status)
