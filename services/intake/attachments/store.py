"""Attachment files on disk: stored once by content hash (the event carries the reference, the
bytes never go on the bus), and how many bytes they take."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from services.intake.attachments.checks import file_too_large
from services.intake.models import attachments
from shared.db import Database

CHUNK = 1 << 20


def store_file(source: BinaryIO, root: Path, limit: int) -> tuple[str, int]:
    """Copy `source` under `root` named by its sha256 (once per content); (sha256, size)."""
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise file_too_large(limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = root / sha[:2] / sha
        final.parent.mkdir(exist_ok=True)
        os.replace(temp, final)  # same content, same name: a second copy just replaces it
        return sha, size
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


async def stored_bytes(db: Database) -> int:
    """Bytes of attachments on disk: each content once, however many uploads share it."""
    per_file = (
        select(func.max(attachments.c.size).label("size")).group_by(attachments.c.sha256).subquery()
    )
    async with db.sessions() as session:
        total = (
            await session.execute(select(func.coalesce(func.sum(per_file.c.size), 0)))
        ).scalar()
    return int(total or 0)
