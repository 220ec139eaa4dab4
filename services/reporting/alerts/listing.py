"""Alerts on record as callers see them: only those in their view, newest first, with their
decisions."""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.rule import SCOPE_RESPONSIBILITY
from services.reporting.models import alert_decisions, alerts
from services.reporting.words.labels import DECISION_LABELS


def visible(
    query: Select[Any], units: AbstractSet[str] | None, counties: AbstractSet[str]
) -> Select[Any]:
    """Only alerts about the caller's units or county (`units` None: everything)."""
    if units is None:
        return query
    about_unit = alerts.c.scope.in_(("unit", "department")) & alerts.c.key.in_(sorted(units))
    about_county = (alerts.c.scope == "county") & alerts.c.key.in_(sorted(counties))
    return query.where(or_(about_unit, about_county))


def under(query: Select[Any], responsibility: str | None) -> Select[Any]:
    """Only the alerts counted under that responsibility (None: both)."""
    if responsibility is None:
        return query
    scopes = sorted(s for s, r in SCOPE_RESPONSIBILITY.items() if r == responsibility)
    return query.where(alerts.c.scope.in_(scopes))


async def list_alerts(
    session: AsyncSession,
    query: Select[Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of alerts (newest crossing first) with their decisions, and the total."""
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar()
    page = query.order_by(alerts.c.crossed_at.desc(), alerts.c.alert_id).limit(limit)
    rows = [dict(r) for r in (await session.execute(page.offset(offset))).mappings()]
    ids = [row["alert_id"] for row in rows]
    decided = select(alert_decisions).where(alert_decisions.c.alert_id.in_(ids))
    by_alert: dict[str, list[dict[str, Any]]] = {}
    for d in (await session.execute(decided.order_by(alert_decisions.c.id))).mappings():
        by_alert.setdefault(d["alert_id"], []).append(_decision_view(dict(d)))
    items = [_alert_view(row, by_alert.get(row["alert_id"], [])) for row in rows]
    return items, int(total or 0)


def _alert_view(row: dict[str, Any], decisions: list[dict[str, Any]]) -> dict[str, Any]:
    view = {k: v for k, v in row.items() if k not in ("alert_id", "sequence")}
    duty = SCOPE_RESPONSIBILITY[row["scope"]]
    return {"id": row["alert_id"], **view, "responsibility": duty,
            "decided": bool(decisions), "decisions": decisions}  # fmt: skip


def _decision_view(row: dict[str, Any]) -> dict[str, Any]:
    zh, en = DECISION_LABELS[row["decision"]]
    return {
        "decision": row["decision"],
        "decision_label": zh,
        "decision_label_en": en,
        "target": row["target"],
        "officials": json.loads(row["officials"] or "[]"),
        "note": row["note"],
        "decided_unit": row["decided_unit"],
        "decided_at": row["decided_at"],
    }
