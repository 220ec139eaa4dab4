"""The transition table's guards: each says, in the 409's text, what the case lacks (what
`make mutants` found the state machine tests let through for the later guards)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.cases.domain.state import CaseState
from services.cases.domain.table import ALLOWED, guard_failure, possible_actions
from services.cases.domain.vocabulary import Action, Organ, Status

A, S = Action, Status
CASE = CaseState(case_id="c-1", county="371402", handling_unit="u-h")
CLOSED = replace(CASE, status=S.CLOSED)


@pytest.mark.parametrize(
    ("state", "action", "why"),
    [
        (CLOSED, A.DECIDE_RE_REVIEW, "no re-review (复核) request is pending"),
        (
            replace(CLOSED, re_review_unit="u-up", re_reviewed=True),
            A.DECIDE_RE_REVIEW,
            "no re-review (复核) request is pending",
        ),
        (
            replace(CLOSED, re_review_unit="u-up"),
            A.REOPEN,
            "a re-review (复核) was asked: its answer is final",
        ),
        (
            replace(CASE, status=S.TRANSFERRED, transfer_to=Organ.PROCURATORATE),
            A.DISPOSE,
            "only a case transferred to discipline inspection is disposed of this way",
        ),
        (CLOSED, A.RECHECK, "no re-check (回头看) is due"),
        (CLOSED, A.SEND_BACK, "no unsatisfied rating is waiting for an answer"),
        (CLOSED, A.UPHOLD_RESULT, "no unsatisfied rating is waiting for an answer"),
        (
            replace(CASE, dispute_pending="u-h"),
            A.DISPUTE_ASSIGNMENT,
            "a dispute of this assignment is already waiting for a decision",
        ),
        (CASE, A.DECIDE_DISPUTE, "no dispute is waiting for a decision"),
    ],
)
def test_a_guard_says_what_the_case_lacks(state: CaseState, action: Action, why: str) -> None:
    assert action in ALLOWED[state.status]  # the status permits it: the guard forbids it
    assert guard_failure(state, action) == why
    assert action not in possible_actions(state)
