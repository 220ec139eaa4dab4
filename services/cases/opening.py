"""From report to case: classify, route away from the accused, start the clocks, and open the
case (or link a repeat report to the open case it repeats)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.models import case_history, cases, deadlines
from shared import outbox
from shared.classifier import classify
from shared.deadlines import Profiles
from shared.directory import Directory
from shared.events import Envelope, make_event
from shared.events.cases import CaseOpened, DeadlineInfo
from shared.events.intake import ReportReceived
from shared.routing import route

PRODUCER = "cases"
OPENING_CLOCKS = ("register_and_dispose", "accept_decision")


@dataclass(frozen=True)
class Opening:
    """Everything decided about a new case before it is written."""

    case_id: str
    handling_unit: str
    handling_county: str
    event: CaseOpened


def decide_opening(report: ReportReceived, directory: Directory, profiles: Profiles) -> Opening:
    """Pure: the case a report opens."""
    found = classify(report.content, report.category_hint)
    routing = route(
        directory,
        found.top,
        report.county,
        report.subject_unit_id,
        report.subject_unit,
        report.subject_is_head,
        report.channel,
    )
    # Unclassified reports, or ones no independent unit can take, go to the city office's triage.
    triage = found.unclassified or routing.handling_unit is None
    handling = directory.city_office().id if triage else routing.handling_unit
    assert handling is not None
    profile = profiles.for_channel(report.channel)
    clocks = tuple(_deadline(profile, key, report.received_at) for key in OPENING_CLOCKS)
    case_id = str(uuid.uuid4())
    top = found.candidates[0] if found.candidates else None
    event = CaseOpened(
        case_id=case_id,
        county=report.county,
        status="received",
        version=1,
        handling_unit=handling,
        problem=found.top,
        report_id=report.report_id,
        channel=report.channel,
        received_at=report.received_at,
        lead_unit=routing.lead_unit,
        co_units=tuple(routing.co_units),
        subject_unit_id=routing.accused_unit,
        problem_confidence=top.confidence if top and not found.unclassified else None,
        taxonomy_version=found.taxonomy_version,
        triage=triage,
        transfer_suggested=routing.transfer_to,
        deadlines=clocks,
    )
    return Opening(case_id, handling, directory.unit(handling).county, event)


def _deadline(profile, key: str, start: datetime) -> DeadlineInfo:  # type: ignore[no-untyped-def]
    deadline = profile.deadline(key, start)
    basis = deadline.basis.label if deadline.basis else ""
    return DeadlineInfo(kind=key, due=deadline.due, provisional=deadline.provisional, basis=basis)


async def already_opened(session: AsyncSession, report_id: str) -> bool:
    found = await session.execute(select(cases.c.id).where(cases.c.report_id == report_id))
    return found.first() is not None


async def open_case(
    session: AsyncSession, source: Envelope, report: ReportReceived, opening: Opening
) -> None:
    """Write the case, its first history entry, its deadlines and `case.opened` together."""
    e = opening.event
    now = source.occurred_at
    await session.execute(
        insert(cases).values(
            id=e.case_id,
            report_id=report.report_id,
            county=e.county,
            handling_county=opening.handling_county,
            handling_unit=e.handling_unit,
            lead_unit=e.lead_unit,
            co_units=list(e.co_units),
            accused_unit=e.subject_unit_id,
            status=e.status,
            version=1,
            problem=e.problem,
            problem_confidence=e.problem_confidence,
            taxonomy_version=e.taxonomy_version,
            channel=e.channel,
            triage=e.triage,
            exposed=False,
            overdue=False,
            transfer_suggested=e.transfer_suggested,
            content=report.content,
            subject_person=report.subject_person,
            subject_unit_text=report.subject_unit,
            identity_sealed=report.identity.model_dump_json() if report.identity else None,
            reporter_index=report.reporter_index,
            received_at=report.received_at,
            created_at=now,
            updated_at=now,
        )
    )
    for clock in e.deadlines:
        await session.execute(
            insert(deadlines).values(
                case_id=e.case_id,
                kind=clock.kind,
                due=clock.due,
                warn_at=None,
                provisional=clock.provisional,
                basis=clock.basis,
                state="running",
            )
        )
    envelope = make_event(
        e,
        county=opening.handling_county,
        aggregate_id=e.case_id,
        sequence=1,
        producer=PRODUCER,
        correlation_id=source.correlation_id or report.report_id,
        causation_id=str(source.event_id),
    )
    await session.execute(
        insert(case_history).values(
            case_id=e.case_id,
            sequence=1,
            event_id=str(envelope.event_id),
            event_type=e.type,
            at=envelope.occurred_at,
            actor_sub="system",
            actor_unit=None,
            data=e.model_dump(mode="json"),
            public=True,
        )
    )
    await outbox.add(session, envelope)
