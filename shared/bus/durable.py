"""Durable handlers: a service's function for one event made safe to run on a JetStream pull.

A handler wrapped by `durable_handler` acks on success, naks with a delay that grows with the
delivery count on failure, and dead-letters (original message, headers, last error) when the
message cannot be parsed or the last delivery fails. Messages behind it keep flowing.

A service may also give a batch handler: the pulled batch is then handled in one call (one
transaction, so one commit and one inbox read for many events, which is what keeps up under
load). If that call fails, nothing of it was kept and the batch goes the one-by-one way, so one
poison message never costs the others their place and each message keeps its own retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared import dlq
from shared.bus.failures import Parsed, after_failure, parse
from shared.events import Envelope, EventData

log = logging.getLogger("zuofeng.bus")

Handler = Callable[[Envelope, EventData], Awaitable[None]]
# Handles a batch's events in their pulled order (so each aggregate's stay in order), all or none.
BatchHandler = Callable[[list[tuple[Envelope, EventData]]], Awaitable[None]]


def durable_handler(
    durable: str,
    handler: Handler,
    *,
    retry_delays: tuple[float, ...],
    max_deliver: int,
    js: Callable[[], JetStreamContext],
    batch: BatchHandler | None = None,
    dead_lettered: Callable[[str], None] = lambda durable: None,
) -> Callable[[list[Msg]], Awaitable[None]]:
    """Wrap `handler(envelope, payload)` with explicit ack, delayed nak and dead-lettering.

    Messages come in pulled batches; one aggregate's messages are handled in order, different
    aggregates concurrently, and each message is acked, naked or dead-lettered on its own.
    With `batch`, the parseable messages of a pulled batch are first tried in one call.
    `dead_lettered(durable)` is told of each message dead-lettered (the metrics' counter).
    """

    async def on_batch(raws: list[Msg]) -> None:
        parsed = [(raw, parse(raw)) for raw in raws]
        if batch is not None and await all_at_once(parsed):
            return
        lanes: dict[str, list[tuple[Msg, Parsed]]] = {}
        for raw, p in parsed:
            key = p[0].aggregate_id if p[0] else f"unparseable.{raw.reply}"
            lanes.setdefault(key, []).append((raw, p))
        await asyncio.gather(*(run_lane(lane) for lane in lanes.values()))

    async def all_at_once(parsed: list[tuple[Msg, Parsed]]) -> bool:
        """Dead-letter the unparseable, then the rest in one call; False when that call failed
        (or there is one message only, which the one-by-one way handles as well)."""
        good = [(raw, e, d) for raw, (e, d, _) in parsed if e is not None and d is not None]
        if len(good) < 2:
            return False
        assert batch is not None
        try:
            await batch([(e, d) for _, e, d in good])
        except Exception as exc:  # noqa: BLE001 - nothing was kept; each message goes alone
            log.warning(
                "batch of %s failed, handling one by one: %s",
                len(good), dlq.describe_error(exc), extra={"consumer": durable},
            )  # fmt: skip
            return False
        for raw, (e, d, problem) in parsed:
            if e is None or d is None:
                await process(raw, e, d, problem)
        await asyncio.gather(*(raw.ack() for raw, _, _ in good))
        return True

    async def run_lane(lane: list[tuple[Msg, Parsed]]) -> None:
        for raw, parsed in lane:
            await process(raw, *parsed)

    async def process(
        raw: Msg, envelope: Envelope | None, payload: EventData | None, problem: str
    ) -> None:
        if envelope is None or payload is None:
            # Nothing a retry can change: dead-letter now, let the rest flow.
            await dlq.dead_letter(js(), raw, durable, problem, raw.metadata.num_delivered)
            await raw.term()
            dead_lettered(durable)
            return
        try:
            await handler(envelope, payload)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
            if await after_failure(raw, durable, exc, envelope, retry_delays, max_deliver, js()):
                dead_lettered(durable)
            return
        await raw.ack()

    on_batch.__name__ = f"consume_{durable.replace('-', '_')}"
    return on_batch
