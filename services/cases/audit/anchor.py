"""The anchors: the audit chain's head published now and then to the AUDIT stream (which
refuses deletes), so a trail rewritten even whole shows against the last anchor."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from faststream.exceptions import IncorrectState

from services.cases.audit import chain
from services.cases.context import Context
from services.cases.models import audit_log
from shared import outbox
from shared.events import make_event
from shared.events.audit import AuditAnchored
from shared.subjects import event_subject

log = logging.getLogger("services.cases.audit")
ANCHOR_AGGREGATE = "audit-log"


def anchor_subject(ctx: Context) -> str:
    """`zuofeng.v1.371400.audit.anchored`: the trail is the city's, whoever reads it."""
    return event_subject(ctx.directory.city_code, AuditAnchored.type)


async def anchor_once(ctx: Context, last: tuple[int, str] | None) -> tuple[int, str] | None:
    """Stage an `audit.anchored` event (outbox) when the chain's head moved since `last`;
    returns the head now."""
    async with ctx.db.sessions() as session, session.begin():
        now = await chain.head(session, audit_log)
        if now is None or now == last:
            return now
        if last is not None and await chain.hash_at(session, audit_log, last[0]) != last[1]:
            # The anchored entry changed or vanished: never anchor the rewritten trail.
            log.error("audit trail changed below entry %d: not anchored", last[0])
            return last
        payload = AuditAnchored(last_id=now[0], hash=now[1], anchored_at=ctx.now())
        envelope = make_event(
            payload,
            county=ctx.directory.city_code,
            aggregate_id=ANCHOR_AGGREGATE,
            sequence=now[0],
            producer="cases",
            occurred_at=payload.anchored_at,
        )
        await outbox.add(session, envelope)
    log.info("audit chain anchored at entry %d", now[0])
    return now


SEED_ATTEMPTS = 5  # rounds to read the last anchor before anchoring without it


async def anchor_forever(
    ctx: Context, interval: float, js: Callable[[], Any] | None = None
) -> None:
    """Anchor the head every `interval` seconds when it changed; a failure waits for the next.

    Starts from the last anchor on the stream (`js`, when given and readable), so a trail
    rewritten while no replica ran is never anchored: the rewrite stays visible to `verify`."""
    last: tuple[int, str] | None = None
    seeding = SEED_ATTEMPTS if js is not None else 0
    while True:
        try:
            if seeding and js is not None:
                anchor = await last_anchor(js(), anchor_subject(ctx))
                last, seeding = ((anchor.last_id, anchor.hash) if anchor else None), 0
            last = await anchor_once(ctx, last)
        except IncorrectState:
            # The broker is still connecting (every start): not a failure, nor a seeding
            # attempt spent; look again shortly.
            await asyncio.sleep(min(interval, 1.0))
            continue
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            seeding = max(seeding - 1, 0)
            log.warning("audit anchor failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)


async def last_anchor(js: Any, subject: str) -> AuditAnchored | None:
    """The last anchor on the AUDIT stream (None if none was published yet)."""
    from nats.js.errors import NotFoundError

    from shared.events import parse_envelope, parse_payload

    try:
        msg = await js.get_last_msg("AUDIT", subject)
    except NotFoundError:
        return None
    payload = parse_payload(parse_envelope(msg.data))
    assert isinstance(payload, AuditAnchored)
    return payload
