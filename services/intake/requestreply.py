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
from sqlalchemy.exc import DataError, SQLAlchemyError

from services.intake import service
from services.intake.problems import detail, schema_detail
from services.intake.schemas import ReportIn
from services.intake.service import Context
from shared.auth import Principal, optional_principal
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


async def _caller(headers: Mapping[str, str], app: Any) -> Principal | Reply:
    """Who sends this, exactly as HTTP decides it (bearer token or X-API-Key): the headers are
    handed to shared.auth as a request of the running app."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    try:
        caller = await optional_principal(Request({"type": "http", "headers": raw, "app": app}))
    except HTTPException as exc:
        return failure(exc.status_code, exc.detail)
    except UnicodeEncodeError:
        return failure(401, "malformed credentials")
    if caller is None:
        return failure(401, "expected 'Authorization: Bearer <token>' or 'X-API-Key'")
    return caller


def _parse(data: bytes, county: str, english: bool) -> ReportIn | Reply:
    """The body as HTTP would read it; the county may come from the subject alone."""
    try:
        raw = json.loads(data)
    except ValueError:
        message = "body is not valid JSON" if english else "请求体不是有效的 JSON"
        return failure(422, [{"loc": ["body"], "msg": message, "type": "json_invalid"}])
    if not isinstance(raw, dict):
        message = "body must be an object" if english else "请求体应为对象"
        return failure(422, [{"loc": ["body"], "msg": message, "type": "dict_type"}])
    raw.setdefault("county", county)
    if raw["county"] != county:
        problem = (("county",), "县市区代码与主题不一致", "county differs from the subject's")
        return failure(422, detail([problem], english))
    try:
        return ReportIn.model_validate(raw)
    except ValidationError as exc:
        return failure(422, schema_detail(exc, english))


async def answer(
    ctx: Context, app: Any, data: bytes, headers: Mapping[str, str], subject: str
) -> Reply:
    """The reply to one submission: the 202 body, or an error with its HTTP status."""
    english = (_header(headers, "Accept-Language") or "").lower().startswith("en")
    caller = await _caller(headers, app)
    if isinstance(caller, dict):
        ctx.metrics.rejected("unauthorized")
        return caller
    body = _parse(data, subject.split(".")[2], english)
    if isinstance(body, dict):
        ctx.metrics.invalid([item["loc"] for item in body["error"]["detail"]])
        return body
    return await _submit(ctx, caller, body, _header(headers, "Idempotency-Key"), english)


async def _submit(
    ctx: Context, caller: Principal, body: ReportIn, key: str | None, english: bool
) -> Reply:
    try:
        service.authorize(caller, body.channel)
        accepted = await service.submit(
            ctx, body, idempotency_key=key, unit=caller.unit, transport="nats"
        )
    except service.Refused as exc:
        ctx.metrics.rejected("forbidden")
        return failure(exc.status, exc.en if english else exc.zh)
    except service.InvalidReport as exc:
        items = detail(exc.problems, english)
        ctx.metrics.invalid([item["loc"] for item in items])
        return failure(422, items)
    except service.IdempotencyConflict:
        ctx.metrics.rejected("idempotency_conflict")
        return failure(409, "Idempotency-Key was used with a different body")
    except DataError:
        return failure(422, "a value is out of range or malformed")
    except (SQLAlchemyError, OSError):
        return failure(503, "not stored; retry with the same Idempotency-Key")
    return accepted.model_dump()


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
