"""Open311 POST requests: the caller (GeoReport's `api_key` field, else a bearer token or
`X-API-Key`), GeoReport's own rules, then the report submitted as any other."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from services.intake.authorization import CLERK_ROLES, authorize_county
from services.intake.context import Context
from services.intake.open311.answers import answer, error, invalid, notice, open311_error
from services.intake.open311.fields import coordinates, located, read_fields, to_body
from services.intake.problems import schema_detail
from services.intake.routes.throttle import limit
from services.intake.schemas.report import ReportIn
from services.intake.submission import submit
from shared.auth import Principal, optional_principal
from shared.errors import Refusal, wants_english


class BadKey(Exception):
    """The request's `api_key` is not a key we issued (or it is revoked or expired)."""


async def _caller(request: Request, fields: dict[str, Any]) -> Principal | None:
    """GeoReport's `api_key` field when sent (an API key of shared/apikeys), else the headers'
    credential as every other route reads it."""
    key = str(fields.get("api_key") or "").strip()
    if not key:
        return await optional_principal(request)
    verifier = getattr(request.app.state, "apikeys", None)
    found = await verifier.verify(key) if verifier is not None else None
    if found is None:
        raise BadKey
    return Principal(sub=f"apikey:{found.key_id}", unit=found.unit, role=found.role)  # type: ignore[arg-type]


def _precheck(
    ctx: Context, fields: dict[str, Any], english: bool, xml: bool
) -> Response | tuple[float, float] | None:
    """GeoReport's own rules first: what is missing is 400, what is unknown is 404. The
    request's point (or None) when they hold."""
    for required in ("jurisdiction_id", "service_code"):
        if not fields.get(required):
            return error(400, f"{required} was not provided", xml=xml)
    if fields["jurisdiction_id"] not in ctx.counties:
        return error(404, f"jurisdiction_id {fields['jurisdiction_id']} not found", xml=xml)
    code = str(fields["service_code"])
    if not code.isdigit() or int(code) not in ctx.taxonomy:
        return error(404, f"service_code {code} not found", xml=xml)
    low, high = ctx.settings.content_min, ctx.settings.content_max
    if not low <= len(str(fields.get("description") or "").strip()) <= high:
        if english:
            return error(400, f"description: must have {low} to {high} characters", xml=xml)
        return error(400, f"description: 内容长度应为 {low}–{high} 个字符", xml=xml)
    try:
        point = coordinates(fields)
    except ValueError as exc:
        return error(400, str(exc), xml=xml)
    if not located(fields, point):
        where = "lat and long, address_string or address_id is required"
        text = (
            where
            if english
            else f"请提供地点（lat 与 long、address_string 或 address_id）/ {where}"
        )
        return error(400, text, xml=xml)
    return point


async def submit_request(ctx: Context, request: Request, xml: bool) -> Response:
    """Validate and accept one GeoReport service request."""
    english = wants_english(request)
    fields = await read_fields(request)
    try:
        caller = await _caller(request, fields)
    except BadKey:
        text = "api_key is not valid" if english else "api_key 无效、已吊销或已过期"
        return error(403, text, xml=xml)
    trusted = caller is not None and caller.role in CLERK_ROLES
    if not trusted:
        limit(ctx, request, ctx.limiters.public)
    checked = _precheck(ctx, fields, english, xml)
    if isinstance(checked, Response):
        return checked
    # A key's or token's system files as its unit, on the channel it names (integrator by
    # default); the public's requests are web reports.
    channel = str(fields.get("channel") or "integrator") if trusted else "web"
    try:
        authorize_county(ctx, caller, fields["jurisdiction_id"])
        body = ReportIn.model_validate(to_body(fields, channel, checked))
        accepted = await submit(
            ctx,
            body,
            idempotency_key=request.headers.get("idempotency-key"),
            unit=caller.unit if caller else None,
            transport="open311",
            point=checked,
        )
    except ValidationError as exc:
        return invalid(ctx, schema_detail(exc, english), xml)
    except Refusal as exc:
        return open311_error(ctx, exc, english, xml)
    created = {
        "service_request_id": accepted.report_id,
        "service_notice": notice(accepted.tracking_code, english),
        "account_id": None,
        "tracking_code": accepted.tracking_code,
    }
    return answer("service_requests", [created], xml)
