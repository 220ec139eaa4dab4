"""Use cases driven by intake's events: a report opens a case or joins the one it repeats; a
review request reopens a replied case inside its window. Both idempotent: the event id is
claimed in the same transaction, and a report already linked is not linked again."""

from __future__ import annotations

import logging

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import store
from services.cases.clocks import plan
from services.cases.domain import SYSTEM_ACTOR, Action, Status, decide
from services.cases.models import case_reports
from services.cases.opening import already_linked, decide_opening, open_case
from services.cases.repeats import find_repeat, lock_keys, person_key, repeat_keys
from services.cases.service import CasesService
from shared import inbox
from shared.events import Envelope
from shared.events.intake import ReportReceived, ReportReviewRequested
from shared.streams import CASES_REPORTS

CONSUMER = CASES_REPORTS.durable
log = logging.getLogger("zuofeng.cases")


async def receive_report(service: CasesService, source: Envelope, report: ReportReceived) -> None:
    """Open a case routed away from the accused, or link the report to the case it repeats."""
    opening = decide_opening(report, service.directory, service.profiles)
    person = person_key(report.subject_person)
    accused, problem = opening.event.subject_unit_id, opening.event.problem
    keys = repeat_keys(report.county, problem, accused, person, report.reporter_index)

    async def work(session: AsyncSession) -> str | None:
        if not await inbox.claim(session, CONSUMER, str(source.event_id)):
            return None
        if await already_linked(session, report.report_id):
            return None  # the same report re-sent under a new event id
        await lock_keys(session, keys)
        found = await find_repeat(
            session, report.county, problem, accused, person, report.reporter_index
        )
        if found is None:
            await open_case(session, source, report, opening, service.now())
            return opening.case_id
        await _merge(session, service, source, report, found)
        return found

    case_id = await store.retrying(service, work, one_writer=True)
    if case_id is not None:
        log.info("report linked", extra={"event_id": str(source.event_id), "case_id": case_id})


async def _merge(
    session: AsyncSession,
    service: CasesService,
    source: Envelope,
    report: ReportReceived,
    case_id: str,
) -> None:
    case = await store.load(session, case_id, lock=True)
    assert case is not None, "a repeat was found, so the case exists"
    await session.execute(
        insert(case_reports).values(
            report_id=report.report_id,
            case_id=case_id,
            role="merged",
            channel=report.channel,
            reporter_index=report.reporter_index,
            received_at=report.received_at,
            linked_at=service.now(),
        )
    )
    entry = store.Entry(
        "case.merged",
        {
            "merged_report_id": report.report_id,
            "channel": report.channel,
            "received_at": report.received_at,
        },
        # The repeat's own words are kept with the case (never published).
        {"content": report.content, "subject_person": report.subject_person},
    )
    await store.append(session, service, case, [entry], causation_id=str(source.event_id))


async def review_requested(
    service: CasesService, source: Envelope, request: ReportReviewRequested
) -> None:
    """Reopen the case when the reporter asked within the review window; else note the refusal."""

    async def work(session: AsyncSession) -> None:
        if await inbox.claim(session, CONSUMER, str(source.event_id)):
            await _review(session, service, source, request)

    await store.retrying(service, work)


async def _review(
    session: AsyncSession, service: CasesService, source: Envelope, request: ReportReviewRequested
) -> None:
    case_id = request.case_id or await _case_of(session, request.report_id)
    case = await store.load(session, case_id, lock=True) if case_id else None
    if case is None:
        log.warning("review request for an unknown case", extra={"event_id": str(source.event_id)})
        return
    window = case.clocks.get("review_request")
    replied = case.state.status in (Status.CLOSED, Status.REJECTED)
    inside = window is not None and window.state == "running" and request.requested_at <= window.due
    internal = {"reason": request.reason, "report_id": request.report_id}
    if not (replied and inside):
        why = "the case is not replied" if not replied else "outside the review window"
        refused = store.Entry("case.review_refused", {}, {**internal, "why": why})
        await store.append(session, service, case, [refused], causation_id=str(source.event_id))
        return
    decision = decide(case.state, SYSTEM_ACTOR, Action.REOPEN, {"reason": request.reason})
    profile = service.profile(case.row["channel"])
    clocks = plan(decision.event_type, decision.data, case.clocks, service.now(), profile)
    entry = store.Entry(decision.event_type, {**decision.data, **clocks.extras}, internal)
    cause = str(source.event_id)
    await store.append(session, service, case, [entry], clocks.clocks, causation_id=cause)


async def _case_of(session: AsyncSession, report_id: str) -> str | None:
    found = await session.execute(
        select(case_reports.c.case_id).where(case_reports.c.report_id == report_id)
    )
    return found.scalar()
