"""`GET /api/v1/export/{cases|stats}.{csv|xlsx}`: the same filters as the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import func, select

from services.reporting import exports
from services.reporting.access import READERS, units_in_view
from services.reporting.alerts import PRODUCER
from services.reporting.api import caller_stats
from services.reporting.labels import Names
from services.reporting.listings import CaseFilter, case_query, case_rows
from services.reporting.params import Range, StatsParams, date_range_of, names_for, stats_params
from shared import outbox
from shared.auth import Caller, Principal, require_role
from shared.events.audit import AuditExported, actor, audit_record
from shared.events.cases import Status
from shared.events.intake import Channel

router = APIRouter(prefix="/api/v1/export", tags=["reporting"])
Format = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _download(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"}


@router.get("/stats.{fmt}")
async def export_stats(
    request: Request,
    caller: Caller,
    fmt: Format,
    params: Annotated[StatsParams, Depends(stats_params)],
) -> Response:
    """The stats of GET /api/v1/stats as a table: one row per group, then the totals."""
    require_role(caller, *READERS)
    result = await caller_stats(request, caller, params)  # only what the caller may see
    rows = exports.stats_rows(result, params.group_by, names_for(request))
    name = f"stats-{params.group_by}"
    filters = {"group_by": params.group_by, "period": params.period, **_days(params.range)}
    await _audit(request, caller, "stats", fmt, filters, len(result["groups"]))
    if fmt == "csv":
        body = exports.csv_text(rows, with_bom=True)
        return Response(body.encode("utf-8"), media_type=CSV, headers=_download(name, fmt))
    data = exports.xlsx_bytes(rows, "统计")
    return Response(data, media_type=XLSX, headers=_download(name, fmt))


@router.get("/cases.{fmt}")
async def export_cases(
    request: Request,
    caller: Caller,
    fmt: Format,
    days: Annotated[Range, Depends(date_range_of)],
    county: str | None = None,
    unit: str | None = None,
    problem: int | None = None,
    channel: Channel | None = None,
    status: Status | None = None,
) -> Response:
    """One row per case (only the cases the caller may see): no report texts, no names."""
    require_role(caller, *READERS)
    wanted = CaseFilter(
        days.first, days.last, county, unit, problem, channel, status, _units(request, caller)
    )
    names = names_for(request)
    given = {"county": county, "unit": unit, "problem": problem, "channel": channel}
    filters = {k: str(v) for k, v in (given | {"status": status}).items() if v is not None}
    count = await _count(request, wanted)
    if fmt == "xlsx" and count > exports.XLSX_MAX_ROWS:  # refused: nothing exported, no record
        raise HTTPException(
            413, detail=f"more than {exports.XLSX_MAX_ROWS} rows: export CSV instead"
        )
    await _audit(request, caller, "cases", fmt, filters | _days(days), count)
    if fmt == "csv":
        chunks = _csv_stream(request, wanted, names)
        return StreamingResponse(chunks, media_type=CSV, headers=_download("cases", fmt))
    async with request.app.state.runtime.db.sessions() as session:
        try:
            data = await exports.case_xlsx(case_rows(session, wanted), names)
        except exports.TooManyRows as exc:
            raise HTTPException(413, detail=f"{exc}: export CSV instead") from exc
    return Response(data, media_type=XLSX, headers=_download("cases", fmt))


async def _count(request: Request, wanted: CaseFilter) -> int:
    query = select(func.count()).select_from(case_query(wanted).order_by(None).subquery())
    async with request.app.state.runtime.db.sessions() as session:
        return int(await session.scalar(query) or 0)


def _days(days: Range) -> dict[str, str]:
    bounds = {"from": days.first, "to": days.last}
    return {k: v.isoformat() for k, v in bounds.items() if v is not None}


async def _audit(
    request: Request,
    caller: Principal,
    export: str,
    fmt: str,
    filters: dict[str, str],
    rows: int,
) -> None:
    """Record who took which export (`audit.exported` on the AUDIT stream) before answering.
    An export writes nothing else, so the record is its own transaction: committed, it is
    published by the outbox relay even if the download then breaks off."""
    record = AuditExported(
        **actor(caller),
        export=export,  # type: ignore[arg-type]
        format=fmt,  # type: ignore[arg-type]
        filters=filters,
        rows=rows,
        exported_at=datetime.now(UTC),
    )
    async with request.app.state.runtime.db.sessions() as session, session.begin():
        await outbox.add(session, audit_record(record, PRODUCER))


def _units(request: Request, caller: Principal) -> frozenset[str] | None:
    return units_in_view(caller, request.app.state.directory)


async def _csv_stream(request: Request, wanted: CaseFilter, names: Names) -> AsyncIterator[bytes]:
    async with request.app.state.runtime.db.sessions() as session:
        async for chunk in exports.case_csv(case_rows(session, wanted), names):
            yield chunk.encode("utf-8")
