"""Reporting's HTTP API: stats."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from services.reporting.queries import GroupBy, stats
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])
READERS = ("officer", "leader", "supervisor", "city_office", "inspector", "auditor")


@router.get("/stats")
async def get_stats(
    request: Request,
    caller: Caller,
    group_by: GroupBy = "county",
    period: Literal["day", "week", "month"] = "day",
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Counts per group and in total; rates are for clients to derive."""
    require_role(caller, *READERS)
    async with request.app.state.runtime.db.sessions() as session:
        return await stats(session, group_by, period, date_from, date_to)
