"""The projection equals a brute-force recount for random case histories, whatever the order
the events arrive in and however often they are redelivered (PostgreSQL and SQLite)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting import handlers
from services.reporting.context import Context
from services.reporting.projection.batch import project
from services.reporting.projection.tables import LIVE
from services.reporting.rebuild import folds
from services.reporting.settings import ReportingSettings
from services.reporting.stats.city import stats
from shared.db import Database
from shared.directory import load_directory
from shared.events import Envelope, parse_payload
from tests.integration.test_reporting_harness import (
    BASE,
    COUNTIES,
    case_scripts,
    fresh_database,
    lone_report,
    recount,
    reset,
)

pytestmark = pytest.mark.integration
DIRECTORY = load_directory()
MIGRATED: set[str] = set()
SHAPES = [("county", "day"), ("unit", "day"), ("problem", "day"), ("channel", "day")]
SHAPES += [("period", "day"), ("period", "week"), ("period", "month")]
SLOW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def _database(url: str) -> Database:
    if url not in MIGRATED:
        MIGRATED.add(url)
        return await fresh_database(url)
    db = Database(url)
    await reset(db)
    return db


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Envelope], list[Envelope]]:
    """(the events once, the events as delivered: shuffled, some of them more than once)."""
    scripts = draw(st.lists(case_scripts(), min_size=1, max_size=5))
    events = [e for s in scripts for e in s.reports + s.events]
    for _ in range(draw(st.integers(0, 2))):
        hours = draw(st.integers(0, 24 * 40))
        events.append(lone_report(draw(st.sampled_from(COUNTIES)), BASE + timedelta(hours=hours)))
    again = draw(st.lists(st.sampled_from(events), max_size=6))
    delivered = draw(st.permutations(events + again))
    return events, delivered


async def _compare(db: Database, events: list[Envelope], rng: random.Random) -> None:
    days = sorted({e.occurred_at.date() for e in events})
    first, last = (days[0], days[-1]) if rng.random() < 0.5 else (None, None)
    if first and len(days) > 2:
        first, last = days[len(days) // 3], days[2 * len(days) // 3]
    async with db.sessions() as session:
        for group_by, period in SHAPES:
            got = await stats(session, group_by, period, first, last)  # type: ignore[arg-type]
            assert got == recount(events, group_by, period, first, last), (group_by, period)


@given(data=deliveries(), seed=st.integers(0, 1000))
@SLOW
async def test_live_projection_equals_recount(
    database_url: str, data: tuple[list[Envelope], list[Envelope]], seed: int
) -> None:
    """One event per transaction through the live handler (inbox, lock, alerts)."""
    events, delivered = data
    db = await _database(database_url)
    ctx = Context.build(ReportingSettings(), db, DIRECTORY)
    count_report = handlers.when_report_received_count_it(ctx)
    update_case = handlers.when_case_changes_update_facts(ctx)
    try:
        for envelope in delivered:
            handle = count_report if envelope.type.startswith("report") else update_case
            await handle([(envelope, parse_payload(envelope))])
        await _compare(db, events, random.Random(seed))
    finally:
        await db.dispose()


@given(data=deliveries(), sizes=st.lists(st.integers(1, 12), min_size=1), seed=st.integers())
@SLOW
async def test_batched_projection_equals_recount(
    database_url: str, data: tuple[list[Envelope], list[Envelope]], sizes: list[int], seed: int
) -> None:
    """Batches as a rebuild replays them, duplicates inside a batch and across batches."""
    events, delivered = data
    db = await _database(database_url)
    try:
        for batch in _batches(delivered, sizes):
            items: list[Any] = [(e, parse_payload(e)) for e in batch]
            async with db.sessions() as session, session.begin():
                await project(session, LIVE, items, DIRECTORY)
        await _compare(db, events, random.Random(seed))
    finally:
        await db.dispose()


@given(data=deliveries(), sizes=st.lists(st.integers(1, 12), min_size=1),
       every=st.integers(1, 30), rows=st.integers(1, 40), seed=st.integers())  # fmt: skip
@SLOW
async def test_rebuild_fold_equals_recount(
    database_url: str,
    data: tuple[list[Envelope], list[Envelope]],
    sizes: list[int],
    every: int,
    rows: int,
    seed: int,
) -> None:
    """The rebuild's fold (rebuild/folds.py: rows held between flushes, what they count worked
    out once per flush), flushed every few events and its rows let go past a few."""
    events, delivered = data
    db = await _database(database_url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(folds, "FLUSH_EVERY", every)
            patch.setattr(folds, "CACHE_ROWS", rows)
            fold = folds.Facts({t.name: t for t in LIVE.all()}, DIRECTORY)
        for batch in _batches(delivered, sizes):
            items: list[Any] = [(e, parse_payload(e)) for e in batch]
            async with db.sessions() as session, session.begin():
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(folds, "FLUSH_EVERY", every)
                    await fold.batch(session, items)
        async with db.sessions() as session, session.begin():
            await fold.flush(session)
        await _compare(db, events, random.Random(seed))
    finally:
        await db.dispose()


def _batches(events: list[Envelope], sizes: list[int]) -> list[list[Envelope]]:
    out, i, k = [], 0, 0
    while i < len(events):
        size = sizes[k % len(sizes)]
        out.append(events[i : i + size])
        i, k = i + size, k + 1
    return out
