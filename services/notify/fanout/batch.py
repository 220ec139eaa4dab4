"""From case events to their deliveries, written in the consumer's transaction: in-app notices
at once, and one delivery-log row per (event, recipient, channel) for the worker to send.

Nothing outside is contacted here, so a slow SMTP server or webhook never holds the consumer.
A pulled batch is written together, a handful of statements for all its events: each case's
k-th event goes in round k, so no two events of a round share a case (and what one writes
cannot change what another would) while each case's events keep their order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import audiences, case_reports, co_units
from services.notify.context import Context
from services.notify.fanout.reporter_rows import reporter_rows
from services.notify.fanout.rows import Event, unit_rows
from services.notify.fanout.webhook_rows import enter_in_ledger, webhook_rows
from services.notify.models import deliveries, notices, source_events
from services.notify.notices import notice_rows
from services.notify.notifications import notification
from shared import outbox


async def fan_out(session: AsyncSession, ctx: Context, events: Sequence[Event]) -> tuple[int, int]:
    """Tell everyone concerned by these case events; returns (notices, deliveries queued)."""
    noticed, queued = 0, 0
    for round_ in rounds(events):
        told, waiting = await _fan_out_round(session, ctx, round_)
        noticed, queued = noticed + told, queued + waiting
    return noticed, queued


def rounds(events: Sequence[Event]) -> list[list[Event]]:
    """Each case's k-th event in round k."""
    out: list[list[Event]] = []
    seen: dict[str, int] = {}
    for envelope, payload in events:
        k = seen.get(payload.case_id, 0)
        seen[payload.case_id] = k + 1
        if k == len(out):
            out.append([])
        out[k].append((envelope, payload))
    return out


async def _fan_out_round(
    session: AsyncSession, ctx: Context, events: list[Event]
) -> tuple[int, int]:
    now = ctx.clock()
    await case_reports.link_reports(session, [(e.type, p) for e, p in events])
    await co_units.link_co_units(session, [(e.type, p) for e, p in events])
    told_too = [p.case_id for e, p in events if e.type in audiences.CO_UNIT_EVENTS]
    helpers = await co_units.co_units_of(session, told_too)
    notes: list[dict[str, Any]] = []
    planned: dict[str, list[dict[str, Any]]] = {}
    for envelope, payload in events:
        named = helpers.get(payload.case_id, ())
        targets = audiences.unit_targets(envelope.type, payload, ctx.directory, named)
        notes += notice_rows(envelope, payload, targets, directory=ctx.directory, now=now)
        planned[str(envelope.event_id)] = [
            row for t in targets for row in unit_rows(ctx, envelope, payload, t, now)
        ]
    for row in await reporter_rows(session, ctx, events, now):
        planned[row["event_id"]].append(row)
    for row in await webhook_rows(session, ctx, events, now):
        planned[row["event_id"]].append(row)
    if notes:
        await session.execute(insert(notices), notes)
    told = [e for e, _ in events if planned[str(e.event_id)]]
    if not told:
        return 0, 0
    await session.execute(
        insert(source_events),
        [
            {
                "event_id": str(e.event_id),
                "event_type": e.type,
                "envelope": e.model_dump_json(),
                "received_at": now,
            }
            for e in told
        ],
    )
    rows = [row for e in told for row in planned[str(e.event_id)]]
    await session.execute(insert(deliveries), rows)
    await enter_in_ledger(session, rows)
    inbox_rows = [row for row in rows if row["channel"] == "inbox"]
    await outbox.add_many(session, [notification(r, "delivered", now=now) for r in inbox_rows])
    return len(inbox_rows), len(rows) - len(inbox_rows)
