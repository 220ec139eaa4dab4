"""Integrators submit over NATS request-reply on `zuofeng.v1.<county>.intake.submit`.

A core NATS subscription in a queue group (replicas share the work; no stream captures the
subject, or the stream would answer with its PubAck). The body, validation and answer are
those of `POST /api/v1/reports`; headers `Authorization: Bearer <token>` (or `X-API-Key`)
and `Idempotency-Key`. Failures answer `{"error": {"status": <http status>, "detail": ...}}`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker, NatsMessage

from services.intake.context import Context
from services.intake.requestreply.answer import answer
from services.intake.requestreply.replies import Reply, failure
from shared.subjects import submit_subject

log = logging.getLogger("zuofeng.intake")
QUEUE = "intake"


def subscribe_submit(
    broker: NatsBroker, ctx: Context, app: Callable[[], Any], workers: int
) -> None:
    """Answer submissions on every county's subject, sharing them among replicas."""

    async def submit_over_nats() -> Reply:
        """Submit a report (the JSON body of POST /api/v1/reports); the reply is
        `{"report_id", "tracking_code"}` or `{"error": {"status", "detail"}}`."""
        # From the context, not by injection: fast_depends resolves an injected message in a
        # worker thread, several thread hops per request.
        msg: NatsMessage = broker.context.get_local("message")
        started = time.perf_counter()
        try:
            reply = await answer(ctx, app(), msg.body, msg.headers, msg.raw_message.subject)
        except Exception as exc:  # noqa: BLE001 - an answer always goes back
            # Only the type: a driver's message may quote the values it choked on.
            log.error("submission over NATS failed: %s", type(exc).__name__)
            reply = failure(500, "internal error")
        status = int(reply["error"]["status"]) if "error" in reply else 202
        ctx.metrics.answered_over_nats(status, time.perf_counter() - started)
        return reply

    handler: Callable[[], Awaitable[Reply]] = submit_over_nats
    broker.subscriber(
        submit_subject("*"),
        queue=QUEUE,
        max_workers=workers,
        title="intake.submit",
        description=submit_over_nats.__doc__,
    )(handler)
