"""Closing a case, reopening it on review, and reclassifying its problem."""

from __future__ import annotations

from datetime import datetime

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, DeadlineInfo, Finding


@register
class CaseClosed(CaseEvent):
    """The case ended; the review window opens."""

    type = "case.closed"
    finding: Finding | None = None
    review_due: datetime | None = None  # the reporter may ask for review until then
    # Closing after a review (复查): no second 复查, but a 复核 may be asked until then.
    re_review_due: datetime | None = None


@register
class CaseReopened(CaseEvent):
    """A closed or rejected case was reopened (review request or supervisor)."""

    type = "case.reopened"
    on_review_request: bool = False
    on_recheck: bool = False  # a re-check (回头看) found the rectification did not hold
    deadlines: tuple[DeadlineInfo, ...] = ()  # the review's answer clock


@register
class CaseReclassified(CaseEvent):
    """The case's problem number was corrected."""

    type = "case.reclassified"
    previous_problem: int | None = None
