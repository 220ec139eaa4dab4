"""Oversight: public exposure, deadline warnings, overdue cases and escalation."""

from __future__ import annotations

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, DeadlineInfo


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
class CaseDeadlinesRecomputed(CaseEvent):
    """Provisional deadlines recomputed once a year's holiday table arrived
    (`zuofeng deadlines recompute`): each moved deadline as it now stands, and as it stood."""

    type = "case.deadlines_recomputed"
    deadlines: tuple[DeadlineInfo, ...]
    previous: tuple[DeadlineInfo, ...] = ()
