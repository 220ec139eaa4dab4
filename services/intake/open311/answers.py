"""Open311 answers in GeoReport's shapes: errors as `[{code, description}]` (the one place a
refusal is rendered for Open311), the accepted request's notice."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from services.intake.context import Context
from services.intake.refusals import count, english_only, is_malformed
from shared.errors import Refusal
from shared.http_errors import fix_allow, on_http_error

GEOREPORT = {"content": "description", "county": "jurisdiction_id", "category_hint": "service_code"}


def error(status: int, *descriptions: str) -> JSONResponse:
    items = [{"code": status, "description": text} for text in descriptions]
    return JSONResponse(items, status_code=status)


def _described(items: list[dict[str, Any]]) -> list[str]:
    """`field: message` with GeoReport's field names where they differ from ours."""
    out = []
    for item in items:
        loc = [str(p) for p in item["loc"] if p != "body"]
        field = GEOREPORT.get(loc[0], loc[-1]) if loc else "request"
        out.append(f"{field}: {item['msg']}")
    return out


def open311_error(ctx: Context, refusal: Refusal, english: bool) -> JSONResponse:
    """A refusal in GeoReport's shape: bad input is 400, each field described."""
    count(ctx, refusal)
    if is_malformed(refusal):
        return error(400, refusal.en)
    if refusal.status == 422:
        return error(400, *_described(refusal.field_errors(english)))
    return error(refusal.status, refusal.en if english_only(refusal) else refusal.text(english))


def invalid(ctx: Context, items: list[dict[str, Any]]) -> JSONResponse:
    ctx.metrics.invalid([item["loc"] for item in items])
    return error(400, *_described(items))


def notice(code: str, english: bool) -> str:
    if english:
        return f"Received. Follow it with tracking code {code}."
    return f"举报已收到，可凭查询码 {code} 查询办理进度。"


async def open311_errors(request: Request, exc: Exception) -> Response:
    """Open311 keeps GeoReport's error shape, `[{code, description}]`."""
    assert isinstance(exc, HTTPException)
    if (options := fix_allow(request, exc)) is not None:
        return options
    if not request.url.path.startswith("/open311/"):
        return await on_http_error(request, exc)  # the one refusal shape elsewhere
    return JSONResponse(
        [{"code": exc.status_code, "description": str(exc.detail)}],
        status_code=exc.status_code,
        headers=exc.headers,
    )
