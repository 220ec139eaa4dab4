"""The delivery log's end states: delivered, failed (published), retried, or cancelled; each
written with its `notification.*` event in one transaction (outbox)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import deliveries, webhooks
from services.notify.notifications import REASON_MAX, notification
from shared import outbox

OPEN = ("pending", "digest")


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
