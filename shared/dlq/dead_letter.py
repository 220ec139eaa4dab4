"""Copying a message to the dead-letter stream with the reason.

Two paths lead here and dedupe on one `Nats-Msg-Id` per (consumer, stream, sequence): the
handler wrapper dead-letters inline on a parse error or the last failed delivery; the mover
catches the server's max-deliveries advisory (e.g. a process died on the last delivery) and
looks up the error recorded at the previous failure.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.dlq.recorded import recorded_error
from shared.subjects import dlq_subject

log = logging.getLogger("zuofeng.dlq")

H = "Zuofeng-"  # prefix of the headers the DLQ adds


async def dead_letter(
    js: JetStreamContext, raw: Any, consumer: str, error: str, delivered: int
) -> None:
    """Copy a delivered message to the DLQ with the reason."""
    meta = raw.metadata
    await _publish(
        js,
        consumer=consumer,
        stream=meta.stream,
        seq=meta.sequence.stream,
        subject=raw.subject,
        data=raw.data,
        headers=raw.headers or {},
        error=error,
        delivered=delivered,
    )


async def _publish(
    js: JetStreamContext,
    *,
    consumer: str,
    stream: str,
    seq: int,
    subject: str,
    data: bytes,
    headers: dict[str, str],
    error: str,
    delivered: int,
) -> None:
    # Nats-* headers must go, or the publish fails ("expected stream does not match").
    kept = {k: v for k, v in headers.items() if not k.startswith("Nats-")}
    kept.update(
        {
            f"{H}Original-Msg-Id": headers.get("Nats-Msg-Id", ""),
            f"{H}Original-Subject": subject,
            f"{H}Original-Stream": stream,
            f"{H}Original-Seq": str(seq),
            f"{H}Consumer": consumer,
            f"{H}Error": " ".join(error.split())[:1000],
            f"{H}Deliveries": str(delivered),
            f"{H}Dead-At": datetime.now(UTC).isoformat(),
            "Nats-Msg-Id": f"dlq.{consumer}.{stream}.{seq}",
        }
    )
    await js.publish(dlq_subject(consumer), data, stream="DLQ", headers=kept)


async def move_advised(js: JetStreamContext, advisory: bytes) -> str | None:
    """Handle a max-deliveries advisory: fetch the original and dead-letter it; returns the
    consumer it failed in (None when the original is gone)."""
    body = json.loads(advisory)
    stream, consumer, seq = body["stream"], body["consumer"], int(body["stream_seq"])
    try:
        original = await js.get_msg(stream, seq)
    except NotFoundError:
        log.error("advised message %s/%s is gone from the stream", stream, seq)
        return None
    error = "max deliveries reached; last error: " + await recorded_error(js, consumer, seq)
    await _publish(
        js,
        consumer=consumer,
        stream=stream,
        seq=seq,
        subject=original.subject or "",
        data=original.data or b"",
        headers=dict(original.headers or {}),
        error=error,
        delivered=int(body.get("deliveries", 0)),
    )
    return str(consumer)
