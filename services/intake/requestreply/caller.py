"""Who sends a NATS submission, exactly as HTTP decides it (bearer token or X-API-Key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, Request

from shared.auth import Principal, optional_principal
from shared.errors import Refusal


async def caller_of(headers: Mapping[str, str], app: Any) -> Principal:
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
