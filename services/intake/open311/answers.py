"""Open311 answers in GeoReport's shapes, JSON or XML as the path's `.xml` asks: errors as
`[{code, description}]` / `<errors><error>` (the one place a refusal is rendered for Open311),
the accepted request's notice."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from services.intake.context import Context
from services.intake.open311.xmlshape import xml_response
from services.intake.refusals import count, english_only, is_malformed
from shared.errors import Refusal
from shared.http_errors import fix_allow, on_http_error

GEOREPORT = {"content": "description", "county": "jurisdiction_id", "category_hint": "service_code"}


def answer(root: str, value: dict[str, Any] | list[Any], xml: bool, status: int = 200) -> Response:
    """`value` as JSON, or as XML under `<root>` (the specification's element names)."""
    if xml:
        return xml_response(root, value, status)
    return JSONResponse(value, status_code=status)


def error(status: int, *descriptions: str, xml: bool = False) -> Response:
    items = [{"code": status, "description": text} for text in descriptions]
    return answer("errors", items, xml, status)


def wants_xml(request: Request) -> bool:
    """GeoReport picks the format by the path's extension; JSON without one."""
    return request.url.path.endswith(".xml")


def _described(items: list[dict[str, Any]]) -> list[str]:
    """`field: message` with GeoReport's field names where they differ from ours."""
    out = []
    for item in items:
        loc = [str(p) for p in item["loc"] if p != "body"]
        field = GEOREPORT.get(loc[0], loc[-1]) if loc else "request"
        out.append(f"{field}: {item['msg']}")
    return out


def open311_error(ctx: Context, refusal: Refusal, english: bool, xml: bool) -> Response:
    """A refusal in GeoReport's shape: bad input is 400, each field described."""
    count(ctx, refusal)
    if is_malformed(refusal):
        return error(400, refusal.en, xml=xml)
    if refusal.status == 422:
        return error(400, *_described(refusal.field_errors(english)), xml=xml)
    text = refusal.en if english_only(refusal) else refusal.text(english)
    return error(refusal.status, text, xml=xml)


def invalid(ctx: Context, items: list[dict[str, Any]], xml: bool) -> Response:
    ctx.metrics.invalid([item["loc"] for item in items])
    return error(400, *_described(items), xml=xml)


def notice(code: str, english: bool) -> str:
    if english:
        return f"Received. Follow it with tracking code {code}."
    return f"举报已收到，可凭查询码 {code} 查询办理进度。"


async def open311_errors(request: Request, exc: Exception) -> Response:
    """Open311 keeps GeoReport's error shape, `[{code, description}]` or `<errors>`."""
    assert isinstance(exc, HTTPException)
    if (options := fix_allow(request, exc)) is not None:
        return options
    if not request.url.path.startswith("/open311/"):
        return await on_http_error(request, exc)  # the one refusal shape elsewhere
    answered = error(exc.status_code, str(exc.detail), xml=wants_xml(request))
    answered.headers.update(exc.headers or {})
    return answered
