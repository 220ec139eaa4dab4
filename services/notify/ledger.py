"""The delivery log's end states: delivered, failed (published), retried with backoff, or
cancelled; each written with its `notification.*` event in one transaction (outbox)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.context import PRODUCER
from services.notify.models import deliveries, webhooks
from shared import outbox
from shared.events import Envelope, make_event
from shared.events.notify import NotificationDelivered, NotificationFailed

EVENT_IDS = uuid.UUID("6f1d3c1e-8a55-4d7e-9a39-2b7f0c5e4a10")  # namespace: one event per end
OPEN = ("pending", "digest")
_COPIED = (
    "event_id",
    "channel",
    "recipient_kind",
    "case_id",
    "event_type",
    "recipient",
    "attempts",
)
REASON_MAX = 300


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` tries: doubling, capped, a little jitter so
    many retries to one receiver do not arrive together."""
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.8, 1.0)


def notification(
    row: Mapping[str, Any],
    outcome: Literal["delivered", "failed"],
    *,
    now: datetime,
    reason: str = "",
) -> Envelope:
    """The `notification.delivered` / `.failed` event of a row (its id is derived from the row,
    so recording the same end twice could never publish two events)."""
    common = {key: row[key] for key in _COPIED} | {
        "delivery_id": row["external_id"] or row["id"],
        "digest": row["batch"] is not None,
    }
    payload = (
        NotificationDelivered(**common)
        if outcome == "delivered"
        else NotificationFailed(**common, reason=reason[:REASON_MAX] or "failed")
    )
    return make_event(
        payload,
        county=row["county"],
        aggregate_id=row["id"],
        sequence=1,
        producer=PRODUCER,
        correlation_id=row["correlation_id"],
        causation_id=row["event_id"],
        occurred_at=now,
        event_id=uuid.uuid5(EVENT_IDS, f"{row['id']}:{outcome}"),
    )


async def mark_delivered(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]], *, now: datetime
) -> int:
    """Delivered, with their events, in a few statements; rows another worker already ended
    are left alone (nothing published for them). Returns how many were marked."""
    if not rows:
        return 0
    ended = set(
        await session.scalars(
            update(deliveries)
            .where(deliveries.c.id.in_([r["id"] for r in rows]), deliveries.c.status.in_(OPEN))
            .values(status="delivered", finished_at=now, last_error=None)
            .returning(deliveries.c.id)
        )
    )
    done = [row for row in rows if row["id"] in ended]
    await outbox.add_many(session, [notification(row, "delivered", now=now) for row in done])
    working = {row["recipient"] for row in done if row["channel"] == "webhook"}
    if working:
        await session.execute(
            update(webhooks)
            .where(webhooks.c.id.in_(working), webhooks.c.failures != 0)
            .values(failures=0)
        )
    return len(done)


async def mark_failed(
    session: AsyncSession, row: Mapping[str, Any], reason: str, *, now: datetime, suspend_after: int
) -> bool:
    """Failed for good: recorded and published (notify processed the event: no dead letter)."""
    done = await session.execute(
        update(deliveries)
        .where(deliveries.c.id == row["id"], deliveries.c.status.in_(OPEN))
        .values(status="failed", finished_at=now, last_error=reason[:REASON_MAX])
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        return False
    await outbox.add_many(session, [notification(row, "failed", now=now, reason=reason)])
    if row["channel"] == "webhook":
        await _count_failure(session, row["recipient"], now, suspend_after)
    return True


async def _count_failure(
    session: AsyncSession, subscription: str, now: datetime, suspend_after: int
) -> None:
    await session.execute(
        update(webhooks)
        .where(webhooks.c.id == subscription)
        .values(failures=webhooks.c.failures + 1)
    )
    # A receiver that keeps refusing is suspended: no new deliveries until it is resumed.
    await session.execute(
        update(webhooks)
        .where(
            webhooks.c.id == subscription,
            webhooks.c.failures >= suspend_after,
            webhooks.c.suspended_at.is_(None),
        )
        .values(suspended_at=now)
    )


async def mark_retry(
    session: AsyncSession,
    row: Mapping[str, Any],
    reason: str,
    *,
    at: datetime,
    counted: bool = True,
    lease: datetime | None = None,
) -> None:
    """Try again at `at`; an uncounted round (waiting for the report) is no attempt.

    With `lease` (the one this round took), a row that no longer holds it keeps its time: its
    report arrived during the round and brought it forward, and pushing it back now would let
    the case's later mails, brought forward with it, go out before it.
    """
    still_leased = deliveries.c.next_attempt_at >= lease if lease else None
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id == row["id"], deliveries.c.status.in_(OPEN))
        .values(
            next_attempt_at=(
                at
                if still_leased is None
                else case((still_leased, at), else_=deliveries.c.next_attempt_at)
            ),
            last_error=reason[:REASON_MAX],
            attempts=deliveries.c.attempts - (0 if counted else 1),
        )
    )


async def mark_cancelled(session: AsyncSession, row: Mapping[str, Any], *, now: datetime) -> None:
    """Nothing to send and nothing to report (an anonymous reporter, a deleted subscription);
    the round that found out was no attempt."""
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id == row["id"], deliveries.c.status.in_(OPEN))
        .values(status="cancelled", finished_at=now, attempts=deliveries.c.attempts - 1)
    )


def retry_at(now: datetime, attempts: int, base: float, cap: float) -> datetime:
    return now + timedelta(seconds=backoff(attempts, base, cap))
