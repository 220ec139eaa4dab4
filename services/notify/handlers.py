"""Notify's bus handlers: keep reporters' contacts sealed, and tell everyone a case event
concerns. Each is idempotent (processed-event ids) and only writes the database: outside
deliveries are the worker's. Each takes a pulled batch in one transaction."""

from __future__ import annotations

import logging

from services.notify.context import Context
from services.notify.fanout.alerts import alerts_to_integrators
from services.notify.fanout.batch import fan_out
from services.notify.reporters import keep_contacts
from services.notify.survey import queue_surveys
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived
from shared.streams import NOTIFY_ALERTS, NOTIFY_CASES, NOTIFY_REPORTS

log = logging.getLogger("zuofeng.notify")
CONSUMER = NOTIFY_CASES.durable
REPORTS_CONSUMER = NOTIFY_REPORTS.durable
Events = list[tuple[Envelope, EventData]]


def when_report_received_keep_the_contact(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """A report's contact is kept sealed (or its anonymity noted) for later notices."""
        wanted = [(e, p) for e, p in events if isinstance(p, ReportReceived)]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, REPORTS_CONSUMER, wanted)
            await keep_contacts(session, [report for _, report in fresh], ctx.clock())
        ctx.wake.set()  # a notice may have been waiting for these reports

    return handle


def when_case_changes_tell_the_people(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Case events become inbox notices and queued mail, SMS and webhook deliveries."""
        wanted = [(e, p) for e, p in events if isinstance(p, CaseEvent)]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, CONSUMER, wanted)
            noticed, queued = await fan_out(session, ctx, fresh)
            queued += await queue_surveys(session, ctx, fresh)  # 回访 SMS after a reply
        for envelope, case in fresh:  # after the commit: one line per case event told
            ids = {"event_id": str(envelope.event_id), "case_id": case.case_id}
            log.info("case event told: %s", envelope.type, extra=ids | {"county": case.county})
        if noticed:
            ctx.metrics.sent("inbox", 0.0, noticed)
        if queued:
            ctx.wake.set()

    return handle


def when_alert_raised_tell_integrators(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Accountability alerts become webhook deliveries to the integrators subscribed to
        their type in their county."""
        wanted = [(e, p) for e, p in events if e.type.startswith("alert.")]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, NOTIFY_ALERTS.durable, wanted)
            queued = await alerts_to_integrators(session, ctx, fresh)
        if queued:
            ctx.wake.set()

    return handle
