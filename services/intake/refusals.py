"""Intake's refusals beyond the schema: storing failures as refusals, and the one place a
refusal is counted (by reason) whichever transport answers it.

Each transport renders a refusal in one function of its own: HTTP through `shared.http_errors`
(with the headers `http_refusals` adds), the NATS reply in `requestreply.failure_of`, Open311
in `open311_submit.open311_error`, import rows in `importing.row_errors`. NATS and Open311
answered storing refusals (idempotency conflict, malformed value, not stored) in English only;
they still do until the contract is unified (issue #19).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DataError, SQLAlchemyError

from shared.errors import Refusal

if TYPE_CHECKING:  # the context holds the writer, which refuses with idempotency_conflict
    from services.intake.context import Context

MALFORMED_AT = ("query",)  # where shared.http_errors places a value the database refused
IDEMPOTENCY = "idempotency_conflict"


def idempotency_conflict() -> Refusal:
    """The same Idempotency-Key came with a different body."""
    return Refusal(
        409,
        "该 Idempotency-Key 已用于内容不同的请求",
        "Idempotency-Key was used with a different body",
        type=IDEMPOTENCY,
    )


def malformed() -> Refusal:
    """The database refused a value the caller sent (out of range, bad encoding)."""
    return Refusal.invalid(
        MALFORMED_AT, "参数取值超出范围或格式不正确", "a value is out of range or malformed"
    )


def not_stored() -> Refusal:
    """The database is away: nothing was stored, the same request may be sent again."""
    return Refusal.unavailable(
        "暂时无法保存，请使用同一 Idempotency-Key 重试",
        "not stored; retry with the same Idempotency-Key",
    )


def is_malformed(refusal: Refusal) -> bool:
    return refusal.loc == MALFORMED_AT


def english_only(refusal: Refusal) -> bool:
    """Storing refusals, which NATS and Open311 answer in English whatever was asked."""
    return refusal.type == IDEMPOTENCY or refusal.status == 503 or is_malformed(refusal)


@asynccontextmanager
async def storing() -> AsyncIterator[None]:
    """Database failures while storing a report, as the refusals the caller hears."""
    try:
        yield
    except DataError as exc:
        raise malformed() from exc
    except (SQLAlchemyError, OSError) as exc:
        raise not_stored() from exc


def count(ctx: Context, refusal: Refusal) -> None:
    """One rejection by reason: who may not, a raced key, or each bad field."""
    if refusal.status == 401:
        ctx.metrics.rejected("unauthorized")
    elif refusal.status == 403:
        ctx.metrics.rejected("forbidden")
    elif refusal.type == IDEMPOTENCY:
        ctx.metrics.rejected(IDEMPOTENCY)
    elif refusal.status == 422 and refusal.loc and not is_malformed(refusal):
        ctx.metrics.invalid([list(p.loc) for p in refusal.problems])


HEADERS = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "2"}}


def http_refusals(app: FastAPI, ctx: Context) -> None:
    """Count refusals, then answer as shared.http_errors does, with the headers HTTP adds
    (the scheme to authenticate with, when to retry)."""
    answer = app.exception_handlers[Refusal]

    async def on_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        count(ctx, exc)
        response: Response = await answer(request, exc)  # type: ignore[misc]
        response.headers.update(HEADERS.get(exc.status, {}))
        return response

    app.add_exception_handler(Refusal, on_refusal)
