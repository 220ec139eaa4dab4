"""Refused actions, each with the HTTP status the contract gives it (no I/O, no HTTP imports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    """A refused action; `status_code` is the HTTP status the contract gives it."""

    status_code = 400


class TransitionError(DomainError):
    """The case's state forbids the action (409); `allowed` lists what it permits now."""

    status_code = 409

    def __init__(self, message: str, allowed: Sequence[str]) -> None:
        names = ", ".join(allowed) or "nothing"
        super().__init__(f"{message}; allowed now: {names}")
        self.allowed = tuple(allowed)


class PermissionDenied(DomainError):
    """The actor's role or unit may not do this (403); the message says who may."""

    status_code = 403


class InvalidPayload(DomainError):
    """Bad input (422); `errors` has FastAPI's shape: `loc`, `msg`, `type` (and `ctx`)."""

    status_code = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors


def invalid(field: str, msg: str) -> InvalidPayload:
    """A one-field InvalidPayload; `msg` is "zh | en" (shared.errors shows the wanted half)."""
    error = {"loc": ("body", field), "msg": msg, "type": "value_error", "ctx": {"error": msg}}
    return InvalidPayload([error])
