"""Cases' bus handlers: thin, each a sentence; the use cases live in `intake_events/`."""

from __future__ import annotations

from services.cases.context import Context
from services.cases.intake_events.batch import receive_reports
from services.cases.intake_events.feedback import feedback_given
from services.cases.intake_events.re_review import re_review_requested
from services.cases.intake_events.review import review_requested
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.intake import (
    ReportFeedbackGiven,
    ReportReceived,
    ReportReReviewRequested,
    ReportReviewRequested,
)


def when_reports_arrive(ctx: Context) -> BatchHandler:
    async def handle(events: list[tuple[Envelope, EventData]]) -> None:
        """A received report opens a case (or joins the open case it repeats); a review request
        reopens a replied case within its window; a rating is recorded on it. Redelivery
        changes nothing."""
        received = [(e, p) for e, p in events if isinstance(p, ReportReceived)]
        if received:
            await receive_reports(ctx, received)
        for envelope, payload in events:
            if isinstance(payload, ReportReviewRequested):
                await review_requested(ctx, envelope, payload)
            elif isinstance(payload, ReportReReviewRequested):
                await re_review_requested(ctx, envelope, payload)
            elif isinstance(payload, ReportFeedbackGiven):
                await feedback_given(ctx, envelope, payload)

    return handle
