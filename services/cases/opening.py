"""From report to case: classify, route away from the accused, start the clocks, and open the
case — or link a repeat report to the open case it repeats (`repeats.py`)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.clocks import OPENING, Clock, start
from services.cases.models import case_history, case_reports, cases, deadlines
from services.cases.repeats import person_key
from services.cases.store import PRODUCER
from shared import outbox
from shared.classifier import Classification, classify
from shared.deadlines import Profiles
from shared.directory import Directory
from shared.events import Envelope, make_event
from shared.events.cases import CaseOpened
from shared.events.intake import ReportReceived
from shared.routing import Routing, route


@dataclass(frozen=True)
class Opening:
    """Everything decided about a new case before it is written."""

    case_id: str
    handling_unit: str
    handling_county: str
    event: CaseOpened
    clocks: tuple[Clock, ...]
    reasons: tuple[str, ...]  # routing's, for the case's internal history


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
        report_text=(report.content, report.title),
    )
    # Unclassified reports, ones naming a unit the directory does not know, or ones no
    # independent unit can take go to the city office's triage (its stand-in if it is accused).
    triage = found.unclassified or routing.unresolved_unit or routing.handling_unit is None
    city = directory.city_office().id
    handling = (routing.triage_unit or city) if triage else routing.handling_unit
    assert handling is not None
    profile = profiles.for_channel(report.channel)
    clocks = tuple(start(profile, key, report.received_at) for key in OPENING)
    event = _opened(report, found, routing, handling, triage, clocks)
    county = directory.unit(handling).county
    return Opening(event.case_id, handling, county, event, clocks, tuple(routing.reasons))


def _opened(
    report: ReportReceived,
    found: Classification,
    routing: Routing,
    handling: str,
    triage: bool,
    clocks: tuple[Clock, ...],
) -> CaseOpened:
    top = found.candidates[0] if found.candidates else None
    return CaseOpened(
        case_id=str(uuid.uuid4()),
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
        subject_unit_ids=tuple(routing.accused_units),
        problem_confidence=top.confidence if top and not found.unclassified else None,
        taxonomy_version=found.taxonomy_version,
        triage=triage,
        transfer_suggested=routing.transfer_to,
        deadlines=tuple(c.info() for c in clocks),
    )


async def already_linked(session: AsyncSession, report_id: str) -> bool:
    """Whether the report already opened a case or joined one (a re-send under a new id)."""
    found = await session.execute(
        select(case_reports.c.case_id).where(case_reports.c.report_id == report_id)
    )
    return found.first() is not None


async def open_case(
    session: AsyncSession,
    source: Envelope,
    report: ReportReceived,
    opening: Opening,
    now: datetime,
) -> None:
    """Write the case, its report link, its clocks, its first history entry and `case.opened`."""
    envelope = opening_envelope(source, report, opening, now)
    await session.execute(insert(cases).values(**case_row(report, opening, now)))
    await session.execute(insert(case_reports).values(**report_row(report, opening, now)))
    clocks = [clock_row(opening.case_id, clock) for clock in opening.clocks]
    await session.execute(insert(deadlines), clocks)
    await session.execute(insert(case_history).values(**history_row(opening, envelope, now)))
    await outbox.add(session, envelope)


def opening_envelope(
    source: Envelope, report: ReportReceived, opening: Opening, now: datetime
) -> Envelope:
    """`case.opened` under the handling unit's county, caused by the report's event."""
    return make_event(
        opening.event,
        county=opening.handling_county,
        aggregate_id=opening.case_id,
        sequence=1,
        producer=PRODUCER,
        correlation_id=source.correlation_id or report.report_id,
        causation_id=str(source.event_id),
        occurred_at=now,
    )


def history_row(opening: Opening, envelope: Envelope, now: datetime) -> dict[str, object]:
    return {
        "case_id": opening.case_id,
        "sequence": 1,
        "version": 1,
        "event_id": str(envelope.event_id),
        "event_type": envelope.type,
        "at": now,
        "actor_sub": "system",
        "actor_unit": None,
        "data": envelope.data,
        "internal": {"routing": list(opening.reasons)},
        "public": True,
    }


def report_row(report: ReportReceived, opening: Opening, now: datetime) -> dict[str, object]:
    return {
        "report_id": report.report_id,
        "case_id": opening.case_id,
        "role": "opened",
        "channel": report.channel,
        "reporter_index": report.reporter_index,
        "received_at": report.received_at,
        "linked_at": now,
    }


def case_row(report: ReportReceived, opening: Opening, now: datetime) -> dict[str, object]:
    e = opening.event
    return {
        "id": e.case_id,
        "report_id": report.report_id,
        "county": e.county,
        "handling_county": opening.handling_county,
        "handling_unit": e.handling_unit,
        "lead_unit": e.lead_unit,
        "co_units": list(e.co_units),
        "accused_unit": e.subject_unit_id,
        "accused_units": json.dumps(list(e.subject_unit_ids)) if e.subject_unit_ids else None,
        "status": e.status,
        "version": 1,
        "entries": 1,
        "problem": e.problem,
        "problem_confidence": e.problem_confidence,
        "taxonomy_version": e.taxonomy_version,
        "channel": e.channel,
        "triage": e.triage,
        "exposed": False,
        "overdue": False,
        "transfer_suggested": e.transfer_suggested,
        "content": report.content,
        "subject_person": report.subject_person,
        "subject_person_key": person_key(report.subject_person),
        "subject_unit_text": report.subject_unit,
        "subject_is_head": report.subject_is_head,
        "identity_sealed": report.identity.model_dump_json() if report.identity else None,
        "reporter_index": report.reporter_index,
        "received_at": report.received_at,
        "created_at": now,
        "updated_at": now,
    }


def clock_row(case_id: str, clock: Clock) -> dict[str, object]:
    return {
        "case_id": case_id,
        "kind": clock.kind,
        "due": clock.due,
        "warn_at": clock.warn_at,
        "state": clock.state,
        "provisional": clock.provisional,
        "basis": clock.basis,
        "started_at": clock.started_at,
    }
