"""Bulk import of inspection findings: every row on its own, so a bad row never blocks good
ones, and each good row is stored whole (report, step, outbox event) or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError, SQLAlchemyError

from services.intake import bulk, service
from services.intake.problems import detail, schema_detail
from services.intake.schemas import ImportRow, ReportIn
from services.intake.service import Context, IdempotencyConflict, InvalidReport, Refused
from shared.auth import Principal


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
        service.authorize(caller, body.channel)
        service.authorize_county(ctx, caller, body.county)
        accepted = await service.submit(
            ctx,
            body,
            idempotency_key=f"{key}#row{number}" if key else None,
            unit=caller.unit,
            transport="import",
        )
    except ValidationError as exc:
        return _failed(ctx, number, schema_detail(exc, english, prefix=()))
    except InvalidReport as exc:
        return _failed(ctx, number, detail(exc.problems, english, prefix=()))
    except Refused as exc:
        return _failed(ctx, number, [_row_error(english, exc.zh, exc.en, "forbidden")])
    except IdempotencyConflict:
        zh = "该行与此前同一 Idempotency-Key 导入的内容不同"
        en = "row differs from the earlier import"
        return _failed(ctx, number, [_row_error(english, zh, en, "conflict")])
    except DataError:
        zh, en = "取值超出范围或格式不正确", "a value is out of range or malformed"
        return _failed(ctx, number, [_row_error(english, zh, en, "value_error")])
    except (SQLAlchemyError, OSError):
        zh, en = "暂时无法保存，请用同一 Idempotency-Key 重新导入", "not stored; import again"
        return _failed(ctx, number, [_row_error(english, zh, en, "unavailable")])
    return ImportRow(row=number, report_id=accepted.report_id, tracking_code=accepted.tracking_code)


def _row_error(english: bool, zh: str, en: str, kind: str) -> dict[str, Any]:
    return {"loc": ["row"], "msg": en if english else zh, "type": kind}


def _failed(ctx: Context, number: int, errors: list[dict[str, Any]]) -> ImportRow:
    ctx.metrics.invalid([error["loc"] for error in errors])
    for error in errors:
        error["loc"] = bulk.column_of(list(error["loc"]))
    return ImportRow(row=number, errors=errors)
