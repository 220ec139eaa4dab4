"""A reporter's review request: it reopens the replied case when it came inside the review
window, else the refusal is noted in the case's history. Idempotent: the event id is claimed in
the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, store
from services.cases.clocks import plan
from services.cases.context import Context
from services.cases.domain.decide import decide
from services.cases.domain.state import SYSTEM_ACTOR
from services.cases.domain.vocabulary import Action, Status
from services.cases.intake_events.reporter import on_reported_case
from shared.events import Envelope
from shared.events.intake import ReportReviewRequested


async def review_requested(ctx: Context, source: Envelope, request: ReportReviewRequested) -> None:
    """Reopen the case when the reporter asked within the review window; else note the refusal."""

    async def review(session: AsyncSession, case: store.Loaded) -> None:
        await _review(session, ctx, source, request, case)

    what = "review request"
    await on_reported_case(ctx, source, request.case_id, request.report_id, what, review)


async def _review(
    session: AsyncSession,
    ctx: Context,
    source: Envelope,
    request: ReportReviewRequested,
    case: store.Loaded,
) -> None:
    window = case.clocks.get("review_request")
    replied = case.state.status in (Status.CLOSED, Status.REJECTED)
    inside = window is not None and window.state == "running" and request.requested_at <= window.due
    internal = {"reason": request.reason, "report_id": request.report_id}
    if not (replied and inside):
        why = "the case is not replied" if not replied else "outside the review window"
        refused = appending.Entry("case.review_refused", {}, {**internal, "why": why})
        await appending.append(session, ctx, case, [refused], causation_id=str(source.event_id))
        return
    decision = decide(case.state, SYSTEM_ACTOR, Action.REOPEN, {"reason": request.reason})
    profile = ctx.profile(case.row["channel"])
    clocks = plan(decision.event_type, decision.data, case.clocks, ctx.now(), profile)
    entry = appending.Entry(decision.event_type, {**decision.data, **clocks.extras}, internal)
    cause = str(source.event_id)
    await appending.append(session, ctx, case, [entry], clocks.clocks, causation_id=cause)
