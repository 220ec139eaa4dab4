"""Business metrics on /metrics, recomputed in the background (a scrape never waits for SQL).

Open cases by county and status, overdue open cases, days to accept per county (histogram),
exposures, alerts, and the lag of reporting's consumers per stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import alert_decisions, alerts, case_facts, latency_hist
from shared.db import Database
from shared.dlq import describe_error
from shared.streams import REPORTING_CASES, REPORTING_REPORTS

log = logging.getLogger("zuofeng.reporting.metrics")
CLOSED = ("closed", "rejected")
BUCKETS_DAYS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 60)
CONSUMERS = (REPORTING_REPORTS, REPORTING_CASES)


@dataclass
class Snapshot:
    open_cases: dict[tuple[str, str], int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    accept_days: dict[str, dict[int, int]] = field(default_factory=dict)  # county -> bucket -> n
    exposures: dict[str, int] = field(default_factory=dict)
    alerts: dict[tuple[str, str], int] = field(default_factory=dict)
    lag: dict[tuple[str, str], int] = field(default_factory=dict)


class BusinessMetrics(Collector):
    """Prometheus collector over the latest snapshot."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Any]:
        s = self.snapshot
        yield _gauge(
            "open_cases", "Open cases by county and status", ["county", "status"], s.open_cases
        )
        yield _gauge(
            "overdue_open_cases", "Open cases that missed a deadline", ["county"], s.overdue
        )
        yield _gauge("exposures", "Exposed cases by county", ["county"], s.exposures)
        yield _gauge("alerts", "Accountability alerts by scope", ["scope", "decided"], s.alerts)
        yield _gauge("consumer_lag", "Messages not yet delivered", ["stream", "consumer"], s.lag)
        yield _histogram(s.accept_days)


def _gauge(name: str, doc: str, labels: list[str], values: dict[Any, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(f"zuofeng_reporting_{name}", doc, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


def _histogram(per_county: dict[str, dict[int, int]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(
        "zuofeng_reporting_days_to_accept", "Days from receipt to acceptance", labels=["county"]
    )
    for county, buckets in sorted(per_county.items()):
        cumulative = []
        for bound in BUCKETS_DAYS:
            cumulative.append((str(bound), sum(n for b, n in buckets.items() if b <= bound)))
        cumulative.append(("+Inf", sum(buckets.values())))
        total = sum(b * n for b, n in buckets.items())
        family.add_metric([county], cumulative, total)
    return family


async def take(session: AsyncSession) -> Snapshot:
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


async def lag(js: JetStreamContext) -> dict[tuple[str, str], int]:
    out = {}
    for cdef in CONSUMERS:
        durable = cdef.durable
        info = await js.consumer_info(cdef.stream, durable)
        out[(cdef.stream, durable)] = int(info.num_pending or 0)
    return out


def refresher(
    db: Database, js: Callable[[], JetStreamContext], metrics: BusinessMetrics, every: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background job: recompute the snapshot every `every` seconds."""

    async def run() -> None:
        while True:
            try:
                async with db.sessions() as session:
                    snap = await take(session)
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
