"""Reporting's bus handlers: every event lands in the projections exactly once, and a changed
finding may raise an accountability alert in the same transaction (published by the outbox).

The bus hands over different aggregates concurrently; projecting is one writer at a time (an
in-process lock here, the projection lock across replicas on PostgreSQL), since one event may
move counts that another event's transaction reads.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from services.reporting import alerts, projections
from services.reporting.alerts import AlertRule
from services.reporting.projections import LIVE
from shared import inbox
from shared.bus import BatchHandler
from shared.db import Database
from shared.directory import Directory
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived
from shared.streams import REPORTING_CASES, REPORTING_REPORTS

REPORTS = REPORTING_REPORTS.durable
CASES = REPORTING_CASES.durable
log = logging.getLogger("zuofeng.reporting")
Events = list[tuple[Envelope, EventData]]


@dataclass
class Projector:
    """What the live handlers share: the database, the directory, the alert rule, the gate."""

    db: Database
    directory: Directory
    rule: AlertRule
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def project(self, consumer: str, events: list[tuple[Envelope, EventData]]) -> None:
        """A batch's new events, in order, claimed, projected and evaluated for alerts in one
        transaction (the projections take a batch, as the rebuild does)."""
        async with self.gate, self.db.sessions() as session, session.begin():
            await projections.lock(session)
            items = await inbox.claim_many(session, consumer, events)
            if not items:
                return
            outcome = await projections.project(session, LIVE, items, self.directory)
            raised = await alerts.evaluate(session, outcome.findings, self.rule, self.directory)
        for alert in raised:
            extra = {"county": alert["county"]}
            log.info("alert raised: %s %s", alert["scope"], alert["key"], extra=extra)


def when_report_received_count_it(projector: Projector) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each received report is counted once."""
        await projector.project(
            REPORTS, [(e, p) for e, p in events if isinstance(p, ReportReceived)]
        )

    return handle


def when_case_changes_update_facts(projector: Projector) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each case event updates the case's facts and the counts once; a substantiated
        finding may raise an accountability alert."""
        await projector.project(CASES, [(e, p) for e, p in events if isinstance(p, CaseEvent)])

    return handle
