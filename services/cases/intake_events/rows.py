"""The rows and events a batch of reports writes: a new case (its row, its report link, its
clocks, its first history entry and `case.opened`) and a repeat's link to the case it joins."""

from __future__ import annotations

import json
from datetime import datetime

from services.cases.appending import PRODUCER, clock_values
from services.cases.clocks import Clock
from services.cases.intake_events.matters import person_key
from services.cases.intake_events.opening import Opening
from shared.events import Envelope, make_event
from shared.events.intake import ReportReceived


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


def report_row(
    report: ReportReceived, case_id: str, now: datetime, role: str = "opened"
) -> dict[str, object]:
    """The report's link to the case it opened or, as a repeat, was merged into."""
    return {
        "report_id": report.report_id,
        "case_id": case_id,
        "role": role,
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
    return {"case_id": case_id, "kind": clock.kind, **clock_values(clock)}
