"""Which case events score which unit, and how (pure): acceptance and completion on time or
late against the case's own deadlines as its events stated them, ratings, send-backs (redo),
disputes decided (upheld for the unit when the case was reassigned, lost when the assignment
stood) and urges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from shared.deadlines import local_day
from shared.events import Envelope
from shared.events.cases import (
    CaseAccepted,
    CaseConcluded,
    CaseDisputeDecided,
    CaseEvent,
    CaseExtensionDecided,
    CaseOpened,
    CaseRated,
    CaseRejected,
    CaseReopened,
    CaseSentBack,
    CaseUrged,
)

Dues = dict[str, datetime]  # "accept" | "complete" -> due
Mark = dict[str, Any]
# The handling period a deadline list sets, in the order they are looked for.
PERIODS = ("redo", "review_answer", "handle")


def _kinds(deadlines: Any) -> dict[str, datetime]:
    return {d.kind: d.due for d in deadlines}


def new_dues(event: CaseEvent) -> Dues:
    """The dues this event sets: the acceptance decision's on opening; the handling period's
    on acceptance, a review, a send-back or an approved extension."""
    if isinstance(event, CaseOpened):
        found = _kinds(event.deadlines).get("accept_decision")
        return {"accept": found} if found else {}
    if isinstance(event, CaseAccepted | CaseReopened | CaseSentBack):
        kinds = _kinds(event.deadlines)
        due = next((kinds[k] for k in PERIODS if k in kinds), None)
        return {"complete": due} if due else {}
    if isinstance(event, CaseExtensionDecided) and event.approved and event.new_due:
        return {"complete": event.new_due}
    return {}


def _timely(at: datetime, due: datetime | None) -> str:
    return "late" if due is not None and at > due else "on_time"


def score(
    event: CaseEvent, at: datetime, dues: Mapping[str, datetime]
) -> tuple[str, str, str] | None:
    """(measure, outcome, unit scored) for this event, or None."""
    unit = event.handling_unit
    if isinstance(event, CaseAccepted | CaseRejected):  # the acceptance decision, either way
        return "acceptance", _timely(at, dues.get("accept")), unit
    if isinstance(event, CaseConcluded):
        return "completion", _timely(at, dues.get("complete")), unit
    if isinstance(event, CaseRated):
        return "rating", event.rating, unit
    if isinstance(event, CaseSentBack):
        return "redo", "sent_back", unit
    if isinstance(event, CaseDisputeDecided):
        won = event.outcome == "reassign"
        return "dispute", "upheld" if won else "lost", event.disputing_unit
    if isinstance(event, CaseUrged):
        return "urge", "formal" if event.formal else "informal", unit
    return None


def mark_of(
    envelope: Envelope,
    event: CaseEvent,
    dues: Mapping[str, datetime],
    county_of: Callable[[str], str],
) -> Mark | None:
    """The mark row of this event (before its own new dues apply), or None."""
    scored = score(event, envelope.occurred_at, dues)
    if scored is None:
        return None
    measure, outcome, unit = scored
    return {
        "event_id": str(envelope.event_id),
        "case_id": event.case_id,
        "unit": unit,
        "county": county_of(unit) or envelope.county,
        "day": local_day(envelope.occurred_at),
        "measure": measure,
        "outcome": outcome,
    }
