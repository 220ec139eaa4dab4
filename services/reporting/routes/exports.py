"""`GET /api/v1/export/{cases|stats}.{csv|xlsx}`: the same filters as the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import func, select

from services.reporting.access import READERS, units_in_view
from services.reporting.context import Context, Ctx
from services.reporting.exports.audit import record_export
from services.reporting.exports.cases import CaseFilter, case_query, case_rows
from services.reporting.exports.files import (
    XLSX_MAX_ROWS,
    case_csv,
    case_xlsx,
    csv_text,
    too_many_rows,
    xlsx_bytes,
)
from services.reporting.exports.tables import stats_rows
from services.reporting.params import Range, StatsParams, date_range_of, names_for, stats_params
from services.reporting.stats.view import caller_stats
from services.reporting.words.names import Names
from shared.auth import Caller, require_role
from shared.events.cases import Status
from shared.events.intake import Channel
from shared.http_params import INT_MAX

router = APIRouter(prefix="/api/v1/export", tags=["reporting"])
Format = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _download(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"}


@router.get("/stats.{fmt}")
async def export_stats(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    fmt: Format,
    params: Annotated[StatsParams, Depends(stats_params)],
) -> Response:
    """The stats of GET /api/v1/stats as a table: one row per group, then the totals."""
    require_role(caller, *READERS)
    result = await caller_stats(ctx, caller, params)  # only what the caller may see
    rows = stats_rows(result, params.group_by, names_for(request, ctx))
    name = f"stats-{params.group_by}"
    filters = {"group_by": params.group_by, "period": params.period, **_days(params.range)}
    await record_export(ctx, caller, "stats", fmt, filters, len(result["groups"]))
    if fmt == "csv":
        body = csv_text(rows, with_bom=True)
        return Response(body.encode("utf-8"), media_type=CSV, headers=_download(name, fmt))
    data = xlsx_bytes(rows, "统计")
    return Response(data, media_type=XLSX, headers=_download(name, fmt))


@router.get("/cases.{fmt}")
async def export_cases(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    fmt: Format,
    days: Annotated[Range, Depends(date_range_of)],
    county: str | None = None,
    unit: str | None = None,
    problem: Annotated[int | None, Query(ge=0, le=INT_MAX)] = None,
    channel: Channel | None = None,
    status: Status | None = None,
) -> Response:
    """One row per case (only the cases the caller may see): no report texts, no names."""
    require_role(caller, *READERS)
    units = units_in_view(caller, ctx.directory)
    wanted = CaseFilter(days.first, days.last, county, unit, problem, channel, status, units)
    names = names_for(request, ctx)
    given = {"county": county, "unit": unit, "problem": problem, "channel": channel}
    filters = {k: str(v) for k, v in (given | {"status": status}).items() if v is not None}
    count = await _count(ctx, wanted)
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:  # refused: nothing exported, no record
        raise too_many_rows()
    await record_export(ctx, caller, "cases", fmt, filters | _days(days), count)
    if fmt == "csv":
        chunks = _csv_stream(ctx, wanted, names)
        return StreamingResponse(chunks, media_type=CSV, headers=_download("cases", fmt))
    async with ctx.db.sessions() as session:
        data = await case_xlsx(case_rows(session, wanted), names)
    return Response(data, media_type=XLSX, headers=_download("cases", fmt))


async def _count(ctx: Context, wanted: CaseFilter) -> int:
    query = select(func.count()).select_from(case_query(wanted).order_by(None).subquery())
    async with ctx.db.sessions() as session:
        return int(await session.scalar(query) or 0)


def _days(days: Range) -> dict[str, str]:
    bounds = {"from": days.first, "to": days.last}
    return {k: v.isoformat() for k, v in bounds.items() if v is not None}


async def _csv_stream(ctx: Context, wanted: CaseFilter, names: Names) -> AsyncIterator[bytes]:
    async with ctx.db.sessions() as session:
        async for chunk in case_csv(case_rows(session, wanted), names):
            yield chunk.encode("utf-8")
