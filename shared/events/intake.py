"""Events published by intake (`report.*`): for the services only, never for integrators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import COUNTY_PATTERN, EventData, register

Channel = Literal["web", "hotline", "letter", "visit", "inspection", "media", "integrator"]


class SealedIdentity(BaseModel):
    """The reporter's name, phone and email, encrypted once per holder (ciphertext only)."""

    model_config = ConfigDict(frozen=True)
    # holder name (e.g. "notify", "discipline") -> base64 sealed box of the JSON identity
    sealed: dict[str, str]
    key_ids: dict[str, str] = Field(default_factory=dict)
    has_phone: bool = False
    has_email: bool = False
    # A postal address for written notices (书面告知), on letter and visit reports only.
    has_address: bool = False


class AttachmentRef(BaseModel):
    """An uploaded file by reference; its bytes never travel on the bus."""

    model_config = ConfigDict(frozen=True)
    attachment_id: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str
    size: int = Field(ge=0)


@register
class ReportReceived(EventData):
    """A report was accepted by intake and stored; a case will be opened or linked."""

    type = "report.received"
    report_id: str
    channel: Channel
    county: str = Field(pattern=COUNTY_PATTERN)
    content: str
    received_at: datetime
    title: str | None = None
    township: str | None = None
    village: str | None = None
    subject_unit: str | None = None
    subject_unit_id: str | None = None
    subject_person: str | None = None
    subject_is_head: bool = False
    category_hint: int | None = None
    occurred_on: date | None = None
    anonymous: bool = True
    identity: SealedIdentity | None = None
    # keyed blind index of the normalised phone: links repeat reports without the number
    reporter_index: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    submitted_by_unit: str | None = None


@register
class ReportReviewRequested(EventData):
    """The reporter asked for a review (复查) of the reply within the window."""

    type = "report.review_requested"
    report_id: str
    case_id: str | None = None
    reason: str
    requested_at: datetime


@register
class ReportReReviewRequested(EventData):
    """The reporter asked the organ one level up for a second review (复核) of the review's
    result within the window; cases records it, or notes why not."""

    type = "report.re_review_requested"
    report_id: str
    case_id: str | None = None
    reason: str
    requested_at: datetime


@register
class ReportFeedbackGiven(EventData):
    """The reporter rated the reply (回访) within the window, once per reply: on the tracking
    page, or a clerk recording a return call. Nothing in it identifies the reporter; the comment
    is the reporter's own text, for the services only (cases keeps it in the case)."""

    type = "report.feedback_given"
    report_id: str
    case_id: str | None = None
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: str | None = None
    source: Literal["reporter", "return_call"] = "reporter"
    given_at: datetime
