"""The bodies intake answers with (the contract's fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ReportAccepted(BaseModel):
    report_id: str
    tracking_code: str


class Step(BaseModel):
    at: str
    status: str
    text: str


class ReportView(BaseModel):
    """What the reporter sees: public wording only."""

    status: str
    steps: list[Step]
    # End of the window for asking a review of the reply; null while none is open.
    review_until: str | None = None
    # End of the window for asking a second review (复核) of the review's result; null while
    # none is open.
    re_review_until: str | None = None
    # The deadline the handling unit must meet now, and its kind (`accept`: deciding whether to
    # accept, 受理; `handle`: handling, 办理); null when none runs.
    deadline: str | None = None
    deadline_kind: Literal["accept", "handle"] | None = None
    # End of the window for rating the reply (回访); null while none is open. The rating given
    # to the last reply, if any.
    feedback_until: str | None = None
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"] | None = None


class ReviewAccepted(BaseModel):
    status: str
    requested_at: datetime


class FeedbackAccepted(BaseModel):
    status: str
    given_at: datetime


class AttachmentAccepted(BaseModel):
    attachment_id: str
    sha256: str


class ImportRow(BaseModel):
    """One row of an import: its line in the file (the header is line 1), and its outcome."""

    row: int
    report_id: str | None = None
    tracking_code: str | None = None
    errors: list[dict[str, object]] | None = None


class ImportResult(BaseModel):
    rows: list[ImportRow]
