"""Bulk import of inspection findings (clerks): one result per row of a CSV or XLSX file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, UploadFile

from services.intake.context import Ctx
from services.intake.importing.rows import import_file
from services.intake.routes.reports import IdempotencyKey
from services.intake.schemas.answers import ImportResult
from shared.auth import Caller, Principal, require_role
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])
IMPORT_ROLES = ("clerk", "city_office")


async def importing_clerk(caller: Caller) -> Principal:
    """A dependency, so a role that may not import hears 403 before its file is judged."""
    require_role(caller, *IMPORT_ROLES)
    return caller


Clerk = Annotated[Principal, Depends(importing_clerk)]


@router.post("/reports/import", response_model=ImportResult)
async def import_reports(
    request: Request,
    file: UploadFile,
    caller: Clerk,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> ImportResult:
    """Import findings from CSV or XLSX (multipart field `file`), one result per row.

    Columns are named like the body fields, with `reporter_name`, `reporter_phone` and
    `reporter_email`; channel defaults to `inspection`. `row` is the row number as a
    spreadsheet shows it (the header is row 1). A bad row never blocks the good ones; with
    an `Idempotency-Key`, importing the same file again answers each row as the first time.
    """
    data = await file.read()
    rows = await import_file(
        ctx,
        data,
        file.filename or "",
        caller=caller,
        key=idempotency_key,
        english=wants_english(request),
    )
    return ImportResult(rows=rows)
