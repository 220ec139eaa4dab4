"""Cases' HTTP API: discipline inspection's quarterly results for the city office (the four ways
of disposal counted per receiving organ); each read audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.cases import discipline
from services.cases.audit import trail
from services.cases.context import Ctx
from shared.auth import Caller, require_role
from shared.deadlines import local_day

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get("/discipline/quarterly")
async def quarterly_results(
    ctx: Ctx,
    caller: Caller,
    year: Annotated[int | None, Query(ge=2018, le=2100)] = None,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> dict[str, Any]:
    """A quarter's transfers to discipline inspection, their disposal by the four ways (谈话函询
    `talk_inquiry`, 初步核实 `preliminary_verification`, 暂存待查 `shelved`, 予以了结 `concluded`)
    and closings, per receiving organ: an inspector's own commission and those under it, every
    organ for the city office and auditors. Without `year` and `quarter`: the current quarter."""
    require_role(caller, "inspector", "city_office", "auditor")
    today = local_day(ctx.now())
    year, quarter = year or today.year, quarter or (today.month - 1) // 3 + 1
    async with ctx.db.sessions() as session:
        report = await discipline.quarterly(session, ctx.directory, caller, year, quarter)
        asked = {"year": year, "quarter": quarter, "units": len(report["units"])}
        await trail.record(ctx, session, caller, "discipline-quarterly", None, asked)
    return report
