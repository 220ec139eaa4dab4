"""The case state machine against the contract's transition table, guards and "Who" rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.cases.domain import table, who
from services.cases.domain.decide import allowed_actions, authorize, decide
from services.cases.domain.history import apply, rebuild
from services.cases.domain.refusals import denied, invalid, not_allowed
from services.cases.domain.state import SYSTEM_ACTOR, Actor, CaseState, Decision, Extension, Rules
from services.cases.domain.vocabulary import Action, Finding, Organ, Role, Status
from shared.errors import Refusal


@contextmanager
def refused(status: int, match: str | None = None) -> Iterator[Any]:
    """The Refusal a `decide` raises, with its HTTP status (409 state, 403 actor, 422 payload)."""
    with pytest.raises(Refusal, match=match) as caught:
        yield caught
    assert caught.value.status == status


def allowed_now(refusal: Refusal) -> tuple[str, ...]:
    """The actions a 409 says the case allows now."""
    names = str(refusal).split("; allowed now: ")[1]
    return () if names == "nothing" else tuple(names.split(", "))


A, S = Action, Status
HANDLING, OTHER, RECT, SUP, CITY, ACCUSED = "u-h", "u-o", "u-r", "u-s", "u-c", "u-x"
officer = Actor(HANDLING, Role.OFFICER, "officer-1")
leader = Actor(HANDLING, Role.LEADER, "leader-1")
supervisor = Actor(SUP, Role.SUPERVISOR, "sup-1", supervises_handling_unit=True)
city = Actor(CITY, Role.CITY_OFFICE, "city-1")
inspector = Actor("u-di", Role.INSPECTOR, "insp-1")
rect_officer = Actor(RECT, Role.OFFICER, "rect-1")
CO = "u-co"  # a co-responsible (协办) unit
co_officer = Actor(CO, Role.OFFICER, "co-1")

OPENED_DATA = {
    "case_id": "c-1",
    "county": "371402",
    "handling_unit": HANDLING,
    "problem": 7,
    "subject_unit_id": ACCUSED,
    "co_units": [CO],
}
OPENED = apply(CaseState(), "case.opened", OPENED_DATA)

# The contract's table, written out independently of the implementation.
ANYTIME = {A.ASSIGN, A.RECLASSIFY, A.ESCALATE, A.REQUEST_EXTENSION, A.DECIDE_EXTENSION, A.NOTE}
ANYTIME |= {A.URGE, A.DECIDE_DISPUTE}
EXPOSURE = {A.PROPOSE_EXPOSURE, A.APPROVE_EXPOSURE}
ANSWER = {A.SEND_BACK, A.UPHOLD_RESULT}
CONTRACT: dict[Status, set[Action]] = {
    S.RECEIVED: {A.ACCEPT, A.REJECT, A.TRANSFER, A.DISPUTE_ASSIGNMENT} | ANYTIME,
    S.ACCEPTED: {A.START_INVESTIGATION, A.TRANSFER, A.FILE_PART, A.DISPUTE_ASSIGNMENT} | ANYTIME,
    S.INVESTIGATING: {A.CONCLUDE, A.TRANSFER, A.FILE_PART} | ANYTIME,
    S.CONCLUDED: {A.REQUIRE_RECTIFICATION, A.CLOSE} | ANYTIME | EXPOSURE,
    S.RECTIFYING: {A.SUBMIT_RECTIFICATION, A.FILE_PART} | ANYTIME | EXPOSURE,
    S.RECTIFICATION_SUBMITTED: {A.VERIFY_RECTIFICATION, A.REJECT_RECTIFICATION}
    | ANYTIME
    | EXPOSURE,
    S.RECTIFIED: {A.CLOSE, A.RECHECK} | ANYTIME | EXPOSURE,
    S.TRANSFERRED: {A.CLOSE, A.OBJECT_TRANSFER, A.DISPOSE} | ANYTIME,
    S.REJECTED: {A.REOPEN} | ANSWER,
    S.CLOSED: {A.REOPEN, A.DECIDE_RE_REVIEW, A.RECHECK} | EXPOSURE | ANSWER,
}
STATE_CHANGES = [a for a in Action if a is not A.REVEAL_IDENTITY]

PAYLOADS: dict[Action, dict[str, Any]] = {
    A.REJECT: {"reason": "outside our remit"},
    A.ASSIGN: {"unit": OTHER},
    A.CONCLUDE: {"finding": "substantiated", "summary": "funds were diverted"},
    A.REQUIRE_RECTIFICATION: {"due": "2024-06-30", "measures": "repay", "unit": RECT},
    A.SUBMIT_RECTIFICATION: {"evidence": "receipts"},
    A.REJECT_RECTIFICATION: {"reason": "receipts missing"},
    A.TRANSFER: {"to": "discipline_inspection", "reason": "a cadre's violation"},
    A.REQUEST_EXTENSION: {"days": 20, "reason": "many households to visit"},
    A.DECIDE_EXTENSION: {"approve": True, "reason": "complex case"},
    A.PROPOSE_EXPOSURE: {"text": "redacted typical case"},
    A.ESCALATE: {"reason": "stalled"},
    A.REOPEN: {"reason": "review requested"},
    A.RECLASSIFY: {"problem": 23},
    A.NOTE: {"text": "called the village"},
    A.SEND_BACK: {"reason": "the reporter's point was not answered"},
    A.UPHOLD_RESULT: {"reason": "the funds were paid on 3 May"},
    A.DISPUTE_ASSIGNMENT: {"reason": "not our remit"},
    A.DECIDE_DISPUTE: {"decision": "uphold"},
    A.URGE: {"text": "please finish this week"},
    A.OBJECT_TRANSFER: {"reason": "not ours"},
    A.DECIDE_RE_REVIEW: {"upheld": True, "opinion": "the review stands"},
    A.FILE_PART: {"text": "our part: the village's accounts checked"},
    A.RECHECK: {"passed": True, "findings": "the rectification held"},
    A.DISPOSE: {"way": "talk_inquiry"},
}


def at(status: Status, **changes: Any) -> CaseState:
    """A plausible state in `status` (fields its history would have set)."""
    fields: dict[str, Any] = {"status": status, "version": 5}
    if status in (S.CONCLUDED, S.RECTIFYING, S.RECTIFICATION_SUBMITTED, S.RECTIFIED, S.CLOSED):
        fields["finding"] = Finding.SUBSTANTIATED
    if status in (S.RECTIFYING, S.RECTIFICATION_SUBMITTED, S.RECTIFIED):
        fields["rectifying_unit"] = RECT
    if status is S.TRANSFERRED:
        fields.update(transfer_to=Organ.DISCIPLINE_INSPECTION, status_before_transfer=S.ACCEPTED)
    return replace(OPENED, **{**fields, **changes})


def actor_for(action: Action) -> Actor:
    """Someone the contract lets do `action` on the states `at` builds."""
    if action in (A.ASSIGN, A.RECLASSIFY, A.ESCALATE, A.REOPEN, A.DECIDE_EXTENSION):
        return supervisor
    if action in (A.VERIFY_RECTIFICATION, A.REJECT_RECTIFICATION):
        return supervisor
    if action in (A.SEND_BACK, A.UPHOLD_RESULT, A.URGE):
        return supervisor
    if action in (A.APPROVE_EXPOSURE, A.DECIDE_DISPUTE):
        return city
    if action in (A.OBJECT_TRANSFER, A.DISPOSE):
        return inspector
    if action in (A.DECIDE_RE_REVIEW, A.RECHECK):
        return supervisor
    if action is A.FILE_PART:
        return co_officer
    return officer


def ready(state: CaseState, action: Action) -> CaseState:
    """`state` with what an action's guard needs (a pending request, a proposal)."""
    if action is A.DECIDE_EXTENSION:
        return replace(state, extension=Extension(20, "officer-1", Role.OFFICER))
    if action is A.APPROVE_EXPOSURE:
        return replace(state, exposure_proposed=True, exposure_text="redacted")
    if action is A.DECIDE_RE_REVIEW:
        return replace(state, re_review_unit=SUP)
    if action is A.RECHECK:
        return replace(state, recheck_unit=SUP, recheck_pending=True)
    if action in (A.SEND_BACK, A.UPHOLD_RESULT):
        return replace(state, rating_pending=True)
    if action is A.DECIDE_DISPUTE:
        return replace(state, dispute_pending=HANDLING, disputes=1)
    return state


def run(state: CaseState, actor: Actor, action: Action, payload: dict[str, Any] | None = None):
    decision = decide(
        state, actor, action, PAYLOADS.get(action, {}) if payload is None else payload
    )
    return decision, apply(state, decision.event_type, decision.history_data)


# --- the table ---------------------------------------------------------------------------------


def test_the_implementation_table_is_the_contract() -> None:
    assert {s: set(a) for s, a in table.ALLOWED.items()} == CONTRACT


MOVES = [
    (S.RECEIVED, A.ACCEPT, S.ACCEPTED),
    (S.RECEIVED, A.REJECT, S.REJECTED),
    (S.RECEIVED, A.TRANSFER, S.TRANSFERRED),
    (S.ACCEPTED, A.START_INVESTIGATION, S.INVESTIGATING),
    (S.ACCEPTED, A.TRANSFER, S.TRANSFERRED),
    (S.INVESTIGATING, A.CONCLUDE, S.CONCLUDED),
    (S.INVESTIGATING, A.TRANSFER, S.TRANSFERRED),
    (S.CONCLUDED, A.REQUIRE_RECTIFICATION, S.RECTIFYING),
    (S.RECTIFYING, A.SUBMIT_RECTIFICATION, S.RECTIFICATION_SUBMITTED),
    (S.RECTIFICATION_SUBMITTED, A.VERIFY_RECTIFICATION, S.RECTIFIED),
    (S.RECTIFICATION_SUBMITTED, A.REJECT_RECTIFICATION, S.RECTIFYING),
    (S.RECTIFIED, A.CLOSE, S.CLOSED),
    (S.TRANSFERRED, A.CLOSE, S.CLOSED),
    (S.TRANSFERRED, A.OBJECT_TRANSFER, S.ACCEPTED),
    (S.REJECTED, A.REOPEN, S.INVESTIGATING),
    (S.CLOSED, A.REOPEN, S.INVESTIGATING),
]


@pytest.mark.parametrize(("start", "action", "end"), MOVES)
def test_every_transition_in_the_table(start: Status, action: Action, end: Status) -> None:
    state = at(start)
    decision, after = run(state, actor_for(action), action)
    assert after.status is end
    assert after.version == state.version + 1
    assert decision.public


def test_close_from_concluded_when_unsubstantiated() -> None:
    state = at(S.CONCLUDED, finding=Finding.UNSUBSTANTIATED)
    decision, after = run(state, officer, A.CLOSE)
    assert after.status is S.CLOSED
    assert decision.data == {"finding": "unsubstantiated", "no_rectification_needed": False}


STATUS_KEEPING = [(s, a) for s in Status for a in sorted(CONTRACT[s] & (ANYTIME | EXPOSURE))]


@pytest.mark.parametrize(("status", "action"), STATUS_KEEPING)
def test_actions_that_keep_the_status(status: Status, action: Action) -> None:
    state = ready(at(status), action)
    _, after = run(state, actor_for(action), action)
    assert after.status is status


REFUSED = [(s, a) for s in Status for a in STATE_CHANGES if a not in CONTRACT[s]]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_other_pair_is_refused_naming_what_is_allowed(status: Status, action: Action) -> None:
    state = at(status)
    with refused(409) as caught:
        decide(state, actor_for(action), action, PAYLOADS.get(action, {}))
    message = str(caught.value)
    assert f"cannot {action} a case in status {status}" in message
    assert allowed_now(caught.value) == tuple(map(str, table.possible_actions(state)))
    assert caught.value.status == 409
    assert caught.value.zh.startswith("案件当前状态不允许此操作：")


def test_a_role_that_may_never_act_is_refused_before_the_state_is_looked_at() -> None:
    with refused(403, match="accept may be done only by the handling unit"):
        decide(at(S.CLOSED), Actor(HANDLING, Role.AUDITOR), A.ACCEPT)


def test_a_state_that_permits_nothing_says_so() -> None:
    error = not_allowed("stuck", ())
    assert str(error) == "stuck; allowed now: nothing"
    assert error.zh == "案件当前状态不允许此操作：stuck; allowed now: nothing"
    assert not_allowed("stuck", (), "卡住").zh == "卡住；现在允许：无"


def test_unknown_action_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        decide(OPENED, officer, "fly")


# --- guards ------------------------------------------------------------------------------------


def test_conclude_needs_a_finding_and_a_summary() -> None:
    state = at(S.INVESTIGATING)
    with refused(422) as caught:
        decide(state, officer, A.CONCLUDE, {"finding": "maybe", "summary": "   "})
    locs = {p.loc for p in caught.value.problems}
    assert locs == {("body", "finding"), ("body", "summary")}
    assert caught.value.status == 422
    decision = decide(state, officer, A.CONCLUDE, {"finding": "partly", "summary": " s "})
    assert decision.data == {"finding": "partly", "public_summary": "s"}


@pytest.mark.parametrize("finding", [None, Finding.UNSUBSTANTIATED])
def test_rectification_only_after_a_substantiated_finding(finding: Finding | None) -> None:
    state = at(S.CONCLUDED, finding=finding)
    with refused(409, match="needs a substantiated or partly finding"):
        decide(state, officer, A.REQUIRE_RECTIFICATION, PAYLOADS[A.REQUIRE_RECTIFICATION])


def test_rectification_due_dates_and_units() -> None:
    state = at(S.CONCLUDED, finding=Finding.PARTLY)
    payload = {"due": "2024-06-30", "measures": "repay"}
    decision = decide(state, leader, A.REQUIRE_RECTIFICATION, payload)
    assert decision.data == {"rectifying_unit": HANDLING, "due": "2024-06-30T23:59:59.999999+08:00"}
    assert decision.internal == {"measures": "repay"}
    payload = {"due": "2024-06-30T12:00:00+00:00", "measures": "repay", "unit": RECT}
    decision = decide(state, leader, A.REQUIRE_RECTIFICATION, payload)
    assert decision.data == {"rectifying_unit": RECT, "due": "2024-06-30T12:00:00+00:00"}
    with refused(422):  # a naive moment is ambiguous
        decide(state, leader, A.REQUIRE_RECTIFICATION, {**payload, "due": "2024-06-30T12:00:00"})


def test_closing_a_substantiated_case_without_rectification_needs_flag_and_reason() -> None:
    state = at(S.CONCLUDED)
    with refused(409, match="needs require-rectification") as caught:
        decide(state, officer, A.CLOSE, {})
    assert A.REQUIRE_RECTIFICATION in allowed_now(caught.value)
    with refused(422, match="rectification") as caught:
        decide(state, officer, A.CLOSE, {"no_rectification_needed": True})
    assert caught.value.loc == ("body", "reason")
    payload = {"no_rectification_needed": True, "reason": "already repaid before the report"}
    decision, after = run(state, officer, A.CLOSE, payload)
    assert decision.data == {"finding": "substantiated", "no_rectification_needed": True}
    assert decision.internal == {"reason": "already repaid before the report"}
    assert after.status is S.CLOSED


def test_closing_a_transferred_case_has_no_finding() -> None:
    decision = decide(at(S.TRANSFERRED), inspector, A.CLOSE, {})
    assert decision.data == {"finding": None, "no_rectification_needed": False}
    assert decision.internal == {}


@pytest.mark.parametrize("status", [S.RECEIVED, S.ACCEPTED, S.INVESTIGATING, S.TRANSFERRED])
def test_exposure_only_after_conclusion(status: Status) -> None:
    with refused(409, match=f"cannot propose-exposure a case in status {status}"):
        decide(at(status), officer, A.PROPOSE_EXPOSURE, PAYLOADS[A.PROPOSE_EXPOSURE])


def test_exposure_needs_a_substantiated_finding() -> None:
    state = at(S.CLOSED, finding=Finding.UNSUBSTANTIATED)
    with refused(409, match="needs a substantiated or partly finding"):
        decide(state, officer, A.PROPOSE_EXPOSURE, PAYLOADS[A.PROPOSE_EXPOSURE])


def test_exposure_is_proposed_once_then_approved_by_the_city_office_only() -> None:
    state = at(S.RECTIFIED, finding=Finding.PARTLY)
    with refused(409, match="no exposure proposal is pending"):
        decide(state, city, A.APPROVE_EXPOSURE)
    proposal, state = run(state, officer, A.PROPOSE_EXPOSURE, {"text": "redacted text"})
    assert proposal.data == {} and proposal.internal == {"exposure_text": "redacted text"}
    with refused(409, match="already proposed"):
        decide(state, officer, A.PROPOSE_EXPOSURE, {"text": "again"})
    with refused(403, match="only by city_office") as caught:
        decide(state, supervisor, A.APPROVE_EXPOSURE)
    assert caught.value.status == 403
    approval, state = run(state, city, A.APPROVE_EXPOSURE)
    assert approval.event_type == "case.exposed"
    assert approval.data == {"exposure_text": "redacted text"}
    assert state.exposed and not state.exposure_proposed
    with refused(409, match="already proposed"):
        decide(state, officer, A.PROPOSE_EXPOSURE, {"text": "again"})


def test_verification_by_someone_other_than_the_rectifying_unit() -> None:
    state = at(S.RECTIFICATION_SUBMITTED, rectifying_unit=SUP)
    for action in (A.VERIFY_RECTIFICATION, A.REJECT_RECTIFICATION):
        with refused(403, match="not of the rectifying unit"):
            decide(state, supervisor, action, PAYLOADS.get(action, {}))
        decide(state, city, action, PAYLOADS.get(action, {}))


def test_rectification_texts_stay_internal() -> None:
    decision = decide(at(S.RECTIFYING), rect_officer, A.SUBMIT_RECTIFICATION, {"evidence": "pic"})
    assert decision.data == {"rectifying_unit": RECT}
    assert decision.internal == {"evidence": "pic"}
    state = at(S.RECTIFICATION_SUBMITTED)
    decision = decide(state, city, A.REJECT_RECTIFICATION, {"reason": "blurry"})
    assert (decision.data, decision.internal) == ({"rectifying_unit": RECT}, {"reason": "blurry"})
    decision = decide(state, city, A.VERIFY_RECTIFICATION)
    assert (decision.data, decision.internal) == ({"rectifying_unit": RECT}, {})


def test_an_extension_is_requested_once_within_the_limit() -> None:
    state = at(S.INVESTIGATING)
    with refused(422, match="at most 30 days"):
        decide(state, officer, A.REQUEST_EXTENSION, {"days": 31, "reason": "r"})
    with refused(422, match="at most 10 days"):
        decide(state, officer, A.REQUEST_EXTENSION, {"days": 15, "reason": "r"}, Rules(10))
    with refused(422):
        decide(state, officer, A.REQUEST_EXTENSION, {"days": 0, "reason": "r"})
    with refused(422):
        decide(state, officer, A.REQUEST_EXTENSION, {"days": 10})
    decision, state = run(state, officer, A.REQUEST_EXTENSION, {"days": 30, "reason": "r"})
    assert decision.data == {"days": 30, "requester_role": "officer"}
    assert decision.internal == {"reason": "r", "requested_by": "officer-1"}
    assert state.extension == Extension(30, "officer-1", Role.OFFICER)
    with refused(409, match="once only"):
        decide(state, leader, A.REQUEST_EXTENSION, {"days": 5, "reason": "r"})
    _, state = run(state, leader, A.DECIDE_EXTENSION, {"approve": False})
    with refused(409, match="once only"):
        decide(state, officer, A.REQUEST_EXTENSION, {"days": 5, "reason": "r"})


def test_an_extension_is_decided_only_while_pending() -> None:
    state = at(S.INVESTIGATING)
    with refused(409, match="no extension request is pending"):
        decide(state, supervisor, A.DECIDE_EXTENSION, {"approve": True})
    state = ready(state, A.DECIDE_EXTENSION)
    decision, state = run(state, supervisor, A.DECIDE_EXTENSION, {"approve": True, "reason": "ok"})
    assert decision.data == {"approved": True, "days": 20, "public_reason": "ok"}
    assert decision.internal == {"decided_by": "sup-1"}
    assert state.extension == Extension(20, "officer-1", Role.OFFICER, decided=True, approved=True)
    with refused(409, match="no extension request is pending"):
        decide(state, supervisor, A.DECIDE_EXTENSION, {"approve": True})


def test_a_refused_extension_grants_no_days() -> None:
    state = ready(at(S.ACCEPTED), A.DECIDE_EXTENSION)
    decision = decide(state, city, A.DECIDE_EXTENSION, {"approve": False})
    assert decision.data == {"approved": False, "days": 0}


def test_an_extension_is_decided_by_someone_other_than_its_requester() -> None:
    by_officer = ready(at(S.INVESTIGATING), A.DECIDE_EXTENSION)
    decide(by_officer, leader, A.DECIDE_EXTENSION, {"approve": True})  # the leader approves
    with refused(403, match="decide-extension may be done only by"):
        decide(by_officer, officer, A.DECIDE_EXTENSION, {"approve": True})  # the requester
    same_person = replace(city, sub="officer-1")
    with refused(403):
        decide(by_officer, same_person, A.DECIDE_EXTENSION, {"approve": True})
    by_leader = replace(by_officer, extension=Extension(20, "leader-1", Role.LEADER))
    with refused(403):
        decide(by_leader, replace(leader, sub="leader-2"), A.DECIDE_EXTENSION, {"approve": True})
    decide(by_leader, supervisor, A.DECIDE_EXTENSION, {"approve": True})
    anonymous = Actor(SUP, Role.SUPERVISOR, supervises_handling_unit=True)  # no sub to compare
    decide(by_leader, anonymous, A.DECIDE_EXTENSION, {"approve": True})


def test_object_transfer_by_the_receiving_organ_restores_the_status() -> None:
    discipline = at(S.TRANSFERRED, status_before_transfer=S.INVESTIGATING)
    with refused(403, match="receiving organ"):
        decide(discipline, city, A.OBJECT_TRANSFER, {"reason": "r"})
    decision, after = run(discipline, inspector, A.OBJECT_TRANSFER, {"reason": "not ours"})
    assert decision.event_type == "case.transfer_objected"
    assert decision.data == {"organ": "discipline_inspection", "restored_status": "investigating"}
    assert decision.internal == {"reason": "not ours"}
    assert (after.status, after.transfer_to, after.status_before_transfer) == (
        S.INVESTIGATING,
        None,
        None,
    )
    procurators = at(S.TRANSFERRED, transfer_to=Organ.PROCURATORATE)
    with refused(403):
        decide(procurators, inspector, A.OBJECT_TRANSFER, {"reason": "r"})
    _, after = run(procurators, city, A.OBJECT_TRANSFER, {"reason": "r"})
    assert after.status is S.ACCEPTED


def test_transfer_records_where_from() -> None:
    decision, after = run(
        at(S.RECEIVED), officer, A.TRANSFER, {"to": "procuratorate", "reason": "r"}
    )
    assert decision.data == {"to": "procuratorate"} and decision.internal == {"reason": "r"}
    assert (after.transfer_to, after.status_before_transfer) == (Organ.PROCURATORATE, S.RECEIVED)
    with refused(422):
        decide(at(S.RECEIVED), officer, A.TRANSFER, {"to": "police", "reason": "r"})


def test_only_the_inspector_closes_a_transfer_to_discipline_inspection() -> None:
    procurators = at(S.TRANSFERRED, transfer_to=Organ.PROCURATORATE)
    with refused(403, match="inspector"):
        decide(procurators, inspector, A.CLOSE)
    decide(procurators, officer, A.CLOSE)
    with refused(403):  # an inspector does not close ordinary cases
        decide(at(S.RECTIFIED), inspector, A.CLOSE)


def test_reopen_by_the_system_on_a_review_request() -> None:
    state = at(S.CLOSED, extension=Extension(5, "x", Role.OFFICER, True, True), exposure_text="t")
    decision, after = run(state, SYSTEM_ACTOR, A.REOPEN, {"reason": "review requested"})
    assert decision.data == {"on_review_request": True}
    assert after.status is S.INVESTIGATING
    assert after.extension is None and after.exposure_text is None
    decision = decide(state, supervisor, A.REOPEN, {"reason": "r"})
    assert decision.data == {"on_review_request": False}
    with refused(403):
        decide(state, officer, A.REOPEN, {"reason": "r"})


def test_reopening_keeps_an_exposure_that_happened() -> None:
    state = at(S.CLOSED, exposed=True, exposure_text="public text")
    _, after = run(state, city, A.REOPEN)
    assert after.exposed and after.exposure_text == "public text"


def test_assign_moves_the_case_but_never_to_the_accused_unit() -> None:
    state = at(S.RECEIVED)
    decision, after = run(state, supervisor, A.ASSIGN, {"unit": OTHER})
    assert decision.data == {"handling_unit": OTHER, "previous_unit": HANDLING}
    assert after.handling_unit == OTHER
    with refused(422, match="unit it accuses"):
        decide(state, supervisor, A.ASSIGN, {"unit": ACCUSED})
    with refused(422, match="already with this unit"):
        decide(state, supervisor, A.ASSIGN, {"unit": HANDLING})


def test_reclassify_changes_the_problem_number() -> None:
    decision, after = run(at(S.ACCEPTED), city, A.RECLASSIFY, {"problem": 23})
    assert decision.data == {"problem": 23, "previous_problem": 7}
    assert after.problem == 23
    with refused(422, match="already has this problem"):
        decide(after, city, A.RECLASSIFY, {"problem": 23})


def test_escalation_keeps_its_reason_internal() -> None:
    decision, after = run(at(S.ACCEPTED), supervisor, A.ESCALATE, {"reason": "stalled"})
    assert (decision.data, decision.internal) == ({}, {"reason": "stalled"})
    assert after.escalations == 1


def test_reject_tells_the_reporter_why() -> None:
    decision = decide(at(S.RECEIVED), officer, A.REJECT, {"reason": "no poverty link"})
    assert decision.data == {"public_reason": "no poverty link"} and decision.internal == {}


def test_a_note_is_private_history_that_keeps_the_version() -> None:
    state = at(S.ACCEPTED)
    decision, after = run(state, leader, A.NOTE, {"text": "phoned"})
    assert decision == Decision("case.noted", {}, {"text": "phoned"}, public=False)
    assert after == state


# --- who ---------------------------------------------------------------------------------------

HANDLING_ACTIONS = [
    (S.RECEIVED, A.ACCEPT),
    (S.RECEIVED, A.REJECT),
    (S.ACCEPTED, A.START_INVESTIGATION),
    (S.INVESTIGATING, A.CONCLUDE),
    (S.CONCLUDED, A.REQUIRE_RECTIFICATION),
    (S.RECTIFYING, A.SUBMIT_RECTIFICATION),
    (S.INVESTIGATING, A.TRANSFER),
    (S.INVESTIGATING, A.REQUEST_EXTENSION),
    (S.RECTIFIED, A.CLOSE),
    (S.ACCEPTED, A.NOTE),
]
SUPERVISOR_ACTIONS = [
    (S.ACCEPTED, A.ASSIGN),
    (S.ACCEPTED, A.RECLASSIFY),
    (S.ACCEPTED, A.ESCALATE),
    (S.CLOSED, A.REOPEN),
    (S.RECTIFICATION_SUBMITTED, A.VERIFY_RECTIFICATION),
    (S.RECTIFICATION_SUBMITTED, A.REJECT_RECTIFICATION),
    (S.ACCEPTED, A.DECIDE_EXTENSION),
]
NOBODY = [
    Actor(OTHER, Role.OFFICER, "o"),
    Actor(OTHER, Role.LEADER, "l"),
    Actor(HANDLING, Role.CLERK, "c"),
    Actor(HANDLING, Role.AUDITOR, "a"),
    Actor(HANDLING, Role.INTEGRATOR, "i"),
    Actor(SUP, Role.SUPERVISOR, "s", supervises_handling_unit=False),
]


@pytest.mark.parametrize(("status", "action"), HANDLING_ACTIONS)
def test_the_handling_units_officer_and_leader(status: Status, action: Action) -> None:
    state = at(status)
    for actor in (officer, leader):
        decide(state, actor, action, PAYLOADS.get(action, {}))
    for actor in (*NOBODY, supervisor, city, inspector):
        with refused(403, match="officer or leader"):
            decide(state, actor, action, PAYLOADS.get(action, {}))


@pytest.mark.parametrize(("status", "action"), SUPERVISOR_ACTIONS)
def test_the_supervisor_and_the_city_office(status: Status, action: Action) -> None:
    state = ready(at(status), action)
    for actor in (supervisor, city):
        decide(state, actor, action, PAYLOADS.get(action, {}))
    for actor in (*NOBODY, inspector, officer):
        with refused(403, match="may be done only by"):
            decide(state, actor, action, PAYLOADS.get(action, {}))


def test_exposure_is_proposed_by_the_handling_unit_or_a_supervisor() -> None:
    # The cases issue widens the contract's "Who" list: a supervisor may propose exposure too.
    state = at(S.CONCLUDED)
    for actor in (officer, leader, supervisor, city):
        decide(state, actor, A.PROPOSE_EXPOSURE, PAYLOADS[A.PROPOSE_EXPOSURE])
    for actor in (*NOBODY, inspector):
        with refused(403, match="propose-exposure may be done only by"):
            decide(state, actor, A.PROPOSE_EXPOSURE, PAYLOADS[A.PROPOSE_EXPOSURE])


def test_the_rectifying_units_officer_submits_its_evidence() -> None:
    state = at(S.RECTIFYING)
    decide(state, rect_officer, A.SUBMIT_RECTIFICATION, PAYLOADS[A.SUBMIT_RECTIFICATION])
    with refused(403, match="rectifying unit"):
        decide(state, Actor(OTHER, Role.OFFICER), A.SUBMIT_RECTIFICATION, {"evidence": "e"})


def test_reveal_identity_is_the_inspectors_in_any_status() -> None:
    for status in Status:
        assert authorize(at(status), inspector, "reveal-identity") is A.REVEAL_IDENTITY
        with refused(403, match="an inspector"):
            authorize(at(status), city, A.REVEAL_IDENTITY)
    with pytest.raises(ValueError, match="changes no state"):
        decide(at(S.RECEIVED), inspector, A.REVEAL_IDENTITY, {"reason": "r"})


def test_allowed_actions_per_actor() -> None:
    received = at(S.RECEIVED)
    assert allowed_actions(received, officer) == (
        A.ACCEPT,
        A.REJECT,
        A.TRANSFER,
        A.REQUEST_EXTENSION,
        A.NOTE,
        A.DISPUTE_ASSIGNMENT,
    )
    assert allowed_actions(received, supervisor) == (A.ASSIGN, A.RECLASSIFY, A.ESCALATE, A.URGE)
    assert allowed_actions(received, inspector) == (A.REVEAL_IDENTITY,)
    assert allowed_actions(at(S.CLOSED), city) == (A.REOPEN, A.PROPOSE_EXPOSURE)
    assert allowed_actions(ready(at(S.CLOSED), A.APPROVE_EXPOSURE), city) == (
        A.REOPEN,
        A.APPROVE_EXPOSURE,
    )
    assert allowed_actions(at(S.REJECTED), Actor("x", Role.AUDITOR)) == ()


# --- apply and rebuild -------------------------------------------------------------------------


def test_apply_requires_the_opening_event_first_and_once() -> None:
    with pytest.raises(ValueError, match="starts with case.opened"):
        apply(CaseState(), "case.accepted", {})
    with pytest.raises(ValueError, match="first event"):
        apply(OPENED, "case.opened", OPENED_DATA)
    assert (
        CaseState(
            case_id="c-1",
            status=S.RECEIVED,
            version=1,
            county="371402",
            handling_unit=HANDLING,
            accused_unit=ACCUSED,
            problem=7,
            co_units=(CO,),
        )
        == OPENED
    )
    minimal = apply(CaseState(), "case.opened", {"handling_unit": HANDLING})
    assert (minimal.case_id, minimal.problem, minimal.accused_unit) == ("", None, None)


def test_events_that_are_not_actions() -> None:
    state = apply(OPENED, "case.merged", {"merged_report_id": "r-2"})
    state = apply(state, "case.deadline_approaching", {"deadline": {}})
    assert (state.merged_reports, state.version, state.overdue) == (1, 3, False)
    state = apply(state, "case.overdue", {"deadline": {}})
    assert state.overdue and state.version == 4
    state = apply(state, "case.something_new", {"x": 1})  # tolerant: counts, changes nothing
    assert state == replace(OPENED, merged_reports=1, overdue=True, version=5)


def test_rebuild_replays_a_whole_history() -> None:
    history: list[tuple[str, dict[str, Any]]] = [("case.opened", OPENED_DATA)]
    state = OPENED
    script: list[tuple[Actor, Action, dict[str, Any]]] = [
        (officer, A.ACCEPT, {}),
        (officer, A.START_INVESTIGATION, {}),
        (officer, A.REQUEST_EXTENSION, {"days": 10, "reason": "r"}),
        (leader, A.DECIDE_EXTENSION, {"approve": True}),
        (officer, A.CONCLUDE, {"finding": "substantiated", "summary": "s"}),
        (officer, A.REQUIRE_RECTIFICATION, {"due": date(2024, 6, 30), "measures": "m"}),
        (officer, A.PROPOSE_EXPOSURE, {"text": "t"}),
        (leader, A.SUBMIT_RECTIFICATION, {"evidence": "e"}),
        (city, A.VERIFY_RECTIFICATION, {}),
        (city, A.APPROVE_EXPOSURE, {}),
        (officer, A.NOTE, {"text": "n"}),
        (officer, A.CLOSE, {}),
    ]
    for actor, action, payload in script:
        decision = decide(state, actor, action, payload)
        state = apply(state, decision.event_type, decision.history_data)
        history.append((decision.event_type, decision.history_data))
    assert rebuild(history) == state
    assert (state.status, state.exposed, state.version) == (S.CLOSED, True, 12)
    assert state.rectification_due == "2024-06-30T23:59:59.999999+08:00"


# --- properties --------------------------------------------------------------------------------

UNITS = [HANDLING, OTHER, RECT, SUP, CITY, ACCUSED]
TEXTS = st.text(alphabet="abcdefghij", min_size=1, max_size=8).map(lambda t: f"secret-{t}")


def payloads(action: Action) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly valid payloads for `action`, sometimes broken ones."""
    text = {"reason": TEXTS}
    valid: dict[Action, dict[str, st.SearchStrategy[Any]]] = {
        A.REJECT: text,
        A.ASSIGN: {"unit": st.sampled_from(UNITS)},
        A.CONCLUDE: {"finding": st.sampled_from(list(Finding)), "summary": TEXTS},
        A.REQUIRE_RECTIFICATION: {
            "due": st.just("2024-06-30"),
            "measures": TEXTS,
            "unit": st.sampled_from([None, RECT, OTHER, HANDLING]),
        },
        A.SUBMIT_RECTIFICATION: {"evidence": TEXTS},
        A.REJECT_RECTIFICATION: text,
        A.TRANSFER: {"to": st.sampled_from(list(Organ)), **text},
        A.REQUEST_EXTENSION: {"days": st.integers(1, 35), **text},
        A.DECIDE_EXTENSION: {"approve": st.booleans(), "reason": st.none() | TEXTS},
        A.PROPOSE_EXPOSURE: {"text": TEXTS},
        A.ESCALATE: text,
        A.CLOSE: {"no_rectification_needed": st.booleans(), "reason": st.none() | TEXTS},
        A.REOPEN: text,
        A.RECLASSIFY: {"problem": st.integers(1, 26)},
        A.NOTE: {"text": TEXTS},
        A.OBJECT_TRANSFER: text,
    }
    broken = st.just({"unexpected": 1})
    return st.one_of(*[st.fixed_dictionaries(valid.get(action, {}))] * 9, broken)


def cast(state: CaseState) -> list[Actor]:
    """The people who usually act on `state`'s case, with two persons per handling role."""
    people = [SYSTEM_ACTOR, supervisor, city, inspector]
    for role in (Role.OFFICER, Role.LEADER):
        people += [Actor(state.handling_unit, role, f"{role}-{n}") for n in (1, 2)]
        people.append(Actor(state.rectifying_unit or RECT, role, f"rect-{role}"))
    return people


def actors(state: CaseState) -> st.SearchStrategy[Actor]:
    units = st.sampled_from([state.handling_unit, state.rectifying_unit or RECT, *UNITS])
    return st.builds(
        Actor,
        unit=units,
        role=st.sampled_from(list(Role)),
        sub=st.sampled_from(["", "p1", "p2", "officer-1"]),
        supervises_handling_unit=st.booleans(),
    )


def moves(state: CaseState) -> st.SearchStrategy[tuple[Action, Actor]]:
    """Mostly a move the table permits by someone who may make it; sometimes anything."""
    targeted = [
        (action, actor)
        for action in table.possible_actions(state)
        for actor in cast(state)
        if action in allowed_actions(state, actor)
    ]
    anything = st.tuples(st.sampled_from(STATE_CHANGES), actors(state))
    return st.one_of(*[st.sampled_from(targeted)] * 4, anything) if targeted else anything


def invariants(state: CaseState) -> None:
    """What no sequence of decisions may break."""
    if state.status is S.TRANSFERRED:
        assert state.transfer_to is not None and state.status_before_transfer is not None
    assert state.status_before_transfer in (None, S.RECEIVED, S.ACCEPTED, S.INVESTIGATING)
    rectification = (S.RECTIFYING, S.RECTIFICATION_SUBMITTED, S.RECTIFIED)
    if state.status in rectification:
        assert state.rectifying_unit and state.finding in table.SUBSTANTIATED
    if state.status is S.CONCLUDED:
        assert state.finding is not None
    if state.exposure_proposed:
        assert not state.exposed and state.finding in table.SUBSTANTIATED
        assert state.exposure_text
    if state.exposed:
        assert state.exposure_text
    if state.extension:
        assert 1 <= state.extension.days <= 30
        assert not state.extension.approved or state.extension.decided


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_sequences_stay_valid_and_rebuild(data: st.DataObject) -> None:
    state, history = OPENED, [("case.opened", dict(OPENED_DATA))]
    published = 1
    for _ in range(data.draw(st.integers(1, 40), label="steps")):
        action, actor = data.draw(moves(state), label="move")
        payload = data.draw(payloads(action), label="payload")
        try:
            decision = decide(state, actor, action, payload)
        except (Refusal, ValueError) as refusal:
            assert not isinstance(refusal, ValueError) or action is A.REVEAL_IDENTITY
            continue
        secrets = {v for v in decision.internal.values() if str(v).startswith("secret-")}
        assert not secrets & set(map(str, decision.data.values())), "internal text published"
        state = apply(state, decision.event_type, decision.history_data)
        history.append((decision.event_type, decision.history_data))
        published += decision.public
        invariants(state)
        assert state.version == published
    assert rebuild(history) == state


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_role_table_covers_every_permission(data: st.DataObject) -> None:
    status = data.draw(st.sampled_from(list(Status)))
    state = data.draw(st.sampled_from([at(status), ready(at(status), A.DECIDE_EXTENSION)]))
    state = replace(state, transfer_to=data.draw(st.sampled_from([None, *Organ])))
    actor = data.draw(actors(state))
    for action in Action:
        if who.WHO[action][0](state, actor):
            assert actor.role in who.ROLES[action]


def test_apply_is_pure() -> None:
    before = at(S.INVESTIGATING)
    snapshot = replace(before)
    apply(before, "case.concluded", {"finding": "partly", "public_summary": "s"})
    assert before == snapshot


def test_errors_carry_http_statuses() -> None:
    assert (not_allowed("x", ()).status, denied("x").status) == (409, 403)
    assert invalid("f", "字段", "field").status == 422
    assert denied("x").zh == "无权执行此操作：x"
