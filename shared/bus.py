"""Bus mechanics every service stands on: bootstrap, awaited publish, durable handlers.

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

from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import NotFoundError

from shared import apikeys, dlq
from shared.events import (
    Envelope,
    EventData,
    UnknownEventType,
    envelope_model,
    parse_envelope,
    parse_payload,
)
from shared.natsauth import connect_options
from shared.streams import (
    CONSUMERS,
    STREAMS,
    consumer_config,
    stream_config,
    stream_for_subject,
)
from shared.subjects import PREFIX, event_subject

log = logging.getLogger("zuofeng.bus")

Handler = Callable[[Envelope, EventData], Awaitable[None]]
# Handles a batch's events in their pulled order (so each aggregate's stay in order), all or none.
BatchHandler = Callable[[list[tuple[Envelope, EventData]]], Awaitable[None]]


async def init_bus(js: JetStreamContext, *, max_deliver: int, ack_wait: float) -> list[str]:
    """Create or update every stream and consumer; safe to run again (updates drift)."""
    done: list[str] = []
    for definition in STREAMS:
        config = stream_config(definition)
        try:
            await js.stream_info(definition.name)
            await js.update_stream(config)
            done.append(f"stream {definition.name} updated")
        except NotFoundError:
            await js.add_stream(config)
            done.append(f"stream {definition.name} created")
    for cdef in CONSUMERS:
        await js.add_consumer(
            cdef.stream, consumer_config(cdef, max_deliver=max_deliver, ack_wait=ack_wait)
        )
        done.append(f"consumer {cdef.stream}/{cdef.durable} applied")
    await dlq.ensure_error_bucket(js)
    await apikeys.ensure_bucket(js)  # services only read it (shared.natsauth)
    return done


async def publish_envelope(
    js: JetStreamContext, envelope: Envelope, *, timeout: float = 5.0
) -> PubAck:
    """Publish and wait for the PubAck; `Nats-Msg-Id` = `event_id` so re-sends dedupe."""
    subject = event_subject(envelope.county, envelope.type)
    return await js.publish(
        subject,
        envelope.to_bytes(),
        timeout=timeout,
        stream=stream_for_subject(subject),
        headers={"Nats-Msg-Id": str(envelope.event_id)},
    )


def retry_delay(delays: tuple[float, ...], delivered: int) -> float:
    """The nak delay after the `delivered`-th failed delivery (grows, then holds)."""
    return delays[min(delivered, len(delays)) - 1]


def durable_handler(
    durable: str,
    handler: Handler,
    *,
    retry_delays: tuple[float, ...],
    max_deliver: int,
    js: Callable[[], JetStreamContext],
    batch: BatchHandler | None = None,
) -> Callable[[list[Msg]], Awaitable[None]]:
    """Wrap `handler(envelope, payload)` with explicit ack, delayed nak and dead-lettering.

    Messages come in pulled batches; one aggregate's messages are handled in order, different
    aggregates concurrently, and each message is acked, naked or dead-lettered on its own.
    With `batch`, the parseable messages of a pulled batch are first tried in one call.
    """

    async def on_batch(raws: list[Msg]) -> None:
        parsed = [(raw, _parse(raw)) for raw in raws]
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
            return
        try:
            await handler(envelope, payload)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
            await _after_failure(raw, durable, exc, envelope, retry_delays, max_deliver, js())
            return
        await raw.ack()

    on_batch.__name__ = f"consume_{durable.replace('-', '_')}"
    return on_batch


Parsed = tuple[Envelope | None, EventData | None, str]


def _parse(raw: Msg) -> Parsed:
    try:
        envelope = parse_envelope(raw.data)
        return envelope, parse_payload(envelope), ""
    except (ValueError, UnknownEventType) as exc:
        return None, None, f"unparseable: {exc}"


async def _after_failure(
    raw: Msg,
    durable: str,
    exc: Exception,
    envelope: Envelope,
    retry_delays: tuple[float, ...],
    max_deliver: int,
    js: JetStreamContext,
) -> None:
    delivered = raw.metadata.num_delivered
    error = dlq.describe_error(exc)  # never a database error's values (personal data)
    extra = {"event_id": str(envelope.event_id), "consumer": durable, "delivered": delivered}
    if delivered >= max_deliver:
        log.error("dead-lettering after %s deliveries: %s", delivered, error, extra=extra)
        await dlq.dead_letter(js, raw, durable, error, delivered)
        await raw.term()
        return
    delay = retry_delay(retry_delays, delivered)
    log.warning("handler failed, retry in %.1fs: %s", delay, error, extra=extra)
    # Recorded now: the server's max-deliveries advisory carries no error.
    await dlq.record_error(js, durable, raw.metadata.sequence.stream, error)
    await raw.nak(delay=delay)


async def connect(url: str, name: str) -> Client:
    """A plain nats-py connection (CLI, relays, tests) that never falls back to another server,
    with the user's private inbox on a fenced bus (shared.natsauth)."""
    import nats

    return await nats.connect(
        url, name=name, allow_reconnect=True, max_reconnect_attempts=-1, **connect_options(url)
    )


def js_of(broker: NatsBroker) -> JetStreamContext:
    """The JetStream context of a started broker's connection."""
    return broker.connection.jetstream()


def document_publishers(broker: NatsBroker, models: list[type[EventData]]) -> None:
    """Declare what a service publishes, for its AsyncAPI; the outbox relay does the publishing."""
    for model in models:
        broker.publisher(
            f"{PREFIX}.{{county}}.{model.type}",
            schema=envelope_model(model),
            title=model.type,
            description=model.__doc__,
        )
