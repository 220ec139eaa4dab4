"""Put a rebuild's fresh tables in place of the live ones, inside the caller's transaction, and
mark in the durables' inbox what the fresh tables hold and live handling has not done yet.

PostgreSQL: drop the live tables and rename the fresh ones (and their indexes) to the live
names: instant whatever the size, and readers see the old tables or the new. SQLite (local
use, small data): replace the live rows with the fresh rows and drop the fresh tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection.postgres import raw_connection
from services.reporting.projection.storage import dialect
from shared.db import INBOX

INDEXES = text(
    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t"
)


async def hold_writers(session: AsyncSession, live: Iterable[Table]) -> None:
    """On SQLite, take the write lock now (PostgreSQL writers wait at the projection lock)."""
    if dialect(session) != "postgresql":
        for table in live:
            await session.execute(delete(table))


async def mark_handled(session: AsyncSession, rows: Sequence[tuple[str, str]]) -> None:
    """Inbox rows (durable, event id) for events the fresh tables hold, unless already there:
    live handling, let go after the switch, skips them."""
    if not rows:
        return
    pairs = list(dict.fromkeys(rows))
    now = datetime.now(UTC)
    if dialect(session) == "postgresql":  # one statement of two arrays, not a row at a time
        raw = await raw_connection(session)
        consumers, ids = [c for c, _ in pairs], [e for _, e in pairs]
        await raw.execute(MARK, consumers, ids, now)
        return
    values = [{"consumer": c, "event_id": e, "processed_at": now} for c, e in pairs]
    await session.execute(sqlite.insert(INBOX).on_conflict_do_nothing(), values)


MARK = (
    f"INSERT INTO {INBOX.name} (consumer, event_id, processed_at) "
    "SELECT c, e, $3::timestamptz FROM unnest($1::text[], $2::text[]) AS u(c, e) "
    "ON CONFLICT DO NOTHING"
)


async def swap(session: AsyncSession, pairs: Sequence[tuple[Table, Table]]) -> None:
    """Each (live, fresh) pair: the fresh table's rows become the live table's."""
    for live, new in pairs:
        if dialect(session) == "postgresql":
            await _rename(session, live.name, new.name)
        else:
            names = [c.name for c in live.c]
            copy = insert(live).from_select(names, select(*(new.c[n] for n in names)))
            await session.execute(copy)
            await session.execute(text(f"DROP TABLE {new.name}"))


async def _rename(session: AsyncSession, live: str, new: str) -> None:
    await session.execute(text(f"DROP TABLE {live}"))
    await session.execute(text(f"ALTER TABLE {new} RENAME TO {live}"))
    # Index (and primary key) names carry the table's name; give them back the live ones.
    for (index,) in (await session.execute(INDEXES, {"t": live})).all():
        if new in index:
            canonical = index.replace(new, live)
            await session.execute(text(f'ALTER INDEX "{index}" RENAME TO "{canonical}"'))
