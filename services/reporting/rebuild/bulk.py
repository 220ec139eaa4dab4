"""The bulk of a rebuild: fresh copies of every projection's tables, and what the reader process
sends folded into them (each event to the projections its durable feeds, projections.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.reporting.projection.batch import Item
from services.reporting.rebuild.folds import Fold
from services.reporting.rebuild.merge import parse
from services.reporting.rebuild.projections import (
    PROJECTIONS,
    SOURCES,
    fresh_copies,
    new_meta,
)
from services.reporting.rebuild.reader import Reader
from services.reporting.rebuild.replay import Counts
from shared.db import Database
from shared.directory import Directory

Tagged = tuple[int, Item]  # an event and the index in SOURCES of the durable it came by


async def fresh_tables(db: Database) -> dict[str, Any]:
    """Empty copies of the projection tables, by live name (left over ones dropped)."""
    meta = new_meta()
    fresh = fresh_copies(meta)
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.drop_all)
        await conn.run_sync(meta.create_all)
    return fresh


class Folding:
    """Every projection's fold over the fresh tables, each handed the events of its durables
    (and, for the projections that need it, each event once)."""

    def __init__(self, fresh: dict[str, Any], directory: Directory) -> None:
        self.folds: list[tuple[frozenset[int], Fold, set[bytes] | None]] = []
        for projection in PROJECTIONS:
            sources = frozenset(SOURCES.index(c) for c in projection.consumers)
            seen: set[bytes] | None = set() if projection.once else None
            self.folds.append((sources, projection.fold(fresh, directory), seen))

    async def batch(self, session: Any, tagged: Sequence[Tagged]) -> None:
        for sources, fold, seen in self.folds:
            items = [item for source, item in tagged if source in sources]
            if seen is not None:
                items = _once(items, seen)
            if items:
                await fold.batch(session, items)

    async def flush(self, session: Any) -> None:
        for _, fold, _ in self.folds:
            await fold.flush(session)


def _once(items: list[Item], seen: set[bytes]) -> list[Item]:
    out = []
    for item in items:
        key = item[0].event_id.bytes
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


async def bulk(
    db: Database,
    reader: Reader,
    folding: Folding,
    counts: Counts,
    advance: Callable[[int], None] = lambda read: None,
) -> None:
    """Fold what the reader process sends (the fresh tables are nobody's until the switch, so a
    crash only wastes the run); `advance(n)` after each batch, n the messages it held."""
    async for raw_batch in reader.batches():
        tagged = tag(raw_batch, counts)
        async with db.sessions() as session, session.begin():
            await folding.batch(session, tagged)
        advance(len(raw_batch))
    async with db.sessions() as session, session.begin():
        await folding.flush(session)  # the tail and the switch read the tables
    counts.skipped += reader.skipped


def tag(raw_batch: list[tuple[int, bytes]], counts: Counts) -> list[Tagged]:
    items = []
    for source, data in raw_batch:
        item = parse(data)
        if item is None:
            counts.skipped += 1
            continue
        count(counts, source)
        items.append((source, item))
    return items


def count(counts: Counts, source: int) -> None:
    stream = SOURCES[source].stream
    counts.events[stream] = counts.events.get(stream, 0) + 1
