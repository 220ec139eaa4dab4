"""From task and inspection events to their notices, in the consumer's transaction: each unit's
inbox notice at once, and its mail (or SMS for what cannot wait) queued as the unit's contact
settings say, the same delivery-log rows the case notices use (no case id: the worker sends
them in no case's lane)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.audiences import UnitTarget
from services.notify.context import Context
from services.notify.fanout.rows import unit_rows
from services.notify.models import deliveries, notices, source_events
from services.notify.notices import TITLE_MAX
from services.notify.notifications import notification
from services.notify.supervision import audiences
from services.notify.supervision.wording import render_supervised
from shared import outbox
from shared.events import Envelope, EventData

Event = tuple[Envelope, EventData]


async def fan_out_supervised(
    session: AsyncSession, ctx: Context, events: Sequence[Event]
) -> tuple[int, int]:
    """Tell the units these events concern; returns (notices, deliveries queued)."""
    now = ctx.clock()
    notes: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    told: list[Envelope] = []
    for envelope, payload in events:
        targets = audiences.unit_targets(envelope.type, payload, ctx.directory)
        if not targets:
            continue
        told.append(envelope)
        for target in targets:
            notes.append(_notice(ctx, envelope, payload, target, now))
            rows += _unit_rows(ctx, envelope, payload, target, now)
    if not told:
        return 0, 0
    await session.execute(insert(notices), notes)
    await session.execute(
        insert(source_events),
        [
            {"event_id": str(e.event_id), "event_type": e.type,
             "envelope": e.model_dump_json(), "received_at": now}
            for e in told
        ],
    )  # fmt: skip
    await session.execute(insert(deliveries), rows)
    inbox_rows = [row for row in rows if row["channel"] == "inbox"]
    await outbox.add_many(session, [notification(r, "delivered", now=now) for r in inbox_rows])
    return len(inbox_rows), len(rows) - len(inbox_rows)


def _notice(
    ctx: Context, envelope: Envelope, payload: EventData, target: UnitTarget, now: datetime
) -> dict[str, Any]:
    extra = {"recipient": target.unit}
    zh, en = (
        render_supervised(envelope.type, target.audience, payload, lang,
                          directory=ctx.directory, extra=extra)
        for lang in ("zh-CN", "en")
    )  # fmt: skip
    return {
        "unit": target.unit,
        "case_id": None,
        "event_id": str(envelope.event_id),
        "event_type": envelope.type,
        "title": zh.subject[:TITLE_MAX],
        "body": zh.summary,
        "title_en": en.subject[:TITLE_MAX],
        "body_en": en.summary,
        "created_at": now,
        "read": False,
    }


def _unit_rows(
    ctx: Context, envelope: Envelope, payload: EventData, target: UnitTarget, now: datetime
) -> list[dict[str, Any]]:
    """As for a case event's unit, urgency from the supervision's own list."""
    return unit_rows(ctx, envelope, payload, target, now, envelope.type in audiences.URGENT)
