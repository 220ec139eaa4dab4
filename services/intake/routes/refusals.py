"""How intake's HTTP answers a refusal beyond `shared.http_errors`: it counts it, adds the
headers HTTP clients expect, and a refused file keeps the key order its answer always had."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from services.intake.attachments.checks import FILE_AT
from services.intake.context import Context
from services.intake.refusals import count
from shared.errors import Refusal, wants_english

HEADERS = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "2"}}


def http_refusals(app: FastAPI, ctx: Context) -> None:
    """Count refusals, then answer as shared.http_errors does, with the headers HTTP adds
    (the scheme to authenticate with, when to retry)."""
    answer = app.exception_handlers[Refusal]

    async def on_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        count(ctx, exc)
        if exc.loc == FILE_AT:
            response: Response = file_refused(exc, wants_english(request))
        else:
            response = await answer(request, exc)  # type: ignore[misc]
        response.headers.update(HEADERS.get(exc.status, {}))
        return response

    app.add_exception_handler(Refusal, on_refusal)


def file_refused(refusal: Refusal, english: bool) -> JSONResponse:
    """A refused upload or import names the file as `loc, msg, type` (other 422s put `type`
    before `msg`); clients got these answers byte for byte before refusals had one type."""
    item = {"loc": list(refusal.loc), "msg": refusal.text(english), "type": refusal.type}
    return JSONResponse({"detail": [item]}, status_code=refusal.status)
