"""Intake's bus handlers: the public status follows case events."""

from __future__ import annotations

from services.intake.context import Context
from services.intake.public_status.batch import follow_case_events
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.streams import ConsumerDef


def when_case_changes_update_public_status(ctx: Context, cdef: ConsumerDef) -> BatchHandler:
    async def handle(events: list[tuple[Envelope, EventData]]) -> None:
        """Case events move the reporter's public status, add its steps, open the review
        window with the reply, and keep the exposed cases Open311 lists."""
        wanted = [(e, p) for e, p in events if isinstance(p, CaseEvent)]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, cdef.durable, wanted)
            await follow_case_events(session, fresh)

    return handle
