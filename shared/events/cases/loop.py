"""Closing the loop with the people (issue 26): the reporter's rating of a reply (回访), the
answer to an unsatisfied one (发回重办 or the result upheld), a disputed assignment (退单) and its
decision, urging (催办/督办) and raised supervision (提级督办). No rating carries anything that
identifies the reporter, nor the comment they wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, DeadlineInfo

Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]


@register
class CaseRated(CaseEvent):
    """The reporter rated the reply (on the tracking page, or a clerk's return call)."""

    type = "case.rated"
    rating: Rating
    source: Literal["reporter", "return_call"] = "reporter"
    # Unsatisfied with a reason: the city office or a supervisor answers it.
    needs_answer: bool = False


@register
class CaseSentBack(CaseEvent):
    """An unsatisfied rating sent the case back to be handled again (发回重办), with its own
    deadline."""

    type = "case.sent_back"
    redos: int = Field(ge=1)  # times this case was sent back so far
    deadlines: tuple[DeadlineInfo, ...] = ()


@register
class CaseResultUpheld(CaseEvent):
    """An unsatisfied rating was answered: the result stands, and why (told to the reporter)."""

    type = "case.result_upheld"
    public_reason: str


@register
class CaseAssignmentDisputed(CaseEvent):
    """The handling unit disputed its assignment (退单); the clocks keep running meanwhile."""

    type = "case.assignment_disputed"
    disputing_unit: str
    disputes: int = Field(ge=1)
    to_triage: bool = False  # disputed again: the city office's triage takes it
    decision_due: datetime | None = None


@register
class CaseDisputeDecided(CaseEvent):
    """The city office decided a dispute: the assignment upheld, or the case reassigned."""

    type = "case.dispute_decided"
    outcome: Literal["uphold", "reassign"]
    disputing_unit: str
    previous_unit: str


@register
class CaseUrged(CaseEvent):
    """The city office or a supervisor urged the case (催办); with a due date, a formal 督办."""

    type = "case.urged"
    formal: bool = False
    due: datetime | None = None
    urges: int = Field(ge=1)
    urged_by_unit: str


@register
class CaseSupervisionRaised(CaseEvent):
    """Redone too often or urged without effect: raised to the city office (提级督办)."""

    type = "case.supervision_raised"
    why: Literal["redone", "urged_without_effect"]
