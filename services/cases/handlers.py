"""Cases' bus handlers."""

from __future__ import annotations

import logging

from services.cases.opening import already_opened, decide_opening, open_case
from shared import inbox
from shared.db import Database
from shared.deadlines import Profiles
from shared.directory import Directory
from shared.events import Envelope, EventData
from shared.events.intake import ReportReceived

CONSUMER = "cases-reports"
log = logging.getLogger("zuofeng.cases")


def when_report_received_open_case(db: Database, directory: Directory, profiles: Profiles):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """A received report opens a case routed away from the accused."""
        if not isinstance(payload, ReportReceived):
            return  # review requests arrive with the case workflow
        opening = decide_opening(payload, directory, profiles)
        async with db.sessions() as session, session.begin():
            if not await inbox.claim(session, CONSUMER, str(envelope.event_id)):
                return
            if await already_opened(session, payload.report_id):
                return  # the same report re-sent under a new event id
            await open_case(session, envelope, payload, opening)
        log.info(
            "case opened",
            extra={
                "event_id": str(envelope.event_id),
                "case_id": opening.case_id,
                "county": payload.county,
            },
        )

    return handle
