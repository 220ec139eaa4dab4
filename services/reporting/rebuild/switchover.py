"""Put a rebuild's fresh tables in place of the live ones, inside the caller's transaction.

PostgreSQL: drop the live tables and rename the fresh ones (and their indexes) to the live
names: instant whatever the size, and readers see the old tables or the new. SQLite (local
use, small data): replace the live rows with the fresh rows and drop the fresh tables."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection.storage import dialect
from services.reporting.projection.tables import LIVE, Tables

INDEXES = text(
    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t"
)


async def hold_writers(session: AsyncSession) -> None:
    """On SQLite, take the write lock now (PostgreSQL writers wait at the projection lock)."""
    if dialect(session) != "postgresql":
        for table in LIVE.all():
            await session.execute(delete(table))


async def swap(session: AsyncSession, fresh: Tables) -> None:
    for live, new in zip(LIVE.all(), fresh.all(), strict=True):
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
