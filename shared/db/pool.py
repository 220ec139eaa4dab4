"""A service's database pool on /metrics: connections checked out, the pool's size and its
overflow, read from SQLAlchemy's pool at scrape time (no SQL, nothing to refresh).

An on-call engineer sees a service that holds every connection (requests then wait up to the
pool timeout) before it shows as latency: checked out near size + max overflow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

FAMILIES = (
    ("zuofeng_db_pool_checked_out", "Database connections in use (checked out of the pool)"),
    ("zuofeng_db_pool_size", "Database connections the pool keeps open (pool_size)"),
    ("zuofeng_db_pool_overflow", "Database connections open beyond pool_size now"),
    ("zuofeng_db_pool_max_overflow", "Database connections the pool may open beyond pool_size"),
)


def _figures(pool: Any) -> dict[str, float]:
    """The pool's figures; a pool without a queue (NullPool, StaticPool) reports what it has."""
    out: dict[str, float] = {}
    if callable(getattr(pool, "checkedout", None)):
        out["checked_out"] = pool.checkedout()
    if callable(getattr(pool, "size", None)):
        out["size"] = pool.size()
    if callable(getattr(pool, "overflow", None)):
        # SQLAlchemy counts overflow from -pool_size up: below zero the pool is not yet full.
        out["overflow"] = max(pool.overflow(), 0)
    if isinstance(getattr(pool, "_max_overflow", None), int):
        out["max_overflow"] = max(pool._max_overflow, 0)  # -1 is "unlimited": no figure
    return out


class PoolMetrics(Collector):
    """`zuofeng_db_pool_*{service}` for one service's engine."""

    def __init__(self, service: str, engine: AsyncEngine) -> None:
        self.service, self.engine = service, engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = _figures(self.engine.sync_engine.pool)
        for name, doc in FAMILIES:
            family = GaugeMetricFamily(name, doc, labels=["service"])
            figure = figures.get(name.removeprefix("zuofeng_db_pool_"))
            if figure is not None:
                family.add_metric([self.service], figure)
            yield family
