"""From a case event to its deliveries, written in the consumer's transaction: inbox notices
at once, and one delivery-log row per (event, recipient, channel) for the worker to send.

Nothing outside is contacted here, so a slow SMTP server or webhook never holds the consumer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import audiences, reporters
from services.notify.context import Notify
from services.notify.digests import next_digest
from services.notify.inbox import store_notices
from services.notify.ledger import notification
from services.notify.models import deliveries, source_events, webhooks
from shared import outbox
from shared.events import Envelope
from shared.events.cases import CaseEvent


async def fan_out(
    session: AsyncSession, n: Notify, envelope: Envelope, payload: CaseEvent
) -> tuple[int, int]:
    """Tell everyone concerned by a case event; returns (inbox notices, deliveries queued)."""
    now = n.clock()
    await reporters.link_reports(session, envelope.type, payload)
    targets = audiences.unit_targets(envelope.type, payload, n.directory)
    await store_notices(session, envelope, payload, targets, directory=n.directory, now=now)
    rows = [row for t in targets for row in _unit_rows(n, envelope, payload, t, now)]
    rows += await _reporter_rows(session, n, envelope, payload, now)
    rows += await _webhook_rows(session, envelope, payload, now)
    if not rows:
        return 0, 0
    await session.execute(
        insert(source_events).values(
            event_id=str(envelope.event_id),
            event_type=envelope.type,
            envelope=envelope.model_dump_json(),
            received_at=now,
        )
    )
    await session.execute(insert(deliveries), rows)
    inbox_rows = [row for row in rows if row["channel"] == "inbox"]
    await outbox.add_many(session, [notification(r, "delivered", now=now) for r in inbox_rows])
    return len(inbox_rows), len(rows) - len(inbox_rows)


def _row(envelope: Envelope, payload: CaseEvent, now: datetime, **fields: Any) -> dict[str, Any]:
    row_id = str(uuid.uuid4())
    row = {
        "id": row_id,
        "event_id": str(envelope.event_id),
        "event_type": envelope.type,
        "case_id": payload.case_id,
        "county": envelope.county,  # the handling unit's county, as the case event's subject
        "status": "pending",
        "urgent": False,
        "batch": None,
        "external_id": row_id,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "finished_at": None,
        "last_error": None,
        "correlation_id": envelope.correlation_id,
    }
    row.update(fields)
    return row


def _unit_rows(
    n: Notify, envelope: Envelope, payload: CaseEvent, target: audiences.UnitTarget, now: datetime
) -> list[dict[str, Any]]:
    urgent = audiences.is_urgent(envelope.type)
    common = {"recipient_kind": "unit", "recipient": target.unit, "audience": target.audience}
    rows = [_row(envelope, payload, now, channel="inbox", status="delivered", finished_at=now)]
    contact = n.contacts.for_unit(target.unit)
    if n.settings.email_enabled and contact.email:
        if contact.digest == "daily" and not urgent:
            due, batch = next_digest(now, n.settings.digest_time)
            rows.append(
                _row(envelope, payload, now, channel="email", status="digest", next_attempt_at=due)
                | {"batch": batch, "external_id": None}
            )
        else:
            rows.append(_row(envelope, payload, now, channel="email", urgent=urgent))
    # SMS interrupts people: only for what cannot wait.
    if n.settings.sms_enabled and contact.sms and urgent:
        rows.append(_row(envelope, payload, now, channel="sms", urgent=True))
    for row in rows:
        row.update(common)
    return rows


async def _reporter_rows(
    session: AsyncSession, n: Notify, envelope: Envelope, payload: CaseEvent, now: datetime
) -> list[dict[str, Any]]:
    audience = audiences.tells_reporter(envelope.type, payload)
    channel = _reporter_channel(n)
    if audience is None or channel is None:
        return []
    if audience == "merged_reporter":
        report_ids = [payload.merged_report_id]  # type: ignore[attr-defined]
    else:
        report_ids = await reporters.reports_of(session, payload.case_id)
    known = await reporters.contacts_of(session, report_ids)
    fields = {"recipient_kind": "reporter", "audience": "reporter"}
    return [
        _row(envelope, payload, now, recipient=report_id, channel=chosen, **fields)
        for report_id in report_ids
        if (chosen := _reporter_channel_now(n, known.get(report_id), channel))
    ]


def _reporter_channel_now(n: Notify, contact: reporters.Contact | None, default: str) -> str | None:
    """None for an anonymous reporter (never contacted); a report not seen yet gets the
    default channel, which the worker settles (or cancels) once the report is known."""
    if contact is None:
        return default
    return reporters.channel_for(contact, n.settings.email_enabled, n.settings.sms_enabled)


def _reporter_channel(n: Notify) -> str | None:
    if n.settings.email_enabled:
        return "email"
    return "sms" if n.settings.sms_enabled else None


async def _webhook_rows(
    session: AsyncSession, envelope: Envelope, payload: CaseEvent, now: datetime
) -> list[dict[str, Any]]:
    """Integrators subscribed to this case event type and county (case.* only, ever)."""
    if not envelope.type.startswith("case."):
        return []
    found = await session.execute(
        select(webhooks.c.id, webhooks.c.event_types, webhooks.c.counties).where(
            webhooks.c.deleted_at.is_(None), webhooks.c.suspended_at.is_(None)
        )
    )
    return [
        _row(
            envelope,
            payload,
            now,
            recipient_kind="integrator",
            recipient=sub.id,
            channel="webhook",
            audience="integrator",
        )
        for sub in found
        if envelope.type in sub.event_types
        and (not sub.counties or envelope.county in sub.counties)
    ]
