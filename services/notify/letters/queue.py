"""The print queue: a letter queued by the worker (its text as the templates word it, no
address), listed for the officials who print it, opened as a PDF and marked printed.

Who prints: the unit whose clerk took the report (letters and visits come through a clerk), and
the city office for every county; a clerk's or the city office's role. Another unit's letter is
404, as if it were not there."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import reporters
from services.notify.context import Context
from services.notify.letters.tables import letters
from services.notify.rendering import Message
from shared import outbox
from shared.auth import Principal, require_role
from shared.db import one_of
from shared.errors import Refusal
from shared.events.audit import AuditLetterOpened, actor, audit_record

log = logging.getLogger("zuofeng.notify.letters")
PRINTERS = ("clerk", "city_office")
LETTER_IDS = uuid.UUID("0b6f6c0e-3c1f-4a53-9d1e-5f1e2a7c9b44")  # one letter per delivery row


async def queue_letter(
    ctx: Context, row: dict[str, Any], contact: reporters.Contact, message: Message
) -> None:
    """Queue the row's letter once (a retried row finds it queued)."""
    letter_id = str(uuid.uuid5(LETTER_IDS, row["id"]))
    async with ctx.db.sessions() as session, session.begin():
        if await session.scalar(select(letters.c.id).where(letters.c.id == letter_id)):
            return
        await session.execute(
            letters.insert().values(
                id=letter_id, delivery_id=row["id"], report_id=contact.report_id,
                case_id=row["case_id"], event_type=row["event_type"], county=row["county"],
                intake_unit=contact.intake_unit, subject=message.subject[:200],
                body=message.body, created_at=ctx.clock(), downloads=0,
            )
        )  # fmt: skip
    log.info(
        "letter queued for printing", extra={"letter_id": letter_id, "case_id": row["case_id"]}
    )


def _mine(ctx: Context, caller: Principal) -> Any:
    """The letters the caller's unit prints: the city office's, all."""
    if caller.role == "city_office" or caller.unit == ctx.directory.city_office().id:
        return letters.c.id.is_not(None)
    return letters.c.intake_unit == caller.unit


async def queued(
    ctx: Context, caller: Principal, *, printed: bool | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The caller's letters, oldest first (unprinted only, printed only, or all)."""
    require_role(caller, *PRINTERS)
    query = select(letters).where(_mine(ctx, caller))
    if printed is not None:
        query = query.where(letters.c.printed_at.is_not(None) if printed else
                            letters.c.printed_at.is_(None))  # fmt: skip
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        page = query.order_by(letters.c.created_at, letters.c.id).limit(limit).offset(offset)
        rows = (await session.execute(page)).mappings().all()
    return [_item(r) for r in rows], int(total or 0)


def _item(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"], "case_id": r["case_id"], "report_id": r["report_id"],
        "event_type": r["event_type"], "county": r["county"], "subject": r["subject"],
        "created_at": r["created_at"].isoformat(),
        "printed_at": r["printed_at"].isoformat() if r["printed_at"] else None,
        "downloads": r["downloads"],
    }  # fmt: skip


async def _load(session: AsyncSession, ctx: Context, caller: Principal, letter_id: str) -> Any:
    """Scope first (another unit's letter is 404), then the role (403)."""
    query = select(letters).where(letters.c.id == letter_id, _mine(ctx, caller))
    found = (await session.execute(query)).mappings().first()
    if found is None:
        raise Refusal.not_found("没有这封告知书", "no such letter")
    require_role(caller, *PRINTERS)
    return found


async def printable(ctx: Context, caller: Principal, letter_id: str) -> bytes:
    """The letter as a PDF, with the reporter's postal address opened for it in memory only."""
    # Imported on the first letter printed, not at start: fpdf2 (with fontTools, Pillow and
    # lxml) is about 24 MB of every notify process's memory for a rare download.
    from services.notify.letters.printing import letter_pdf

    async with ctx.db.sessions() as session, session.begin():
        row = await _load(session, ctx, caller, letter_id)
        contact = (await reporters.contacts_of(session, [row["report_id"]])).get(row["report_id"])
        if contact is None or not contact.has_address:
            raise Refusal.conflict("该告知书没有可用的通信地址", "the letter has no postal address")
        await session.execute(
            update(letters).where(letters.c.id == letter_id)
            .values(downloads=letters.c.downloads + 1)
        )  # fmt: skip
        # Committed with the count before the address is opened: no letter is laid out with
        # the address unrecorded on the AUDIT stream.
        record = AuditLetterOpened(
            **actor(caller), letter_id=letter_id, case_id=row["case_id"], opened_at=ctx.clock()
        )
        await outbox.add(session, audit_record(record, "notify"))
    identity = reporters.open_contact(contact, ctx.private_key())
    try:
        # Off the event loop: the CJK font's layout takes seconds of CPU, which would stop
        # notify's consumers and deliveries meanwhile.
        pdf = await asyncio.to_thread(
            letter_pdf, identity.get("address", ""), row["subject"], row["body"], row["created_at"]
        )
    finally:
        identity.clear()  # the opened address lives no longer than this letter's rendering
    ids = {"letter_id": letter_id, "case_id": row["case_id"], "actor": caller.sub}
    log.info("letter opened for printing by %s", caller.unit, extra=ids)
    return pdf


async def mark_printed(ctx: Context, caller: Principal, letter_ids: list[str]) -> int:
    """Mark the caller's letters printed (those already printed keep their first time)."""
    async with ctx.db.sessions() as session, session.begin():
        for letter_id in letter_ids:
            await _load(session, ctx, caller, letter_id)
        done = await session.execute(
            update(letters)
            .where(one_of(session, letters.c.id, letter_ids), letters.c.printed_at.is_(None))
            .values(printed_at=ctx.clock(), printed_by=caller.sub)
        )
    return int(getattr(done, "rowcount", 0) or 0)
