"""Sample case events for `zuofeng notify preview` and the template tests (made-up values)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.events import REGISTRY
from shared.events.cases import CaseEvent

_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
_DUE = datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC)
SAMPLE: dict[str, Any] = {
    "case_id": "3f2c9a1e-5b7d-4c1a-9e0f-2a6b8c4d1e7f",
    "county": "371402",
    "status": "investigating",
    "version": 4,
    "handling_unit": "371402-fpb",
    "problem": 18,
    "report_id": "r-0b1c2d3e4f",
    "merged_report_id": "r-5a6b7c8d9e",
    "channel": "web",
    "received_at": _AT,
    "deadlines": [
        {"kind": "register_and_dispose", "due": _DUE},
        {"kind": "accept_decision", "due": _DUE},
    ],
    "public_reason": "反映的事项已由法院受理，依法不属于信访受理范围。",
    "finding": "partly",
    "public_summary": "经查，驻村工作队员存在未按规定驻村的问题，已责令整改并通报批评。",
    "rectifying_unit": "371402-fpb",
    "due": _DUE,
    "to": "discipline_inspection",
    "receiving_unit": "371402-jw",
    "objection_due": _DUE,
    "organ": "discipline_inspection",
    "restored_status": "investigating",
    "days": 20,
    "approved": True,
    "new_due": _DUE,
    "previous_unit": "371403-fpb",
    "previous_problem": 7,
    "exposure_text": "某村驻村工作队员长期不在岗问题。",
    "deadline": {"kind": "handle", "due": _DUE},
    "to_unit": "city-fpb",
    "automatic": True,
    "on_review_request": True,
    "triage": False,
    "re_review_unit": "371402-lg",
    "upheld": True,
    "unit": "371403-fpb",
    "recheck_unit": "city-fpb",
    "passed": False,
    "way": "talk_inquiry",
    # Closing the loop (issue 26)
    "rating": "unsatisfied",
    "source": "reporter",
    "needs_answer": True,
    "redos": 1,
    "disputing_unit": "371403-fpb",
    "disputes": 1,
    "decision_due": _DUE,
    "outcome": "reassign",
    "formal": True,
    "urges": 1,
    "urged_by_unit": "city-fpb",
    "why": "redone",
}


# Where one sample text does not fit every type.
OVERRIDES: dict[str, dict[str, Any]] = {
    "case.extension_decided": {"public_reason": "涉及多个部门，需调取2016年以来的资金拨付记录。"},
    "case.opened": {"status": "received", "version": 1},
}


def case_types() -> list[str]:
    """Every case event type this build knows, sorted."""
    return sorted(t for (t, _v) in REGISTRY if t.startswith("case."))


def sample_payload(event_type: str, **overrides: Any) -> CaseEvent:
    """A valid payload of `event_type` built from the sample values (extra keys are ignored)."""
    models = [m for (t, _v), m in REGISTRY.items() if t == event_type]
    if not models or not issubclass(models[-1], CaseEvent):
        raise KeyError(f"not a case event type: {event_type!r}")
    payload = models[-1].model_validate({**SAMPLE, **OVERRIDES.get(event_type, {}), **overrides})
    assert isinstance(payload, CaseEvent)
    return payload
