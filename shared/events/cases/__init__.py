"""Events published by cases (`case.*`): the feed integrators may subscribe to.

Every case event carries the case's current `CaseFacts` so a consumer can build its view from
any one event (out-of-order safe by `version`). Never the report text, internal notes, the
reporter, or the accused person's name; only texts written for the public or the reporter.
"""

from shared.events.cases import supervision, tasks  # task.*, inspection.*, datarequest.*
from shared.events.cases.closing import CaseClosed, CaseReclassified, CaseReopened
from shared.events.cases.facts import CaseEvent, DeadlineInfo, Finding, Status, TransferTarget
from shared.events.cases.followup import (
    CaseDisposed,
    CasePartFiled,
    CaseRecheckDue,
    CaseRechecked,
    CaseReReviewed,
    CaseReReviewRequested,
)
from shared.events.cases.handling import (
    CaseAccepted,
    CaseAssigned,
    CaseConcluded,
    CaseInvestigationStarted,
    CaseMerged,
    CaseOpened,
    CaseRejected,
)
from shared.events.cases.loop import (
    CaseAssignmentDisputed,
    CaseDisputeDecided,
    CaseRated,
    CaseResultUpheld,
    CaseSentBack,
    CaseSupervisionRaised,
    CaseUrged,
)
from shared.events.cases.oversight import (
    CaseDeadlineApproaching,
    CaseDeadlinesRecomputed,
    CaseEscalated,
    CaseExposed,
    CaseExposureProposed,
    CaseOverdue,
)
from shared.events.cases.rectification import (
    CaseRectificationRejected,
    CaseRectificationRequired,
    CaseRectificationSubmitted,
    CaseRectificationVerified,
)
from shared.events.cases.transfers import (
    CaseExtensionDecided,
    CaseExtensionRequested,
    CaseTransferObjected,
    CaseTransferred,
)

__all__ = [
    "CaseUrged",
    "CaseSupervisionRaised",
    "CaseSentBack",
    "CaseResultUpheld",
    "CaseRated",
    "CaseDisputeDecided",
    "CaseAssignmentDisputed",
    "CaseAccepted",
    "CaseAssigned",
    "CaseClosed",
    "CaseConcluded",
    "CaseDeadlineApproaching",
    "CaseDeadlinesRecomputed",
    "CaseDisposed",
    "CaseEscalated",
    "CaseEvent",
    "CaseExposed",
    "CaseExposureProposed",
    "CaseExtensionDecided",
    "CaseExtensionRequested",
    "CaseInvestigationStarted",
    "CaseMerged",
    "CaseOpened",
    "CaseOverdue",
    "CasePartFiled",
    "CaseRecheckDue",
    "CaseRechecked",
    "CaseReReviewRequested",
    "CaseReReviewed",
    "CaseReclassified",
    "CaseRectificationRejected",
    "CaseRectificationRequired",
    "CaseRectificationSubmitted",
    "CaseRectificationVerified",
    "CaseRejected",
    "CaseReopened",
    "CaseTransferObjected",
    "CaseTransferred",
    "DeadlineInfo",
    "Finding",
    "Status",
    "TransferTarget",
    "supervision",
    "tasks",
]
