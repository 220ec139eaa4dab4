"""Intake's bus handlers: the public status follows case events."""

from __future__ import annotations

from services.intake.openings import follow_openings, is_opening
from services.intake.public_status import follow_case_event
from services.intake.service import Context
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.streams import INTAKE_CASES

CONSUMER = INTAKE_CASES.durable


def when_case_changes_update_public_status(ctx: Context) -> BatchHandler:
    async def handle(events: list[tuple[Envelope, EventData]]) -> None:
        """Case events move the reporter's public status, add its steps, open the review
        window with the reply, and keep the exposed cases Open311 lists."""
        wanted = [(e, p) for e, p in events if isinstance(p, CaseEvent)]
        if not wanted:
            return
        # One transaction: openings together first (an opening is its case's first event),
        # then the others in order.
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, CONSUMER, wanted)
            await follow_openings(session, [(e, p) for e, p in fresh if is_opening(e, p)])
            for envelope, payload in fresh:
                if not is_opening(envelope, payload):
                    await follow_case_event(session, envelope, payload, ctx.profiles)

    return handle
