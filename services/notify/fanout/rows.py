"""A delivery-log row, and a unit's rows for an event: its in-app notice (delivered at once),
mail (at once, or held for its daily digest) and, for what cannot wait, SMS."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.notify import audiences
from services.notify.context import Context
from services.notify.digests import next_digest
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent

Event = tuple[Envelope, CaseEvent]


def delivery_row(
    envelope: Envelope, payload: EventData, now: datetime, **fields: Any
) -> dict[str, Any]:
    """A pending row for the event, due now; `fields` say to whom, by which channel."""
    row_id = str(uuid.uuid4())
    row = {
        "id": row_id,
        "event_id": str(envelope.event_id),
        "event_type": envelope.type,
        "case_id": getattr(payload, "case_id", None),  # alerts concern no one case
        "sequence": envelope.sequence,
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


def unit_rows(
    ctx: Context,
    envelope: Envelope,
    payload: EventData,
    target: audiences.UnitTarget,
    now: datetime,
    urgent: bool | None = None,
) -> list[dict[str, Any]]:
    """The unit's inbox row (delivered at once), its mail (at once, or held for its daily
    digest unless urgent) and, for what cannot wait, SMS: as its contact settings say. Urgent:
    as `urgent` says, else as case events are."""
    urgent = audiences.is_urgent(envelope.type) if urgent is None else urgent
    common = {"recipient_kind": "unit", "recipient": target.unit, "audience": target.audience}
    rows = [
        delivery_row(envelope, payload, now, channel="inbox", status="delivered", finished_at=now)
    ]
    contact = ctx.contacts.for_unit(target.unit)
    if ctx.settings.email_enabled and contact.email:
        if contact.digest == "daily" and not urgent:
            due, batch = next_digest(now, ctx.settings.digest_time)
            held = {"status": "digest", "next_attempt_at": due}
            rows.append(
                delivery_row(envelope, payload, now, channel="email", **held)
                | {"batch": batch, "external_id": None}
            )
        else:
            rows.append(delivery_row(envelope, payload, now, channel="email", urgent=urgent))
    # SMS interrupts people: only for what cannot wait.
    if ctx.settings.sms_enabled and contact.sms and urgent:
        rows.append(delivery_row(envelope, payload, now, channel="sms", urgent=True))
    for row in rows:
        row.update(common)
    return rows
