"""Attachment upload (public): a file stored by content hash, named in a report by its id."""

from __future__ import annotations

import os

from fastapi import APIRouter, HTTPException, Request, UploadFile, status
from starlette.datastructures import UploadFile as StarletteUpload  # what forms hold

from services.intake.attachments.checks import file_too_large
from services.intake.attachments.store import stored_bytes
from services.intake.attachments.uploads import save
from services.intake.context import Context, Ctx
from services.intake.limits.clients import client_key
from services.intake.routes.throttle import limit, request_host
from services.intake.schemas.answers import AttachmentAccepted
from shared.auth import MaybeCaller, Principal
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])


@router.post("/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentAccepted)
async def upload_attachment(
    request: Request, file: UploadFile, caller: MaybeCaller, ctx: Ctx
) -> AttachmentAccepted:
    """Store one file (multipart field `file`) by its sha256; name its id in a report.

    Types and size are limited by settings; too large → 413; this client's upload quota for
    the window used up → 429; the attachment store full → 503 with Retry-After. An upload no
    report names within `attachment_unused_ttl` is deleted.
    """
    if caller is None:
        limit(ctx, request, ctx.limiters.public)
    most = ctx.settings.attachment_max_bytes
    size = upload_size(file)
    if size > most:
        raise file_too_large(most)
    await make_room(ctx, request, caller, size)
    attachment_id, sha = await save(
        ctx.db,
        ctx.settings.resolved_attachments_dir,
        file.file,
        file.content_type or "",
        ctx.settings.attachment_types,
        most,
    )
    return AttachmentAccepted(attachment_id=attachment_id, sha256=sha)


def upload_size(file: StarletteUpload) -> int:
    """The upload's size (read from its spooled file when the part did not say)."""
    if file.size is not None:
        return file.size
    size = file.file.seek(0, os.SEEK_END)
    file.file.seek(0)
    return size


async def make_room(ctx: Context, request: Request, caller: Principal | None, size: int) -> None:
    """503 while the attachment store is full (the sweep frees unused uploads), then 429 when
    this client has used its upload quota for the window."""
    english = wants_english(request)
    cap = ctx.settings.attachment_total_max_bytes
    if cap and await stored_bytes(ctx.db) + size > cap:
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
