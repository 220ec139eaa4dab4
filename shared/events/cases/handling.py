"""Opening, triage and investigation: a case from a report to its finding."""

from __future__ import annotations

from datetime import datetime

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, DeadlineInfo, Finding, TransferTarget
from shared.events.intake import Channel


@register
class CaseOpened(CaseEvent):
    """A report became a case, routed to its handling unit with its deadlines."""

    type = "case.opened"
    channel: Channel
    received_at: datetime
    lead_unit: str | None = None
    co_units: tuple[str, ...] = ()
    subject_unit_id: str | None = None
    # Every accused unit: subject_unit_id first, then units the report's text names.
    subject_unit_ids: tuple[str, ...] = ()
    problem_confidence: float | None = None
    taxonomy_version: str | None = None
    triage: bool = False
    transfer_suggested: TransferTarget | None = None
    deadlines: tuple[DeadlineInfo, ...] = ()


@register
class CaseMerged(CaseEvent):
    """A repeat report was linked to this open case instead of opening another."""

    type = "case.merged"
    merged_report_id: str
    channel: Channel
    received_at: datetime


@register
class CaseAccepted(CaseEvent):
    """The handling unit accepted the case; the handling clock starts."""

    type = "case.accepted"
    deadlines: tuple[DeadlineInfo, ...] = ()


@register
class CaseRejected(CaseEvent):
    """The case was not accepted; the reporter is told the public reason."""

    type = "case.rejected"
    public_reason: str
    review_due: datetime | None = None  # the reporter may ask for review until then


@register
class CaseAssigned(CaseEvent):
    """The case was given to another handling unit."""

    type = "case.assigned"
    previous_unit: str


@register
class CaseInvestigationStarted(CaseEvent):
    """The handling unit started investigating."""

    type = "case.investigation_started"


@register
class CaseConcluded(CaseEvent):
    """The investigation ended with a finding and a summary written for the public."""

    type = "case.concluded"
    finding: Finding
    public_summary: str
