"""Notify's bus handlers: keep reporters' contacts sealed, and tell everyone a case event
concerns. Each is idempotent (processed-event ids) and only writes the database: outside
deliveries are the worker's."""

from __future__ import annotations

from services.notify.context import Notify
from services.notify.fanout import fan_out
from services.notify.reporters import keep_contact
from shared import inbox
from shared.bus import Handler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

CONSUMER = "notify-cases"
REPORTS_CONSUMER = "notify-reports"


def when_report_received_keep_the_contact(n: Notify) -> Handler:
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """A report's contact is kept sealed (or its anonymity noted) for later notices."""
        if not isinstance(payload, ReportReceived):
            return
        async with n.db.sessions() as session, session.begin():
            if await inbox.claim(session, REPORTS_CONSUMER, str(envelope.event_id)):
                await keep_contact(session, payload, n.clock())
        n.wake.set()  # a notice may have been waiting for this report

    return handle


def when_case_changes_tell_the_people(n: Notify) -> Handler:
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Case events become inbox notices and queued mail, SMS and webhook deliveries."""
        if not isinstance(payload, CaseEvent):
            return
        noticed, queued = 0, 0
        async with n.db.sessions() as session, session.begin():
            if await inbox.claim(session, CONSUMER, str(envelope.event_id)):
                noticed, queued = await fan_out(session, n, envelope, payload)
        if noticed:
            n.metrics.sent("inbox", 0.0, noticed)
        if queued:
            n.wake.set()

    return handle
