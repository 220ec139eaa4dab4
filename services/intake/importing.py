"""Bulk import of inspection findings: every row on its own, so a bad row never blocks good
ones, and each good row is stored whole (report, step, outbox event) or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError

from services.intake import bulk
from services.intake.authorization import authorize, authorize_county
from services.intake.context import Context
from services.intake.problems import schema_detail
from services.intake.refusals import IDEMPOTENCY, is_malformed
from services.intake.schemas import ImportRow, ReportIn
from services.intake.submission import submit
from shared.auth import Principal
from shared.errors import Refusal


class TooManyRows(ValueError):
    """The file holds more rows than `import_max_rows`."""


async def import_file(
    ctx: Context, data: bytes, filename: str, *, caller: Principal, key: str | None, english: bool
) -> list[ImportRow]:
    """One result per non-empty row, in file order; rows are written concurrently (batched)."""
    most = ctx.settings.import_max_rows
    header, rows = await asyncio.to_thread(bulk.read_table, data, filename, most)
    if len(rows) > most:
        raise TooManyRows(len(rows))
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
        body = ReportIn.model_validate(bulk.row_body(header, cells))
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
        return _failed(ctx, number, schema_detail(exc, english, prefix=()))
    except Refusal as exc:
        return _failed(ctx, number, row_errors(exc, english))
    return ImportRow(row=number, report_id=accepted.report_id, tracking_code=accepted.tracking_code)


# What a row says for the refusals of storing it (the import's own words) and of its caller.
ROW_REFUSALS = {
    "idempotency": (
        "该行与此前同一 Idempotency-Key 导入的内容不同",
        "row differs from the earlier import",
        "conflict",
    ),
    "malformed": (
        "取值超出范围或格式不正确",
        "a value is out of range or malformed",
        "value_error",
    ),
    "unavailable": (
        "暂时无法保存，请用同一 Idempotency-Key 重新导入",
        "not stored; import again",
        "unavailable",
    ),
}


def row_errors(refusal: Refusal, english: bool) -> list[dict[str, Any]]:
    """A refusal as an import row's errors: its fields below the row, or one error for the row."""
    if refusal.type == IDEMPOTENCY:
        zh, en, kind = ROW_REFUSALS["idempotency"]
    elif is_malformed(refusal):
        zh, en, kind = ROW_REFUSALS["malformed"]
    elif refusal.status == 503:
        zh, en, kind = ROW_REFUSALS["unavailable"]
    elif refusal.status == 422:
        return [error | {"loc": error["loc"][1:]} for error in refusal.field_errors(english)]
    else:
        zh, en, kind = refusal.zh, refusal.en, "forbidden"
    return [{"loc": ["row"], "msg": en if english else zh, "type": kind}]


def _failed(ctx: Context, number: int, errors: list[dict[str, Any]]) -> ImportRow:
    ctx.metrics.invalid([error["loc"] for error in errors])
    for error in errors:
        error["loc"] = bulk.column_of(list(error["loc"]))
    return ImportRow(row=number, errors=errors)
