"""Reporters' contacts: kept sealed from `report.received`, opened only in
memory at the moment of sending. Anonymous reports keep no box and are never contacted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import deliveries, reporter_contacts
from shared import sealing
from shared.db import one_of
from shared.events.intake import ReportReceived, SealedIdentity

HOLDER = "notify"


@dataclass(frozen=True)
class Contact:
    """What notify knows of a reporter without opening anything."""

    report_id: str
    contactable: bool
    has_email: bool
    has_phone: bool
    received_at: Any
    sealed: str | None
    key_id: str | None = None  # which notify key the box was sealed to (key rotation)
    has_address: bool = False  # a postal address for printed letters (letter/visit reports)
    intake_unit: str | None = None  # the unit whose clerk took the report


def channel_for(
    contact: Contact, email_on: bool, sms_on: bool, *, letter: bool = False
) -> str | None:
    """Written notice by mail when the reporter gave an address, else a text message, else
    (for the notices sent in writing, `letter`) a printed letter to the postal address; None
    for an anonymous reporter or one whose channels are off."""
    if not contact.contactable:
        return None
    if contact.has_email and email_on:
        return "email"
    if contact.has_phone and sms_on:
        return "sms"
    return "letter" if letter and contact.has_address else None


def is_contactable(report: ReportReceived) -> bool:
    identity = report.identity
    return bool(
        not report.anonymous
        and identity is not None
        and HOLDER in identity.sealed
        and (identity.has_email or identity.has_phone or identity.has_address)
    )


async def keep_contacts(
    session: AsyncSession, reports: list[ReportReceived], now: datetime
) -> None:
    """Store each report's contact sealed, as it came (or only the fact that it is anonymous),
    and bring forward notices that were waiting for them. A report already kept is left be."""
    ids = [report.report_id for report in reports]
    if not ids:
        return
    found = await session.execute(
        select(reporter_contacts.c.report_id).where(
            one_of(session, reporter_contacts.c.report_id, ids)
        )
    )
    kept = set(found.scalars())
    new: dict[str, ReportReceived] = {}
    for report in reports:
        if report.report_id not in kept:
            new.setdefault(report.report_id, report)
    if not new:
        return
    await session.execute(insert(reporter_contacts), [_contact_row(r) for r in new.values()])
    await session.execute(
        update(deliveries)
        .where(
            deliveries.c.recipient_kind == "reporter",
            one_of(session, deliveries.c.recipient, new),
            deliveries.c.status == "pending",
        )
        .values(next_attempt_at=now)
    )


def _contact_row(report: ReportReceived) -> dict[str, Any]:
    contactable = is_contactable(report)
    identity = report.identity if contactable else None
    return {
        "report_id": report.report_id,
        "county": report.county,
        "received_at": report.received_at,
        "contactable": contactable,
        "sealed": identity.sealed[HOLDER] if identity else None,
        "key_id": identity.key_ids.get(HOLDER) if identity else None,
        "has_email": bool(identity and identity.has_email),
        "has_phone": bool(identity and identity.has_phone),
        "has_address": bool(identity and identity.has_address),
        "intake_unit": report.submitted_by_unit,
    }


async def contacts_of(session: AsyncSession, report_ids: Iterable[str]) -> dict[str, Contact]:
    """The known contacts of these reports (a report not seen yet is simply absent)."""
    ids = list(report_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(reporter_contacts).where(one_of(session, reporter_contacts.c.report_id, ids))
    )
    return {
        r.report_id: Contact(
            r.report_id,
            r.contactable,
            r.has_email,
            r.has_phone,
            r.received_at,
            r.sealed,
            r.key_id,
            r.has_address,
            r.intake_unit,
        )
        for r in rows
    }


def open_contact(contact: Contact, key: X25519PrivateKey | sealing.Keyring) -> dict[str, str]:
    """The reporter's phone/email, in memory only: never log, store or return it further
    than the channel that sends. The box opens only for the report it was sealed with."""
    if not contact.contactable or contact.sealed is None:
        raise LookupError("no contact to open")
    key_ids = {HOLDER: contact.key_id} if contact.key_id else {}
    sealed = SealedIdentity(sealed={HOLDER: contact.sealed}, key_ids=key_ids)
    return sealing.open_identity(sealed, HOLDER, key, report_id=contact.report_id)
