"""Deciding on an alert: the one code behind the JSON decision route and the alert page's form
(issue 17) — the alert must be in the caller's view (else 404), the caller a decider (else
403), and the decision is recorded under the alert's row lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from services.reporting.access import DECIDERS, counties_in_view, units_in_view
from services.reporting.alerts.decisions import DecisionBody, record_decision
from services.reporting.alerts.listing import list_alerts, visible
from services.reporting.context import Context
from services.reporting.models import alerts
from shared.auth import Principal, require_role
from shared.errors import Refusal


def not_found() -> Refusal:
    return Refusal.not_found("没有这条预警", "alert not found")


def visible_alert(ctx: Context, caller: Principal, alert_id: str) -> Select[Any]:
    return visible(
        select(alerts).where(alerts.c.alert_id == alert_id),
        units_in_view(caller, ctx.directory),
        counties_in_view(caller, ctx.directory),
    )


async def alert_in_view(ctx: Context, caller: Principal, alert_id: str) -> dict[str, Any]:
    """The alert with its decisions, as the list shows it; 404 outside the caller's view."""
    async with ctx.db.sessions() as session:
        items, _ = await list_alerts(session, visible_alert(ctx, caller, alert_id), 1, 0)
    if not items:
        raise not_found()
    return items[0]


async def may_decide(ctx: Context, caller: Principal, alert_id: str) -> None:
    """Scope (404) then role (403): a caller who may not decide learns nothing more."""
    async with ctx.db.sessions() as session:
        if (await session.execute(visible_alert(ctx, caller, alert_id))).first() is None:
            raise not_found()
    require_role(caller, *DECIDERS)


async def decide(
    ctx: Context, caller: Principal, alert_id: str, body: DecisionBody
) -> dict[str, Any]:
    query = visible_alert(ctx, caller, alert_id)
    async with ctx.db.sessions() as session, session.begin():
        # Locked: concurrent decisions on one alert take their sequence numbers in turn.
        row = (await session.execute(query.with_for_update())).mappings().first()
        if row is None:
            raise not_found()
        return await record_decision(session, dict(row), body, caller, ctx.clock())
