"""Publishing an event and waiting for the stream to have it (the PubAck)."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import PubAck

from shared.events import Envelope
from shared.streams import stream_for_subject
from shared.subjects import event_subject


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
