"""What a case event sets on each of its reports: the case's status and problem (Open311), the
review window its reply opens, and the deadline the handling unit must meet now."""

from __future__ import annotations

from typing import Any

from shared.events import Envelope
from shared.events.cases import (
    CaseAccepted,
    CaseClosed,
    CaseConcluded,
    CaseEvent,
    CaseExtensionDecided,
    CaseOpened,
    CaseRejected,
    CaseReopened,
    CaseSentBack,
)

# The cases' deadline kinds the reporter is shown, as the public kind: deciding whether to
# accept (受理), and handling (办理; the answer to a review request is handling again).
PUBLIC_KINDS = {"review_answer": "handle", "handle": "handle", "accept_decision": "accept"}
PUBLIC_KINDS |= {"redo": "handle"}  # handled again after a send-back (发回重办)


def case_values(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """The case's status and problem (Open311), the review window and the deadline."""
    values: dict[str, Any] = {
        "case_status": payload.status,
        "case_version": payload.version,
        "problem": payload.problem,
        "updated_at": envelope.occurred_at,
    }
    return values | review_window(envelope, payload) | deadline(payload)


def review_window(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """A reply opens the window until the date cases set for it (`review_due`); reopening the
    case closes it. Intake keeps no deadline rules of its own."""
    if isinstance(payload, CaseClosed):
        reply = {"replied_at": envelope.occurred_at, "review_until": payload.review_due}
        return reply | {"re_review_until": payload.re_review_due}
    if isinstance(payload, CaseRejected):
        return {"replied_at": envelope.occurred_at, "review_until": payload.review_due}
    if envelope.type in ("case.reopened", "case.sent_back"):
        return {"replied_at": None, "review_until": None}
    return {}


def deadline(payload: CaseEvent) -> dict[str, Any]:
    """The deadline the unit must meet now, as the event says: an opening's acceptance
    deadline, acceptance's (or a reopening's) handling deadline, an approved extension's new
    date; a finding, a rejection or the closing ends it. Other events leave it as it is."""
    if isinstance(payload, CaseOpened | CaseAccepted | CaseReopened | CaseSentBack):
        dues = {d.kind: d.due for d in payload.deadlines}
        kind = next((k for k in PUBLIC_KINDS if k in dues), None)
        if kind is None:
            return {"deadline_due": None, "deadline_kind": None}
        return {"deadline_due": dues[kind], "deadline_kind": PUBLIC_KINDS[kind]}
    if isinstance(payload, CaseExtensionDecided):
        return {"deadline_due": payload.new_due} if payload.approved and payload.new_due else {}
    if isinstance(payload, CaseConcluded | CaseRejected | CaseClosed):
        return {"deadline_due": None, "deadline_kind": None}
    return {}
