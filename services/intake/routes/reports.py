"""Intake's HTTP API for reporters: submit a report, follow it by tracking code, ask for a
review of the reply, rate it (回访)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse, Response

from services.intake import feedback, reporter_view, review
from services.intake.authorization import authorize, authorize_county
from services.intake.context import Context, Ctx
from services.intake.routes.throttle import limit
from services.intake.schemas.answers import (
    FeedbackAccepted,
    ReportAccepted,
    ReportView,
    ReviewAccepted,
)
from services.intake.schemas.report import FeedbackIn, ReportIn, ReviewIn
from services.intake.submission import submit
from services.intake.tracking import lookup_hash
from shared.auth import MaybeCaller
from shared.errors import Refusal, wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])
IdempotencyKey = Annotated[str | None, Header(max_length=200)]
NOT_FOUND = ("查无此举报", "no report with this tracking code")


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED, response_model=ReportAccepted)
async def submit_report(
    body: ReportIn,
    request: Request,
    caller: MaybeCaller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> ReportAccepted | Response:
    """Accept a report from any channel; channels other than web need a clerk or integrator.

    The same `Idempotency-Key` with the same body answers as the first time; with another
    body, 409.
    """
    authorize(caller, body.channel)
    authorize_county(ctx, caller, body.county)
    if caller is None:
        limit(ctx, request, ctx.limiters.public)
    accepted = await submit(
        ctx, body, idempotency_key=idempotency_key, unit=caller.unit if caller else None
    )
    # Already validated: its JSON straight from pydantic's serialiser, not the response
    # model's validation again nor a dict through json.dumps.
    return Response(accepted.model_dump_json(), status_code=202, media_type="application/json")


def tracking_hash(ctx: Context, request: Request, tracking_code: str) -> str:
    limit(ctx, request, ctx.limiters.lookups)
    key = lookup_hash(ctx.keys.tracking, tracking_code)
    if key is None:
        raise Refusal.not_found(*NOT_FOUND)
    return key


@router.get("/reports/{tracking_code}", response_model=ReportView)
async def follow_report(tracking_code: str, request: Request, ctx: Ctx) -> ReportView:
    """The reporter's view: status and dated public steps; `deadline` (and `deadline_kind`)
    the handling unit must meet; `review_until` while a review of the reply may be asked."""
    key = tracking_hash(ctx, request, tracking_code)
    async with ctx.db.sessions() as session:
        found = await reporter_view.view(
            session, key, wants_english(request), ctx.clock(), ctx.settings.feedback_window_days
        )
    if found is None:
        raise Refusal.not_found(*NOT_FOUND)
    return ReportView.model_validate(found)


@router.post(
    "/reports/{tracking_code}/review",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReviewAccepted,
)
async def ask_review(
    tracking_code: str, body: ReviewIn, request: Request, ctx: Ctx
) -> ReviewAccepted | JSONResponse:
    """Ask for a review (复查) of the reply, once, within the window the reply opened."""
    key = tracking_hash(ctx, request, tracking_code)
    review.check_reason(ctx, body.reason)
    at = await review.request_review(ctx, key, body.reason)
    return ReviewAccepted(status="review_requested", requested_at=at)


@router.post(
    "/reports/{tracking_code}/re-review",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReviewAccepted,
)
async def ask_re_review(
    tracking_code: str, body: ReviewIn, request: Request, ctx: Ctx
) -> ReviewAccepted | JSONResponse:
    """Ask the organ one level up for a second review (复核) of the review's result, once,
    within the window that result opened; the answer is final."""
    key = tracking_hash(ctx, request, tracking_code)
    review.check_reason(ctx, body.reason)
    at = await review.request_re_review(ctx, key, body.reason)
    return ReviewAccepted(status="re_review_requested", requested_at=at)


@router.post(
    "/reports/{tracking_code}/feedback",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=FeedbackAccepted,
)
async def give_feedback(
    tracking_code: str, body: FeedbackIn, request: Request, caller: MaybeCaller, ctx: Ctx
) -> FeedbackAccepted:
    """Rate the reply (回访), once per reply, within `feedback_window_days` of it. A clerk's
    credential records a hotline reporter's answer to a return call."""
    key = tracking_hash(ctx, request, tracking_code)
    at = await feedback.give_feedback(ctx, key, body.rating, body.comment, caller)
    return FeedbackAccepted(status="rated", given_at=at)
