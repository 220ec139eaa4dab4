"""Helpers for bus tests: a test-owned durable consumer and a broker bound to it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from shared.bus import BatchHandler, Handler, init_bus
from shared.consumer import ConsumerMetrics
from shared.settings import BaseServiceSettings
from shared.streams import ConsumerDef, consumer_config
from shared.subscriptions import Consumers


class FastSettings(BaseServiceSettings):
    service = "tests"


def fast_settings(nats_url: str, **overrides: object) -> BaseServiceSettings:
    values: dict[str, object] = {
        "nats_url": nats_url,
        "retry_delays": (0.1, 0.2, 0.3),
        "ack_wait": 2.0,
    }
    values.update(overrides)
    return FastSettings(**values)  # type: ignore[arg-type]


async def bus_with_consumer(
    js: JetStreamContext, settings: BaseServiceSettings, durable: str, county: str
) -> ConsumerDef:
    await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
    cdef = ConsumerDef(durable, "INTAKE", f"zuofeng.v1.{county}.report.>", "tests")
    await js.add_consumer(
        cdef.stream,
        consumer_config(cdef, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait),
    )
    return cdef


class Consuming:
    """A connected broker and its pull loops, as a service's lifespan runs them."""

    def __init__(self, broker: NatsBroker, consumers: Consumers) -> None:
        self.broker, self.consumers = broker, consumers
        self.tasks = consumers.start()

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.broker.stop()


async def start_broker(
    settings: BaseServiceSettings,
    cdef: ConsumerDef,
    handler: Handler,
    *,
    mover: bool = True,
    batch: BatchHandler | None = None,
    metrics: ConsumerMetrics | None = None,
) -> Consuming:
    broker = NatsBroker(settings.resolved_nats_url())
    consumers = Consumers(broker, settings, metrics=metrics)
    consumers.durable(cdef, handler, batch=batch)
    if mover:
        consumers.dlq_mover()
    await broker.start()
    return Consuming(broker, consumers)


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 15.0, step: float = 0.1
) -> None:
    """Wait until `check()` holds; fail with the timeout otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(step)
