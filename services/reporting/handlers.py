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
from shared.db import Database
from shared.directory import Directory
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

REPORTS = "reporting-reports"
CASES = "reporting-cases"
log = logging.getLogger("zuofeng.reporting")


@dataclass
class Projector:
    """What the live handlers share: the database, the directory, the alert rule, the gate."""

    db: Database
    directory: Directory
    rule: AlertRule
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def project(self, consumer: str, envelope: Envelope, payload: EventData) -> None:
        """Claim, project and evaluate alerts in one transaction."""
        await self.project_many(consumer, [(envelope, payload)])

    async def project_many(self, consumer: str, events: list[tuple[Envelope, EventData]]) -> None:
        """The new events of a batch, in order, claimed, projected and evaluated in one
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


def when_report_received_count_it(projector: Projector):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Each received report is counted once."""
        if isinstance(payload, ReportReceived):
            await projector.project(REPORTS, envelope, payload)

    return handle


def when_case_changes_update_facts(projector: Projector):  # type: ignore[no-untyped-def]
    async def handle(envelope: Envelope, payload: EventData) -> None:
        """Each case event updates the case's facts and the counts once; a substantiated
        finding may raise an accountability alert."""
        if isinstance(payload, CaseEvent):
            await projector.project(CASES, envelope, payload)

    return handle


def in_batches(projector: Projector, consumer: str):  # type: ignore[no-untyped-def]
    """The batch form of either handler: only the events its consumer counts."""
    wanted = ReportReceived if consumer == REPORTS else CaseEvent

    async def handle(events: list[tuple[Envelope, EventData]]) -> None:
        await projector.project_many(consumer, [(e, p) for e, p in events if isinstance(p, wanted)])

    return handle
