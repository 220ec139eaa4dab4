"""Intake's HTTP API: submit a report, follow it by tracking code, and the lists forms need."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse

from services.intake import public_status, service
from services.intake.schemas import ReportAccepted, ReportIn, ReportView
from services.intake.tracking import lookup_hash
from shared.auth import MaybeCaller
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["intake"])
CLERK_ROLES = ("clerk", "integrator", "city_office")


def _ctx(request: Request) -> service.Context:
    return request.app.state.intake


def invalid(problems: list[tuple[str, str, str]], english: bool) -> JSONResponse:
    detail = [
        {"loc": ["body", field], "msg": en if english else zh, "type": "value_error"}
        for field, zh, en in problems
    ]
    return JSONResponse({"detail": detail}, status_code=422)


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED, response_model=ReportAccepted)
async def submit_report(
    body: ReportIn,
    request: Request,
    caller: MaybeCaller,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReportAccepted | JSONResponse:
    """Accept a report from any channel; channels other than web need a clerk or integrator."""
    if body.channel != "web":
        if caller is None:
            raise HTTPException(
                401,
                "channel requires a clerk or integrator token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if caller.role not in CLERK_ROLES:
            raise HTTPException(403, f"role {caller.role} may not submit {body.channel} reports")
    try:
        return await service.submit(
            _ctx(request),
            body,
            idempotency_key=idempotency_key,
            unit=caller.unit if caller else None,
        )
    except service.InvalidReport as exc:
        return invalid(exc.problems, wants_english(request))
    except service.IdempotencyConflict as exc:
        raise HTTPException(409, "Idempotency-Key was used with a different body") from exc


@router.get("/reports/{tracking_code}", response_model=ReportView)
async def follow_report(tracking_code: str, request: Request) -> ReportView:
    """The reporter's view of their report."""
    ctx = _ctx(request)
    key = lookup_hash(ctx.settings.secret("tracking"), tracking_code)
    found = None
    if key is not None:
        async with ctx.db.sessions() as session:
            found = await public_status.view(session, key, wants_english(request))
    if found is None:
        raise HTTPException(404, "no report with this tracking code")
    state, steps = found
    return ReportView.model_validate({"status": state, "steps": steps})


@router.get("/problems")
async def problems(request: Request) -> dict[str, object]:
    items = [
        {"number": p.number, "title": p.title, "title_en": p.title_en}
        for p in _ctx(request).taxonomy.problems()
    ]
    return {"items": items, "total": len(items), "next": None}


@router.get("/counties")
async def counties(request: Request) -> dict[str, object]:
    items = [{"code": code, "name": name} for code, name in _ctx(request).directory.counties()]
    return {"items": items, "total": len(items), "next": None}
