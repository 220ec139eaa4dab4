"""Unit scorecards over HTTP (issue 26): `GET /api/v1/scorecards`, the figures units are
ranked and named by, in the caller's view as the other aggregates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from services.reporting.access import READERS, figures_in_view
from services.reporting.context import Ctx
from services.reporting.params import names_for
from services.reporting.scorecards.board import scorecards
from services.reporting.scorecards.periods import PATTERN
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])
Period = Annotated[
    str | None,
    Query(pattern=PATTERN, description="2026 (a year), 2026-Q4 or 2026-12; default this month"),
]


@router.get("/scorecards")
async def get_scorecards(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    period: Period = None,
    group_by: Literal["unit", "county"] = "unit",
) -> dict[str, Any]:
    """Per handling unit (or county) in a period: acceptances and completions on time (of
    those decided or concluded in it), satisfaction (satisfied and basically satisfied, of the
    ratings), redo (sent back, of completions), disputes upheld (reassigned) and lost, urges
    received. A group below a threshold of the setting is `flagged`, naming the rates in
    `below`. Dates are the events' days in Asia/Shanghai.

    Only what the caller may see, as `/api/v1/stats`: the whole city for the city office,
    auditors, inspectors and the city leading group's leaders; otherwise the caller's unit and
    the units it supervises."""
    require_role(caller, *READERS)
    units = figures_in_view(caller, ctx.directory)
    answer = await scorecards(ctx, period, group_by, units)
    names = names_for(request, ctx)
    for item in answer["items"]:
        item["name"] = names.unit(item["key"]) if group_by == "unit" else names.county(item["key"])
    return answer
