"""`GET /api/v1/stats/programmes` and `GET /api/v1/export/programmes.{csv|xlsx}`: the Women's
Federation's programmes per county, inside the caller's counties; an export is recorded
(`audit.exported`) before it is answered, as every export is."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.reporting.context import Context, Ctx
from services.reporting.exports.audit import record_export
from services.reporting.exports.files import csv_text, xlsx_bytes
from services.reporting.params import names_for
from services.reporting.programmes.access import PROGRAMME_READERS, programme_counties
from services.reporting.programmes.figures import figures, table_rows
from shared.auth import Caller, Principal, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/stats/programmes")
async def programme_figures(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Per county: aid applications, refused and granted (count, amount, amount by fund source,
    the share of the amount to poor villages), villages, schools, coverage of the poor villages
    where left-behind children concentrate and the gaps, sponsorships, pairings and visits,
    homes (share in poor villages), activities by kind with attendance, selections."""
    require_role(caller, *PROGRAMME_READERS)
    return {"items": await figures(ctx, programme_counties(caller, ctx.directory))}


@router.get("/export/programmes.{fmt}")
async def export_programmes(
    request: Request, ctx: Ctx, caller: Caller, fmt: Literal["csv", "xlsx"]
) -> Response:
    """The programme figures, a row per county."""
    require_role(caller, *PROGRAMME_READERS)
    return await programmes_file(request, ctx, caller, fmt)


async def programmes_file(request: Request, ctx: Context, caller: Principal, fmt: str) -> Response:
    """The export's file (the API's and the dashboard's link), recorded first."""
    found = await figures(ctx, programme_counties(caller, ctx.directory))
    rows = table_rows(found, names_for(request, ctx))
    await record_export(ctx, caller, "programmes", fmt, {}, len(rows) - 1)
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote('programmes')}.{fmt}"}
    if fmt == "csv":
        body = csv_text(rows, with_bom=True).encode("utf-8")
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(xlsx_bytes(rows, "妇联项目"), media_type=XLSX, headers=headers)
