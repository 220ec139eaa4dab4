"""Open311 POST requests: GeoReport's own rules first, then the report submitted as any other."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.authorization import CLERK_ROLES, authorize_county
from services.intake.context import Context
from services.intake.open311.answers import error, invalid, notice, open311_error
from services.intake.open311.fields import read_fields, to_body
from services.intake.problems import schema_detail
from services.intake.routes.throttle import limit
from services.intake.schemas.report import ReportIn
from services.intake.submission import submit
from shared.auth import optional_principal
from shared.errors import Refusal, wants_english


def _precheck(ctx: Context, fields: dict[str, Any], english: bool) -> JSONResponse | None:
    """GeoReport's own rules first: what is missing is 400, what is unknown is 404."""
    for required in ("jurisdiction_id", "service_code"):
        if not fields.get(required):
            return error(400, f"{required} was not provided")
    if fields["jurisdiction_id"] not in ctx.counties:
        return error(404, f"jurisdiction_id {fields['jurisdiction_id']} not found")
    code = str(fields["service_code"])
    if not code.isdigit() or int(code) not in ctx.taxonomy:
        return error(404, f"service_code {code} not found")
    low, high = ctx.settings.content_min, ctx.settings.content_max
    if not low <= len(str(fields.get("description") or "").strip()) <= high:
        if english:
            return error(400, f"description: must have {low} to {high} characters")
        return error(400, f"description: 内容长度应为 {low}–{high} 个字符")
    return None


async def submit_request(ctx: Context, request: Request) -> JSONResponse:
    """Validate and accept one GeoReport service request."""
    english = wants_english(request)
    fields = await read_fields(request)
    refused = _precheck(ctx, fields, english)
    if refused:
        return refused
    caller = await optional_principal(request)
    trusted = caller is not None and caller.role in CLERK_ROLES
    if not trusted:
        limit(ctx, request, ctx.limiters.public)
    try:
        authorize_county(ctx, caller, fields["jurisdiction_id"])
        body = ReportIn.model_validate(to_body(fields, "integrator" if trusted else "web"))
        accepted = await submit(
            ctx,
            body,
            idempotency_key=request.headers.get("idempotency-key"),
            unit=caller.unit if caller else None,
            transport="open311",
        )
    except ValidationError as exc:
        return invalid(ctx, schema_detail(exc, english))
    except Refusal as exc:
        return open311_error(ctx, exc, english)
    return JSONResponse(
        [
            {
                "service_request_id": accepted.report_id,
                "service_notice": notice(accepted.tracking_code, english),
                "account_id": None,
                "tracking_code": accepted.tracking_code,
            }
        ]
    )
