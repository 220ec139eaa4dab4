"""The sweep of unused uploads: an upload no report named within `attachment_unused_ttl` (plus
a grace) is deleted, and its file once no other row holds the same content."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import attachments
from shared.db import Database, one_of

# Between the age at which a report may no longer name an unnamed upload and the age at which
# the sweep deletes it: longer than any submission takes from its check to its commit.
GRACE = timedelta(hours=1)
SWEEP_BATCH = 500
log = logging.getLogger("zuofeng.intake.attachments")


async def sweep(db: Database, root: Path, now: datetime, ttl: float) -> int:
    """Delete uploads no report named within `ttl` seconds (plus GRACE), and their files when
    no other upload shares them; how many uploads went. Named uploads are never touched."""
    cutoff = now - timedelta(seconds=ttl) - GRACE
    removed = 0
    while True:
        async with db.sessions() as session, session.begin():
            ids = list(
                (
                    await session.execute(
                        select(attachments.c.id)
                        .where(attachments.c.referenced_at.is_(None))
                        .where(attachments.c.created_at < cutoff)
                        .limit(SWEEP_BATCH)
                    )
                ).scalars()
            )
            gone = await _delete_unnamed(session, ids)
        removed += len(gone)
        await _remove_files(db, root, gone, cutoff)
        if len(ids) < SWEEP_BATCH:
            return removed


async def _delete_unnamed(session: AsyncSession, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    # Re-checked here: a report may have named one since it was selected.
    result = await session.execute(
        delete(attachments)
        .where(one_of(session, attachments.c.id, ids), attachments.c.referenced_at.is_(None))
        .returning(attachments.c.sha256)
    )
    return set(result.scalars())


async def _remove_files(db: Database, root: Path, shas: set[str], cutoff: datetime) -> None:
    if not shas:
        return
    async with db.sessions() as session:
        shared = set(
            (
                await session.execute(
                    select(attachments.c.sha256).where(
                        one_of(session, attachments.c.sha256, list(shas))
                    )
                )
            ).scalars()
        )
    for sha in shas - shared:
        await asyncio.to_thread(_unlink_if_old, root / sha[:2] / sha, cutoff)


def _unlink_if_old(path: Path, cutoff: datetime) -> None:
    # A file written after the cutoff belongs to an upload in flight (same content, its row
    # not inserted yet): leave it.
    try:
        if path.stat().st_mtime < cutoff.timestamp():
            path.unlink()
    except FileNotFoundError:
        pass  # another replica's sweep got there first


async def sweep_forever(
    db: Database, root: Path, clock: Callable[[], datetime], ttl: float, interval: float
) -> None:
    """Sweep every `interval` seconds for as long as the service runs."""
    while True:
        try:
            removed = await sweep(db, root, clock(), ttl)
            if removed:
                log.info("attachment sweep removed %d unused uploads", removed)
        except Exception as exc:  # noqa: BLE001 - the next pass tries again
            log.warning("attachment sweep failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)
