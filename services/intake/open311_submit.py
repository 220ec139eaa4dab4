"""Open311 POST requests: GeoReport's fields mapped onto a report, answered in its shapes."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.authorization import CLERK_ROLES, authorize_county
from services.intake.context import Context
from services.intake.problems import schema_detail
from services.intake.refusals import count, english_only, is_malformed
from services.intake.routes.throttle import limit
from services.intake.schemas import ReportIn
from services.intake.submission import submit
from shared.auth import optional_principal
from shared.errors import Refusal, wants_english

# Our own report fields a GeoReport client may send as extensions.
EXTENSIONS = ("title", "township", "village", "subject_unit", "subject_unit_id", "subject_person")
GEOREPORT = {"content": "description", "county": "jurisdiction_id", "category_hint": "service_code"}


def error(status: int, *descriptions: str) -> JSONResponse:
    items = [{"code": status, "description": text} for text in descriptions]
    return JSONResponse(items, status_code=status)


async def _fields(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


def to_body(fields: dict[str, Any], channel: str) -> dict[str, Any]:
    """GeoReport fields → our report body (location goes into the text: we have no map)."""
    content = str(fields.get("description") or "")
    if fields.get("address_string"):
        content = f"{content}\n\n地点 / Location: {fields['address_string']}"
    body: dict[str, Any] = {
        "channel": channel,
        "county": fields.get("jurisdiction_id"),
        "content": content,
        "category_hint": fields.get("service_code"),
    }
    body |= {name: fields[name] for name in EXTENSIONS if fields.get(name)}
    name = " ".join(str(fields[k]) for k in ("last_name", "first_name") if fields.get(k))
    contact = {"name": name, "phone": fields.get("phone"), "email": fields.get("email")}
    contact = {k: v for k, v in contact.items() if v}
    if contact:
        body["reporter"] = {"anonymous": False, **contact}
    return body


def _described(items: list[dict[str, Any]]) -> list[str]:
    """`field: message` with GeoReport's field names where they differ from ours."""
    out = []
    for item in items:
        loc = [str(p) for p in item["loc"] if p != "body"]
        field = GEOREPORT.get(loc[0], loc[-1]) if loc else "request"
        out.append(f"{field}: {item['msg']}")
    return out


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
    fields = await _fields(request)
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
        return _invalid(ctx, schema_detail(exc, english))
    except Refusal as exc:
        return open311_error(ctx, exc, english)
    notice = _notice(accepted.tracking_code, english)
    return JSONResponse(
        [
            {
                "service_request_id": accepted.report_id,
                "service_notice": notice,
                "account_id": None,
                "tracking_code": accepted.tracking_code,
            }
        ]
    )


def open311_error(ctx: Context, refusal: Refusal, english: bool) -> JSONResponse:
    """A refusal in GeoReport's shape: bad input is 400, each field described."""
    count(ctx, refusal)
    if is_malformed(refusal):
        return error(400, refusal.en)
    if refusal.status == 422:
        return error(400, *_described(refusal.field_errors(english)))
    return error(refusal.status, refusal.en if english_only(refusal) else refusal.text(english))


def _invalid(ctx: Context, items: list[dict[str, Any]]) -> JSONResponse:
    ctx.metrics.invalid([item["loc"] for item in items])
    return error(400, *_described(items))


def _notice(code: str, english: bool) -> str:
    if english:
        return f"Received. Follow it with tracking code {code}."
    return f"举报已收到，可凭查询码 {code} 查询办理进度。"
