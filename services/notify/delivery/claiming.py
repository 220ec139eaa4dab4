"""Claiming due rows of the delivery log: a lease (so a crashed sender's rows come back after
it), `FOR UPDATE SKIP LOCKED` on PostgreSQL so replicas share the log, a case's rows to one
address in their events' order, and a digest's stable id given before its first send."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import ledger
from services.notify.context import Context
from services.notify.models import deliveries
from shared.db import one_of


async def claim(ctx: Context) -> list[dict[str, Any]]:
    """Take due rows under a lease and count the attempt; digests get their id here.

    A row waits while its case's earlier event has a row to the same address still to be tried
    and falling due after it (see `held`); in a tie the earlier sorts first, so the
    batch limit never takes a later row without the earlier one.
    """
    now = ctx.clock()
    async with ctx.db.sessions() as session, session.begin():
        query = (
            select(deliveries)
            .where(
                deliveries.c.status.in_(ledger.OPEN),
                deliveries.c.next_attempt_at <= now,
                ~held(),
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.recipient, deliveries.c.sequence)
            .limit(ctx.settings.delivery_batch)
        )
        if not ctx.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = [dict(r) for r in (await session.execute(query)).mappings()]
        if not rows:
            return []
        lease = now + timedelta(seconds=ctx.settings.delivery_lease)
        await session.execute(
            update(deliveries)
            .where(one_of(session, deliveries.c.id, [r["id"] for r in rows]))
            .values(next_attempt_at=lease, attempts=deliveries.c.attempts + 1)
        )
        await _name_digests(session, rows)
    for row in rows:
        row["attempts"] += 1
        row["lease"] = lease
    return rows


def held() -> ColumnElement[bool]:
    """The row's case has an earlier event whose row to the same address falls due later and
    has not failed at the receiver yet: new, waiting for its report (uncounted), or out on its
    first try elsewhere. Only a retried row may be overtaken (README); a digest row is not
    pending and holds nothing back."""
    earlier = deliveries.alias("earlier")
    return exists().where(
        earlier.c.case_id == deliveries.c.case_id,
        earlier.c.recipient_kind == deliveries.c.recipient_kind,
        earlier.c.recipient == deliveries.c.recipient,
        # A reporter has one address whichever channel the contact settles on.
        or_(earlier.c.channel == deliveries.c.channel, deliveries.c.recipient_kind == "reporter"),
        earlier.c.sequence < deliveries.c.sequence,
        earlier.c.status == "pending",
        earlier.c.next_attempt_at > deliveries.c.next_attempt_at,
        or_(earlier.c.attempts == 0, earlier.c.last_error.is_(None)),
    )


async def _name_digests(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # One id per unit, channel and day, kept across retries (stored before the first send).
    fresh: dict[tuple[str, str, str], str] = {}
    for row in rows:
        if row["batch"] is not None and row["external_id"] is None:
            key = (row["recipient"], row["channel"], row["batch"])
            row["external_id"] = fresh.setdefault(key, str(uuid.uuid4()))
    for digest_id in set(fresh.values()):
        ids = [r["id"] for r in rows if r["external_id"] == digest_id]
        await session.execute(
            update(deliveries).where(deliveries.c.id.in_(ids)).values(external_id=digest_id)
        )
