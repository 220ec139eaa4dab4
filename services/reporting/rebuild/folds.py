"""How a rebuild folds replayed events into the fresh copies of each projection's tables: the
live folds themselves, handed the fresh tables (and, for the facts, a row cache and pending
aggregate deltas written every so often)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.programmes import projection as programmes
from services.reporting.programmes.projection import rows_of
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.projection import storage
from services.reporting.projection.batch import Item, flush, fold_rows, report_parts_in
from services.reporting.projection.cache import Cache
from services.reporting.projection.contributions import Parts, case_parts, report_parts
from services.reporting.projection.storage import Row
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

SUPERVISION_TABLES = tuple(supervision.TABLES)
PROGRAMME_TABLES = (prog_villages, prog_aid, prog_items)


class Fold(Protocol):
    """A projection's fold into fresh tables, a batch at a time, in the caller's transaction."""

    async def batch(self, session: AsyncSession, items: list[Item]) -> None: ...

    async def flush(self, session: AsyncSession) -> None:
        """Write what is held in memory (the end of the bulk, the end of the switch)."""


class Facts:
    """Report and case facts, daily counts and latency histograms (`projection/batch.py`).

    Live, each batch adds what its rows count after it less what they counted before. Here the
    rows stay in the cache between flushes, so that difference is taken once per flush instead:
    what a row counted when a batch first changed it since the last flush, against what it
    counts at the flush (the sum of the per-batch differences, without working out each row's
    counts twice per event)."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.tables, self.directory = Tables.of(dict(fresh)), directory
        self.pending, self.cache, self.since_flush = Totals(), Cache(limit=CACHE_ROWS), 0
        self.cases_counted: dict[str, Parts | None] = {}  # at the first change since the flush
        self.reports_counted: dict[str, Parts | None] = {}
        self.cases_now: dict[str, Row] = {}  # the newest row of each changed since the flush
        self.reports_now: dict[str, tuple[Row, Row | None]] = {}  # with its case's row

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        mine = [(e, p) for e, p in items if isinstance(p, ReportReceived | CaseEvent)]
        step = await fold_rows(session, self.tables, mine, self.directory, self.cache)
        (cases_before, reports_before), (cases, reports) = step.before, step.after
        for case_id in step.changed_cases:
            if case_id not in self.cases_counted:
                self.cases_counted[case_id] = case_parts(cases_before.get(case_id))
            self.cases_now[case_id] = cases[case_id]
        for report_id in step.moved:
            if report_id not in self.reports_counted:
                counted = report_parts_in(reports_before, cases_before, report_id)
                self.reports_counted[report_id] = counted
            report = reports[report_id]
            self.reports_now[report_id] = (report, cases.get(report["case_id"] or ""))
        self.cache.keep(cases, reports, step.changed_cases, step.changed_reports)
        self.since_flush += len(mine)
        if self.since_flush >= FLUSH_EVERY:
            await self.flush(session)

    async def flush(self, session: AsyncSession) -> None:
        for case_id, counted in self.cases_counted.items():
            self.pending.change(counted, case_parts(self.cases_now[case_id]))
        for report_id, counted in self.reports_counted.items():
            self.pending.change(counted, report_parts(*self.reports_now[report_id]))
        for held in (self.cases_counted, self.reports_counted, self.cases_now, self.reports_now):
            held.clear()
        await self.cache.flush(session, self.tables)
        await flush(session, self.tables, self.pending)
        self.pending.clear()
        self.since_flush = 0


class Scorecards:
    """Marks and dues (`scorecards/recording.py`), in the order the events are replayed: every
    case's dues stay in memory for the whole rebuild, as the fold reads and moves them (written
    once per flush, the last ones at the switch); the marks wait for the flush."""

    def __init__(self, fresh: Fresh, directory: Directory) -> None:
        self.marks = Held(fresh["scorecard_marks"], 0)  # never read back: let go at each flush
        self.table, self.directory = fresh["scorecard_dues"], directory
        self.dues: dict[str, Dues] = {}  # by case
        self.dirty: set[str] = set()  # cases whose dues the table does not have yet
        self.complete = True  # every case's dues are in `dues` (none let go)

    async def batch(self, session: AsyncSession, items: list[Item]) -> None:
        events = [(e, p) for e, p in items if isinstance(p, CaseEvent)]
        case_ids = {p.case_id for _, p in events}
        if not self.complete:
            await self._load(session, case_ids - self.dues.keys())
        for mark in fold_marks(events, self.dues, self.directory):
            self.marks.put(mark)
        self.dirty |= case_ids  # written once per flush, changed or not
        if self.marks.pending() + len(self.dirty) >= FLUSH_EVERY:
            await self.flush(session)

    async def _load(self, session: AsyncSession, case_ids: set[str]) -> None:
        wanted = sorted(case_ids)
        for start in range(0, len(wanted), 5000):
            where = self.table.c.case_id.in_(wanted[start : start + 5000])
            for row in await session.execute(select(self.table).where(where)):
                self.dues.setdefault(row.case_id, {})[row.kind] = row.due

    async def flush(self, session: AsyncSession) -> None:
        await self.marks.flush(session)
        rows = [
            {"case_id": case_id, "kind": kind, "due": due}
            for case_id in self.dirty
            for kind, due in self.dues.get(case_id, {}).items()
        ]
        await storage.upsert(session, self.table, rows)
        self.dirty.clear()
        if len(self.dues) > CACHE_ROWS:
            self.dues.clear()
            self.complete = False


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
