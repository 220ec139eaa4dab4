"""A reporter's rating of the reply (回访): recorded on the replied case as `case.rated`, the
comment kept in the case only; an unsatisfied rating with a reason waits for the city office's
or a supervisor's answer (send-back or uphold-result). Idempotent: the event id is claimed in
the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, store
from services.cases.context import Context
from services.cases.domain.vocabulary import Status
from services.cases.intake_events.reporter import on_reported_case
from shared.events import Envelope
from shared.events.intake import ReportFeedbackGiven


async def feedback_given(ctx: Context, source: Envelope, rating: ReportFeedbackGiven) -> None:
    """Record the rating on its replied case; one that arrives for a case handled afresh since
    is noted in the history only."""

    async def rate(session: AsyncSession, case: store.Loaded) -> None:
        await _rate(session, ctx, source, rating, case)

    await on_reported_case(ctx, source, rating.case_id, rating.report_id, "rating", rate)


async def _rate(
    session: AsyncSession,
    ctx: Context,
    source: Envelope,
    rating: ReportFeedbackGiven,
    case: store.Loaded,
) -> None:
    internal = {"comment": rating.comment, "report_id": rating.report_id}
    cause = str(source.event_id)
    if case.state.status not in (Status.CLOSED, Status.REJECTED):
        refused = appending.Entry("case.rating_refused", {}, {**internal, "why": "not replied"})
        await appending.append(session, ctx, case, [refused], causation_id=cause)
        return
    needs_answer = rating.rating == "unsatisfied" and bool((rating.comment or "").strip())
    data = {"rating": rating.rating, "source": rating.source, "needs_answer": needs_answer}
    entry = appending.Entry("case.rated", data, internal)
    await appending.append(session, ctx, case, [entry], causation_id=cause)
