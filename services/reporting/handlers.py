"""Reporting's bus handlers: every event lands in the projections exactly once."""

from __future__ import annotations

from services.reporting.projections import project_case, project_report
from shared import inbox
from shared.db import Database
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

REPORTS = "reporting-reports"
CASES = "reporting-cases"


def when_report_received_count_it(db: Database):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Each received report is counted once."""
        if not isinstance(payload, ReportReceived):
            return
        async with db.sessions() as session, session.begin():
            if await inbox.claim(session, REPORTS, str(envelope.event_id)):
                await project_report(session, payload)

    return handle


def when_case_changes_update_facts(db: Database):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Each case event updates the case's fact row once."""
        if not isinstance(payload, CaseEvent):
            return
        async with db.sessions() as session, session.begin():
            if await inbox.claim(session, CASES, str(envelope.event_id)):
                await project_case(session, envelope, payload)

    return handle
