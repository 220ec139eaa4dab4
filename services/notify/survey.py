"""回访 by SMS (issue 26): after a case is closed or rejected, each named reporter of it who left
a phone is texted once a link to rate that reply on intake's survey page.

- Once per reply: the delivery row is keyed by the closing (or rejection) event, the report and
  the kind `survey` (`uq_deliveries_event_id`), and the consumer's inbox drops a redelivered
  event; a case sent back and closed again is a new reply, asked again.
- Only inside the rating window: a reply older than `survey_window_days` (a replay, a backlog)
  queues nothing, and a row the worker reaches after the window is cancelled, not sent.
- The link carries a survey token (`shared/survey.py`), not the tracking code: notify never
  knows the code, the token opens nothing but this one rating, and it is opaque to the SMS
  gateway. Intake checks it, the reply it names and its own window and one-rating rule.
- Consent: intake records none beyond the reporter choosing to leave a phone on a named
  report (the form says it is sealed for messages about the report's progress); anonymous
  reporters, and reporters who left only an email, are never texted.
- The phone is opened in memory for the one send, as for every reporter's notice; events name
  the report id only (`notification.*` with `recipient_kind` `survey`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import case_reports, channels, reporters
from services.notify.context import Context
from services.notify.delivery.jobs import Cancel, Job
from services.notify.delivery.loading import Loaded
from services.notify.fanout.rows import Event, delivery_row
from services.notify.models import deliveries, source_events
from services.notify.rendering import LOCAL
from shared import survey
from shared.db import one_of
from shared.events import parse_envelope

KIND = "survey"
REPLIES = ("case.closed", "case.rejected")
WORDS = {
    "zh-CN": "【作风监督】您反映的问题已答复。请对办理结果评价（{until}前有效，仅限一次）：{link}",
    "en": "Zuofeng: your report was answered. Please rate the result (once, until {until}): {link}",
}


def enabled(ctx: Context) -> bool:
    return ctx.settings.sms_enabled and ctx.settings.survey_link_base is not None


async def queue_surveys(session: AsyncSession, ctx: Context, events: Sequence[Event]) -> int:
    """In the consumer's transaction: one survey SMS row per reply and named reporter with a
    phone; returns how many were queued."""
    now = ctx.clock()
    window = timedelta(days=ctx.settings.survey_window_days)
    replies = [(e, p) for e, p in events if e.type in REPLIES and now <= e.occurred_at + window]
    if not replies or not enabled(ctx):
        return 0
    reports_of = await case_reports.reports_of(session, {p.case_id for _, p in replies})
    wanted = {r for ids in reports_of.values() for r in ids}
    contacts = await reporters.contacts_of(session, wanted)
    rows = [
        delivery_row(e, p, now, recipient_kind=KIND, recipient=report_id, channel="sms")
        | {"audience": KIND}
        for e, p in replies
        for report_id in reports_of.get(p.case_id, [])
        if _may_ask(contacts.get(report_id))
    ]
    if not rows:
        return 0
    await _keep_sources(session, [e for e, _ in replies], {r["event_id"] for r in rows}, now)
    await session.execute(insert(deliveries), rows)
    return len(rows)


def _may_ask(contact: reporters.Contact | None) -> bool:
    """A named reporter who left a phone. A report not seen yet is not asked: its
    `report.received` is consumed long before any reply in practice, and a survey is no
    notice the reporter is owed."""
    return bool(contact and contact.contactable and contact.has_phone and contact.sealed)


async def _keep_sources(
    session: AsyncSession, events: list[Any], wanted: set[str], now: datetime
) -> None:
    """The reply's envelope (its time is the reply the token names), unless fan-out kept it."""
    found = await session.execute(
        select(source_events.c.event_id).where(one_of(session, source_events.c.event_id, wanted))
    )
    missing = wanted - set(found.scalars())
    rows = [
        {
            "event_id": str(e.event_id),
            "event_type": e.type,
            "envelope": e.model_dump_json(),
            "received_at": now,
        }
        for e in events
        if str(e.event_id) in missing
    ]
    if rows:
        await session.execute(insert(source_events), rows)


def link(ctx: Context, report_id: str, replied_at: datetime) -> tuple[str, datetime]:
    """The survey page's URL for this reply, and until when it may be used."""
    expires = replied_at + timedelta(days=ctx.settings.survey_window_days)
    token = survey.mint(
        ctx.settings.resolved_survey_secret(),
        survey.Survey(report_id=report_id, replied_at=replied_at, expires_at=expires),
    )
    return f"{ctx.settings.survey_link_base}/survey/{token}", expires


def text(lang: str, url: str, until: datetime) -> str:
    local = until.astimezone(LOCAL)
    day = local.strftime("%d %b %Y") if lang == "en" else f"{local.month}月{local.day}日"
    return WORDS[lang].format(until=day, link=url)


async def send_survey(ctx: Context, client: httpx.AsyncClient, job: Job, loaded: Loaded) -> str:
    """Text the reporter the survey link; the phone is opened for this send only."""
    row = job.first
    source = loaded.sources.get(row["event_id"])
    if source is None:
        raise channels.Permanent("the reply this survey asks about is not kept")
    replied_at = parse_envelope(source).occurred_at
    async with ctx.db.sessions() as session:
        contact = (await reporters.contacts_of(session, [row["recipient"]])).get(row["recipient"])
    if not _may_ask(contact) or not enabled(ctx):
        raise Cancel()
    url, expires = link(ctx, row["recipient"], replied_at)
    if ctx.clock() > expires:
        raise Cancel()  # the window passed while it waited: a dead link is no question
    message = text(ctx.settings.language, url, expires)
    assert contact is not None
    identity = reporters.open_contact(contact, ctx.private_key())
    try:
        phone = identity.get("phone")
        if not phone:
            raise channels.Permanent("the sealed contact holds no phone number")
        await channels.send_sms(client, ctx.settings, [phone], message, job.external_id)
    finally:
        identity.clear()  # the opened contact lives no longer than this send
    return "sms"
