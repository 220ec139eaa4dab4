"""What the rules ask after the first answer (issue 22): the second review (复核) by the organ one
level up, a co-responsible unit's part (协办), the re-check of a verified rectification
(回头看) by an independent unit, and discipline inspection's way of disposing of a transferred
case."""

from __future__ import annotations

from typing import Literal

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, DeadlineInfo


@register
class CaseReReviewRequested(CaseEvent):
    """The reporter asked the organ one level up for a 复核 of the review's result, in time."""

    type = "case.re_review_requested"
    re_review_unit: str
    deadlines: tuple[DeadlineInfo, ...] = ()  # the 复核's answer clock


@register
class CaseReReviewed(CaseEvent):
    """The organ one level up answered the 复核: the result is final."""

    type = "case.re_reviewed"
    re_review_unit: str
    upheld: bool
    public_summary: str  # the opinion, written for the reporter


@register
class CasePartFiled(CaseEvent):
    """A co-responsible (协办) unit filed its part; what it wrote stays in the case."""

    type = "case.part_filed"
    unit: str


@register
class CaseRecheckDue(CaseEvent):
    """A set time after the rectification was verified, a re-check (回头看) is due from an
    independent unit: neither the handling, the rectifying nor an accused unit."""

    type = "case.recheck_due"
    recheck_unit: str


@register
class CaseRechecked(CaseEvent):
    """The re-check's verdict; a failed one is followed by `case.reopened`."""

    type = "case.rechecked"
    recheck_unit: str
    passed: bool


Disposal = Literal["talk_inquiry", "preliminary_verification", "shelved", "concluded"]


@register
class CaseDisposed(CaseEvent):
    """Discipline inspection recorded how it disposes of a case transferred to it: 谈话函询
    (`talk_inquiry`), 初步核实 (`preliminary_verification`), 暂存待查 (`shelved`) or 予以了结
    (`concluded`). Its reason stays with the case."""

    type = "case.disposed"
    way: Disposal
