"""The rules after the first answer (issue 22), without services: the second review (复核), a
co-responsible unit's part (协办) and the re-check (回头看) — who may, when, what each records and
what it leaves — and the clocks they start. Written to kill mutants of the domain's new rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.cases.clocks import OBLIGATIONS, RECHECK, WINDOWS, Clock, plan
from services.cases.domain.decide import allowed_actions, decide
from services.cases.domain.history import apply
from services.cases.domain.state import SYSTEM_ACTOR, Actor, CaseState
from services.cases.domain.vocabulary import Action, Disposal, Finding, Organ, Role, Status
from services.cases.intake_events.re_review import refusal
from services.cases.store import Loaded
from shared.deadlines import load_profiles
from shared.errors import Refusal

A, S = Action, Status
HANDLING, UP, CO, OTHER = "u-h", "u-up", "u-co", "u-o"
OPENED = apply(
    CaseState(),
    "case.opened",
    {"case_id": "c-1", "county": "371402", "handling_unit": HANDLING, "co_units": [CO]},
)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PROFILE = load_profiles().default


def who(unit: str, role: Role) -> Actor:
    return Actor(unit, role, f"{role}-{unit}", supervises_handling_unit=unit == UP)


def status(code: int, state: CaseState, actor: Actor, action: Action, body: dict) -> None:
    with pytest.raises(Refusal) as caught:
        decide(state, actor, action, body)
    assert caught.value.status == code


# --- 复核 ------------------------------------------------------------------------------------

CLOSED = replace(OPENED, status=S.CLOSED, finding=Finding.UNSUBSTANTIATED, reviews=1)
ASKED = apply(CLOSED, "case.re_review_requested", {"re_review_unit": UP})
OPINION = {"upheld": False, "opinion": "复查意见认定事实不清"}


def test_the_review_counts_only_reopenings_on_the_reporters_request() -> None:
    by_reporter = apply(CLOSED, "case.reopened", {"on_review_request": True})
    by_supervisor = apply(CLOSED, "case.reopened", {"on_review_request": False})
    assert (by_reporter.reviews, by_supervisor.reviews) == (2, 1)
    assert by_reporter.status is S.INVESTIGATING


def test_closing_after_a_review_opens_the_second_review_only() -> None:
    first = replace(CLOSED, status=S.CONCLUDED, reviews=0)
    second = replace(CLOSED, status=S.CONCLUDED)
    officer = who(HANDLING, Role.OFFICER)
    assert "answers_review" not in decide(first, officer, A.CLOSE, {}).internal
    assert decide(second, officer, A.CLOSE, {}).internal["answers_review"] is True
    after = replace(second, re_review_unit=UP)
    assert "answers_review" not in decide(after, officer, A.CLOSE, {}).internal


def test_only_the_organ_asked_answers_the_second_review_once() -> None:
    up = who(UP, Role.SUPERVISOR)
    decision = decide(ASKED, up, A.DECIDE_RE_REVIEW, OPINION)
    assert decision.event_type == "case.re_reviewed"
    assert decision.data == {
        "upheld": False,
        "public_summary": OPINION["opinion"],
        "re_review_unit": UP,
    }
    status(403, ASKED, who(HANDLING, Role.OFFICER), A.DECIDE_RE_REVIEW, OPINION)
    status(403, ASKED, who(OTHER, Role.SUPERVISOR), A.DECIDE_RE_REVIEW, OPINION)
    status(403, ASKED, who(UP, Role.LEADER), A.DECIDE_RE_REVIEW, OPINION)
    assert A.DECIDE_RE_REVIEW in allowed_actions(ASKED, who(UP, Role.CITY_OFFICE))
    status(409, CLOSED, up, A.DECIDE_RE_REVIEW, OPINION)  # none asked
    done = apply(ASKED, decision.event_type, decision.history_data)
    assert done.re_reviewed and done.status is S.CLOSED
    status(409, done, up, A.DECIDE_RE_REVIEW, OPINION)  # final
    # Nor may anyone reopen it once a 复核 was asked.
    status(409, ASKED, SYSTEM_ACTOR, A.REOPEN, {"reason": "again"})
    status(409, done, who(UP, Role.CITY_OFFICE), A.REOPEN, {"reason": "again"})
    assert decide(CLOSED, SYSTEM_ACTOR, A.REOPEN, {"reason": "review"}).event_type


def test_the_handling_unit_never_answers_its_own_second_review() -> None:
    itself = replace(ASKED, re_review_unit=HANDLING)
    status(403, itself, who(HANDLING, Role.SUPERVISOR), A.DECIDE_RE_REVIEW, OPINION)


def test_the_second_review_payload_is_checked() -> None:
    status(422, ASKED, who(UP, Role.SUPERVISOR), A.DECIDE_RE_REVIEW, {"upheld": True})


# --- 协办 ------------------------------------------------------------------------------------


def test_a_co_unit_files_its_part_while_the_case_is_handled() -> None:
    part = {"text": "本单位核实了资金拨付记录"}
    accepted = replace(OPENED, status=S.ACCEPTED)
    assert OPENED.co_units == (CO,)
    decision = decide(accepted, who(CO, Role.OFFICER), A.FILE_PART, part)
    assert (decision.event_type, decision.data, decision.internal) == (
        "case.part_filed",
        {"unit": CO},
        part,
    )
    assert decide(accepted, who(CO, Role.LEADER), A.FILE_PART, part).data == {"unit": CO}
    status(403, accepted, who(OTHER, Role.OFFICER), A.FILE_PART, part)
    status(403, accepted, who(HANDLING, Role.OFFICER), A.FILE_PART, part)
    status(403, accepted, who(CO, Role.SUPERVISOR), A.FILE_PART, part)
    both = replace(accepted, co_units=(CO, HANDLING))
    status(403, both, who(HANDLING, Role.OFFICER), A.FILE_PART, part)
    for later in (S.RECEIVED, S.CONCLUDED, S.CLOSED):
        status(409, replace(accepted, status=later), who(CO, Role.OFFICER), A.FILE_PART, part)
    assert apply(accepted, "case.part_filed", {"unit": CO}).status is S.ACCEPTED


# --- 回头看 ----------------------------------------------------------------------------------

VERIFIED = replace(
    OPENED, status=S.RECTIFIED, finding=Finding.SUBSTANTIATED, rectifying_unit=HANDLING
)
DUE = apply(VERIFIED, "case.recheck_due", {"recheck_unit": UP})
FAILED = {"passed": False, "findings": "问题反弹"}


def test_the_recheck_is_done_once_by_the_unit_it_went_to() -> None:
    assert (DUE.recheck_unit, DUE.recheck_pending, DUE.status) == (UP, True, S.RECTIFIED)
    status(409, VERIFIED, who(UP, Role.SUPERVISOR), A.RECHECK, FAILED)
    status(403, DUE, who(HANDLING, Role.OFFICER), A.RECHECK, FAILED)
    status(403, DUE, who(OTHER, Role.SUPERVISOR), A.RECHECK, FAILED)
    status(
        403, replace(DUE, recheck_unit=HANDLING), who(HANDLING, Role.SUPERVISOR), A.RECHECK, FAILED
    )
    decision = decide(DUE, who(UP, Role.SUPERVISOR), A.RECHECK, FAILED)
    assert decision.data == {"passed": False, "recheck_unit": UP}
    assert decision.internal == {"findings": "问题反弹"}
    after = apply(DUE, decision.event_type, decision.history_data)
    assert not after.recheck_pending and after.status is S.RECTIFIED
    status(409, after, who(UP, Role.SUPERVISOR), A.RECHECK, FAILED)
    closed = replace(DUE, status=S.CLOSED)
    assert A.RECHECK in allowed_actions(closed, who(UP, Role.CITY_OFFICE))
    reopened = apply(closed, "case.reopened", {"on_review_request": False, "on_recheck": True})
    assert not reopened.recheck_pending and reopened.reviews == 0


# --- the clocks ------------------------------------------------------------------------------


def test_the_review_result_opens_the_re_review_window_instead() -> None:
    first = plan("case.closed", {}, {}, NOW, PROFILE)
    assert set(first.clocks) == {"review_request"} and "re_review_due" not in first.extras
    second = plan("case.closed", {"answers_review": True}, {}, NOW, PROFILE)
    window = second.clocks["re_review_request"]
    assert set(second.clocks) == {"re_review_request"}
    assert second.extras == {"re_review_due": window.due}
    assert window.due - NOW >= timedelta(days=30) and window.warn_at is None
    assert "re_review_request" in WINDOWS and "re_review_answer" in OBLIGATIONS


def test_a_re_review_request_starts_its_answer_clock_and_the_answer_meets_it() -> None:
    window = Clock("re_review_request", NOW + timedelta(days=30))
    asked = plan("case.re_review_requested", {}, {"re_review_request": window}, NOW, PROFILE)
    answer = asked.clocks["re_review_answer"]
    assert asked.clocks["re_review_request"].state == "met"
    assert answer.state == "running" and answer.warn_at is not None
    assert asked.extras["deadlines"][0].kind == "re_review_answer"
    met = plan("case.re_reviewed", {}, {"re_review_answer": answer}, NOW, PROFILE)
    assert met.clocks["re_review_answer"].state == "met"


def test_verification_starts_the_recheck_clock_of_the_profile() -> None:
    started = plan("case.rectification_verified", {}, {}, NOW, PROFILE).clocks[RECHECK]
    days = PROFILE.rule(RECHECK).days
    assert days == 90 and started.due - NOW >= timedelta(days=days)
    assert started.due - NOW < timedelta(days=days + 1) and started.warn_at is None
    assert RECHECK not in OBLIGATIONS | WINDOWS  # raised by the sweeper, never lapses


def test_a_re_review_request_is_refused_outside_its_window() -> None:
    window = Clock("re_review_request", NOW + timedelta(days=30))

    def loaded(state: CaseState, clock: Clock | None = window) -> Loaded:
        return Loaded({}, state, {"re_review_request": clock} if clock else {}, [])

    assert refusal(loaded(CLOSED), NOW) is None
    assert refusal(loaded(CLOSED), window.due) is None
    assert (
        refusal(loaded(CLOSED), window.due + timedelta(seconds=1)) == "outside the re-review window"
    )
    assert refusal(loaded(CLOSED, replace(window, state="lapsed")), NOW) is not None
    assert refusal(loaded(CLOSED, None), NOW) is not None
    assert refusal(loaded(ASKED), NOW) == "no review result awaits a re-review"
    assert refusal(loaded(replace(CLOSED, status=S.INVESTIGATING)), NOW) is not None


# --- discipline inspection's four ways -------------------------------------------------------


def test_an_inspector_records_the_way_on_a_case_transferred_to_discipline_inspection() -> None:
    to_di = replace(OPENED, status=S.TRANSFERRED, transfer_to=Organ.DISCIPLINE_INSPECTION)
    inspector = who("u-di", Role.INSPECTOR)
    body = {"way": "shelved", "reason": "线索暂不具备核查条件"}
    decision = decide(to_di, inspector, A.DISPOSE, body)
    assert (decision.event_type, decision.data) == ("case.disposed", {"way": "shelved"})
    assert decision.internal == {"reason": body["reason"]}
    after = apply(to_di, decision.event_type, decision.history_data)
    assert after.disposal is Disposal.SHELVED and after.status is S.TRANSFERRED
    again = apply(after, "case.disposed", {"way": "concluded"})
    assert again.disposal is Disposal.CONCLUDED
    status(403, to_di, who(HANDLING, Role.OFFICER), A.DISPOSE, body)
    status(403, to_di, who(UP, Role.CITY_OFFICE), A.DISPOSE, body)
    to_proc = replace(to_di, transfer_to=Organ.PROCURATORATE)
    status(409, to_proc, inspector, A.DISPOSE, body)
    status(409, replace(to_di, status=S.CLOSED), inspector, A.DISPOSE, body)
    status(422, to_di, inspector, A.DISPOSE, {"way": "warning"})
    assert {d.value for d in Disposal} == {
        "talk_inquiry", "preliminary_verification", "shelved", "concluded"
    }  # fmt: skip
