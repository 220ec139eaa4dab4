"""Alerts on record and the accountability decisions taken on them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts import NAMESPACE, PRODUCER
from services.reporting.models import alert_decisions, alerts
from shared import outbox
from shared.auth import Principal
from shared.events import make_event
from shared.events.audit import AuditAlertDecided, actor, audit_record
from shared.events.reporting import AlertDecided, Decision

DECISION_LABELS = {
    "interview": ("约谈", "interview (talk with the leaders)"),
    "circular": ("通报", "circular (public criticism)"),
    "listed_supervision": ("挂牌督办", "listed supervision"),
    "rectify_within_deadline": ("责令限期整改", "ordered to rectify within a deadline"),
    "accountability": ("问责", "accountability (discipline)"),
    "other": ("其他", "other"),
}
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class DecisionBody(BaseModel):
    """The accountability decision taken, against the unit or named officials."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision
    target: Literal["unit", "officials"] = "unit"
    officials: list[Name] = Field(default_factory=list, max_length=50)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None

    @model_validator(mode="after")
    def _named(self) -> DecisionBody:
        if self.target == "officials" and not self.officials:
            raise ValueError("请列出被追责的人员 | name the officials held accountable")
        return self


def visible(
    query: Select[Any], units: AbstractSet[str] | None, counties: AbstractSet[str]
) -> Select[Any]:
    """Only alerts about the caller's units or county (`units` None: everything)."""
    if units is None:
        return query
    about_unit = alerts.c.scope.in_(("unit", "department")) & alerts.c.key.in_(sorted(units))
    about_county = (alerts.c.scope == "county") & alerts.c.key.in_(sorted(counties))
    return query.where(or_(about_unit, about_county))


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
    return {"id": row["alert_id"], **view, "decided": bool(decisions), "decisions": decisions}


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


async def record_decision(
    session: AsyncSession, alert: dict[str, Any], body: DecisionBody, caller: Principal
) -> dict[str, Any]:
    """Keep the decision on record and tell the bus (without names or note)."""
    now = datetime.now(UTC)
    row = _decision_row(alert["alert_id"], body, caller, now)
    await session.execute(insert(alert_decisions).values(**row))
    sequence = alert["sequence"] + 1
    await session.execute(
        update(alerts).where(alerts.c.alert_id == alert["alert_id"]).values(sequence=sequence)
    )
    payload = AlertDecided(
        alert_id=alert["alert_id"],
        scope=alert["scope"],
        key=alert["key"],
        decision=body.decision,
        target=body.target,
        decided_at=now,
        decided_unit=caller.unit,
    )
    await outbox.add(session, _envelope(payload, alert, sequence, now))
    # alert.decided names the deciding unit only; the audit record says who (no names, no note).
    record = AuditAlertDecided(
        **actor(caller),
        alert_id=alert["alert_id"],
        decision=body.decision,
        target=body.target,
        decided_at=now,
    )
    await outbox.add(session, audit_record(record, PRODUCER))
    return _decision_view(row)


def _decision_row(
    alert_id: str, body: DecisionBody, caller: Principal, now: datetime
) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "decision": body.decision,
        "target": body.target,
        "officials": json.dumps(body.officials, ensure_ascii=False) if body.officials else None,
        "note": body.note,
        "decided_by": caller.sub,
        "decided_unit": caller.unit,
        "decided_at": now,
    }


def _envelope(payload: AlertDecided, alert: dict[str, Any], sequence: int, now: datetime) -> Any:
    return make_event(
        payload,
        county=alert["county"],
        aggregate_id=alert["alert_id"],
        sequence=sequence,
        producer=PRODUCER,
        occurred_at=now,
        event_id=uuid.uuid5(NAMESPACE, f"{alert['alert_id']}|{sequence}"),
    )
