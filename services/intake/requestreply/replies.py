"""What a NATS submission is answered: the 202 body, or `{"error": {"status", "detail"}}` with
HTTP's status; the one place a refusal is rendered for NATS."""

from __future__ import annotations

from typing import Any

from services.intake.context import Context
from services.intake.refusals import count, english_only, is_malformed
from shared.errors import Refusal

Reply = dict[str, Any]


def failure(status: int, detail_: Any) -> Reply:
    return {"error": {"status": status, "detail": detail_}}


def failure_of(ctx: Context, refusal: Refusal, english: bool) -> Reply:
    """A refusal as the NATS reply gives it: HTTP's status and detail."""
    count(ctx, refusal)
    if is_malformed(refusal):
        return failure(422, refusal.en)
    if english_only(refusal):
        return failure(refusal.status, refusal.en)
    return failure(refusal.status, refusal.detail(english))
