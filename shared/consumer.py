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
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from shared.dlq import describe_error
from shared.subjects import DLQ_PREFIX

log = logging.getLogger("zuofeng.consumer")
BatchHandler = Callable[[list[Msg]], Awaitable[None]]
BUS_METRICS_EVERY = 15.0  # how often consumer lag and DLQ depth are asked of JetStream
IDLE_WAIT = 5.0  # how long one pull lingers when nothing is waiting
# The pull after a linger takes what is there, or waits this long for a first message. 10 ms
# was too tight under load: the server's answer often came after it, so the pull was wasted.
LINGER_FETCH = 0.05


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
        self.dead_letters = Counter(
            "zuofeng_consumer_dead_letters",
            "Messages this process dead-lettered, by the consumer they failed in",
            ["consumer"],
            registry=registry,
        )
        # Refreshed every BUS_METRICS_EVERY seconds from JetStream (refresh_bus_metrics).
        self.pending = Gauge(
            "zuofeng_consumer_pending",
            "Messages of the stream not yet delivered to the consumer",
            ["stream", "consumer"],
            registry=registry,
        )
        self.ack_pending = Gauge(
            "zuofeng_consumer_ack_pending",
            "Messages delivered to the consumer and not yet acknowledged",
            ["stream", "consumer"],
            registry=registry,
        )
        self.dlq_depth = Gauge(
            "zuofeng_dlq_messages",
            "Dead letters waiting in the DLQ stream, by the consumer they failed in",
            ["consumer"],
            registry=registry,
        )


async def refresh_bus_metrics(
    js: JetStreamContext, consumers: list[tuple[str, str]], dead_lettering: list[str],
    metrics: ConsumerMetrics,
) -> None:  # fmt: skip
    """One look at JetStream: each (stream, durable)'s lag and each durable's DLQ depth (one
    `stream_info` of the DLQ with a subject filter: its subjects are per durable)."""
    for stream, durable in consumers:
        info = await js.consumer_info(stream, durable)
        metrics.pending.labels(stream, durable).set(info.num_pending or 0)
        metrics.ack_pending.labels(stream, durable).set(info.num_ack_pending or 0)
    if not dead_lettering:
        return
    dlq = await js.stream_info("DLQ", subjects_filter=f"{DLQ_PREFIX}.>")
    depth = dlq.state.subjects or {}
    for durable in dead_lettering:
        metrics.dlq_depth.labels(durable).set(depth.get(f"{DLQ_PREFIX}.{durable}", 0))


async def bus_metrics_forever(
    js: Callable[[], JetStreamContext | None],
    consumers: Callable[[], list[tuple[str, str]]],
    dead_lettering: Callable[[], list[str]],
    metrics: ConsumerMetrics,
    every: float = BUS_METRICS_EVERY,
) -> None:
    """The background job of every service: the figures stay at their last values while the
    bus is away (a scrape never waits for NATS)."""
    while True:
        connected = js()
        if connected is not None:
            try:
                await refresh_bus_metrics(connected, consumers(), dead_lettering(), metrics)
            except Exception as exc:  # noqa: BLE001 - metrics must not take the service down
                log.warning("bus metrics not refreshed: %s", describe_error(exc))
        await asyncio.sleep(every)


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
