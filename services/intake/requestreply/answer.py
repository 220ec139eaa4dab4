"""One submission over NATS: its headers and body read as HTTP would read them, submitted, and
the reply given."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from services.intake.authorization import authorize
from services.intake.context import Context
from services.intake.problems import schema_detail
from services.intake.requestreply.caller import caller_of
from services.intake.requestreply.replies import Reply, failure, failure_of
from services.intake.schemas.report import ReportIn
from services.intake.submission import submit
from shared.errors import Refusal


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _parse(data: bytes, county: str) -> ReportIn:
    """The body as HTTP would read it; the county may come from the subject alone. Raises
    pydantic's ValidationError or a Refusal."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        zh, en = "请求体不是有效的 JSON", "body is not valid JSON"
        raise Refusal(422, zh, en, ("body",), type="json_invalid") from exc
    if not isinstance(raw, dict):
        raise Refusal(422, "请求体应为对象", "body must be an object", ("body",), type="dict_type")
    raw.setdefault("county", county)
    if raw["county"] != county:
        zh, en = "县市区代码与主题不一致", "county differs from the subject's"
        raise Refusal.invalid(("body", "county"), zh, en)
    return ReportIn.model_validate(raw)


async def answer(
    ctx: Context, app: Any, data: bytes, headers: Mapping[str, str], subject: str
) -> Reply:
    """The reply to one submission: the 202 body, or an error with its HTTP status."""
    english = (_header(headers, "Accept-Language") or "").lower().startswith("en")
    try:
        caller = await caller_of(headers, app)
        body = _parse(data, subject.split(".")[2])
        authorize(caller, body.channel)
        accepted = await submit(
            ctx, body, idempotency_key=_header(headers, "Idempotency-Key"), unit=caller.unit,
            transport="nats",
        )  # fmt: skip
    except ValidationError as exc:
        items = schema_detail(exc, english)
        ctx.metrics.invalid([item["loc"] for item in items])
        return failure(422, items)
    except Refusal as exc:
        return failure_of(ctx, exc, english)
    return accepted.model_dump()
