"""From case events to their deliveries, written in the consumer's transaction: inbox notices
at once, and one delivery-log row per (event, recipient, channel) for the worker to send.

Nothing outside is contacted here, so a slow SMTP server or webhook never holds the consumer.
A pulled batch is written together, a handful of statements for all its events: each case's
k-th event goes in round k, so no two events of a round share a case (and what one writes
cannot change what another would) while each case's events keep their order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import audiences, reporters
from services.notify.context import Notify
from services.notify.digests import next_digest
from services.notify.fences import may_receive
from services.notify.inbox import notice_rows
from services.notify.ledger import notification
from services.notify.models import deliveries, notices, source_events, webhooks
from shared import outbox
from shared.events import Envelope
from shared.events.cases import CaseEvent

Event = tuple[Envelope, CaseEvent]


async def fan_out(session: AsyncSession, n: Notify, events: Sequence[Event]) -> tuple[int, int]:
    """Tell everyone concerned by these case events; returns (inbox notices, deliveries queued)."""
    noticed, queued = 0, 0
    for round_ in rounds(events):
        told, waiting = await _fan_out_round(session, n, round_)
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


async def _fan_out_round(session: AsyncSession, n: Notify, events: list[Event]) -> tuple[int, int]:
    now = n.clock()
    await reporters.link_reports(session, [(e.type, p) for e, p in events])
    notes: list[dict[str, Any]] = []
    planned: dict[str, list[dict[str, Any]]] = {}
    for envelope, payload in events:
        targets = audiences.unit_targets(envelope.type, payload, n.directory)
        notes += notice_rows(envelope, payload, targets, directory=n.directory, now=now)
        planned[str(envelope.event_id)] = [
            row for t in targets for row in _unit_rows(n, envelope, payload, t, now)
        ]
    for row in await _reporter_rows(session, n, events, now):
        planned[row["event_id"]].append(row)
    for row in await _webhook_rows(session, n, events, now):
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
    session: AsyncSession, n: Notify, events: list[Event], now: datetime
) -> list[dict[str, Any]]:
    channel = _reporter_channel(n)
    told = [(e, p, a) for e, p in events if (a := audiences.tells_reporter(e.type, p))]
    if channel is None or not told:
        return []
    whole_cases = [p.case_id for _, p, audience in told if audience != "merged_reporter"]
    reports_of = await reporters.reports_of(session, whole_cases)
    wanted = {
        e.event_id: (
            [p.merged_report_id]  # type: ignore[attr-defined]
            if audience == "merged_reporter"
            else reports_of.get(p.case_id, [])
        )
        for e, p, audience in told
    }
    known = await reporters.contacts_of(session, {r for ids in wanted.values() for r in ids})
    fields = {"recipient_kind": "reporter", "audience": "reporter"}
    return [
        _row(envelope, payload, now, recipient=report_id, channel=chosen, **fields)
        for envelope, payload, _ in told
        for report_id in wanted[envelope.event_id]
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
    session: AsyncSession, n: Notify, events: list[Event], now: datetime
) -> list[dict[str, Any]]:
    """Integrators subscribed to each case event's type and county (case.* only, ever), and
    only in the county their unit may take, whatever the stored subscription says."""
    wanted = [(e, p) for e, p in events if e.type.startswith("case.")]
    if not wanted:
        return []
    found = await session.execute(
        select(webhooks.c.id, webhooks.c.unit, webhooks.c.event_types, webhooks.c.counties).where(
            webhooks.c.deleted_at.is_(None), webhooks.c.suspended_at.is_(None)
        )
    )
    subs = found.all()
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
        for envelope, payload in wanted
        for sub in subs
        if envelope.type in sub.event_types
        and (not sub.counties or envelope.county in sub.counties)
        and may_receive(n.directory, sub.unit, envelope.county)
    ]
