"""How a rebuild folds replayed events into the fresh copies of each projection's tables: the
live folds themselves, handed the fresh tables (and, for the facts, a row cache and pending
aggregate deltas written every so often)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.programmes.projection import fold as fold_programme
from services.reporting.programmes.projection import rows_of
from services.reporting.projection.batch import Item, flush, project
from services.reporting.projection.cache import Cache
from services.reporting.projection.tables import Tables
from services.reporting.projection.totals import Totals
from services.reporting.scorecards.recording import record as record_marks
from services.reporting.supervision import rechecks
from services.reporting.supervision.projection import apply as apply_supervision
from shared.directory import Directory
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

FLUSH_EVERY = 200_000  # events whose row changes and aggregate deltas wait in memory


CACHE_ROWS = 500_000  # fact rows kept between flushes (beyond: emptied, then read back)


Fresh = Mapping[str, Table]  # a live table's name -> its fresh copy


class Fold(Protocol):
    """A projection's fold into fresh tables, a batch at a time, in the caller's transaction."""

    async def batch(self, session: AsyncSession, items: list[Item]) -> None: ...

    async def flush(self, session: AsyncSession) -> None:
        """Write what is held in memory (the end of the bulk, the end of the switch)."""


class Facts:
    """Report and case facts, daily counts and latency histograms (`projection/batch.py`)."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.tables, self.directory = Tables.of(dict(fresh)), directory
        self.pending, self.cache, self.since_flush = Totals(), Cache(limit=CACHE_ROWS), 0

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        mine = [(e, p) for e, p in items if isinstance(p, ReportReceived | CaseEvent)]
        await project(session, self.tables, mine, self.directory, self.pending, self.cache)
        self.since_flush += len(mine)
        if self.since_flush >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        await self.cache.flush(session, self.tables)
        await flush(session, self.tables, self.pending)
        self.pending.clear()
        self.since_flush = 0


class Scorecards:
    """Marks and dues (`scorecards/recording.py`), in the order the events are replayed."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.marks, self.dues = fresh["scorecard_marks"], fresh["scorecard_dues"]
        self.directory = directory

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        await record_marks(session, items, self.directory, self.marks, self.dues)

    async def flush(self, session: AsyncSession) -> None:
        pass


class Rechecks:
    """回头看 steps, one row per event (`supervision/rechecks.py`)."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.table = fresh["sup_rechecks"]

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        await rechecks.record(session, items, self.table)

    async def flush(self, session: AsyncSession) -> None:
        pass


class Supervision:
    """Tasks, inspections and data requests (`supervision/projection.py`)."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.fresh = fresh

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        for _, payload in items:
            await apply_supervision(session, payload, self.fresh)

    async def flush(self, session: AsyncSession) -> None:
        pass


class Programmes:
    """The Women's Federation's villages, aid and items (`programmes/projection.py`)."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.fresh = fresh

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        for envelope, payload in items:
            found = rows_of(payload, envelope.sequence)
            if found is not None:
                await fold_programme(session, self.fresh[found[0].name], found[1])

    async def flush(self, session: AsyncSession) -> None:
        pass
