"""Sending to a reporter: the contact is opened here, in memory, for the length of one send;
nothing opened leaves this module except into the channel."""

from __future__ import annotations

import httpx

from services.notify import channels, reporters
from services.notify.context import Context
from services.notify.delivery.jobs import Cancel, Job, NotYet
from services.notify.delivery.loading import Loaded, word
from services.notify.letters.events import LETTER_EVENTS
from services.notify.letters.queue import queue_letter


async def send_to_reporter(
    ctx: Context, client: httpx.AsyncClient, job: Job, loaded: Loaded
) -> str:
    """Send by the channel the contact settles on; returns that channel."""
    row = job.first
    contact = loaded.contacts.get(row["recipient"])
    if contact is None:
        raise NotYet()
    s, letter = ctx.settings, row["event_type"] in LETTER_EVENTS
    channel = reporters.channel_for(contact, s.email_enabled, s.sms_enabled, letter=letter)
    if channel is None:
        raise Cancel()  # anonymous, or no channel for what they left: never contacted
    extra = {"reported_on": contact.received_at}
    if channel == "letter":  # printed: queued now, the address opened only when printed
        await queue_letter(ctx, row, contact, word(ctx, row, loaded, "zh-CN", extra))
        return channel
    message = word(ctx, row, loaded, ctx.settings.language, extra)
    identity = reporters.open_contact(contact, ctx.private_key())
    try:
        address = identity.get("email" if channel == "email" else "phone")
        if not address:
            raise channels.Permanent(f"the sealed contact holds no {channel} address")
        if channel == "email":
            mail = channels.email_message(
                ctx.settings, [address], message, job.external_id, ctx.clock()
            )
            await channels.send_email(ctx.settings, mail)
        else:
            await channels.send_sms(client, ctx.settings, [address], message.sms, job.external_id)
    finally:
        identity.clear()  # the opened contact lives no longer than this send
    return channel
