"""Request body limits: 413 for a body over the limit of its path, told by Content-Length or
counted while it streams in, before a route reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.intake.settings import IntakeSettings
from shared.http_limits import header, too_large_text, wants_english

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an uploaded file


def body_limits(settings: IntakeSettings) -> Callable[[str], int]:
    def limit_for(path: str) -> int:
        if path == "/api/v1/attachments":
            return settings.attachment_max_bytes + MULTIPART_SLACK
        if path in ("/report", "/desk"):  # the report forms (public, desk), with their files
            return settings.attachment_max_bytes * settings.page_files_max + MULTIPART_SLACK
        if path in ("/api/v1/reports/import", "/desk/import"):
            return settings.import_max_bytes + MULTIPART_SLACK
        return settings.max_body_bytes

    return limit_for


class TooLarge(HTTPException):
    """The request body passed its limit while being read (an HTTPException, so the framework
    answers 413 instead of calling it a malformed body)."""

    def __init__(self, limit: int, english: bool) -> None:
        super().__init__(413, too_large_text(limit, english))


class BodyLimit:
    """413 for bodies over the limit of their path, by Content-Length or while streaming."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int],
        on_reject: Callable[[], None] = lambda: None,
    ) -> None:
        self.app, self.limit_for, self.on_reject = app, limit_for, on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared, chunked = _framing(scope)
        if declared is not None and declared > limit:
            self.on_reject()
            await _too_large(scope, send, limit)
            return
        if declared is not None and not chunked:
            # The server reads exactly Content-Length bytes of such a body (uvicorn's parser
            # frames it), so it cannot pass the limit: nothing to count, no wrappers.
            await self.app(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                self.on_reject()
                raise TooLarge(limit, wants_english(scope))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:  # a route that let it through: answer here
            if not started:
                await _too_large(scope, send, limit)


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None when absent or not a number) and whether a
    Transfer-Encoding is present too (then the length does not frame the body)."""
    value = header(scope, b"content-length")
    return (int(value) if value.isdigit() else None), bool(header(scope, b"transfer-encoding"))


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    from starlette.responses import JSONResponse

    text = too_large_text(limit, wants_english(scope))
    body: Any
    if scope["path"].startswith("/open311/"):
        body = [{"code": 413, "description": text}]
    else:
        body = {"detail": text}
    response = JSONResponse(body, status_code=413)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
