"""Our own pull loop for durable consumers.

FastStream's batch pull loop waits for a *full* batch until its timeout (up to a second of
latency for a lone message) and dies on the built-in TimeoutError nats-py sometimes raises,
after which its supervisor restarts it with growing pauses (stalls of 30–90 s were measured
under load). This loop fetches what is there (nats-py returns at once when messages wait,
and lingers only when none do), treats every timeout as "nothing yet", and rebinds after a
connection problem. FastStream still owns the connection and the AsyncAPI documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry, Counter, Histogram

from shared.dlq import describe_error

log = logging.getLogger("zuofeng.consumer")
BatchHandler = Callable[[list[Msg]], Awaitable[None]]
IDLE_WAIT = 5.0  # how long one pull lingers when nothing is waiting
LINGER_FETCH = 0.01  # the pull after a linger takes what is there (waits this long if nothing)


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.batches = Counter(
            "zuofeng_consumer_messages", "Messages pulled", ["consumer"], registry=registry
        )
        self.seconds = Histogram(
            "zuofeng_consumer_batch_seconds",
            "Time to handle a pulled batch",
            ["consumer"],
            registry=registry,
        )


class PullLoop:
    """Pull `batch` messages at a time from a durable consumer and hand them to `on_batch`."""

    def __init__(
        self,
        js: Callable[[], JetStreamContext | None],
        stream: str,
        durable: str,
        batch: int,
        on_batch: BatchHandler,
        metrics: ConsumerMetrics | None = None,
        linger: float = 0.0,
    ) -> None:
        self.js, self.stream, self.durable, self.batch = js, stream, durable, batch
        self.on_batch, self.metrics, self.linger = on_batch, metrics, linger
        self.stopping = False  # ends the loop even if a cancel is swallowed (shared/tasks.py)

    async def run(self) -> None:
        while not self.stopping:
            js = self.js()
            if js is None:
                await asyncio.sleep(0.2)  # the broker is still connecting
                continue
            try:
                await self._pull(js)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - rebind and go on; unacked messages come back
                log.warning(
                    "consumer %s: %s; pulling again in 1s",
                    self.durable,
                    describe_error(exc),  # no database values in the log
                    extra={"consumer": self.durable},
                )
                await asyncio.sleep(1.0)

    async def _pull(self, js: JetStreamContext) -> None:
        sub = await js.pull_subscribe_bind(self.durable, self.stream)
        try:
            while not self.stopping:
                try:
                    messages = await sub.fetch(self.batch, timeout=IDLE_WAIT)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue  # nothing waiting
                if self.linger and len(messages) < self.batch:
                    messages += await self._more(sub, self.batch - len(messages))
                await self._handle(messages)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _more(self, sub: Any, wanted: int) -> list[Msg]:
        """What arrived while lingering (nothing more is fine: the batch goes as it is)."""
        await asyncio.sleep(self.linger)
        try:
            return list(await sub.fetch(wanted, timeout=LINGER_FETCH))
        except (TimeoutError, nats.errors.TimeoutError):
            return []

    async def _handle(self, messages: list[Msg]) -> None:
        started = time.perf_counter()
        await self.on_batch(messages)
        if self.metrics:
            self.metrics.batches.labels(self.durable).inc(len(messages))
            self.metrics.seconds.labels(self.durable).observe(time.perf_counter() - started)
