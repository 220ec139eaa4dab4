"""What the guard reads from a request's scope (headers, language) and the refusals it answers
with before the app has run (401, 413), in the caller's language."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import Message, Scope


class Refused(HTTPException):
    """Raised from `receive` before any body is handed out; an HTTPException so FastAPI's body
    parsing lets it through and the app's handler answers (401 or 413, not "malformed")."""


def header(scope: Scope, wanted: bytes) -> str:
    """A request header from the ASGI scope (\"\" when absent)."""
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return ""


def wants_english(scope: Scope) -> bool:
    """Texts for users are zh-CN unless the caller asks for English."""
    return header(scope, b"accept-language").lower().startswith("en")


def too_large_text(limit: int, english: bool) -> str:
    return f"request body exceeds {limit} bytes" if english else f"请求体超过 {limit} 字节"


def too_large(scope: Scope, limit: int) -> Refused:
    return Refused(413, too_large_text(limit, wants_english(scope)))


def unauthorized(scope: Scope) -> Refused:
    text = (
        "a valid bearer token or API key is required"
        if wants_english(scope)
        else "需要有效的凭据（Bearer 令牌或 API 密钥）"
    )
    return Refused(401, text, headers={"WWW-Authenticate": "Bearer"})


async def no_receive() -> Message:
    return {"type": "http.disconnect"}
