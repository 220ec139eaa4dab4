"""A replay's fact rows kept in memory between batches (a rebuild writes each row once per flush,
not once per event)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection import storage
from services.reporting.projection.storage import Row
from services.reporting.projection.tables import Tables


@dataclass
class Cache:
    """A replay's fact rows kept between batches, written every so often instead of each batch.

    A rebuild rewrites each case's row about eight times (once per event); keeping the rows
    here turns that into one write per flush. While nothing was evicted (`complete`), every row
    of the fresh tables is here and the database is not read at all; past `limit` rows the
    cache is emptied after a flush and later batches read what they miss from the tables."""

    limit: int = 500_000
    cases: dict[str, Row] = field(default_factory=dict)
    reports: dict[str, Row] = field(default_factory=dict)
    reports_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dirty_cases: set[str] = field(default_factory=set)
    dirty_reports: set[str] = field(default_factory=set)
    complete: bool = True

    async def rows(
        self, session: AsyncSession, tables: Tables, case_ids: set[str], report_ids: set[str]
    ) -> tuple[dict[str, Row], dict[str, Row]]:
        """(cases, reports) as `project` loads them: the newest version of each."""
        reports: dict[str, Row] = {}
        cases: dict[str, Row] = {}
        if not self.complete:
            reports = await storage.load(session, tables.reports, report_ids, ("case_id", case_ids))
        linked_ids = set(report_ids)
        for case_id in case_ids:
            linked_ids |= self.reports_of.get(case_id, set())
        reports |= {k: self.reports[k] for k in linked_ids if k in self.reports}
        wanted = case_ids | {r["case_id"] for r in reports.values() if r["case_id"]}
        if not self.complete:
            cases = await storage.load(session, tables.cases, wanted - self.cases.keys())
        cases |= {k: self.cases[k] for k in wanted if k in self.cases}
        return cases, reports

    def keep(
        self,
        cases: dict[str, Row],
        reports: dict[str, Row],
        changed_cases: set[str],
        changed_reports: set[str],
    ) -> None:
        """Hold the batch's changed rows until `flush`."""
        for key in changed_cases:
            self.cases[key] = cases[key]
        for key in changed_reports:
            row = reports[key]
            self.reports[key] = row
            if row["case_id"]:
                self.reports_of[row["case_id"]].add(key)
        self.dirty_cases |= changed_cases
        self.dirty_reports |= changed_reports

    async def flush(self, session: AsyncSession, tables: Tables) -> None:
        await storage.upsert(
            session, tables.cases, [self.cases[k] for k in sorted(self.dirty_cases)]
        )
        rows = [self.reports[k] for k in sorted(self.dirty_reports)]
        await storage.upsert(session, tables.reports, rows)
        self.dirty_cases.clear()
        self.dirty_reports.clear()
        if len(self.cases) + len(self.reports) > self.limit:
            self.cases.clear()
            self.reports.clear()
            self.reports_of.clear()
            self.complete = False
