"""Reporting's HTTP API: stats, phases, ranking, the exposure board and the alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select

from services.reporting.access import (
    DECIDERS,
    READERS,
    counties_in_view,
    figures_in_view,
    hidden_subjects,
    units_in_view,
)
from services.reporting.decisions import DecisionBody, list_alerts, record_decision, visible
from services.reporting.listings import exposures, ranking
from services.reporting.models import alert_decisions, alerts
from services.reporting.params import (
    Cursor,
    Limit,
    StatsParams,
    names_for,
    next_cursor,
    offset_of,
    stats_params,
)
from services.reporting.queries import scoped_stats, stats
from shared.auth import Caller, Principal, require_role
from shared.directory import Directory

router = APIRouter(prefix="/api/v1", tags=["reporting"])


@router.get("/stats")
async def get_stats(
    request: Request, caller: Caller, params: Annotated[StatsParams, Depends(stats_params)]
) -> dict[str, Any]:
    """Counts per group and in total; rates are for clients to derive.

    `received` counts reports (merged ones included), `cases` counts cases, `unit` is the
    handling unit, `substantiated` means substantiated or partly, `rectified` means verified,
    `overdue` counts cases that missed any deadline; dates filter on receipt (Asia/Shanghai
    days); `phase` names a configured campaign period (GET /api/v1/phases).

    Only what the caller may see: the whole city for the city office, auditors, inspectors and
    the city leading group's and office's leaders; otherwise the cases handled by the caller's
    unit (and the units it supervises), so `group_by=channel` is for whole-city readers (403)."""
    require_role(caller, *READERS)
    return await caller_stats(request, caller, params)


async def caller_stats(request: Request, caller: Principal, params: StatsParams) -> dict[str, Any]:
    """The stats of the caller's view (the API and the export)."""
    view = figures_in_view(caller, request.app.state.directory)
    if view is not None and params.group_by == "channel":
        raise HTTPException(
            403,
            detail="按渠道统计仅限全市范围的角色 | only whole-city readers may group by channel",
        )
    first, last = params.range.first, params.range.last
    async with request.app.state.runtime.db.sessions() as session:
        if view is None:
            return await stats(session, params.group_by, params.period, first, last)
        return await scoped_stats(session, params.group_by, params.period, first, last, view)


@router.get("/phases")
async def get_phases(request: Request) -> dict[str, Any]:
    """The configured campaign phases (public)."""
    phases = request.app.state.phases.phases
    items = [p.model_dump(mode="json", by_alias=True) for p in phases]
    return {"items": items, "total": len(items), "next": None}


@router.get("/ranking")
async def get_ranking(
    request: Request,
    caller: Caller,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    """The units complained about most in a year (信访工作条例 Art 41): reports about the unit
    (the accused unit, else the handling unit), then cases, then substantiated cases.

    Only the units in the caller's view (as the stats), and never the caller's own unit nor a
    unit above it: what is reported about a unit does not reach that unit (auditors see all)."""
    require_role(caller, *READERS)
    year = year or datetime.now(UTC).year
    names = names_for(request)
    directory = request.app.state.directory
    within = figures_in_view(caller, directory)
    hidden = hidden_subjects(caller, directory)
    async with request.app.state.runtime.db.sessions() as session:
        items = await ranking(session, year, limit, within, hidden)
    for item in items:
        item["name"] = names.unit(item["unit"])
    return {"year": year, "items": items, "total": len(items), "next": None}


@router.get("/exposures")
async def get_exposures(
    request: Request, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    """The exposure board (public): approved, redacted texts of verified typical cases."""
    offset = offset_of(cursor)
    async with request.app.state.runtime.db.sessions() as session:
        items, total = await exposures(session, limit, offset)
    return {"items": items, "total": total, "next": next_cursor(offset, len(items), total)}


@router.get("/alerts")
async def get_alerts(
    request: Request,
    caller: Caller,
    scope: Literal["unit", "county", "department"] | None = None,
    decided: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Accountability alerts (newest first) with the decisions taken on them."""
    require_role(caller, *READERS)
    offset = offset_of(cursor)
    directory = request.app.state.directory
    query = visible(
        select(alerts), units_in_view(caller, directory), counties_in_view(caller, directory)
    )
    if scope is not None:
        query = query.where(alerts.c.scope == scope)
    if decided is not None:
        query = query.where(_decided_clause(decided))
    async with request.app.state.runtime.db.sessions() as session:
        items, total = await list_alerts(session, query, limit, offset)
    return {"items": items, "total": total, "next": next_cursor(offset, len(items), total)}


def _decided_clause(decided: bool) -> Any:
    has = select(alert_decisions.c.id).where(alert_decisions.c.alert_id == alerts.c.alert_id)
    return has.exists() if decided else ~has.exists()


def _visible_alert(caller: Principal, alert_id: str, directory: Directory) -> Any:
    return visible(
        select(alerts).where(alerts.c.alert_id == alert_id),
        units_in_view(caller, directory),
        counties_in_view(caller, directory),
    )


async def _may_decide(request: Request, caller: Caller, alert_id: str) -> None:
    """Scope (404) then role (403), before the body is read: a caller who may not decide
    learns nothing from the validation of what they sent."""
    query = _visible_alert(caller, alert_id, request.app.state.directory)
    async with request.app.state.runtime.db.sessions() as session:
        if (await session.execute(query)).first() is None:
            raise HTTPException(404, detail="alert not found")
    require_role(caller, *DECIDERS)


@router.post("/alerts/{alert_id}/decision", dependencies=[Depends(_may_decide)])
async def decide_alert(
    request: Request, caller: Caller, alert_id: str, body: DecisionBody
) -> dict[str, Any]:
    """Record the accountability decision taken (约谈, 通报, 挂牌督办, 责令限期整改, 问责 …)
    against the unit or named officials; it stays on record."""
    query = _visible_alert(caller, alert_id, request.app.state.directory)
    async with request.app.state.runtime.db.sessions() as session, session.begin():
        # Locked: concurrent decisions on one alert take their sequence numbers in turn.
        row = (await session.execute(query.with_for_update())).mappings().first()
        if row is None:
            raise HTTPException(404, detail="alert not found")
        decision = await record_decision(session, dict(row), body, caller)
    return {"id": alert_id, **decision}
