"""A reporter's second review request (复核): the result of a review (复查) may be put to the
organ one level up once, inside the window that result opened. Inside it, `case.re_review_requested`
names that organ (the handling unit's nearest independent supervisor, never the accused nor a
unit under it) and starts its answer clock; outside it, or a second time, the refusal is noted
in the case's history. Idempotent: the event id is claimed in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, escalation, store
from services.cases.clocks import plan
from services.cases.context import Context
from services.cases.domain.vocabulary import Status
from services.cases.intake_events.reporter import on_reported_case
from shared.events import Envelope
from shared.events.intake import ReportReReviewRequested


async def re_review_requested(
    ctx: Context, source: Envelope, request: ReportReReviewRequested
) -> None:
    """Put the case to the organ one level up when asked in time; else note the refusal."""

    async def re_review(session: AsyncSession, case: store.Loaded) -> None:
        await _re_review(session, ctx, source, request, case)

    await on_reported_case(ctx, source, request.case_id, request.report_id, "re-review", re_review)


def refusal(case: store.Loaded, requested_at: datetime) -> str | None:
    """Why this request is refused, or None: the case must be closed on a review's result, the
    window running and not passed, and no 复核 asked yet."""
    state, window = case.state, case.clocks.get("re_review_request")
    if state.status is not Status.CLOSED or state.re_review_unit is not None:
        return "no review result awaits a re-review"
    if window is None or window.state != "running" or requested_at > window.due:
        return "outside the re-review window"
    return None


async def _re_review(
    session: AsyncSession,
    ctx: Context,
    source: Envelope,
    request: ReportReReviewRequested,
    case: store.Loaded,
) -> None:
    cause = str(source.event_id)
    internal = {"reason": request.reason, "report_id": request.report_id}
    why = refusal(case, request.requested_at)
    if why is not None:
        refused = appending.Entry("case.re_review_refused", {}, {**internal, "why": why})
        await appending.append(session, ctx, case, [refused], causation_id=cause)
        return
    state = case.state
    unit = escalation.automatic_target(
        ctx.directory, state.handling_unit, state.accused, ctx.prefer_line
    )
    data = {"re_review_unit": unit}
    profile = ctx.profile(case.row["channel"])
    clocks = plan("case.re_review_requested", data, case.clocks, ctx.now(), profile)
    entry = appending.Entry("case.re_review_requested", {**data, **clocks.extras}, internal)
    await appending.append(session, ctx, case, [entry], clocks.clocks, causation_id=cause)
