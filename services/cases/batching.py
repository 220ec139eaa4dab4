"""Group commit of openings: the reports waiting at one moment open their cases in one
transaction, so under load many cases share one commit and a handful of statements.

Each message keeps its own fate: its handler awaits its report's outcome and acks or naks as
before. A report that may repeat an open case (or another report of the same batch) is left to
the one-by-one path after the batch commits, which looks for the repeat under its locks; a batch
that fails is retried report by report, so one report's problem never costs another its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import opening as op
from services.cases.models import case_history, case_reports, cases, deadlines
from services.cases.repeats import REPLIED, lock_keys, person_key, repeat_keys
from services.cases.service import CasesService
from shared import outbox
from shared.db import INBOX, one_of
from shared.dlq import describe_error
from shared.events import Envelope
from shared.events.intake import ReportReceived

log = logging.getLogger("zuofeng.cases")
MAX_BATCH = 256
OPEN = cases.c.status.notin_(REPLIED)
Single = Callable[[CasesService, Envelope, ReportReceived], Awaitable[None]]


@dataclass
class Item:
    """One report waiting to be written, and the future its handler awaits."""

    source: Envelope
    report: ReportReceived
    opening: op.Opening
    keys: list[str]
    done: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def person(self) -> str | None:
        return person_key(self.report.subject_person)


class OpeningBatcher:
    """Collects concurrent openings; one writer task at a time drains them in batches."""

    def __init__(self, service: CasesService, consumer: str, single: Single) -> None:
        self.service, self.consumer, self.single = service, consumer, single
        self.waiting: list[Item] = []
        self.writer: asyncio.Task[None] | None = None

    async def open(self, source: Envelope, report: ReportReceived) -> None:
        """Open (or, by the one-by-one path, link) the report's case; raises if that failed."""
        opening = op.decide_opening(report, self.service.directory, self.service.profiles)
        keys = repeat_keys(
            report.county, opening.event.problem, opening.event.subject_unit_id,
            person_key(report.subject_person), report.reporter_index,
        )  # fmt: skip
        item = Item(source, report, opening, keys)
        self.waiting.append(item)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._drain())
        if not await item.done:  # left to the one-by-one path
            await self.single(self.service, source, report)

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            try:
                written = await self._write(batch)
            except Exception as exc:  # noqa: BLE001 - each report then goes on its own
                log.warning("batch of %s failed, one by one: %s", len(batch), describe_error(exc))
                written = set()
            for item in batch:
                if not item.done.done():
                    item.done.set_result(id(item) in written)

    async def _write(self, batch: list[Item]) -> set[int]:
        lock = self.service.write_lock if self.service.db.is_sqlite else None
        async with (
            lock or contextlib.nullcontext(),
            self.service.db.sessions() as session,
            session.begin(),
        ):
            fresh = await self._fresh(session, batch)
            await lock_keys(session, [k for item in fresh for k in item.keys])
            mine = _first_of_each_matter(fresh, await _open_matters(session, fresh))
            await self._insert(session, mine)
        return {id(item) for item in mine}

    async def _fresh(self, session: AsyncSession, batch: list[Item]) -> list[Item]:
        """Reports neither processed (this event) nor linked (this report) yet, once each."""
        ids = [str(item.source.event_id) for item in batch]
        seen = await session.execute(
            select(INBOX.c.event_id).where(
                INBOX.c.consumer == self.consumer, one_of(session, INBOX.c.event_id, ids)
            )
        )
        done = set(seen.scalars())
        reports = [item.report.report_id for item in batch]
        linked = await session.execute(
            select(case_reports.c.report_id).where(
                one_of(session, case_reports.c.report_id, reports)
            )
        )
        done |= set(linked.scalars())
        fresh: dict[str, Item] = {}
        for item in batch:
            if str(item.source.event_id) not in done and item.report.report_id not in done:
                fresh.setdefault(item.report.report_id, item)
        return list(fresh.values())

    async def _insert(self, session: AsyncSession, items: list[Item]) -> None:
        if not items:
            return
        now = self.service.now()
        processed = [
            {"consumer": self.consumer, "event_id": str(i.source.event_id), "processed_at": now}
            for i in items
        ]
        envelopes = [_envelope(item, now) for item in items]
        await session.execute(insert(INBOX), processed)
        await session.execute(insert(cases), [op.case_row(i.report, i.opening, now) for i in items])
        await session.execute(
            insert(case_reports), [op.report_row(i.report, i.opening, now) for i in items]
        )
        clocks = [op.clock_row(i.opening.case_id, c) for i in items for c in i.opening.clocks]
        await session.execute(insert(deadlines), clocks)
        history = [op.history_row(i.opening, e, now) for i, e in zip(items, envelopes, strict=True)]
        await session.execute(insert(case_history), history)
        await outbox.add_many(session, envelopes)


def _envelope(item: Item, now: datetime) -> Envelope:
    return op.opening_envelope(item.source, item.report, item.opening, now)


async def _open_matters(session: AsyncSession, items: list[Item]) -> set[str]:
    """The repeat keys of open cases any of these reports may repeat (over-inclusive is safe:
    such a report only goes the careful one-by-one way)."""
    event = [(i.report.county, i.opening.event.problem) for i in items]
    units = {(*e, i.opening.event.subject_unit_id) for e, i in zip(event, items, strict=True)}
    people = {(*e, i.person) for e, i in zip(event, items, strict=True)}
    reporters = {i.report.reporter_index for i in items if i.report.reporter_index}
    found = await _matching(session, "unit", cases.c.accused_unit, units)
    found |= await _matching(session, "person", cases.c.subject_person_key, people)
    if reporters:
        joined = case_reports.join(cases, and_(cases.c.id == case_reports.c.case_id, OPEN))
        query = select(case_reports.c.reporter_index).select_from(joined)
        query = query.where(one_of(session, case_reports.c.reporter_index, reporters))
        found |= {f"reporter|{r}" for r in (await session.execute(query)).scalars()}
    return found


async def _matching(
    session: AsyncSession, kind: str, accused: Any, wanted: set[tuple[Any, ...]]
) -> set[str]:
    """Keys `kind|county|problem|accused` of open cases matching one of `wanted`."""
    wanted = {w for w in wanted if w[1] is not None and w[2]}
    if not wanted:
        return set()
    columns = (cases.c.county, cases.c.problem, accused)
    query = select(*columns).where(OPEN, tuple_(*columns).in_(wanted))
    return {f"{kind}|{c}|{p}|{a}" for c, p, a in (await session.execute(query)).all()}


def _first_of_each_matter(items: list[Item], open_matters: set[str]) -> list[Item]:
    """The reports that surely open a new case: no open case shares a repeat key with them, nor
    does an earlier report of this batch."""
    taken = set(open_matters)
    mine = []
    for item in items:
        if not taken & set(item.keys):
            mine.append(item)
        taken |= set(item.keys)
    return mine
