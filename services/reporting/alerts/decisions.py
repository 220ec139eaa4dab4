"""The accountability decisions taken on alerts: kept on record, told to the bus without names or
note."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.listing import _decision_view
from services.reporting.alerts.rule import NAMESPACE, PRODUCER, SCOPE_RESPONSIBILITY
from services.reporting.models import alert_decisions, alerts
from shared import outbox
from shared.auth import Principal
from shared.events import make_event
from shared.events.audit import AuditAlertDecided, actor, audit_record
from shared.events.reporting import AlertDecided, Decision

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


async def record_decision(
    session: AsyncSession,
    alert: dict[str, Any],
    body: DecisionBody,
    caller: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Keep the decision on record and tell the bus (without names or note)."""
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
        responsibility=SCOPE_RESPONSIBILITY[alert["scope"]],  # type: ignore[arg-type]
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
