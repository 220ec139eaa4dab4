"""A service's durable pull consumers, held by its runtime (`Runtime.consumers`).

Each consumer is our own pull loop (shared.consumer) around a handler wrapped by
`shared.bus.durable_handler`; the service's lifespan starts and stops the loops. A runtime built
for the docs only records each consumer and what its handler does (`documented`), from which
the AsyncAPI document lists every event type it receives, without anything connecting.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared import dlq
from shared.bus import BatchHandler, Handler, durable_handler, js_of
from shared.consumer import ConsumerMetrics, PullLoop, bus_metrics_forever
from shared.events import Envelope, EventData
from shared.settings import BaseServiceSettings
from shared.streams import DLQ_MOVER, ConsumerDef

log = logging.getLogger("zuofeng.bus")


class Consumers:
    """The durable consumers one service process runs, bound to its broker."""

    def __init__(
        self,
        broker: NatsBroker,
        settings: BaseServiceSettings,
        *,
        for_docs: bool = False,
        metrics: ConsumerMetrics | None = None,
    ) -> None:
        self.broker, self.settings, self.for_docs, self.metrics = (
            broker,
            settings,
            for_docs,
            metrics,
        )
        self.loops: list[PullLoop] = []
        self.handled: list[str] = []  # durables whose failures this process dead-letters
        # (consumer, what its handler does) for the AsyncAPI's receive operations.
        self.documented: list[tuple[ConsumerDef, str]] = []

    def durable(
        self,
        cdef: ConsumerDef,
        handler: Handler,
        *,
        filter_subject: str | None = None,
        description: str | None = None,
        batch: BatchHandler | None = None,
    ) -> None:
        """Bind `handler` to a durable pull consumer created by `init_bus` (never declared
        here). `batch`, when given, handles a pulled batch in one go (see shared.bus)."""
        settings = self.settings
        if self.for_docs:
            # services/asyncapi.py documents each event type the consumer takes from this.
            taken = replace(cdef, filter_subject=filter_subject or cdef.filter_subject)
            self.documented.append((taken, inspect.cleandoc(description or handler.__doc__ or "")))
            return
        on_batch = durable_handler(
            cdef.durable,
            handler,
            retry_delays=settings.retry_delays,
            max_deliver=settings.max_deliver,
            js=lambda: js_of(self.broker),
            batch=batch,
            dead_lettered=self._count_dead_letter,
        )
        self.handled.append(cdef.durable)
        self.loops.append(
            PullLoop(
                self._connected_js,
                cdef.stream,
                cdef.durable,
                settings.pull_batch,
                on_batch,
                self.metrics,
                linger=cdef.linger,
            )
        )

    def batched(
        self, cdef: ConsumerDef, handler: BatchHandler, *, description: str | None = None
    ) -> None:
        """`durable` for a handler that takes a pulled batch in one transaction. When a batch
        fails, the one-by-one way hands the same handler one event at a time."""

        async def one(envelope: Envelope, payload: EventData) -> None:
            await handler([(envelope, payload)])

        one.__doc__ = handler.__doc__  # the AsyncAPI description
        self.durable(cdef, one, description=description, batch=handler)

    def dlq_mover(self) -> None:
        """Every service runs the mover; replicas share its durable, so each advisory moves once."""
        if self.for_docs:
            return
        broker = self.broker

        async def move(raws: list[Msg]) -> None:
            for raw in raws:
                try:
                    consumer = await dlq.move_advised(js_of(broker), raw.data)
                except Exception as exc:  # noqa: BLE001 - retried by the nak below
                    log.warning("dlq mover failed, retrying: %s", dlq.describe_error(exc))
                    await raw.nak(delay=2.0)
                    continue
                if consumer:
                    self._count_dead_letter(consumer)
                await raw.ack()

        self.loops.append(
            PullLoop(self._connected_js, DLQ_MOVER.stream, DLQ_MOVER.durable, 16, move)
        )

    def watched(self) -> list[tuple[str, str]]:
        """(stream, durable) of every consumer this process pulls from, the DLQ mover's too."""
        return [(loop.stream, loop.durable) for loop in self.loops]

    def bus_metrics(self) -> Coroutine[Any, Any, None]:
        """The background job reporting these consumers' lag and DLQ depth (metrics set)."""
        assert self.metrics is not None
        return bus_metrics_forever(
            self._connected_js, self.watched, lambda: list(self.handled), self.metrics
        )

    def _count_dead_letter(self, consumer: str) -> None:
        if self.metrics is not None:
            self.metrics.dead_letters.labels(consumer).inc()

    def start(self) -> list[asyncio.Task[Any]]:
        return [asyncio.create_task(loop.run()) for loop in self.loops]

    def stop(self) -> None:
        """Tell the loops to finish the batch in hand and pull no more."""
        for loop in self.loops:
            loop.stopping = True

    def _connected_js(self) -> JetStreamContext | None:
        connection = getattr(self.broker, "_connection", None)
        if connection is None or not connection.is_connected:
            return None
        return connection.jetstream()  # type: ignore[no-any-return]
