"""Intake's bus handlers: the public status follows case events."""

from __future__ import annotations

from services.intake.public_status import follow_case_event
from services.intake.service import Context
from shared import inbox
from shared.bus import Handler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent

CONSUMER = "intake-cases"


def when_case_changes_update_public_status(ctx: Context) -> Handler:
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Case events move the reporter's public status, add its steps, open the review
        window with the reply, and keep the exposed cases Open311 lists."""
        if not isinstance(payload, CaseEvent):
            return
        async with ctx.db.sessions() as session, session.begin():
            if await inbox.claim(session, CONSUMER, str(envelope.event_id)):
                await follow_case_event(session, envelope, payload, ctx.profiles)

    return handle
