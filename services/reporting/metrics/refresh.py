"""The business metrics' background job: a snapshot of the projections and the consumers' lag,
every so often (a scrape never waits for SQL)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.metrics.collector import BusinessMetrics, Snapshot
from services.reporting.models import alert_decisions, alerts, case_facts, latency_hist
from services.reporting.scorecards.figures import Thresholds, cards, counts
from services.reporting.scorecards.periods import current_month, period_days
from shared.db import Database
from shared.deadlines import local_day
from shared.dlq import describe_error
from shared.streams import REPORTING_CASES, REPORTING_REPORTS

log = logging.getLogger("zuofeng.reporting.metrics")


CLOSED = ("closed", "rejected")


CONSUMERS = (REPORTING_REPORTS, REPORTING_CASES)


async def take(session: AsyncSession, limits: Thresholds, now: datetime) -> Snapshot:
    c = case_facts.c
    snap = Snapshot()
    is_open = c.status.not_in(CLOSED) & c.received_at.is_not(None)
    query = select(c.county, c.status, func.count()).where(is_open).group_by(c.county, c.status)
    snap.open_cases = {(a, b): n for a, b, n in (await session.execute(query)).all()}
    query = select(c.county, func.count()).where(is_open, c.overdue.is_(True)).group_by(c.county)
    snap.overdue = dict((await session.execute(query)).all())  # type: ignore[arg-type]
    query = select(c.county, func.count()).where(c.exposed.is_(True)).group_by(c.county)
    snap.exposures = dict((await session.execute(query)).all())  # type: ignore[arg-type]
    snap.accept_days = await _accept_days(session)
    snap.alerts = await _alerts(session)
    snap.flagged_units = await _flagged(session, limits, now)
    return snap


async def _accept_days(session: AsyncSession) -> dict[str, dict[int, int]]:
    h = latency_hist.c
    query = (
        select(h.key, h.bucket, func.sum(h.n))
        .where(h.dim == "county", h.level == "y", h.kind == "accept")
        .group_by(h.key, h.bucket)
    )
    out: dict[str, dict[int, int]] = defaultdict(dict)
    for county, bucket, n in (await session.execute(query)).all():
        if n:
            out[county][bucket] = int(n)
    return dict(out)


async def _alerts(session: AsyncSession) -> dict[tuple[str, str], int]:
    has = select(alert_decisions.c.id).where(alert_decisions.c.alert_id == alerts.c.alert_id)
    out: dict[tuple[str, str], int] = defaultdict(int)
    for scope, decided in (await session.execute(select(alerts.c.scope, has.exists()))).all():
        out[(scope, str(bool(decided)).lower())] += 1
    return dict(out)


async def _flagged(session: AsyncSession, limits: Thresholds, now: datetime) -> dict[str, int]:
    """Units below a scorecard threshold this month (the figures of GET /api/v1/scorecards)."""
    period = current_month(local_day(now))
    first, last = period_days(period)
    found = cards(await counts(session, first, last, "unit", None), limits)
    return {period: sum(1 for card in found if card["flagged"])}


async def lag(js: JetStreamContext) -> dict[tuple[str, str], int]:
    out = {}
    for cdef in CONSUMERS:
        durable = cdef.durable
        info = await js.consumer_info(cdef.stream, durable)
        out[(cdef.stream, durable)] = int(info.num_pending or 0)
    return out


def refresher(
    db: Database,
    js: Callable[[], JetStreamContext],
    metrics: BusinessMetrics,
    every: float,
    limits: Thresholds,
    clock: Callable[[], datetime],
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background job: recompute the snapshot every `every` seconds."""

    async def run() -> None:
        while True:
            try:
                async with db.sessions() as session:
                    snap = await take(session, limits, clock())
                snap.lag = await _lag_or_last(js, metrics)
                metrics.snapshot = snap
            except Exception as exc:  # noqa: BLE001 - metrics must not take the service down
                log.warning("business metrics not refreshed: %s", describe_error(exc))
            await asyncio.sleep(every)

    return run


async def _lag_or_last(
    js: Callable[[], JetStreamContext], metrics: BusinessMetrics
) -> dict[tuple[str, str], int]:
    try:
        return await lag(js())
    except Exception:  # noqa: BLE001 - the bus may not be up yet; keep the last figures
        return metrics.snapshot.lag
