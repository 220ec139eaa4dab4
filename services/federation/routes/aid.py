"""两癌 aid over HTTP: applications, their steps, the applicant's status, the drives."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.federation.aid import applications, drives, views
from services.federation.aid.applications import (
    ApplicationIn,
    ApproveIn,
    CheckIn,
    DisburseIn,
    RefuseIn,
)
from services.federation.aid.drives import DriveIn
from services.federation.callers import Officer, Submitter
from services.federation.context import Ctx
from shared.errors import wants_english
from shared.http_params import INT_MAX
from shared.ratelimit import throttle

router = APIRouter(prefix="/api/v1/aid", tags=["两癌 aid"])
AppId = Annotated[str, Path(min_length=1, max_length=36)]
Status = Literal["submitted", "eligible", "reviewed", "approved", "disbursed", "closed", "refused"]


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt: str = Field(min_length=8, max_length=64)


@router.post("/applications", status_code=201)
async def submit(
    ctx: Ctx, request: Request, caller: Submitter, body: ApplicationIn
) -> dict[str, Any]:
    """By the woman herself (no credential; rate limited per client, 429 with Retry-After)
    or a village cadre for her county. The medical and payment details are sealed before
    anything is stored; the answer's `receipt` is her key to the status (shown once)."""
    if caller is None:
        throttle(request, ctx.public, lambda: ctx.metrics.rate_limited("submit"))
    return await applications.submit(ctx, caller, body)


@router.get("/applications")
async def listing(
    ctx: Ctx,
    caller: Officer,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> dict[str, Any]:
    """Federation officers: their county's applications (the city's: all), without details."""
    return await views.listing(ctx, caller, county, status, limit, cursor)


@router.get("/applications/{application_id}")
async def one(ctx: Ctx, caller: Officer, application_id: AppId, response: Response) -> Any:
    """The reviewing federation officers only: the application with its sealed details opened."""
    response.headers["Cache-Control"] = "no-store"
    return await views.for_officer(ctx, caller, application_id)


@router.post("/applications/{application_id}/check")
async def check(ctx: Ctx, caller: Officer, application_id: AppId, body: CheckIn) -> Any:
    """County federation: eligible, or refused with the reasons the applicant is told."""
    return await applications.act(ctx, caller, application_id, "check", body)


@router.post("/applications/{application_id}/review")
async def review(ctx: Ctx, caller: Officer, application_id: AppId) -> Any:
    """County federation: passes the application to the city."""
    return await applications.act(ctx, caller, application_id, "review")


@router.post("/applications/{application_id}/approve")
async def approve(ctx: Ctx, caller: Officer, application_id: AppId, body: ApproveIn) -> Any:
    """City federation: an amount from a fund source (within the drive's budget for it)."""
    return await applications.act(ctx, caller, application_id, "approve", body)


@router.post("/applications/{application_id}/disburse")
async def disburse(ctx: Ctx, caller: Officer, application_id: AppId, body: DisburseIn) -> Any:
    """City federation: the payment made."""
    return await applications.act(ctx, caller, application_id, "disburse", body)


@router.post("/applications/{application_id}/close")
async def close(ctx: Ctx, caller: Officer, application_id: AppId) -> Any:
    """City federation: the file closed after payment."""
    return await applications.act(ctx, caller, application_id, "close")


@router.post("/applications/{application_id}/refuse")
async def refuse(ctx: Ctx, caller: Officer, application_id: AppId, body: RefuseIn) -> Any:
    """The county (before review) or the city (after): the reason is what she is told."""
    return await applications.act(ctx, caller, application_id, "refuse", body)


@router.post("/status")
async def status_of(ctx: Ctx, request: Request, body: ReceiptIn) -> dict[str, Any]:
    """The applicant's view, by her receipt (in the body, never in a URL): the step, what is
    due, the amount granted or the reason she was refused. Rate limited per client (receipts
    are not to be guessed): 429 with Retry-After."""
    throttle(request, ctx.lookups, lambda: ctx.metrics.rate_limited("status"))
    return await views.for_applicant(ctx, body.receipt, wants_english(request))


@router.post("/drives", status_code=201)
async def open_drive(ctx: Ctx, caller: Officer, body: DriveIn) -> dict[str, Any]:
    """City federation: a city-wide aid drive with a budget per fund source (yuan)."""
    return await drives.open_drive(ctx, caller, body)


@router.get("/drives")
async def drive_list(ctx: Ctx, caller: Officer) -> dict[str, Any]:
    """Federation officers: the drives."""
    return await drives.listing(ctx, caller)


@router.get("/drives/{drive_id}")
async def drive(
    ctx: Ctx, caller: Officer, drive_id: Annotated[str, Path(max_length=36)]
) -> dict[str, Any]:
    """Federation officers: budget, granted and left per fund source, applications counted,
    the share granted to women in poor villages."""
    return await drives.drive_figures(ctx, caller, drive_id)
