"""The case state machine's refusals and texts: what `make mutants` found the other tests let
through. A refusal names the field it is about (the 422's `loc`) and says why in zh-CN and
English; a 409 says what the state lacks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from services.cases.domain.decide import decide
from services.cases.domain.history import apply
from services.cases.domain.state import Actor, CaseState, Extension
from services.cases.domain.vocabulary import Action, Finding, Role, Status
from shared.errors import Refusal

A, S = Action, Status
HANDLING, ACCUSED = "u-h", "u-x"
officer = Actor(HANDLING, Role.OFFICER, "officer-1")
city = Actor("u-c", Role.CITY_OFFICE, "city-1")
OPENED = apply(
    CaseState(),
    "case.opened",
    {"case_id": "c-1", "county": "371402", "handling_unit": HANDLING, "problem": 7}
    | {"subject_unit_id": ACCUSED},
)


def refused(state: CaseState, actor: Actor, action: Action, payload: dict[str, Any]) -> Any:
    with pytest.raises(Refusal) as caught:
        decide(state, actor, action, payload)
    assert caught.value.status == 422
    (error,) = caught.value.problems
    return error


@pytest.mark.parametrize(
    ("action", "payload", "field", "msg"),
    [
        (
            A.ASSIGN,
            {"unit": HANDLING},
            "unit",
            "案件已由该单位办理 | the case is already with this unit",
        ),
        (
            A.ASSIGN,
            {"unit": ACCUSED},
            "unit",
            "案件不得交由被举报单位办理 | a case never goes to the unit it accuses",
        ),
        (
            A.RECLASSIFY,
            {"problem": 7},
            "problem",
            "案件已属于该问题类别 | the case already has this problem number",
        ),
    ],
)
def test_a_refused_change_names_its_field_and_says_why(
    action: Action, payload: dict[str, Any], field: str, msg: str
) -> None:
    error = refused(OPENED, city, action, payload)
    assert error.loc == ("body", field) and f"{error.zh} | {error.en}" == msg


def test_too_long_an_extension_names_days_and_the_limit() -> None:
    error = refused(OPENED, officer, A.REQUEST_EXTENSION, {"days": 31, "reason": "hearing"})
    assert error.loc == ("body", "days")
    assert f"{error.zh} | {error.en}" == "延期不得超过 30 天 | an extension is at most 30 days"


def test_closing_a_substantiated_case_needs_rectification_or_a_reason() -> None:
    concluded = replace(OPENED, status=S.CONCLUDED, finding=Finding.SUBSTANTIATED, version=5)
    with pytest.raises(Refusal) as caught:
        decide(concluded, officer, A.CLOSE, {})
    assert caught.value.status == 409
    assert str(caught.value).startswith(
        "a substantiated finding needs require-rectification, or close with "
        "no_rectification_needed=true and a reason; allowed now: "
    )
    error = refused(concluded, officer, A.CLOSE, {"no_rectification_needed": True})
    assert error.loc == ("body", "reason")
    assert f"{error.zh} | {error.en}" == "请说明无需整改的理由 | say why no rectification is needed"


def test_a_payload_error_keeps_fastapis_shape_with_its_context_as_text() -> None:
    error = refused(OPENED, officer, A.REQUEST_EXTENSION, {"days": 0, "reason": "hearing"})
    assert error.loc == ("body", "days")
    assert error.type == "greater_than_equal"
    # Localised as FastAPI's own 422 would be, the limit in both texts.
    assert (error.zh, error.en) == ("应不小于 1", "Input should be greater than or equal to 1")


@pytest.mark.parametrize(
    ("state", "action", "payload", "why"),
    [
        (
            replace(OPENED, status=S.CLOSED, finding=Finding.SUBSTANTIATED, exposed=True),
            A.PROPOSE_EXPOSURE,
            {"text": "t"},
            "exposure was already proposed for this case",
        ),
        (
            replace(OPENED, status=S.CLOSED, finding=Finding.SUBSTANTIATED),
            A.APPROVE_EXPOSURE,
            {},
            "no exposure proposal is pending",
        ),
        (
            replace(OPENED, extension=Extension(10, "officer-1", Role.OFFICER)),
            A.REQUEST_EXTENSION,
            {"days": 5, "reason": "again"},
            "an extension was already requested (once only)",
        ),
        (OPENED, A.DECIDE_EXTENSION, {"approve": True}, "no extension request is pending"),
    ],
)
def test_a_guard_says_what_the_case_lacks(
    state: CaseState, action: Action, payload: dict[str, Any], why: str
) -> None:
    actor = officer if action is A.REQUEST_EXTENSION else city
    with pytest.raises(Refusal) as caught:
        decide(state, actor, action, payload)
    assert caught.value.status == 409
    assert str(caught.value).startswith(f"{why}; allowed now: ")


def test_a_reopen_keeps_its_reason_internal() -> None:
    closed = replace(OPENED, status=S.CLOSED, version=5)
    decision = decide(closed, city, A.REOPEN, {"reason": "new evidence"})
    assert decision.data == {"on_review_request": False}
    assert decision.internal == {"reason": "new evidence"}


def test_reopening_lets_a_pending_exposure_proposal_lapse() -> None:
    closed = replace(OPENED, status=S.CLOSED, finding=Finding.SUBSTANTIATED, version=5)
    proposed = apply(closed, "case.exposure_proposed", {"exposure_text": "draft"})
    assert proposed.exposure_proposed
    reopened = apply(proposed, "case.reopened", {"on_review_request": False, "reason": "r"})
    assert not reopened.exposure_proposed and reopened.exposure_text is None
    assert reopened.status is S.INVESTIGATING


def test_no_unit_the_opened_case_accuses_may_be_assigned_it() -> None:
    # The report's text may accuse several units: none of them may handle the case.
    opened = apply(
        CaseState(),
        "case.opened",
        {"case_id": "c-2", "county": "371402", "handling_unit": HANDLING, "problem": 7}
        | {"subject_unit_id": ACCUSED, "subject_unit_ids": [ACCUSED, "u-y"]},
    )
    assert opened.accused == (ACCUSED, "u-y")
    error = refused(opened, city, A.ASSIGN, {"unit": "u-y"})
    assert (error.zh, error.en) == (
        "案件不得交由被举报单位办理",
        "a case never goes to the unit it accuses",
    )
