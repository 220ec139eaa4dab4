"""Bulk import of inspection findings: every row on its own, so a bad row never blocks good
ones, and each good row is stored whole (report, step, outbox event) or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError

from services.intake.attachments.checks import too_large
from services.intake.authorization import authorize, authorize_county
from services.intake.context import Context
from services.intake.importing.cells import row_body
from services.intake.importing.results import failed, row_errors
from services.intake.importing.table import read_table
from services.intake.problems import schema_detail
from services.intake.schemas.answers import ImportRow
from services.intake.schemas.report import ReportIn
from services.intake.submission import submit
from shared.auth import Principal
from shared.errors import Refusal


async def import_file(
    ctx: Context, data: bytes, filename: str, *, caller: Principal, key: str | None, english: bool
) -> list[ImportRow]:
    """One result per non-empty row, in file order; rows are written concurrently (batched).
    A file that cannot be read, or holds more than `import_max_rows` rows, is refused."""
    most = ctx.settings.import_max_rows
    header, rows = await asyncio.to_thread(read_table, data, filename, most)
    if len(rows) > most:
        raise too_large(f"一次最多导入 {most} 行", f"at most {most} rows")
    return list(
        await asyncio.gather(
            *(_row(ctx, header, number, cells, caller, key, english) for number, cells in rows)
        )
    )


async def _row(
    ctx: Context,
    header: list[str],
    number: int,
    cells: list[Any],
    caller: Principal,
    key: str | None,
    english: bool,
) -> ImportRow:
    try:
        body = ReportIn.model_validate(row_body(header, cells))
        authorize(caller, body.channel)
        authorize_county(ctx, caller, body.county)
        accepted = await submit(
            ctx,
            body,
            idempotency_key=f"{key}#row{number}" if key else None,
            unit=caller.unit,
            transport="import",
        )
    except ValidationError as exc:
        return failed(ctx, number, schema_detail(exc, english, prefix=()))
    except Refusal as exc:
        return failed(ctx, number, row_errors(exc, english))
    return ImportRow(row=number, report_id=accepted.report_id, tracking_code=accepted.tracking_code)
