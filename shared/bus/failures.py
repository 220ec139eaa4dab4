"""What happens to a message whose handler failed or that cannot be read: a delayed nak that
grows with the delivery count, then the dead-letter stream (original message, headers, last
error)."""

from __future__ import annotations

import logging

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared import dlq
from shared.events import Envelope, EventData, UnknownEventType, parse_envelope, parse_payload

log = logging.getLogger("zuofeng.bus")

Parsed = tuple[Envelope | None, EventData | None, str]


def retry_delay(delays: tuple[float, ...], delivered: int) -> float:
    """The nak delay after the `delivered`-th failed delivery (grows, then holds)."""
    return delays[min(delivered, len(delays)) - 1]


def parse(raw: Msg) -> Parsed:
    """The envelope and payload, or why the message cannot be read."""
    try:
        envelope = parse_envelope(raw.data)
        return envelope, parse_payload(envelope), ""
    except (ValueError, UnknownEventType) as exc:
        return None, None, f"unparseable: {exc}"


async def after_failure(
    raw: Msg,
    durable: str,
    exc: Exception,
    envelope: Envelope,
    retry_delays: tuple[float, ...],
    max_deliver: int,
    js: JetStreamContext,
) -> bool:
    """Nak with a delay, or dead-letter after the last delivery; True when dead-lettered."""
    delivered = raw.metadata.num_delivered
    error = dlq.describe_error(exc)  # never a database error's values (personal data)
    extra = {"event_id": str(envelope.event_id), "consumer": durable, "delivered": delivered}
    if delivered >= max_deliver:
        log.error("dead-lettering after %s deliveries: %s", delivered, error, extra=extra)
        await dlq.dead_letter(js, raw, durable, error, delivered)
        await raw.term()
        return True
    delay = retry_delay(retry_delays, delivered)
    log.warning("handler failed, retry in %.1fs: %s", delay, error, extra=extra)
    # Recorded now: the server's max-deliveries advisory carries no error.
    await dlq.record_error(js, durable, raw.metadata.sequence.stream, error)
    await raw.nak(delay=delay)
    return False
