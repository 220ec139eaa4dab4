"""两癌 aid: an application's steps and the city's aid drives.

The aggregate is the application (or the drive); `sequence` counts its steps. The medical and
payment details stay sealed in federation's database: no event carries them. The applicant's
own contact travels once, on `federation.aid_submitted`, sealed to notify only. A refusal carries
the reason written for the applicant (`public_reason`), which is what she is told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.base import EventData, register
from shared.events.intake import SealedIdentity

FundSource = Literal["national", "provincial", "city_charity", "city_budget"]
AidStatus = Literal[
    "submitted", "eligible", "reviewed", "approved", "disbursed", "closed", "refused"
]


class AidStep(EventData):
    """What every step of an application says: which one, where, and what is due next."""

    application_id: str
    county: str
    village_id: str
    poor_village: bool
    status: AidStatus
    drive_id: str | None = None
    due_at: datetime | None = None  # the next step's deadline; none once closed or refused


@register
class AidSubmitted(AidStep):
    """An application was received (from the woman herself or a village cadre)."""

    type = "federation.aid_submitted"
    submitted_by: Literal["applicant", "village_cadre"]
    year: int
    # The applicant's phone and email for notify to tell her of each step (SMS/mail), sealed
    # to notify's key and bound to the application (as a reporter's contact is to her report):
    # ciphertext only, and only `notify` may open it. None: she left no contact.
    contact: SealedIdentity | None = None


@register
class AidFoundEligible(AidStep):
    """The county federation checked the application: registered poor household, rural, a
    cervical or breast cancer diagnosis, not aided yet this year."""

    type = "federation.aid_eligible"


@register
class AidReviewed(AidStep):
    """The county federation's review passed; the application goes to the city."""

    type = "federation.aid_reviewed"


@register
class AidApproved(AidStep):
    """The city federation approved an amount from a fund source."""

    type = "federation.aid_approved"
    amount: int  # yuan
    fund_source: FundSource


@register
class AidDisbursed(AidStep):
    """The aid was paid (the payment's own reference stays in federation's database)."""

    type = "federation.aid_disbursed"
    amount: int
    fund_source: FundSource
    paid_on: str  # ISO date


@register
class AidClosed(AidStep):
    """The application's file was closed after the payment."""

    type = "federation.aid_closed"


@register
class AidRefused(AidStep):
    """The application was refused at a step; `public_reason` is what the applicant is told."""

    type = "federation.aid_refused"
    at_step: AidStatus
    public_reason: str


@register
class AidOverdue(AidStep):
    """A step was not taken by its deadline (`due_at`); told once per step."""

    type = "federation.aid_overdue"


@register
class DriveOpened(EventData):
    """A city-wide aid drive with its budget per fund source (yuan)."""

    type = "federation.drive_opened"
    drive_id: str
    year: int
    name: str
    budgets: dict[FundSource, int]
