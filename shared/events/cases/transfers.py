"""Transfers to the discipline organ or the procuratorate, and extensions of a deadline."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.base import register
from shared.events.cases.facts import CaseEvent, Status, TransferTarget


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
