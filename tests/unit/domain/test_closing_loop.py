"""Closing the loop (issue 26) in the state machine and the clocks: answering a rating, disputing
an assignment, urging, and raised supervision. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.cases.clocks import Clock, due_now, plan
from services.cases.domain.decide import decide
from services.cases.domain.history import apply
from services.cases.domain.loop import raise_supervision
from services.cases.domain.state import Actor, CaseState, Rules
from services.cases.domain.vocabulary import Action, Role, Status
from shared.deadlines import load_profiles
from shared.errors import Refusal

A, S = Action, Status
HANDLING, OTHER, ACCUSED = "u-h", "u-o", "u-x"
officer = Actor(HANDLING, Role.OFFICER, "officer-1")
city = Actor("u-c", Role.CITY_OFFICE, "city-1")
supervisor = Actor("u-s", Role.SUPERVISOR, "sup-1", supervises_handling_unit=True)
OPENED = apply(
    CaseState(),
    "case.opened",
    {"case_id": "c-1", "county": "371402", "handling_unit": HANDLING, "subject_unit_id": ACCUSED},
)
CLOSED = replace(OPENED, status=S.CLOSED, version=6)
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
PROFILE = load_profiles().default


def rated(state: CaseState, rating: str, needs_answer: bool) -> CaseState:
    return apply(state, "case.rated", {"rating": rating, "needs_answer": needs_answer})


def test_an_unsatisfied_rating_waits_for_an_answer_and_a_satisfied_one_does_not() -> None:
    with pytest.raises(Refusal) as no_rating:
        decide(CLOSED, city, A.SEND_BACK, {"reason": "r"})
    assert no_rating.value.status == 409
    with pytest.raises(Refusal):
        decide(rated(CLOSED, "satisfied", False), city, A.UPHOLD_RESULT, {"reason": "r"})
    waiting = rated(CLOSED, "unsatisfied", True)
    assert waiting.rating_pending and waiting.version == CLOSED.version + 1


def test_send_back_reopens_for_a_redo_and_keeps_its_reason_internal() -> None:
    waiting = rated(CLOSED, "unsatisfied", True)
    decision = decide(waiting, supervisor, A.SEND_BACK, {"reason": "问题未解决"})
    assert decision.event_type == "case.sent_back"
    assert decision.data == {"redos": 1} and decision.internal == {"reason": "问题未解决"}
    after = apply(waiting, decision.event_type, decision.history_data)
    assert after.status is S.INVESTIGATING and after.redos == 1 and not after.rating_pending


def test_uphold_result_tells_the_reporter_why() -> None:
    waiting = rated(CLOSED, "unsatisfied", True)
    decision = decide(waiting, city, A.UPHOLD_RESULT, {"reason": "资金已于5月发放"})
    assert decision.data == {"public_reason": "资金已于5月发放"}
    after = apply(waiting, decision.event_type, decision.history_data)
    assert after.status is S.CLOSED and not after.rating_pending


def test_the_handling_unit_may_not_answer_a_rating_of_its_own_work() -> None:
    with pytest.raises(Refusal) as caught:
        decide(rated(CLOSED, "unsatisfied", True), officer, A.SEND_BACK, {"reason": "r"})
    assert caught.value.status == 403


def test_the_third_redo_raises_supervision_once() -> None:
    rules = Rules(raise_after_redos=3)
    twice = replace(CLOSED, redos=2, rating_pending=True)
    thrice = apply(twice, "case.sent_back", {"redos": 3})
    assert raise_supervision(twice, thrice, rules) == "redone"
    raised = apply(thrice, "case.supervision_raised", {"why": "redone"})
    assert raise_supervision(thrice, replace(raised, redos=4), rules) is None
    once = apply(replace(CLOSED, rating_pending=True), "case.sent_back", {})
    assert raise_supervision(CLOSED, once, rules) is None


def test_a_dispute_is_the_handling_units_and_the_second_goes_to_triage() -> None:
    first = decide(OPENED, officer, A.DISPUTE_ASSIGNMENT, {"reason": "不属于本单位职责"})
    assert first.data == {"disputing_unit": HANDLING, "disputes": 1, "to_triage": False}
    pending = apply(OPENED, first.event_type, first.history_data)
    with pytest.raises(Refusal) as again:
        decide(pending, officer, A.DISPUTE_ASSIGNMENT, {"reason": "again"})
    assert again.value.status == 409
    decided = apply(pending, "case.dispute_decided", {"handling_unit": OTHER})
    assert decided.handling_unit == OTHER and decided.dispute_pending is None
    other = Actor(OTHER, Role.OFFICER, "officer-2")
    second = decide(decided, other, A.DISPUTE_ASSIGNMENT, {"reason": "也不是"})
    assert second.data["to_triage"] is True and second.data["disputes"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "reassign"}, "unit"),
        ({"decision": "reassign", "unit": HANDLING}, "unit"),
        ({"decision": "reassign", "unit": ACCUSED}, "unit"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_a_reassignment_names_a_unit_never_the_disputing_or_accused_one(
    body: dict[str, str], field: str
) -> None:
    pending = replace(OPENED, dispute_pending=HANDLING, disputes=1)
    with pytest.raises(Refusal) as caught:
        decide(pending, city, A.DECIDE_DISPUTE, body)
    assert caught.value.status == 422 and field in caught.value.loc


def test_only_the_city_office_decides_a_dispute() -> None:
    pending = replace(OPENED, dispute_pending=HANDLING, disputes=1)
    with pytest.raises(Refusal) as caught:
        decide(pending, supervisor, A.DECIDE_DISPUTE, {"decision": "uphold"})
    assert caught.value.status == 403
    kept = decide(pending, city, A.DECIDE_DISPUTE, {"decision": "uphold"})
    assert kept.data["handling_unit"] == HANDLING and kept.data["outcome"] == "uphold"


def test_an_urge_with_a_date_is_a_formal_supervision_deadline() -> None:
    plain = decide(OPENED, city, A.URGE, {"text": "请抓紧"})
    assert plain.data["formal"] is False and plain.internal == {"text": "请抓紧"}
    assert plan(plain.event_type, plain.data, {}, NOW, PROFILE).clocks == {}
    formal = decide(OPENED, supervisor, A.URGE, {"text": "限期办结", "due": "2026-12-08"})
    assert formal.data["formal"] is True and formal.data["urges"] == 1
    clock = plan(formal.event_type, formal.data, {}, NOW, PROFILE).clocks["supervision"]
    assert clock.due == datetime.fromisoformat(formal.data["due"])
    assert due_now(clock, NOW) == "warn"  # due tomorrow: inside the warning days already
    assert due_now(clock, clock.due + timedelta(seconds=1)) == "missed"


def test_a_dispute_keeps_the_units_clocks_running_and_a_reassignment_opens_a_window() -> None:
    handle = Clock("handle", NOW + timedelta(days=60))
    window = Clock("assignment_dispute", NOW + timedelta(days=3))
    clocks = {"handle": handle, "assignment_dispute": window}
    disputed = plan("case.assignment_disputed", {}, clocks, NOW, PROFILE)
    assert "handle" not in disputed.clocks and disputed.clocks["assignment_dispute"].state == "met"
    assert disputed.extras["decision_due"] == disputed.clocks["dispute_decision"].due
    decided = plan("case.dispute_decided", {"outcome": "reassign"}, clocks, NOW, PROFILE)
    assert decided.clocks["assignment_dispute"].started_at == NOW


def test_a_send_back_starts_its_own_redo_deadline() -> None:
    planned = plan("case.sent_back", {}, {}, NOW, PROFILE)
    (info,) = planned.extras["deadlines"]
    assert info.kind == "redo" and planned.clocks["redo"].due > NOW
