"""Cases' deadline gauges on /metrics: open cases overdue by county and by rule (the deadline
kind that was missed), and provisional deadlines still open (counted by weekends only because
the year's holiday table is missing: the dates may move when it arrives).

Recomputed in the background from `case_deadlines` (a scrape never waits for SQL); every
replica reports the same figures, so dashboards take `max` over replicas, not `sum`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.clocks import OBLIGATIONS, WINDOWS
from services.cases.models import cases, deadlines
from shared.db import Database
from shared.dlq import describe_error

log = logging.getLogger("zuofeng.cases.metrics")
ENDED = ("closed", "rejected")  # the statuses a case is finished in (as reporting counts)
# A provisional deadline still counts while someone may yet have to meet it.
OPEN_CLOCKS = ("running", "warned", "suspended")
KINDS = OBLIGATIONS | WINDOWS


@dataclass
class Snapshot:
    overdue: dict[tuple[str, str], int] = field(default_factory=dict)  # (county, kind) -> n
    provisional: dict[tuple[str, str], int] = field(default_factory=dict)
    counties: frozenset[str] = frozenset()  # with an open case (each gets its zeros)
    refreshed: float = 0.0


class DeadlineMetrics(Collector):
    """The latest snapshot as Prometheus families. Every deadline kind is named with 0 for each
    county with an open case, so "none overdue" is a sample, not an absent series."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Any]:
        s = self.snapshot
        counties = sorted(s.counties | {county for county, _ in s.overdue})
        overdue = GaugeMetricFamily(
            "zuofeng_cases_overdue_open_cases",
            "Open cases that missed a deadline, by county and deadline kind (rule)",
            labels=["county", "kind"],
        )
        for county in counties:
            for kind in sorted(OBLIGATIONS):
                overdue.add_metric([county, kind], s.overdue.get((county, kind), 0))
        yield overdue
        provisional = GaugeMetricFamily(
            "zuofeng_cases_provisional_deadlines_open",
            "Open deadlines counted without the year's holiday table, by county and kind",
            labels=["county", "kind"],
        )
        for county in sorted(s.counties | {county for county, _ in s.provisional}):
            for kind in sorted(KINDS | {k for c, k in s.provisional if c == county}):
                provisional.add_metric([county, kind], s.provisional.get((county, kind), 0))
        yield provisional
        yield GaugeMetricFamily(
            "zuofeng_cases_deadline_metrics_refreshed_timestamp_seconds",
            "When these deadline gauges were last recomputed (Unix time; 0 before the first)",
            value=s.refreshed,
        )


async def take(session: AsyncSession, now: float) -> Snapshot:
    d, c = deadlines.c, cases.c
    is_open = c.status.not_in(ENDED)
    joined = deadlines.join(cases, c.id == d.case_id)
    counted = select(c.county, d.kind, func.count()).select_from(joined)
    missed = counted.where(is_open, d.state == "missed").group_by(c.county, d.kind)
    provisional = counted.where(is_open, d.provisional.is_(True), d.state.in_(OPEN_CLOCKS))
    snap = Snapshot(refreshed=now)
    snap.overdue = {(a, b): n for a, b, n in (await session.execute(missed)).all()}
    rows = (await session.execute(provisional.group_by(c.county, d.kind))).all()
    snap.provisional = {(a, b): n for a, b, n in rows}
    counties = select(c.county).where(is_open).distinct()
    snap.counties = frozenset((await session.execute(counties)).scalars())
    return snap


def refresher(
    db: Database, metrics: DeadlineMetrics, every: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background job: recompute the snapshot every `every` seconds."""

    async def run() -> None:
        while True:
            try:
                async with db.sessions() as session:
                    metrics.snapshot = await take(session, time.time())
            except Exception as exc:  # noqa: BLE001 - metrics must not take the service down
                log.warning("deadline metrics not refreshed: %s", describe_error(exc))
            await asyncio.sleep(every)

    return run
