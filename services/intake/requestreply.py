"""Integrators submit over NATS request-reply on `zuofeng.v1.<county>.intake.submit`.

A core NATS subscription in a queue group (replicas share the work; no stream captures the
subject, or the stream would answer with its PubAck). The body, validation and answer are
those of `POST /api/v1/reports`; headers `Authorization: Bearer <token>` (or `X-API-Key`)
and `Idempotency-Key`. Failures answer `{"error": {"status": <http status>, "detail": ...}}`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import HTTPException, Request
from faststream.nats import NatsBroker, NatsMessage
from pydantic import ValidationError

from services.intake.authorization import authorize
from services.intake.context import Context
from services.intake.problems import schema_detail
from services.intake.refusals import count, english_only, is_malformed
from services.intake.schemas import ReportIn
from services.intake.submission import submit
from shared.auth import Principal, optional_principal
from shared.errors import Refusal
from shared.subjects import submit_subject

log = logging.getLogger("zuofeng.intake")
QUEUE = "intake"
Reply = dict[str, Any]


def failure(status: int, detail_: Any) -> Reply:
    return {"error": {"status": status, "detail": detail_}}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


async def _caller(headers: Mapping[str, str], app: Any) -> Principal:
    """Who sends this, exactly as HTTP decides it (bearer token or X-API-Key): the headers are
    handed to shared.auth as a request of the running app."""
    try:
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        caller = await optional_principal(Request({"type": "http", "headers": raw, "app": app}))
    except HTTPException as exc:
        raise Refusal(exc.status_code, str(exc.detail), str(exc.detail)) from exc
    except UnicodeEncodeError as exc:
        raise Refusal.unauthorized("malformed credentials", "malformed credentials") from exc
    if caller is None:
        expected = "expected 'Authorization: Bearer <token>' or 'X-API-Key'"
        raise Refusal.unauthorized(expected, expected)
    return caller


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
        caller = await _caller(headers, app)
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


def failure_of(ctx: Context, refusal: Refusal, english: bool) -> Reply:
    """A refusal as the NATS reply gives it: HTTP's status and detail."""
    count(ctx, refusal)
    if is_malformed(refusal):
        return failure(422, refusal.en)
    if english_only(refusal):
        return failure(refusal.status, refusal.en)
    return failure(refusal.status, refusal.detail(english))


def subscribe_submit(
    broker: NatsBroker, ctx: Context, app: Callable[[], Any], workers: int
) -> None:
    """Answer submissions on every county's subject, sharing them among replicas."""

    async def submit_over_nats() -> Reply:
        """Submit a report (the JSON body of POST /api/v1/reports); the reply is
        `{"report_id", "tracking_code"}` or `{"error": {"status", "detail"}}`."""
        # From the context, not by injection: fast_depends resolves an injected message in a
        # worker thread, several thread hops per request.
        msg: NatsMessage = broker.context.get_local("message")
        try:
            return await answer(ctx, app(), msg.body, msg.headers, msg.raw_message.subject)
        except Exception as exc:  # noqa: BLE001 - an answer always goes back
            # Only the type: a driver's message may quote the values it choked on.
            log.error("submission over NATS failed: %s", type(exc).__name__)
            return failure(500, "internal error")

    handler: Callable[[], Awaitable[Reply]] = submit_over_nats
    broker.subscriber(
        submit_subject("*"),
        queue=QUEUE,
        max_workers=workers,
        title="intake.submit",
        description=submit_over_nats.__doc__,
    )(handler)
