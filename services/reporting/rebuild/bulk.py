"""The bulk of a rebuild: fresh tables, and what the reader process sends projected into them,
written every so often."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData

from services.reporting.models import shadow_tables
from services.reporting.projection.batch import Item, flush, project
from services.reporting.projection.cache import Cache
from services.reporting.projection.tables import Tables
from services.reporting.projection.totals import Totals
from services.reporting.rebuild.merge import parse
from services.reporting.rebuild.reader import Reader
from services.reporting.rebuild.replay import Counts
from shared.db import NAMING, Database
from shared.directory import Directory

FLUSH_EVERY = 200_000  # events whose row changes and aggregate deltas wait in memory


CACHE_ROWS = 500_000  # fact rows kept between flushes (beyond: emptied, then read back)


async def fresh_tables(db: Database) -> Tables:
    """Empty copies of the projection tables (left over ones from a failed run dropped)."""
    meta = MetaData(naming_convention=NAMING)  # key and index names as the live ones'
    fresh = Tables.of(shadow_tables(meta))
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.drop_all)
        await conn.run_sync(meta.create_all)
    return fresh


async def bulk(
    db: Database,
    reader: Reader,
    fresh: Tables,
    directory: Directory,
    pending: Totals,
    counts: Counts,
    advance: Callable[[int], None] = lambda read: None,
) -> None:
    """Project what the reader process sends; fact rows and aggregates are written every so
    often (the fresh tables are nobody's until the switch, so a crash only wastes the run).
    `advance(n)` after each batch projected, n the messages it held (the command's bar)."""
    since_flush, cache = 0, Cache(limit=CACHE_ROWS)
    async for raw_batch in reader.batches():
        items = _parsed(raw_batch, counts)
        since_flush += len(items)
        async with db.sessions() as session, session.begin():
            await project(session, fresh, items, directory, pending, cache)
            if since_flush >= FLUSH_EVERY:
                await cache.flush(session, fresh)
                await flush(session, fresh, pending)
                pending.clear()
                since_flush = 0
        advance(len(raw_batch))
    async with db.sessions() as session, session.begin():
        await cache.flush(session, fresh)  # the tail and the switch read the tables
    counts.skipped += reader.skipped


def _parsed(raw_batch: list[bytes], counts: Counts) -> list[Item]:
    items = []
    for data in raw_batch:
        item = parse(data)[1]
        if item is None:
            counts.skipped += 1
            continue
        stream = "INTAKE" if item[0].type.startswith("report.") else "CASES"
        counts.events[stream] = counts.events.get(stream, 0) + 1
        items.append(item)
    return items
