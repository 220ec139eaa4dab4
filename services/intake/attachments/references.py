"""The attachments a report names, as references for its event (id, sha256, type, size)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from services.intake.models import attachments
from shared.db import Database
from shared.events.intake import AttachmentRef

UNKNOWN = (
    "没有这个附件（或已过期，请重新上传）",
    "unknown attachment id (or expired: upload again)",
)


async def resolve(
    db: Database, ids: list[str], fresh_after: datetime
) -> tuple[tuple[AttachmentRef, ...], list[int]]:
    """References for attachment ids, in order; and the positions of unknown ids.

    An upload no report has named yet counts only while younger than `fresh_after`: the
    sweep deletes it some time after (GRACE), never under a report being stored.
    """
    if not ids:
        return (), []
    usable = or_(attachments.c.referenced_at.is_not(None), attachments.c.created_at >= fresh_after)
    async with db.sessions() as session:
        rows = await session.execute(
            select(attachments).where(attachments.c.id.in_(set(ids)), usable)
        )
        found = {
            row.id: AttachmentRef(
                attachment_id=row.id,
                sha256=row.sha256,
                content_type=row.content_type,
                size=row.size,
            )
            for row in rows
        }
    refs = tuple(dict.fromkeys(found[i] for i in ids if i in found))
    return refs, [index for index, i in enumerate(ids) if i not in found]
