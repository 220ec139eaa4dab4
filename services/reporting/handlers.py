"""Reporting's bus handlers: every event lands in the projections exactly once, and a changed
finding may raise an accountability alert in the same transaction (published by the outbox).

The bus hands over different aggregates concurrently; projecting is one writer at a time (an
in-process lock here, the projection lock across replicas on PostgreSQL), since one event may
move counts that another event's transaction reads.
"""

from __future__ import annotations

import logging

from services.reporting.alerts.raising import evaluate
from services.reporting.context import Context
from services.reporting.projection.batch import Item, lock, project
from services.reporting.projection.tables import LIVE
from services.reporting.scorecards.recording import record
from services.reporting.supervision import rechecks
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived
from shared.streams import REPORTING_CASES, REPORTING_REPORTS

log = logging.getLogger("zuofeng.reporting")
Events = list[tuple[Envelope, EventData]]


async def project_new_events(ctx: Context, consumer: str, events: list[Item]) -> None:
    """A batch's new events, in order, claimed, projected and evaluated for alerts in one
    transaction (the projections take a batch, as the rebuild does)."""
    async with ctx.projecting, ctx.db.sessions() as session, session.begin():
        await lock(session)
        items = await inbox.claim_many(session, consumer, events)
        if not items:
            return
        outcome = await project(session, LIVE, items, ctx.directory)
        await record(session, items, ctx.directory)
        await rechecks.record(session, items)
        raised = await evaluate(session, outcome.findings, ctx.rule, ctx.directory)
    for alert in raised:
        extra = {"county": alert["county"]}
        log.info("alert raised: %s %s", alert["scope"], alert["key"], extra=extra)


def when_report_received_count_it(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each received report is counted once."""
        mine: Events = [(e, p) for e, p in events if isinstance(p, ReportReceived)]
        await project_new_events(ctx, REPORTING_REPORTS.durable, mine)

    return handle


def when_case_changes_update_facts(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each case event updates the case's facts and the counts once; a substantiated
        finding may raise an accountability alert."""
        mine: Events = [(e, p) for e, p in events if isinstance(p, CaseEvent)]
        await project_new_events(ctx, REPORTING_CASES.durable, mine)

    return handle
