"""Rebuild every projection from the streams (projections.py: the facts and aggregates, the
scorecards, the re-checks, the supervision and the programme tables): replay the streams of
reporting's durables with ordered consumers from the start into fresh tables, then switch over.
The bulk is read by a process of its own (reader.py) and folded here; the tail is read here
(replay.py).

The switch holds the projection lock (PostgreSQL: every live handler of reporting waits at it;
SQLite: the write lock, live handlers retry), folds what arrived meanwhile, marks in each
durable's inbox the replayed events it has not handled yet, and puts the fresh tables in place of
the live ones in one transaction (switchover.py), so readers see the old figures or the new,
never a mix. Live handlers need no pause: what they handled before the switch is in the fresh
tables by the replay, what they had not is marked handled there, and what comes after the read
is theirs; each event counts once.

Alerts are records, not projections: they stay; crossings the rebuilt facts imply and no alert
records yet are raised afterwards (through the outbox, published by the service)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Table

from services.reporting.alerts.raising import evaluate_all
from services.reporting.alerts.rule import AlertRule
from services.reporting.projection.batch import lock
from services.reporting.rebuild.bulk import Folding, Tagged, bulk, count, fresh_tables
from services.reporting.rebuild.merge import event_id_of, merged
from services.reporting.rebuild.merge import tail as decode_tail
from services.reporting.rebuild.projections import SOURCES, live_tables
from services.reporting.rebuild.reader import Reader
from services.reporting.rebuild.replay import Counts, Replay
from services.reporting.rebuild.switchover import hold_writers, mark_handled, swap
from shared.bus import connect
from shared.db import Database
from shared.directory import Directory
from shared.streams import ConsumerDef


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
    """Replay the streams of every projection into fresh tables, switch over, then raise
    missing alerts; `advance(n)` as each batch of n messages of the bulk is projected."""
    with paused_gc():
        return await _rebuild(db, nats_url, directory, rule, batch, progress, advance)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """A replay keeps hundreds of thousands of objects alive (buffered events, pending deltas);
    the cyclic collector would rescan them all every few thousand allocations, which tripled
    the replay's CPU. Its objects form no cycles, so collect once at the end instead: only the
    youngest generation, where every object made during the pause still is (no collection ran
    to move it on); a full collection would rescan the whole heap as well, which cost a fifth
    of the bench's rebuild (the bench holds every event it published)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.collect(0)


async def _rebuild(
    db: Database,
    nats_url: str,
    directory: Directory,
    rule: AlertRule,
    batch: int,
    progress: Callable[[str], None],
    advance: Callable[[int], None],
) -> Result:
    started, counts = time.perf_counter(), Counts()
    fresh = await fresh_tables(db)
    folding = Folding(fresh, directory)
    reader = Reader(nats_url, tuple((c.stream, c.filter_subject) for c in SOURCES), batch)
    await bulk(db, reader, folding, counts, advance)
    progress(f"replayed {counts.events} ({counts.skipped} skipped); switching over")
    replayed = time.perf_counter()
    nc = await connect(nats_url, "zuofeng-reporting-rebuild")
    js = nc.jetstream()
    last = reader.last
    tail = [
        Replay(js, s.stream, s.filter_subject, Counts(), decode_tail(i), last.get(i, 0), True)
        for i, s in enumerate(SOURCES)
    ]
    try:
        unhandled = await _unhandled(js, last)  # read before the lock: it may be long
        await _switch(db, tail, folding, fresh, last, batch, counts, unhandled)
    finally:
        for replay in tail:
            await replay.stop()
        await nc.close()
    done = time.perf_counter()
    result = Result(counts.events, counts.skipped, done - started, done - replayed)
    result.alerts_raised = await _raise_missing_alerts(db, rule, directory)
    return result


async def _acked(js: JetStreamContext, source: ConsumerDef) -> int:
    """The durable's ack floor: everything up to it was handled live (claimed in the inbox,
    or not the handler's); 0 when the durable does not exist."""
    try:
        info = await js.consumer_info(source.stream, source.durable)
    except NotFoundError:
        return 0
    return int(info.ack_floor.stream_seq) if info.ack_floor else 0


async def _unhandled(js: JetStreamContext, last: dict[int, int]) -> list[tuple[str, str]]:
    """(durable, event id) of what the bulk read and the durable has not handled yet (after its
    ack floor): short when reporting keeps up, everything when its durables are new."""
    replays = []
    for i, source in enumerate(SOURCES):
        floor, until = await _acked(js, source), last.get(i, 0)
        if floor < until:
            decode = event_id_of(source.durable)
            replay = Replay(js, source.stream, source.filter_subject, Counts(), decode, floor)
            replay.until = until
            await replay.start()
            replays.append(replay)
    found: list[tuple[str, str]] = []
    try:
        async for values in merged(replays, 10_000):
            found += values
    finally:
        for replay in replays:
            await replay.stop()
    return found


async def _raise_missing_alerts(db: Database, rule: AlertRule, directory: Directory) -> int:
    async with db.sessions() as session, session.begin():
        await lock(session)
        return len(await evaluate_all(session, rule, directory))


async def _switch(
    db: Database,
    tail: list[Replay],
    folding: Folding,
    fresh: dict[str, Table],
    last: dict[int, int],
    size: int,
    counts: Counts,
    unhandled: list[tuple[str, str]],
) -> None:
    """Under the projection lock: fold what arrived since the bulk's read, mark in the inbox of
    each durable every replayed event it has not handled (`unhandled`, and what arrived), so live
    handling skips them after the switch, and put the fresh tables in place."""
    for replay in tail:
        await replay.start()
    async with db.sessions() as session, session.begin():
        await lock(session)
        await hold_writers(session, live_tables())
        for start in range(0, len(unhandled), 10_000):
            await mark_handled(session, unhandled[start : start + 10_000])
        for replay in tail:
            await replay.read_to_end()
        async for values in merged(tail, size):
            new: list[Tagged] = []
            seen: list[tuple[str, str]] = []
            for seq, (source, item) in values:
                if seq > last.get(source, 0):  # not read by the bulk
                    if item is None:
                        counts.skipped += 1
                        continue
                    count(counts, source)
                    new.append((source, item))
                if item is not None:
                    seen.append((SOURCES[source].durable, str(item[0].event_id)))
            await folding.batch(session, new)
            await mark_handled(session, seen)
        await folding.flush(session)
        await swap(session, [(live, fresh[live.name]) for live in live_tables()])
