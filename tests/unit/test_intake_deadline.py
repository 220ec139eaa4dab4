"""The deadline the reporter is shown follows the case's events: the event's date wins (never a
rule of intake's own), an approved extension moves it, a finding or the reply ends it, and an
older event arriving late changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from services.intake.public_status.apply import apply
from services.intake.public_status.rows import Reports
from services.intake.reporter_view import deadline_due
from shared.events import make_event
from shared.events.cases import (
    CaseAccepted,
    CaseClosed,
    CaseConcluded,
    CaseEvent,
    CaseExtensionDecided,
    CaseInvestigationStarted,
    CaseOpened,
    CaseRejected,
    CaseReopened,
    CaseTransferred,
    DeadlineInfo,
)

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
CASE = "c-1"
ACCEPT = T0 + timedelta(days=3, hours=7)  # odd dates: no profile computes them
HANDLE = T0 + timedelta(days=61, hours=3)


class Row(SimpleNamespace):
    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(vars(self))


def facts(status: str, version: int) -> dict[str, Any]:
    return {"case_id": CASE, "county": "371402", "status": status, "version": version,
            "handling_unit": "371402-fpb", "report_id": "r-1"}  # fmt: skip


def follow(*events: CaseEvent) -> dict[str, Any]:
    row = Row(id="r-1", case_id=None, status="received", status_version=0, case_version=0)
    state = Reports([row])
    for n, payload in enumerate(events):
        envelope = make_event(
            payload, county="371402", aggregate_id=CASE, sequence=n + 1, producer="cases",
            occurred_at=T0 + timedelta(minutes=n),
        )  # fmt: skip
        apply(state, envelope, payload)
    return state.rows["r-1"]


def opened(version: int = 1) -> CaseOpened:
    deadlines = (
        DeadlineInfo(kind="register_and_dispose", due=T0 + timedelta(days=1)),
        DeadlineInfo(kind="accept_decision", due=ACCEPT),
    )
    return CaseOpened(**facts("received", version), channel="web", received_at=T0,
                      deadlines=deadlines)  # fmt: skip


def accepted(version: int = 2) -> CaseAccepted:
    info = DeadlineInfo(kind="handle", due=HANDLE)
    return CaseAccepted(**facts("accepted", version), deadlines=(info,))


def shown(row: dict[str, Any]) -> tuple[datetime | None, str | None]:
    return row.get("deadline_due"), row.get("deadline_kind")


def test_the_opening_shows_the_acceptance_deadline_it_carries() -> None:
    assert shown(follow(opened())) == (ACCEPT, "accept")


def test_acceptance_replaces_it_with_the_handling_deadline() -> None:
    assert shown(follow(opened(), accepted())) == (HANDLE, "handle")
    started = CaseInvestigationStarted(**facts("investigating", 3))
    assert shown(follow(opened(), accepted(), started)) == (HANDLE, "handle")


def test_an_approved_extension_moves_it_a_refused_one_does_not() -> None:
    later = HANDLE + timedelta(days=30)
    approved = CaseExtensionDecided(**facts("accepted", 3), approved=True, days=30, new_due=later)
    refused = CaseExtensionDecided(**facts("accepted", 3), approved=False, days=0)
    assert shown(follow(opened(), accepted(), approved)) == (later, "handle")
    assert shown(follow(opened(), accepted(), refused)) == (HANDLE, "handle")


def test_a_finding_a_rejection_or_the_closing_clears_it() -> None:
    concluded = CaseConcluded(**facts("concluded", 3), finding="partly", public_summary="已查实")
    rejected = CaseRejected(**facts("rejected", 2), public_reason="不属于受理范围")
    closed = CaseClosed(**facts("closed", 3))
    assert shown(follow(opened(), accepted(), concluded)) == (None, None)
    assert shown(follow(opened(), rejected)) == (None, None)
    assert shown(follow(opened(), accepted(), closed)) == (None, None)


def test_reopening_shows_the_answer_deadline_as_handling() -> None:
    closed = CaseClosed(**facts("closed", 3))
    answer = T0 + timedelta(days=90)
    reopened = CaseReopened(
        **facts("investigating", 4), on_review_request=True,
        deadlines=(DeadlineInfo(kind="review_answer", due=answer),),
    )  # fmt: skip
    assert shown(follow(opened(), accepted(), closed, reopened)) == (answer, "handle")


def test_an_older_event_arriving_late_changes_nothing() -> None:
    assert shown(follow(opened(1), accepted(2), opened(1))) == (HANDLE, "handle")


def test_a_transfer_hides_it_while_the_case_is_with_another_organ() -> None:
    transferred = CaseTransferred(
        **facts("transferred", 3), to="discipline_inspection", receiving_unit="371402-jw"
    )
    row = follow(opened(), accepted(), transferred)
    assert shown(row) == (HANDLE, "handle")  # kept: an objection resumes it
    assert deadline_due(SimpleNamespace(**row)) is None
    assert deadline_due(SimpleNamespace(**follow(opened(), accepted()))) == HANDLE.isoformat()
