"""Intake's file routes: attachment upload (public) and bulk import of findings (clerks)."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile, status
from fastapi.responses import JSONResponse

from services.intake import attachments, bulk, importing
from services.intake.context import Context, Ctx
from services.intake.limits import client_key
from services.intake.routes.reports import IdempotencyKey
from services.intake.routes.throttle import limit, request_host
from services.intake.schemas import AttachmentAccepted, ImportResult
from shared.auth import Caller, MaybeCaller, Principal, require_role
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])
IMPORT_ROLES = ("clerk", "city_office")


async def importing_clerk(caller: Caller) -> Principal:
    """A dependency, so a role that may not import hears 403 before its file is judged."""
    require_role(caller, *IMPORT_ROLES)
    return caller


Clerk = Annotated[Principal, Depends(importing_clerk)]


def bad_file(ctx: Context, request: Request, zh: str, en: str) -> JSONResponse:
    ctx.metrics.rejected("invalid_file")
    msg = en if wants_english(request) else zh
    item = {"loc": ["body", "file"], "msg": msg, "type": "value_error"}
    return JSONResponse({"detail": [item]}, status_code=422)


def too_large(ctx: Context, request: Request, zh: str, en: str) -> HTTPException:
    ctx.metrics.rejected("too_large")
    return HTTPException(413, en if wants_english(request) else zh)


@router.post("/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentAccepted)
async def upload_attachment(
    request: Request, file: UploadFile, caller: MaybeCaller, ctx: Ctx
) -> AttachmentAccepted | JSONResponse:
    """Store one file (multipart field `file`) by its sha256; name its id in a report.

    Types and size are limited by settings; too large → 413; this client's upload quota for
    the window used up → 429; the attachment store full → 503 with Retry-After. An upload no
    report names within `attachment_unused_ttl` is deleted.
    """
    if caller is None:
        limit(ctx, request, ctx.limiters.public)
    most = ctx.settings.attachment_max_bytes
    over = (f"附件不能超过 {most} 字节", f"file exceeds {most} bytes")
    size = _size(file)
    if size > most:
        raise too_large(ctx, request, *over)
    await _make_room(ctx, request, caller, size)
    try:
        attachment_id, sha = await attachments.save(
            ctx.db,
            ctx.settings.resolved_attachments_dir,
            file.file,
            file.content_type or "",
            ctx.settings.attachment_types,
            most,
        )
    except attachments.FileTooLarge as exc:
        raise too_large(
            ctx, request, f"附件不能超过 {most} 字节", f"file exceeds {most} bytes"
        ) from exc
    except attachments.BadFile as exc:
        return bad_file(ctx, request, exc.zh, exc.en)
    return AttachmentAccepted(attachment_id=attachment_id, sha256=sha)


def _size(file: UploadFile) -> int:
    if file.size is not None:
        return file.size
    size = file.file.seek(0, os.SEEK_END)
    file.file.seek(0)
    return size


async def _make_room(ctx: Context, request: Request, caller: Principal | None, size: int) -> None:
    """503 while the attachment store is full (the sweep frees unused uploads), then 429 when
    this client has used its upload quota for the window."""
    english = wants_english(request)
    cap = ctx.settings.attachment_total_max_bytes
    if cap and await attachments.stored_bytes(ctx.db) + size > cap:
        ctx.metrics.rejected("storage_full")
        message = (
            "attachment storage is full; retry later" if english else "附件存储空间已满，请稍后再试"
        )
        retry = str(max(60, int(ctx.settings.attachment_sweep_interval)))
        raise HTTPException(503, message, headers={"Retry-After": retry})
    client = f"unit:{caller.unit}" if caller else client_key(request_host(request))
    wait = ctx.limiters.uploads.retry_after(client, size)
    if wait > 0:
        ctx.metrics.rejected("upload_quota")
        message = (
            "upload quota for this client used up; retry later"
            if english
            else "上传的附件过多，请稍后再试"
        )
        raise HTTPException(429, message, headers={"Retry-After": str(int(wait) + 1)})


@router.post("/reports/import", response_model=ImportResult)
async def import_reports(
    request: Request,
    file: UploadFile,
    caller: Clerk,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> ImportResult | JSONResponse:
    """Import findings from CSV or XLSX (multipart field `file`), one result per row.

    Columns are named like the body fields, with `reporter_name`, `reporter_phone` and
    `reporter_email`; channel defaults to `inspection`. `row` is the row number as a
    spreadsheet shows it (the header is row 1). A bad row never blocks the good ones; with
    an `Idempotency-Key`, importing the same file again answers each row as the first time.
    """
    data = await file.read()
    try:
        rows = await importing.import_file(
            ctx,
            data,
            file.filename or "",
            caller=caller,
            key=idempotency_key,
            english=wants_english(request),
        )
    except bulk.BadTable as exc:
        return bad_file(ctx, request, exc.zh, exc.en)
    except importing.TooManyRows as exc:
        most = ctx.settings.import_max_rows
        raise too_large(ctx, request, f"一次最多导入 {most} 行", f"at most {most} rows") from exc
    return ImportResult(rows=rows)
