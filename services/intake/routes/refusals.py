"""How intake's HTTP answers a refusal beyond `shared.http_errors`: it counts it and adds the
headers HTTP clients expect."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from services.intake.context import Context
from services.intake.refusals import count
from shared.errors import Refusal

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
