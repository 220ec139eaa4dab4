"""Who hears what in the in-app inbox, and the notices' wording (zh-CN)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import notices
from shared.events import Envelope
from shared.events.cases import CaseEvent

# event type -> (title, body); {fields} come from the event's public data
WORDING = {
    "case.opened": ("新案件待受理", "案件 {case_id} 已分办至本单位，请在期限内决定是否受理。"),
    "case.assigned": ("案件改派至本单位", "案件 {case_id} 已改派至本单位办理。"),
}


def recipients(payload: CaseEvent) -> list[str]:
    """Units told of an event: for now the handling unit."""
    return [payload.handling_unit]


async def store_notices(session: AsyncSession, envelope: Envelope, payload: CaseEvent) -> int:
    wording = WORDING.get(envelope.type)
    if wording is None:
        return 0
    values = payload.model_dump()
    for unit in recipients(payload):
        await session.execute(
            insert(notices).values(
                unit=unit,
                case_id=payload.case_id,
                event_id=str(envelope.event_id),
                event_type=envelope.type,
                title=wording[0].format(**values),
                body=wording[1].format(**values),
                created_at=datetime.now(UTC),
                read=False,
            )
        )
    return len(recipients(payload))
