"""Closing the loop with the people (issue 26): what answering a rating (发回重办 or the result
upheld), disputing an assignment (退单), deciding a dispute and urging (催办/督办) record, and
what each of those entries (and a reporter's rating, `case.rated`) does to the state. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.cases.domain import refusals
from services.cases.domain import state as st
from services.cases.domain import vocabulary as r
from services.cases.domain.payloads import due_iso

A, S = r.Action, r.Status
Built = tuple[r.Data, r.Data]


def _send_back(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    # Why it is redone stays internal; the reporter's step says it was sent back.
    return {"redos": s.redos + 1}, {"reason": body.reason}


def _uphold_result(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {"public_reason": body.reason}, {}  # the reporter is told why the result stands


def _dispute(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    disputes = s.disputes + 1
    data = {
        "disputing_unit": s.handling_unit,
        "disputes": disputes,
        "to_triage": disputes >= rules.triage_after_disputes,
    }
    return data, {"reason": body.reason}


def _decide_dispute(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    unit = s.handling_unit
    if body.decision == "reassign":
        if not body.unit:
            raise refusals.invalid("unit", "改派须指明承办单位", "a reassignment names the unit")
        if body.unit == s.dispute_pending:
            zh = "不得改派回提出退单的单位"
            raise refusals.invalid("unit", zh, "not back to the unit that disputed it")
        if body.unit in s.accused:
            zh = "案件不得交由被举报单位办理"
            raise refusals.invalid("unit", zh, "a case never goes to the unit it accuses")
        unit = body.unit
    data = {
        "outcome": body.decision,
        "disputing_unit": s.dispute_pending,
        "handling_unit": unit,
        "previous_unit": s.handling_unit,
    }
    return data, ({"reason": body.reason} if body.reason else {})


def _urge(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    due = due_iso(body.due) if body.due is not None else None
    data = {"formal": due is not None, "due": due, "urges": s.urges + 1, "urged_by_unit": a.unit}
    return data, {"text": body.text}


ACTIONS = {
    A.SEND_BACK: ("case.sent_back", _send_back),
    A.UPHOLD_RESULT: ("case.result_upheld", _uphold_result),
    A.DISPUTE_ASSIGNMENT: ("case.assignment_disputed", _dispute),
    A.DECIDE_DISPUTE: ("case.dispute_decided", _decide_dispute),
    A.URGE: ("case.urged", _urge),
}


def _sent_back(s: st.CaseState, d: Mapping[str, Any]) -> r.Data:
    # Handled afresh (发回重办): a new handling period with its own extension, like a review.
    return {"redos": s.redos + 1, "rating_pending": False, "extension": None}


STATUS_AFTER = {"case.sent_back": S.INVESTIGATING}
CHANGES = {
    "case.rated": lambda s, d: {"rating_pending": bool(d.get("needs_answer"))},
    "case.sent_back": _sent_back,
    "case.result_upheld": lambda s, d: {"rating_pending": False},
    "case.assignment_disputed": lambda s, d: {
        "dispute_pending": d["disputing_unit"],
        "disputes": s.disputes + 1,
    },
    "case.dispute_decided": lambda s, d: {
        "dispute_pending": None,
        "handling_unit": d["handling_unit"],
    },
    "case.urged": lambda s, d: {"urges": s.urges + 1},
    "case.supervision_raised": lambda s, d: {"raised_supervision": True},
}


def raise_supervision(before: st.CaseState, after: st.CaseState, rules: st.Rules) -> str | None:
    """Why an action raises the case to the city office's supervision (提级督办), or None: the
    case was sent back `raise_after_redos` times. (A formal 督办 whose deadline passes raises
    it too: the sweeper's part.)"""
    if after.raised_supervision:
        return None
    if after.redos >= rules.raise_after_redos > before.redos:
        return "redone"
    return None
