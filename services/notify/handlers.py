"""Notify's bus handlers."""

from __future__ import annotations

from services.notify.inbox import store_notices
from shared import inbox
from shared.db import Database
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent

CONSUMER = "notify-cases"


def when_case_changes_tell_the_units(db: Database):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Case events become inbox notices for the units concerned."""
        if not isinstance(payload, CaseEvent):
            return
        async with db.sessions() as session, session.begin():
            if await inbox.claim(session, CONSUMER, str(envelope.event_id)):
                await store_notices(session, envelope, payload)

    return handle
