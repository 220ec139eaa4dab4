"""What a case event sets on each of its reports: the case's status and problem (Open311), and
the review window its reply opens."""

from __future__ import annotations

from typing import Any

from shared.events import Envelope
from shared.events.cases import CaseClosed, CaseEvent, CaseRejected


def case_values(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """The case's status and problem (Open311) and the review window."""
    values: dict[str, Any] = {
        "case_status": payload.status,
        "case_version": payload.version,
        "problem": payload.problem,
        "updated_at": envelope.occurred_at,
    }
    return values | review_window(envelope, payload)


def review_window(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """A reply opens the window until the date cases set for it (`review_due`); reopening the
    case closes it. Intake keeps no deadline rules of its own."""
    if isinstance(payload, CaseClosed | CaseRejected):
        return {"replied_at": envelope.occurred_at, "review_until": payload.review_due}
    if envelope.type == "case.reopened":
        return {"replied_at": None, "review_until": None}
    return {}
