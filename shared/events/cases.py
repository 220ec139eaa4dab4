"""Events published by cases (`case.*`): the feed integrators may subscribe to.

Every case event carries the case's current `CaseFacts` so a consumer can build its view from
any one event (out-of-order safe by `version`). Never the report text, internal notes, the
reporter, or the accused person's name; only texts written for the public or the reporter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import COUNTY_PATTERN, EventData, register
from shared.events.intake import Channel

Status = Literal[
    "received",
    "accepted",
    "rejected",
    "investigating",
    "concluded",
    "rectifying",
    "rectification_submitted",
    "rectified",
    "transferred",
    "closed",
]
Finding = Literal["substantiated", "partly", "unsubstantiated"]
TransferTarget = Literal["discipline_inspection", "procuratorate"]


class DeadlineInfo(BaseModel):
    """A running deadline and the rule it comes from."""

    model_config = ConfigDict(frozen=True)
    kind: str
    due: datetime
    provisional: bool = False
    basis: str = ""


class CaseEvent(EventData):
    """Fields every case event carries: the case as it stands after this event."""

    case_id: str
    county: str = Field(pattern=COUNTY_PATTERN)  # where the problem is (stats group by it)
    status: Status
    version: int = Field(ge=1)
    handling_unit: str
    problem: int | None = None
    report_id: str | None = None


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


@register
class CaseRectificationRequired(CaseEvent):
    """A unit must rectify by a due date."""

    type = "case.rectification_required"
    rectifying_unit: str
    due: datetime


@register
class CaseRectificationSubmitted(CaseEvent):
    """The rectifying unit submitted its evidence."""

    type = "case.rectification_submitted"
    rectifying_unit: str


@register
class CaseRectificationVerified(CaseEvent):
    """Someone other than the rectifying unit verified the rectification."""

    type = "case.rectification_verified"
    rectifying_unit: str


@register
class CaseRectificationRejected(CaseEvent):
    """The rectification was not accepted; the unit must rectify again."""

    type = "case.rectification_rejected"
    rectifying_unit: str


@register
class CaseTransferred(CaseEvent):
    """The case went to discipline inspection or the procuratorate."""

    type = "case.transferred"
    to: TransferTarget
    receiving_unit: str
    objection_due: datetime | None = None


@register
class CaseTransferObjected(CaseEvent):
    """The receiving organ objected within its window; the case returns to where it was."""

    type = "case.transfer_objected"
    organ: TransferTarget
    restored_status: Status


@register
class CaseExtensionRequested(CaseEvent):
    """The handling unit asked once for more days."""

    type = "case.extension_requested"
    days: int = Field(ge=1, le=30)


@register
class CaseExtensionDecided(CaseEvent):
    """An extension was approved or refused; the reason reaches the reporter."""

    type = "case.extension_decided"
    approved: bool
    days: int = Field(ge=0, le=30)
    public_reason: str | None = None
    new_due: datetime | None = None


@register
class CaseExposureProposed(CaseEvent):
    """Exposure of a verified typical case was proposed (text not yet public)."""

    type = "case.exposure_proposed"


@register
class CaseExposed(CaseEvent):
    """The city office approved public exposure of the redacted text."""

    type = "case.exposed"
    exposure_text: str


@register
class CaseDeadlineApproaching(CaseEvent):
    """A deadline is near."""

    type = "case.deadline_approaching"
    deadline: DeadlineInfo


@register
class CaseOverdue(CaseEvent):
    """A deadline was missed."""

    type = "case.overdue"
    deadline: DeadlineInfo


@register
class CaseEscalated(CaseEvent):
    """The case was escalated to the supervising unit."""

    type = "case.escalated"
    to_unit: str
    automatic: bool = False
    deadline: DeadlineInfo | None = None  # the missed deadline, when automatic


@register
class CaseClosed(CaseEvent):
    """The case ended; the review window opens."""

    type = "case.closed"
    finding: Finding | None = None
    review_due: datetime | None = None  # the reporter may ask for review until then


@register
class CaseReopened(CaseEvent):
    """A closed or rejected case was reopened (review request or supervisor)."""

    type = "case.reopened"
    on_review_request: bool = False
    deadlines: tuple[DeadlineInfo, ...] = ()  # the review's answer clock


@register
class CaseReclassified(CaseEvent):
    """The case's problem number was corrected."""

    type = "case.reclassified"
    previous_problem: int | None = None
