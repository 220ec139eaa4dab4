"""两癌 aid applicants told of each step (issue 23): submitted, checked, reviewed, approved (with
the amount), disbursed, refused (with the reason she is given), by mail when she left an
address, else by SMS.

Her phone and email come once, on `federation.aid_submitted`, sealed by federation to notify's
key and bound to the application (`applicant_contacts` keeps the box as it came); they are
opened in memory for one send only, as a reporter's are. The notices say "your aid application"
and never the programme's name, a diagnosis, her name or anything of her bank: a message may
be read over her shoulder. Events name the application id only (`notification.*` with
`recipient_kind` `applicant`). An applicant who left no contact is never told (she follows
her receipt, `POST /api/v1/aid/status`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import channels
from services.notify.context import Context
from services.notify.delivery.jobs import Cancel, Job
from services.notify.delivery.loading import Loaded
from services.notify.fanout.rows import delivery_row
from services.notify.models import applicant_contacts, deliveries, source_events
from services.notify.rendering import Message
from shared import inbox, sealing
from shared.bus import BatchHandler
from shared.db import one_of
from shared.events import Envelope, EventData, parse_envelope, parse_payload
from shared.events.federation.aid import AidStep, AidSubmitted
from shared.events.intake import SealedIdentity
from shared.streams import NOTIFY_FEDERATION

log = logging.getLogger("zuofeng.notify")
KIND = "applicant"
HOLDER = "notify"
Events = list[tuple[Envelope, EventData]]

# (subject, text) per step and language; the text is the SMS and the mail's body.
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "zh-CN": {
        "federation.aid_submitted": (
            "您的救助申请已收到",
            "您的救助申请已收到，县妇联将进行资格审核。可凭申请回执查询进度。",
        ),
        "federation.aid_eligible": (
            "您的救助申请已通过资格审核",
            "您的救助申请已通过资格审核，正在由县妇联审查。",
        ),
        "federation.aid_reviewed": (
            "您的救助申请已通过县妇联审查",
            "您的救助申请已通过县妇联审查，已报市妇联审批。",
        ),
        "federation.aid_approved": (
            "您的救助申请已获批准",
            "您的救助申请已获批准，救助金额 {amount} 元，将尽快发放。",
        ),
        "federation.aid_disbursed": (
            "您的救助金已发放",
            "您的救助金 {amount} 元已于 {paid_on} 发放，请注意查收。",
        ),
        "federation.aid_refused": (
            "您的救助申请未获通过",
            "很遗憾，您的救助申请未获通过。原因：{reason}。如有疑问请联系县妇联。",
        ),
    },
    "en": {
        "federation.aid_submitted": (
            "Your aid application was received",
            "Your aid application was received; the county federation will check it. "
            "Your receipt shows its progress.",
        ),
        "federation.aid_eligible": (
            "Your aid application passed the check",
            "Your aid application passed the eligibility check; the county federation is "
            "reviewing it.",
        ),
        "federation.aid_reviewed": (
            "Your aid application passed the county review",
            "Your aid application passed the county review and went to the city for approval.",
        ),
        "federation.aid_approved": (
            "Your aid application was approved",
            "Your aid application was approved: {amount} yuan, to be paid soon.",
        ),
        "federation.aid_disbursed": (
            "Your aid was paid",
            "Your aid of {amount} yuan was paid on {paid_on}.",
        ),
        "federation.aid_refused": (
            "Your aid application was not approved",
            "We are sorry: your aid application was not approved. Reason: {reason}. "
            "The county federation answers questions.",
        ),
    },
}
SIGNATURE = {"zh-CN": "【妇联】", "en": "Women's Federation: "}
TOLD = frozenset(WORDS["zh-CN"])


def when_aid_moves_tell_the_applicant(ctx: Context) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Aid steps become the applicant's mail or SMS (the rest of the stream is not hers)."""
        wanted = [(e, p) for e, p in events if isinstance(p, AidStep)]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, NOTIFY_FEDERATION.durable, wanted)
            queued = await tell_applicants(session, ctx, fresh)
        if queued:
            ctx.wake.set()

    return handle


async def tell_applicants(
    session: AsyncSession, ctx: Context, events: Sequence[tuple[Envelope, AidStep]]
) -> int:
    """Keep the contacts the submissions bring, then queue one row per step told to an
    applicant with a contact; returns how many."""
    now = ctx.clock()
    await keep_contacts(session, [(e, p) for e, p in events if isinstance(p, AidSubmitted)], now)
    told = [(e, p) for e, p in events if e.type in TOLD]
    if not told:
        return 0
    ids = {p.application_id for _, p in told}
    found = await session.execute(
        select(applicant_contacts).where(one_of(session, applicant_contacts.c.application_id, ids))
    )
    contacts = {r.application_id: r for r in found}
    rows = []
    for envelope, step in told:
        chosen = _channel(ctx, contacts.get(step.application_id))
        if chosen:
            rows.append(
                delivery_row(envelope, step, now, recipient=step.application_id, channel=chosen)
                | {"recipient_kind": KIND, "audience": KIND}
            )
    if not rows:
        return 0
    kept = {r["event_id"] for r in rows}
    await session.execute(
        insert(source_events),
        [
            {
                "event_id": str(e.event_id),
                "event_type": e.type,
                "envelope": _without_contact(e),
                "received_at": now,
            }
            for e, _ in told
            if str(e.event_id) in kept
        ],
    )
    await session.execute(insert(deliveries), rows)
    return len(rows)


async def keep_contacts(
    session: AsyncSession, submitted: list[tuple[Envelope, AidSubmitted]], now: datetime
) -> None:
    """Each submission's sealed contact as it came; a submission without one keeps nothing."""
    boxes = {
        p.application_id: (e, p.contact)
        for e, p in submitted
        if p.contact is not None and HOLDER in p.contact.sealed
    }
    if not boxes:
        return
    found = await session.execute(
        select(applicant_contacts.c.application_id).where(
            one_of(session, applicant_contacts.c.application_id, boxes)
        )
    )
    for known in found.scalars():
        boxes.pop(known, None)
    if boxes:
        rows = [
            {
                "application_id": app_id,
                "county": envelope.county,
                "received_at": now,
                "sealed": contact.sealed[HOLDER],
                "key_id": contact.key_ids.get(HOLDER),
                "has_email": contact.has_email,
                "has_phone": contact.has_phone,
            }
            for app_id, (envelope, contact) in boxes.items()
        ]
        await session.execute(insert(applicant_contacts), rows)


def _channel(ctx: Context, contact: Any) -> str | None:
    if contact is None:
        return None
    if contact.has_email and ctx.settings.email_enabled:
        return "email"
    return "sms" if contact.has_phone and ctx.settings.sms_enabled else None


def _without_contact(envelope: Envelope) -> str:
    """The step as kept for the sender: a submission's sealed box is in `applicant_contacts`
    already, so the copy leaves it out."""
    data = envelope.model_dump(mode="json")
    if isinstance(data.get("data"), dict):
        data["data"].pop("contact", None)
    return Envelope.model_validate(data).model_dump_json()


def words(lang: str, event_type: str, step: Any) -> tuple[str, str]:
    """(subject, text) of a step in `lang`: public fields only, never a diagnosis."""
    subject, body = WORDS[lang][event_type]
    paid_on = getattr(step, "paid_on", "")
    if paid_on and lang == "zh-CN":
        day = datetime.fromisoformat(paid_on)
        paid_on = f"{day.year}年{day.month}月{day.day}日"
    text = body.format(
        amount=getattr(step, "amount", ""),
        paid_on=paid_on,
        reason=str(getattr(step, "public_reason", "")).rstrip("。."),
    )
    return subject, SIGNATURE[lang] + text


async def send_to_applicant(
    ctx: Context, client: httpx.AsyncClient, job: Job, loaded: Loaded
) -> str:
    """Send the step by the channel her contact allows; returns that channel."""
    row = job.first
    source = loaded.sources.get(row["event_id"])
    if source is None:
        raise channels.Permanent("the step this notice tells is not kept")
    envelope = parse_envelope(source)
    step = parse_payload(envelope)
    async with ctx.db.sessions() as session:
        found = await session.execute(
            select(applicant_contacts).where(
                applicant_contacts.c.application_id == row["recipient"]
            )
        )
        contact = found.first()
    channel = _channel(ctx, contact)
    if contact is None or channel is None:
        raise Cancel()
    lang = ctx.settings.language
    subject, text = words(lang, row["event_type"], step)
    identity = _open(ctx, contact)
    try:
        address = identity.get("email" if channel == "email" else "phone")
        if not address:
            raise channels.Permanent(f"the sealed contact holds no {channel} address")
        if channel == "email":
            message = _message(subject, text)
            mail = channels.email_message(
                ctx.settings, [address], message, job.external_id, ctx.clock()
            )
            await channels.send_email(ctx.settings, mail)
        else:
            await channels.send_sms(client, ctx.settings, [address], text, job.external_id)
    finally:
        identity.clear()  # the opened contact lives no longer than this send
    return channel


def _open(ctx: Context, contact: Any) -> dict[str, str]:
    key_ids = {HOLDER: contact.key_id} if contact.key_id else {}
    sealed = SealedIdentity(sealed={HOLDER: contact.sealed}, key_ids=key_ids)
    return sealing.open_identity(
        sealed, HOLDER, ctx.private_key(), report_id=contact.application_id
    )


def _message(subject: str, text: str) -> Message:
    return Message(subject=subject, body=text + "\n", sms=text, summary=text)
