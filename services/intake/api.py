"""Intake's HTTP API: submit a report, follow it by tracking code, ask for a review, and the
lists forms need."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, SQLAlchemyError

from services.intake import public_status, review, service
from services.intake.limits import RateLimiter, client_key
from services.intake.problems import detail
from services.intake.schemas import ReportAccepted, ReportIn, ReportView, ReviewAccepted, ReviewIn
from services.intake.tracking import lookup_hash
from shared.auth import MaybeCaller
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


def context(request: Request) -> service.Context:
    return request.app.state.intake  # type: ignore[no-any-return]


def limit(request: Request, limiter: RateLimiter) -> None:
    """429 with Retry-After when this client has used up its allowance."""
    wait = limiter.retry_after(client_key(request_host(request)))
    if wait > 0:
        context(request).metrics.rejected("rate_limited")
        message = "too many requests" if wants_english(request) else "请求过于频繁，请稍后再试"
        raise HTTPException(429, message, headers={"Retry-After": str(int(wait) + 1)})


def request_host(request: Request) -> str | None:
    """The client's address (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else None


def refused(request: Request, exc: service.Refused) -> HTTPException:
    context(request).metrics.rejected("unauthorized" if exc.status == 401 else "forbidden")
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return HTTPException(exc.status, exc.en if wants_english(request) else exc.zh, headers)


def invalid(request: Request, exc: service.InvalidReport) -> JSONResponse:
    english = wants_english(request)
    items = detail(exc.problems, english)
    context(request).metrics.invalid([item["loc"] for item in items])
    return JSONResponse({"detail": items}, status_code=422)


def unavailable(request: Request) -> HTTPException:
    english = wants_english(request)
    message = (
        "not stored; retry with the same Idempotency-Key"
        if english
        else "暂时无法保存，请使用同一 Idempotency-Key 重试"
    )
    return HTTPException(503, message, headers={"Retry-After": "2"})


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED, response_model=ReportAccepted)
async def submit_report(
    body: ReportIn, request: Request, caller: MaybeCaller, idempotency_key: IdempotencyKey = None
) -> ReportAccepted | JSONResponse:
    """Accept a report from any channel; channels other than web need a clerk or integrator.

    The same `Idempotency-Key` with the same body answers as the first time; with another
    body, 409.
    """
    ctx = context(request)
    try:
        service.authorize(caller, body.channel)
        service.authorize_county(ctx, caller, body.county)
    except service.Refused as exc:
        raise refused(request, exc) from exc
    if caller is None:
        limit(request, ctx.limiters.public)
    try:
        accepted = await service.submit(
            ctx, body, idempotency_key=idempotency_key, unit=caller.unit if caller else None
        )
    except service.InvalidReport as exc:
        return invalid(request, exc)
    except service.IdempotencyConflict as exc:
        ctx.metrics.rejected("idempotency_conflict")
        message = "Idempotency-Key was used with a different body"
        if not wants_english(request):
            message = "该 Idempotency-Key 已用于内容不同的请求"
        raise HTTPException(409, message) from exc
    except DataError:
        raise  # the database refused a value: the caller's 422 (shared.errors)
    except (SQLAlchemyError, OSError) as exc:
        raise unavailable(request) from exc
    # Already validated: answering with a Response skips a second serialisation pass.
    return JSONResponse(accepted.model_dump(), status_code=202)


def _tracking_hash(request: Request, tracking_code: str) -> str:
    ctx = context(request)
    limit(request, ctx.limiters.lookups)
    key = lookup_hash(ctx.keys.tracking, tracking_code)
    if key is None:
        raise not_found(request)
    return key


def not_found(request: Request) -> HTTPException:
    english = wants_english(request)
    return HTTPException(404, "no report with this tracking code" if english else "查无此举报")


@router.get("/reports/{tracking_code}", response_model=ReportView)
async def follow_report(tracking_code: str, request: Request) -> ReportView:
    """The reporter's view: status and dated public steps; `review_until` while a review of
    the reply may be asked."""
    ctx = context(request)
    key = _tracking_hash(request, tracking_code)
    async with ctx.db.sessions() as session:
        found = await public_status.view(session, key, wants_english(request), ctx.clock())
    if found is None:
        raise not_found(request)
    return ReportView.model_validate(found)


@router.post(
    "/reports/{tracking_code}/review",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReviewAccepted,
)
async def ask_review(
    tracking_code: str, body: ReviewIn, request: Request
) -> ReviewAccepted | JSONResponse:
    """Ask for a review (复查) of the reply, once, within the window the reply opened."""
    ctx = context(request)
    key = _tracking_hash(request, tracking_code)
    if len(body.reason) > ctx.settings.review_reason_max:
        most = ctx.settings.review_reason_max
        problem = (("reason",), f"理由不能超过 {most} 字", f"reason: at most {most} characters")
        return invalid(request, service.InvalidReport([problem]))
    try:
        at = await review.request_review(ctx, key, body.reason)
    except review.NoSuchReport as exc:
        raise not_found(request) from exc
    except review.WindowClosed as exc:
        english = wants_english(request)
        message = (
            "no review can be asked now (no reply yet, window passed, or already asked)"
            if english
            else "当前不能申请复查（尚未答复、已超过期限或已申请过）"
        )
        raise HTTPException(409, message) from exc
    return ReviewAccepted(status="review_requested", requested_at=at)


@router.get("/problems")
async def problems(request: Request) -> dict[str, object]:
    """The numbered problem list, for forms."""
    items = [
        {"number": p.number, "title": p.title, "title_en": p.title_en}
        for p in context(request).taxonomy.problems()
    ]
    return {"items": items, "total": len(items), "next": None}


@router.get("/counties")
async def counties(request: Request) -> dict[str, object]:
    """The county-level areas reports may name, for forms."""
    items = [{"code": code, "name": name} for code, name in context(request).directory.counties()]
    return {"items": items, "total": len(items), "next": None}
