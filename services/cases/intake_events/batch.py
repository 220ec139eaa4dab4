"""Reports to cases, a batch at a time (a single event is a batch of one): the reports waiting
at one moment open their cases in one transaction, so under load many cases share one commit
and a handful of statements.

In that transaction: the events not seen yet are claimed in the inbox, a report already linked
(re-sent under a new event id) is skipped, the repeat keys are locked, and each report, in
order, either opens a case or joins the open case it repeats (`matters.py`), a new case of the
same batch included. A batch that fails is handed back report by report by the bus, so one
report's problem never costs another its place.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, store, transactions
from services.cases.context import Context
from services.cases.intake_events import rows
from services.cases.intake_events.matters import Matter, oldest_repeated, person_key
from services.cases.intake_events.open_cases import lock_keys, open_matters
from services.cases.intake_events.opening import Opening, decide_opening
from services.cases.models import case_history, case_reports, cases, deadlines
from shared import inbox, outbox
from shared.db import one_of
from shared.events import Envelope
from shared.events.intake import ReportReceived
from shared.streams import CASES_REPORTS

log = logging.getLogger("zuofeng.cases")


@dataclass
class Arrival:
    """One report of the batch, what it would open, and what it is about."""

    source: Envelope
    report: ReportReceived
    opening: Opening
    matter: Matter


def arrival(ctx: Context, source: Envelope, report: ReportReceived) -> Arrival:
    opening = decide_opening(report, ctx.directory, ctx.profiles)
    event = opening.event
    reporters = {report.reporter_index} if report.reporter_index else set()
    person = person_key(report.subject_person)
    matter = Matter(report.county, event.problem, event.subject_unit_id, person, reporters)
    return Arrival(source, report, opening, matter)


async def receive_reports(
    ctx: Context, received: Sequence[tuple[Envelope, ReportReceived]]
) -> None:
    """Open a case routed away from the accused for each report, or link it to the case it
    repeats; redelivered events and re-sent reports change nothing."""
    arrivals = [arrival(ctx, source, report) for source, report in received]

    async def work(session: AsyncSession) -> tuple[list[Arrival], list[tuple[Arrival, str]]]:
        fresh = await _fresh(session, arrivals)
        await lock_keys(session, [key for a in fresh for key in a.matter.lock_keys()])
        known = await open_matters(session, [a.matter for a in fresh])
        opened, merged = _sort_out(fresh, known)
        await _open(session, ctx, opened)
        for a, case_id in sorted(merged, key=lambda m: m[1]):  # row locks in one order
            await _merge(session, ctx, a, case_id)
        return opened, merged

    opened, merged = await transactions.retrying(ctx, work, one_writer=True)
    # One line per report, after the commit, with its ids (nothing about the reporter).
    for a, case_id, said in [(a, a.opening.case_id, "case opened") for a in opened] + [
        (a, case_id, "report merged into a case") for a, case_id in merged
    ]:
        ids = {"case_id": case_id, "report_id": a.report.report_id, "county": a.report.county}
        log.info(said, extra=ids | {"event_id": str(a.source.event_id)})


async def _fresh(session: AsyncSession, arrivals: list[Arrival]) -> list[Arrival]:
    """Reports neither processed (this event: claimed now) nor linked (this report), once each."""
    items = [(a.source, a) for a in arrivals]
    claimed = [a for _, a in await inbox.claim_many(session, CASES_REPORTS.durable, items)]
    reports = [a.report.report_id for a in claimed]
    linked = await session.execute(
        select(case_reports.c.report_id).where(one_of(session, case_reports.c.report_id, reports))
    )
    done = set(linked.scalars())
    fresh: dict[str, Arrival] = {}
    for a in claimed:
        if a.report.report_id not in done:
            fresh.setdefault(a.report.report_id, a)
    return list(fresh.values())


def _sort_out(
    fresh: list[Arrival], known: list[Matter]
) -> tuple[list[Arrival], list[tuple[Arrival, str]]]:
    """In order: the reports that open a case, and those joining one (with its id)."""
    opened: list[Arrival] = []
    merged: list[tuple[Arrival, str]] = []
    for a in fresh:
        case = oldest_repeated(a.matter, known)
        if case is None:
            opened.append(a)
            new = replace(a.matter, reporters=set(a.matter.reporters))
            new.case_id, new.received_at = a.opening.case_id, a.report.received_at
            known.append(new)  # a later report of the batch may repeat it
        else:
            merged.append((a, case.case_id))
            case.reporters |= a.matter.reporters
    return opened, merged


async def _open(session: AsyncSession, ctx: Context, opened: list[Arrival]) -> None:
    """Write the cases, their report links, clocks, first history entries and `case.opened`."""
    if not opened:
        return
    now = ctx.now()
    envelopes = [rows.opening_envelope(a.source, a.report, a.opening, now) for a in opened]
    await session.execute(insert(cases), [rows.case_row(a.report, a.opening, now) for a in opened])
    links = [rows.report_row(a.report, a.opening.case_id, now) for a in opened]
    await session.execute(insert(case_reports), links)
    clocks = [rows.clock_row(a.opening.case_id, c) for a in opened for c in a.opening.clocks]
    await session.execute(insert(deadlines), clocks)
    history = [rows.history_row(a.opening, e, now) for a, e in zip(opened, envelopes, strict=True)]
    await session.execute(insert(case_history), history)
    await outbox.add_many(session, envelopes)


async def _merge(session: AsyncSession, ctx: Context, a: Arrival, case_id: str) -> None:
    """Link the repeat to its case and append `case.merged`."""
    case = await store.load(session, case_id, lock=True)
    assert case is not None, "a repeat was found, so the case exists"
    report = a.report
    link = rows.report_row(report, case_id, ctx.now(), role="merged")
    await session.execute(insert(case_reports).values(**link))
    entry = appending.Entry(
        "case.merged",
        {
            "merged_report_id": report.report_id,
            "channel": report.channel,
            "received_at": report.received_at,
        },
        # The repeat's own words are kept with the case (never published).
        {"content": report.content, "subject_person": report.subject_person},
    )
    cause = str(a.source.event_id)
    await appending.append(session, ctx, case, [entry], causation_id=cause)
