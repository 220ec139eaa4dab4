"""The contract's transition table: what each status permits, and the guards that forbid an
action its status permits (a finding needed, a request pending or already made)."""

from __future__ import annotations

from services.cases.domain.state import CaseState
from services.cases.domain.vocabulary import Action, Finding, Organ, Status

S, A = Status, Action
ANYTIME: tuple[Action, ...] = (A.ASSIGN, A.RECLASSIFY, A.ESCALATE, A.REQUEST_EXTENSION)
ANYTIME += (A.DECIDE_EXTENSION, A.NOTE, A.URGE, A.DECIDE_DISPUTE)
# A unit disputes an assignment (退单) before it starts handling; a rated reply is answered.
DISPUTE = (A.DISPUTE_ASSIGNMENT,)
ANSWER_RATING = (A.SEND_BACK, A.UPHOLD_RESULT)
EXPOSURE = (A.PROPOSE_EXPOSURE, A.APPROVE_EXPOSURE)
VERIFY = (A.VERIFY_RECTIFICATION, A.REJECT_RECTIFICATION)
# A co-responsible unit files its part while the case is being handled (协办).
PART = (A.FILE_PART,)
# The contract's table: what each status permits (guards and roles are checked after this).
ALLOWED: dict[Status, tuple[Action, ...]] = {
    S.RECEIVED: (A.ACCEPT, A.REJECT, A.TRANSFER, *ANYTIME, *DISPUTE),
    S.ACCEPTED: (A.START_INVESTIGATION, A.TRANSFER, *ANYTIME, *PART, *DISPUTE),
    S.INVESTIGATING: (A.CONCLUDE, A.TRANSFER, *ANYTIME, *PART),
    S.CONCLUDED: (A.REQUIRE_RECTIFICATION, A.CLOSE, *ANYTIME, *EXPOSURE),
    S.RECTIFYING: (A.SUBMIT_RECTIFICATION, *ANYTIME, *EXPOSURE, *PART),
    S.RECTIFICATION_SUBMITTED: (*VERIFY, *ANYTIME, *EXPOSURE),
    S.RECTIFIED: (A.CLOSE, *ANYTIME, *EXPOSURE, A.RECHECK),
    S.TRANSFERRED: (A.CLOSE, A.OBJECT_TRANSFER, *ANYTIME, A.DISPOSE),
    # Exposure of a closed case is allowed: typical cases are exposed once verified (查实曝光).
    S.REJECTED: (A.REOPEN, *ANSWER_RATING),
    # A closed case answers a 复核 request, its 回头看 re-check and an unsatisfied rating.
    S.CLOSED: (A.REOPEN, *EXPOSURE, A.DECIDE_RE_REVIEW, A.RECHECK, *ANSWER_RATING),
}
SUBSTANTIATED = frozenset({Finding.SUBSTANTIATED, Finding.PARTLY})


def guard_failure(state: CaseState, action: Action) -> str | None:
    """Why the state forbids an action its status permits, or None."""
    ext = state.extension
    needs_finding = action in (A.REQUIRE_RECTIFICATION, A.PROPOSE_EXPOSURE)
    if needs_finding and state.finding not in SUBSTANTIATED:
        return f"{action} needs a substantiated or partly finding"
    if action is A.PROPOSE_EXPOSURE and (state.exposed or state.exposure_proposed):
        return "exposure was already proposed for this case"
    if action is A.APPROVE_EXPOSURE and not state.exposure_proposed:
        return "no exposure proposal is pending"
    if action is A.REQUEST_EXTENSION and ext is not None:
        return "an extension was already requested (once only)"
    if action is A.DECIDE_EXTENSION and (ext is None or ext.decided):
        return "no extension request is pending"
    if action is A.DECIDE_RE_REVIEW and (state.re_review_unit is None or state.re_reviewed):
        return "no re-review (复核) request is pending"
    if action is A.REOPEN and state.re_review_unit is not None:
        return "a re-review (复核) was asked: its answer is final"
    if action is A.DISPOSE and state.transfer_to is not Organ.DISCIPLINE_INSPECTION:
        return "only a case transferred to discipline inspection is disposed of this way"
    if action is A.RECHECK and not state.recheck_pending:
        return "no re-check (回头看) is due"
    return loop_guard(state, action)


def loop_guard(state: CaseState, action: Action) -> str | None:
    """The guards of closing the loop: an answer needs an unsatisfied rating waiting for it, a
    decision a dispute, and a dispute none pending."""
    if action in ANSWER_RATING and not state.rating_pending:
        return "no unsatisfied rating is waiting for an answer"
    if action is A.DISPUTE_ASSIGNMENT and state.dispute_pending:
        return "a dispute of this assignment is already waiting for a decision"
    if action is A.DECIDE_DISPUTE and not state.dispute_pending:
        return "no dispute is waiting for a decision"
    return None


def possible_actions(state: CaseState) -> tuple[Action, ...]:
    """Actions the status and the state's guards permit, whoever asks."""
    return tuple(a for a in ALLOWED[state.status] if guard_failure(state, a) is None)
