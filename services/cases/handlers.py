"""Cases' bus handlers: thin, each a sentence; the use cases live in `reports.py`."""

from __future__ import annotations

from services.cases.batching import OpeningBatcher
from services.cases.reports import CONSUMER, receive_report, review_requested
from services.cases.service import CasesService
from shared.bus import Handler
from shared.events import Envelope, EventData
from shared.events.intake import ReportReceived, ReportReviewRequested

__all__ = ["CONSUMER", "when_a_report_arrives"]


def when_a_report_arrives(service: CasesService) -> Handler:
    openings = OpeningBatcher(service, CONSUMER, receive_report)

    async def handle(envelope: Envelope, payload: EventData) -> None:
        """A received report opens a case (or joins the open case it repeats); a review request
        reopens a replied case within its window. Redelivery changes nothing."""
        if isinstance(payload, ReportReceived):
            await openings.open(envelope, payload)
        elif isinstance(payload, ReportReviewRequested):
            await review_requested(service, envelope, payload)

    return handle
