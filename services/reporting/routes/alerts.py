"""Accountability alerts over HTTP: the list in the caller's view, and the decisions taken."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.reporting.access import READERS, counties_in_view, figures_in_view, units_in_view
from services.reporting.alerts.deciding import decide, may_decide
from services.reporting.alerts.decisions import DecisionBody
from services.reporting.alerts.listing import list_alerts, under, visible
from services.reporting.context import Ctx
from services.reporting.models import alert_decisions, alerts
from services.reporting.params import Cursor, Limit, next_cursor, offset_of
from services.reporting.scorecards.board import scorecards
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["reporting"])


@router.get("/alerts")
async def get_alerts(
    ctx: Ctx,
    caller: Caller,
    scope: Literal["unit", "county", "department"] | None = None,
    decided: bool | None = None,
    responsibility: Literal["main", "supervision"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Accountability alerts (newest first) with the decisions taken on them, each with the
    `responsibility` it is counted under: `main` (主体责任: a unit's or a county's own
    substantiated cases) or `supervision` (监督责任: a department's, for the units on its
    sector line), filterable, never added together; `scorecards`
    counts the units in the caller's view flagged below a scorecard threshold this month (the
    figures of `GET /api/v1/scorecards`, which names them)."""
    require_role(caller, *READERS)
    offset = offset_of(cursor)
    directory = ctx.directory
    query = visible(
        select(alerts), units_in_view(caller, directory), counties_in_view(caller, directory)
    )
    if scope is not None:
        query = query.where(alerts.c.scope == scope)
    if decided is not None:
        query = query.where(_decided_clause(decided))
    query = under(query, responsibility)
    async with ctx.db.sessions() as session:
        items, total = await list_alerts(session, query, limit, offset)
    cards = await scorecards(ctx, None, "unit", figures_in_view(caller, directory))
    flagged = {"period": cards["period"], "flagged": cards["flagged"]}
    page = {"items": items, "total": total, "next": next_cursor(offset, len(items), total)}
    return page | {"scorecards": flagged}


def _decided_clause(decided: bool) -> Any:
    has = select(alert_decisions.c.id).where(alert_decisions.c.alert_id == alerts.c.alert_id)
    return has.exists() if decided else ~has.exists()


async def _may_decide(ctx: Ctx, caller: Caller, alert_id: str) -> None:
    """Scope (404) then role (403), before the body is read: a caller who may not decide
    learns nothing from the validation of what they sent."""
    await may_decide(ctx, caller, alert_id)


@router.post("/alerts/{alert_id}/decision", dependencies=[Depends(_may_decide)])
async def decide_alert(
    ctx: Ctx, caller: Caller, alert_id: str, body: DecisionBody
) -> dict[str, Any]:
    """Record the accountability decision taken (约谈, 通报, 挂牌督办, 责令限期整改, 问责 …)
    against the unit or named officials; it stays on record."""
    decision = await decide(ctx, caller, alert_id, body)
    return {"id": alert_id, **decision}
