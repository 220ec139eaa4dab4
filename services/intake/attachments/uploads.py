"""One upload: checked, its file stored by content hash, its row recorded; reports name it by
id later."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert

from services.intake.attachments.checks import check_upload
from services.intake.attachments.store import store_file
from services.intake.models import attachments
from shared.db import Database


async def save(
    db: Database,
    root: Path,
    source: BinaryIO,
    content_type: str,
    allowed: tuple[str, ...],
    limit: int,
) -> tuple[str, str]:
    """Check, store and record one upload; (attachment_id, sha256)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    head = await asyncio.to_thread(_peek, source) if kind in allowed else b""
    check_upload(kind, head, allowed)
    sha, size = await asyncio.to_thread(store_file, source, root, limit)
    attachment_id = str(uuid.uuid4())
    async with db.sessions() as session, session.begin():
        await session.execute(
            insert(attachments).values(
                id=attachment_id,
                sha256=sha,
                content_type=kind,
                size=size,
                created_at=datetime.now(UTC),
            )
        )
    return attachment_id, sha


def _peek(source: BinaryIO) -> bytes:
    head = source.read(64)
    source.seek(0)
    return head
