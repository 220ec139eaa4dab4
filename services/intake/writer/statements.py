"""The statements a batch of new reports writes: their rows, public steps, outbox events,
idempotency records, and the attachments they name marked as kept."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import attachments, idempotency, report_steps, reports
from services.intake.writer.plan import Draft
from shared import outbox
from shared.db import one_of


async def earlier(session: AsyncSession, drafts: list[Draft]) -> dict[str, tuple[str, str]]:
    keys = list({draft.key_hash for draft in drafts if draft.key_hash})
    if not keys:
        return {}
    rows = await session.execute(
        select(idempotency.c.key_hash, idempotency.c.body_hash, idempotency.c.report_id).where(
            one_of(session, idempotency.c.key_hash, keys)
        )
    )
    return {row.key_hash: (row.body_hash, row.report_id) for row in rows}


async def insert_new(session: AsyncSession, drafts: list[Draft]) -> None:
    if not drafts:
        return
    await session.execute(insert(reports), [draft.report for draft in drafts])
    await session.execute(insert(report_steps), [draft.step for draft in drafts])
    await outbox.add_many(session, [draft.envelope for draft in drafts])
    await _mark_referenced(session, drafts)
    keyed = [
        {
            "key_hash": draft.key_hash,
            "body_hash": draft.body_hash,
            "report_id": draft.report_id,
            "created_at": draft.created_at,
        }
        for draft in drafts
        if draft.key_hash
    ]
    if keyed:
        await session.execute(insert(idempotency), keyed)


async def _mark_referenced(session: AsyncSession, drafts: list[Draft]) -> None:
    """Attachments a report names are kept for good (the sweep deletes only unnamed ones)."""
    ids = list({i for draft in drafts for i in draft.attachment_ids})
    if not ids:
        return
    await session.execute(
        update(attachments)
        .where(one_of(session, attachments.c.id, ids), attachments.c.referenced_at.is_(None))
        .values(referenced_at=drafts[0].created_at)
    )
