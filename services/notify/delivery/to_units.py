"""Sending to a unit: its notice (or its day's digest) by mail or SMS, to the addresses of the
unit contacts file, in the unit's language."""

from __future__ import annotations

import httpx

from services.notify import channels
from services.notify.context import Context
from services.notify.delivery.jobs import Job
from services.notify.delivery.loading import Loaded, word
from services.notify.digests import day_label
from services.notify.rendering import Message, render_digest


async def send_to_unit(ctx: Context, client: httpx.AsyncClient, job: Job, loaded: Loaded) -> None:
    unit, channel = job.first["recipient"], job.first["channel"]
    contact = ctx.contacts.for_unit(unit)
    message = _message(ctx, job, loaded, unit)
    if channel == "email":
        if not contact.email:
            raise channels.Permanent("no email address configured for the unit")
        mail = channels.email_message(
            ctx.settings, contact.email, message, job.external_id, ctx.clock()
        )
        await channels.send_email(ctx.settings, mail)
    elif channel == "sms":
        if not contact.sms:
            raise channels.Permanent("no SMS number configured for the unit")
        await channels.send_sms(client, ctx.settings, contact.sms, message.sms, job.external_id)
    else:
        raise channels.Permanent(f"unknown channel {channel}")


def _message(ctx: Context, job: Job, loaded: Loaded, unit: str) -> Message:
    lang = ctx.language_of(unit)
    messages = [word(ctx, row, loaded, lang, {"recipient": unit}) for row in job.rows]
    if not job.is_digest:
        return messages[0]
    day = day_label(job.first["batch"], lang)
    return render_digest(unit, messages, day, lang, ctx.directory)
