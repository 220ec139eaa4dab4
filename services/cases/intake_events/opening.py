"""From report to case, before anything is written: classify, route away from the accused,
start the clocks. Pure: the directory and the deadline profiles in, an `Opening` out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.cases.classifier.classify import Classification, classify
from services.cases.clocks import OPENING, Clock, start
from services.cases.routing.route import Routing, route
from shared.deadlines import Profiles
from shared.directory import Directory
from shared.events.cases import CaseOpened
from shared.events.intake import ReportReceived


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
    # The unit routed to may dispute the assignment (退单): a window, not told in the event.
    dispute = start(profile, "assignment_dispute", report.received_at)
    reasons = tuple(routing.reasons)
    return Opening(event.case_id, handling, county, event, (*clocks, dispute), reasons)


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
