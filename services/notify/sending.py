"""One delivery attempt: word the notice, find the address, call the channel.

A reporter's contact is opened here, in memory, for the length of one send; nothing opened
leaves this module except into the channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from services.notify import channels, reporters
from services.notify.context import Notify
from services.notify.digests import day_label
from services.notify.fences import may_receive
from services.notify.rendering import Message, render, render_digest
from shared.events import parse_envelope, parse_payload
from shared.events.cases import CaseEvent

log = logging.getLogger("zuofeng.notify.sending")
Kind = Literal["sent", "retry", "wait", "failed", "cancelled"]


@dataclass
class Job:
    """Rows sent as one message: one row, or a unit's digest (several rows, one id)."""

    rows: list[dict[str, Any]]
    external_id: str

    @property
    def first(self) -> dict[str, Any]:
        return self.rows[0]

    @property
    def is_digest(self) -> bool:
        return self.first["batch"] is not None


@dataclass
class Loaded:
    """What the jobs of one batch need from the database, read once."""

    sources: dict[str, str] = field(default_factory=dict)  # event id -> envelope JSON
    subscriptions: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, reporters.Contact] = field(default_factory=dict)


@dataclass
class Clients:
    """The operator's SMS gateway may sit inside; integrators' receivers may not."""

    gateway: httpx.AsyncClient
    webhooks: httpx.AsyncClient


@dataclass
class Result:
    job: Job
    kind: Kind
    channel: str
    reason: str = ""


class Cancel(Exception):
    """Nothing to send and nothing to report."""


class NotYet(Exception):
    """The report's `report.received` has not been consumed yet: wait for it."""


async def attempt(n: Notify, clients: Clients, job: Job, loaded: Loaded) -> Result:
    """Try once; never raises (the outcome says what happened)."""
    channel = job.first["channel"]
    try:
        channel = await _dispatch(n, clients, job, loaded)
    except channels.Transient as exc:
        return Result(job, "retry", channel, channels.scrub(str(exc)))
    except channels.Permanent as exc:
        return Result(job, "failed", channel, channels.scrub(str(exc)))
    except Cancel:
        return Result(job, "cancelled", channel)
    except NotYet:
        return Result(job, "wait", channel, "report not seen yet")
    except Exception as exc:  # noqa: BLE001 - a template or data bug: retry, then fail, loudly
        reason = channels.scrub(f"{type(exc).__name__}: {exc}")
        log.warning("unexpected failure sending a notice: %s", reason, extra=_ids(job))
        return Result(job, "retry", channel, reason)
    return Result(job, "sent", channel)


def _ids(job: Job) -> dict[str, Any]:
    return {"event_id": job.first["event_id"], "case_id": job.first["case_id"]}


async def _dispatch(n: Notify, clients: Clients, job: Job, loaded: Loaded) -> str:
    kind = job.first["recipient_kind"]
    if kind == "integrator":
        await _webhook(n, clients.webhooks, job, loaded)
        return "webhook"
    if kind == "reporter":
        return await _reporter(n, clients.gateway, job, loaded)
    await _unit(n, clients.gateway, job, loaded)
    return str(job.first["channel"])


async def _webhook(n: Notify, client: httpx.AsyncClient, job: Job, loaded: Loaded) -> None:
    sub = loaded.subscriptions.get(job.first["recipient"])
    if sub is None or sub.deleted_at is not None:
        raise Cancel()
    if not may_receive(n.directory, sub.unit, job.first["county"]):
        # Queued before the county fence, or the unit moved county since: never sent.
        raise Cancel()
    if sub.suspended_at is not None:
        raise channels.Permanent("subscription suspended")
    body = loaded.sources[job.first["event_id"]].encode()
    await channels.send_webhook(client, sub.url, sub.secret, body, job.external_id)


async def _unit(n: Notify, client: httpx.AsyncClient, job: Job, loaded: Loaded) -> None:
    unit, channel = job.first["recipient"], job.first["channel"]
    contact = n.contacts.for_unit(unit)
    lang = n.language_of(unit)
    messages = [_word(n, row, loaded, lang, {"recipient": unit}) for row in job.rows]
    if job.is_digest:
        day = day_label(job.first["batch"], lang)
        message = render_digest(unit, messages, day, lang, n.directory)
    else:
        message = messages[0]
    if channel == "email":
        if not contact.email:
            raise channels.Permanent("no email address configured for the unit")
        mail = channels.email_message(
            n.settings, contact.email, message, job.external_id, n.clock()
        )
        await channels.send_email(n.settings, mail)
    elif channel == "sms":
        if not contact.sms:
            raise channels.Permanent("no SMS number configured for the unit")
        await channels.send_sms(client, n.settings, contact.sms, message.sms, job.external_id)
    else:
        raise channels.Permanent(f"unknown channel {channel}")


async def _reporter(n: Notify, client: httpx.AsyncClient, job: Job, loaded: Loaded) -> str:
    row = job.first
    contact = loaded.contacts.get(row["recipient"])
    if contact is None:
        raise NotYet()
    channel = reporters.channel_for(contact, n.settings.email_enabled, n.settings.sms_enabled)
    if channel is None:
        raise Cancel()  # anonymous, or no channel for what they left: never contacted
    extra = {"reported_on": contact.received_at}
    message = _word(n, row, loaded, n.settings.language, extra)
    identity = reporters.open_contact(contact, n.private_key())
    try:
        address = identity.get("email" if channel == "email" else "phone")
        if not address:
            raise channels.Permanent(f"the sealed contact holds no {channel} address")
        if channel == "email":
            mail = channels.email_message(
                n.settings, [address], message, job.external_id, n.clock()
            )
            await channels.send_email(n.settings, mail)
        else:
            await channels.send_sms(client, n.settings, [address], message.sms, job.external_id)
    finally:
        identity.clear()  # the opened contact lives no longer than this send
    return channel


def _word(n: Notify, row: dict[str, Any], loaded: Loaded, lang: str, extra: dict) -> Message:  # type: ignore[type-arg]
    envelope = parse_envelope(loaded.sources[row["event_id"]])
    payload = parse_payload(envelope)
    assert isinstance(payload, CaseEvent)
    return render(
        row["event_type"], row["audience"], payload, lang, directory=n.directory, extra=extra
    )
