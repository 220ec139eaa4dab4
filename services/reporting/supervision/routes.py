"""`GET /api/v1/supervision` and `GET /api/v1/export/supervision.{csv|xlsx}`: the campaign's
supervision in figures, inside the caller's view; an export is recorded (`audit.exported`)
before it is answered, as every export is."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from services.reporting.access import READERS, figures_in_view
from services.reporting.context import Context, Ctx
from services.reporting.exports.audit import record_export
from services.reporting.exports.files import csv_text, xlsx_bytes
from services.reporting.supervision.figures import figures, table_rows
from shared.auth import Caller, Principal, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/supervision")
async def supervision(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Tasks per measure × responsible unit, overdue tasks per unit, visits per county with
    the unannounced share, data requests per county by outcome."""
    require_role(caller, *READERS)
    return await figures(ctx, figures_in_view(caller, ctx.directory))


@router.get("/export/supervision.{fmt}")
async def export_supervision(ctx: Ctx, caller: Caller, fmt: Literal["csv", "xlsx"]) -> Response:
    """The supervision figures as one table."""
    require_role(caller, *READERS)
    return await supervision_file(ctx, caller, fmt)


async def supervision_file(ctx: Context, caller: Principal, fmt: str) -> Response:
    """The export's file (the API's and the dashboard's link), recorded first."""
    rows = table_rows(await figures(ctx, figures_in_view(caller, ctx.directory)))
    await record_export(ctx, caller, "supervision", fmt, {}, len(rows) - 1)
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote('supervision')}.{fmt}"}
    if fmt == "csv":
        body = csv_text(rows, with_bom=True).encode("utf-8")
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(xlsx_bytes(rows, "督办督查"), media_type=XLSX, headers=headers)
