"""How a rebuild folds replayed events into the fresh copies of each projection's tables: the
live folds themselves, handed the fresh tables (and, for the facts, a row cache and pending
aggregate deltas written every so often)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.programmes import projection as programmes
from services.reporting.programmes.projection import rows_of
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.projection.batch import Item, flush, project
from services.reporting.projection.cache import Cache
from services.reporting.projection.tables import Tables
from services.reporting.projection.totals import Totals
from services.reporting.rebuild.held import Held, whole
from services.reporting.scorecards.marks import Dues
from services.reporting.scorecards.recording import fold as fold_marks
from services.reporting.supervision import projection as supervision
from services.reporting.supervision import rechecks
from shared.directory import Directory
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

FLUSH_EVERY = 200_000  # events whose row changes and aggregate deltas wait in memory


CACHE_ROWS = 500_000  # fact rows kept between flushes (beyond: emptied, then read back)


Fresh = Mapping[str, Table]  # a live table's name -> its fresh copy

DUE_KINDS = ("accept", "complete")  # the scorecards' dues of a case (scorecards/marks.py)
SUPERVISION_TABLES = tuple(supervision.TABLES)
PROGRAMME_TABLES = (prog_villages, prog_aid, prog_items)


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
    """Marks and dues (`scorecards/recording.py`), in the order the events are replayed: every
    case's dues stay in memory for the whole rebuild (written once per flush, the last ones at
    the switch), the marks wait for the flush."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.marks = Held(fresh["scorecard_marks"], 0)  # never read back: let go at each flush
        self.dues = Held(fresh["scorecard_dues"], CACHE_ROWS)
        self.directory = directory

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        events = [(e, p) for e, p in items if isinstance(p, CaseEvent)]
        case_ids = {p.case_id for _, p in events}
        await self.dues.load(session, [(c, k) for c in case_ids for k in DUE_KINDS])
        dues: dict[str, Dues] = {}
        for case_id in case_ids:
            held = ((k, self.dues.get((case_id, k))) for k in DUE_KINDS)
            dues[case_id] = {k: row["due"] for k, row in held if row is not None}
        before = {c: dict(d) for c, d in dues.items()}
        for mark in fold_marks(events, dues, self.directory):
            self.marks.put(mark)
        for case_id, kinds in dues.items():
            for kind, due in kinds.items():
                if before[case_id].get(kind) != due:
                    self.dues.put({"case_id": case_id, "kind": kind, "due": due})
        if self.marks.pending() + self.dues.pending() >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        await self.marks.flush(session)
        await self.dues.flush(session)


class Rechecks:
    """回头看 steps, one row per event (`supervision/rechecks.py`), each event's once."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.held = Held(fresh["sup_rechecks"], CACHE_ROWS)

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        rows = rechecks.rows_of(items)
        await self.held.load(session, [(row["event_id"],) for row in rows])
        for row in rows:
            if self.held.get((row["event_id"],)) is None:
                self.held.put(row)
        if self.held.pending() >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        await self.held.flush(session)


class Supervision:
    """Tasks, inspections and data requests (`supervision/projection.py`), each one's row kept
    in memory and moved on by the live handler's own rules."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.held = {name: Held(fresh[name], CACHE_ROWS) for name in SUPERVISION_TABLES}

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        changes = [c for c in (supervision.change_of(p) for _, p in items) if c is not None]
        for name, held in self.held.items():
            await held.load(session, [(row[key],) for n, key, row, _ in changes if n == name])
        for name, key, row, found in changes:
            held = self.held[name]
            after = supervision.merged(name, held.get((row[key],)), row, found)
            if after is not None:
                held.put(whole(held.table, after))
        if sum(held.pending() for held in self.held.values()) >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        for held in self.held.values():
            await held.flush(session)


class Programmes:
    """The Women's Federation's villages, aid and items (`programmes/projection.py`), each row
    kept in memory and moved on by the live handler's own rules."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.held = {t.name: Held(fresh[t.name], CACHE_ROWS) for t in PROGRAMME_TABLES}

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        found = [f for f in (rows_of(p, e.sequence) for e, p in items) if f is not None]
        for name, held in self.held.items():
            await held.load(session, [held.key(row) for table, row in found if table.name == name])
        for table, row in found:
            held = self.held[table.name]
            current = held.get(held.key(row))
            if current is None:
                held.put(whole(table, programmes.first(table, row)))
                continue
            values = programmes.changes(table, current, row)
            if values:
                held.put(current | values)
        if sum(held.pending() for held in self.held.values()) >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        for held in self.held.values():
            await held.flush(session)
