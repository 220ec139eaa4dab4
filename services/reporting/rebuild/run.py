"""Rebuild the projections from the streams: replay INTAKE's reports and CASES's case events
with ordered consumers from the start into fresh tables, then switch over. The bulk is read
by a process of its own (reader.py) and projected here; the tail is read here (replay.py).

The switch holds the projection lock (PostgreSQL: live handlers wait at it; SQLite: the
write lock, live handlers retry), replays what arrived meanwhile, and puts the fresh tables in
place of the live ones in one transaction (switchover.py), so readers see the old figures or
the new, never a mix. Live handlers need no pause: every fold is idempotent and order-free, so
an event both replayed and projected live counts once.

Alerts are records, not projections: they stay; crossings the rebuilt facts imply and no alert
records yet are raised afterwards (through the outbox, published by the service)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from services.reporting.alerts.raising import evaluate_all
from services.reporting.alerts.rule import AlertRule
from services.reporting.projection.batch import flush, lock, project
from services.reporting.projection.tables import Tables
from services.reporting.projection.totals import Totals
from services.reporting.rebuild.bulk import bulk, fresh_tables
from services.reporting.rebuild.merge import merged, parse
from services.reporting.rebuild.reader import Reader
from services.reporting.rebuild.replay import Counts, Replay
from services.reporting.rebuild.switchover import hold_writers, swap
from shared.bus import connect
from shared.db import Database
from shared.directory import Directory
from shared.subjects import all_counties

SOURCES = (("INTAKE", all_counties("report")), ("CASES", all_counties("case")))


@dataclass
class Result:
    events: dict[str, int]
    skipped: int
    seconds: float  # replay and switch
    switch_seconds: float  # the part holding the projection lock
    alerts_raised: int = 0

    @property
    def per_second(self) -> float:
        return sum(self.events.values()) / self.seconds if self.seconds else 0.0


async def rebuild(
    db: Database,
    nats_url: str,
    directory: Directory,
    rule: AlertRule,
    batch: int = 2000,
    progress: Callable[[str], None] = lambda line: None,
    advance: Callable[[int], None] = lambda read: None,
) -> Result:
    """Replay both streams into fresh tables, switch over, then raise missing alerts;
    `advance(n)` as each batch of n messages of the bulk is projected."""
    with paused_gc():
        return await _rebuild(db, nats_url, directory, rule, batch, progress, advance)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """A replay keeps hundreds of thousands of objects alive (buffered events, pending deltas);
    the cyclic collector would rescan them all every few thousand allocations, which tripled
    the replay's CPU. Its objects form no cycles, so collect once at the end instead."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.collect()


async def _rebuild(
    db: Database,
    nats_url: str,
    directory: Directory,
    rule: AlertRule,
    batch: int,
    progress: Callable[[str], None],
    advance: Callable[[int], None],
) -> Result:
    started, counts, pending = time.perf_counter(), Counts(), Totals()
    fresh = await fresh_tables(db)
    reader = Reader(nats_url, SOURCES, batch)
    await bulk(db, reader, fresh, directory, pending, counts, advance)
    progress(f"replayed {counts.events} ({counts.skipped} skipped); switching over")
    replayed = time.perf_counter()
    nc = await connect(nats_url, "zuofeng-reporting-rebuild")
    tail = [
        Replay(nc.jetstream(), stream, subject, counts, parse, reader.last.get(stream, 0))
        for stream, subject in SOURCES
    ]
    try:
        await _switch(db, tail, fresh, directory, batch, pending)
    finally:
        for replay in tail:
            await replay.stop()
        await nc.close()
    done = time.perf_counter()
    result = Result(counts.events, counts.skipped, done - started, done - replayed)
    result.alerts_raised = await _raise_missing_alerts(db, rule, directory)
    return result


async def _raise_missing_alerts(db: Database, rule: AlertRule, directory: Directory) -> int:
    async with db.sessions() as session, session.begin():
        await lock(session)
        return len(await evaluate_all(session, rule, directory))


async def _switch(
    db: Database,
    tail: list[Replay],
    fresh: Tables,
    directory: Directory,
    size: int,
    pending: Totals,
) -> None:
    for replay in tail:
        await replay.start()
    async with db.sessions() as session, session.begin():
        await lock(session)
        await hold_writers(session)
        for replay in tail:
            await replay.read_to_end()
        async for items in merged(tail, size):
            await project(session, fresh, items, directory, pending)
        await flush(session, fresh, pending)
        pending.clear()
        await swap(session, fresh)
