"""A rebuild folds the scorecards, re-checks, supervision and programme tables in memory
(rebuild/folds.py, rebuild/held.py) instead of through the live handlers' per-event SQL: what it
writes must equal what the live handlers write for the same events, whatever their order across
aggregates, repeated ones included, with the rows held in memory or let go between flushes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.reporting.programmes.projection import fold as fold_programme
from services.reporting.programmes.projection import rows_of
from services.reporting.rebuild import folds
from services.reporting.rebuild.bulk import Folding, fresh_tables
from services.reporting.rebuild.projections import PROJECTIONS, SOURCES
from services.reporting.scorecards.recording import record as record_marks
from services.reporting.supervision import rechecks
from services.reporting.supervision.projection import apply as apply_supervision
from shared.db import Database
from shared.directory import load_directory
from shared.events import Envelope, parse_payload
from shared.streams import stream_for_subject
from shared.subjects import event_subject
from tests.integration.test_reporting_harness import everything, fresh_database, world
from tests.sections_world import federation_events, supervision_events

pytestmark = pytest.mark.integration
DIRECTORY = load_directory()
FOLDED = [p for p in PROJECTIONS if p.name != "facts"]  # the facts have their own tests


def _events() -> list[Envelope]:
    """Case events in each case's order; the supervision and federation events shuffled (their
    read models keep the newest version or sequence whatever comes first) and some sent twice."""
    rng = random.Random(3)
    cases = [e for e in everything(world(rng, cases=25)) if e.type.startswith("case.")]
    others = supervision_events() + federation_events()
    others += rng.sample(others, 6)  # redelivered: the inbox or the rebuild drops them
    rng.shuffle(others)
    return cases + others


async def _live(db: Database, events: list[Envelope]) -> None:
    """What the live handlers do with each event once (their inbox drops the repeats)."""
    seen: set[Any] = set()
    for envelope in events:
        if envelope.event_id in seen:
            continue
        seen.add(envelope.event_id)
        items = [(envelope, parse_payload(envelope))]
        async with db.sessions() as session, session.begin():
            await record_marks(session, items, DIRECTORY)
            await rechecks.record(session, items)
            await apply_supervision(session, items[0][1])
            found = rows_of(items[0][1], envelope.sequence)
            if found is not None:
                await fold_programme(session, *found)


async def _rows(db: Database, tables: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    async with db.sessions() as session:
        return {
            t.name.removesuffix("__rebuild"): sorted(
                tuple(row) for row in await session.execute(select(t))
            )
            for t in tables
        }


@pytest.mark.parametrize("evicting", [False, True], ids=["rows-in-memory", "rows-evicted"])
async def test_the_folds_in_memory_write_what_the_live_handlers_write(
    database_url: str, tmp_path: Path, evicting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if evicting:  # flush every few batches and let the held rows go each time
        monkeypatch.setattr(folds, "FLUSH_EVERY", 4)
        monkeypatch.setattr(folds, "CACHE_ROWS", 3)
    events = _events()
    db = await fresh_database(database_url)
    try:
        await _live(db, events)
        fresh = await fresh_tables(db)
        folding = Folding(fresh, DIRECTORY)
        folding.folds = [f for f, p in zip(folding.folds, PROJECTIONS, strict=True) if p in FOLDED]
        durable = {c.stream: SOURCES.index(c) for p in FOLDED for c in p.consumers}
        tagged = [(durable[_stream(e)], (e, parse_payload(e))) for e in events]
        for start in range(0, len(tagged), 7):
            async with db.sessions() as session, session.begin():
                await folding.batch(session, tagged[start : start + 7])
        async with db.sessions() as session, session.begin():
            await folding.flush(session)
        live = [t for p in FOLDED for t in p.tables]
        expected = await _rows(db, live)
        assert expected["scorecard_marks"] and expected["sup_rechecks"] and expected["prog_aid"]
        assert expected["sup_inspections"] and expected["sup_tasks"]
        assert await _rows(db, [fresh[t.name] for t in live]) == expected
    finally:
        await db.dispose()


def _stream(envelope: Envelope) -> str:
    return stream_for_subject(event_subject(envelope.county, envelope.type))
