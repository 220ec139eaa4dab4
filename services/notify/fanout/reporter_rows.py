"""Reporters' rows for case events: every report of the case (or the repeat just merged in),
by the channel their contact allows; anonymous reporters are never contacted, and a report not
seen yet gets the default channel, which the worker settles (or cancels) once it is known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import audiences, case_reports, reporters
from services.notify.context import Context
from services.notify.fanout.rows import Event, delivery_row
from services.notify.letters.events import LETTER_EVENTS


async def reporter_rows(
    session: AsyncSession, ctx: Context, events: list[Event], now: datetime
) -> list[dict[str, Any]]:
    channel = _default_channel(ctx)
    told = [(e, p, a) for e, p in events if (a := audiences.tells_reporter(e.type, p))]
    if not told:
        return []
    whole_cases = [p.case_id for _, p, audience in told if audience != "merged_reporter"]
    reports_of = await case_reports.reports_of(session, whole_cases)
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
        delivery_row(envelope, payload, now, recipient=report_id, channel=chosen, **fields)
        for envelope, payload, _ in told
        for report_id in wanted[envelope.event_id]
        if (chosen := _channel_now(ctx, known.get(report_id), channel, envelope.type))
    ]


def _channel_now(
    ctx: Context, contact: reporters.Contact | None, default: str | None, event_type: str
) -> str | None:
    """None for an anonymous reporter (never contacted); a report not seen yet gets the
    default channel, which the worker settles (or cancels, or makes a letter) once the report
    is known; a reporter with only a postal address gets the notices sent in writing as letters
    (with mail and SMS both off, only once the report is known: letters and visits reach cases
    through a clerk, long after notify has kept their contact)."""
    if contact is None:
        return default
    s, letter = ctx.settings, event_type in LETTER_EVENTS
    return reporters.channel_for(contact, s.email_enabled, s.sms_enabled, letter=letter)


def _default_channel(ctx: Context) -> str | None:
    if ctx.settings.email_enabled:
        return "email"
    return "sms" if ctx.settings.sms_enabled else None
