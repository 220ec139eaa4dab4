"""Rectification: what a substantiated finding requires, submitted and verified."""

from __future__ import annotations

from datetime import datetime

from shared.events.base import register
from shared.events.cases.facts import CaseEvent


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
