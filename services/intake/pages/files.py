"""The report form's files: checked (count, size, type and leading bytes) with the upload API's
own checks before anything is stored, then stored as `POST /api/v1/attachments` stores them."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from services.intake.attachments.checks import check_upload, file_too_large
from services.intake.attachments.uploads import save
from services.intake.context import Context
from services.intake.routes.attachments import make_room, upload_size
from shared.errors import Refusal


def chosen(files: list[UploadFile]) -> list[UploadFile]:
    """The files actually picked (a form without a file sends one empty part)."""
    return [f for f in files if f.filename or upload_size(f)]


def file_errors(ctx: Context, files: list[UploadFile], english: bool) -> list[str]:
    """What is wrong with the picked files, one message per problem (none: all may be stored)."""
    settings = ctx.settings
    if len(files) > settings.page_files_max:
        most = settings.page_files_max
        return [f"最多上传 {most} 个文件" if not english else f"at most {most} files"]
    errors = []
    for upload in files:
        try:
            _check(upload, settings.attachment_max_bytes, settings.attachment_types)
        except Refusal as refusal:
            errors.append(f"{upload.filename or '?'}：{refusal.text(english)}")
    return errors


def _check(upload: UploadFile, most: int, allowed: tuple[str, ...]) -> None:
    if upload_size(upload) > most:
        raise file_too_large(most)
    kind = (upload.content_type or "").split(";", 1)[0].strip().lower()
    head = upload.file.read(64)
    upload.file.seek(0)
    check_upload(kind, head, allowed)


async def store(ctx: Context, request: Request, files: list[UploadFile]) -> list[str]:
    """Store the checked files; their attachment ids (the client's upload quota applies)."""
    ids = []
    for upload in files:
        await make_room(ctx, request, None, upload_size(upload))
        attachment_id, _ = await save(
            ctx.db,
            ctx.settings.resolved_attachments_dir,
            upload.file,
            upload.content_type or "",
            ctx.settings.attachment_types,
            ctx.settings.attachment_max_bytes,
        )
        ids.append(attachment_id)
    return ids
