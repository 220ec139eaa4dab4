"""The reporter's view follows case events (tracking lookups across status changes), the review
window opens with the reply, and lookups are rate-limited."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.events.cases import (
    CaseAccepted,
    CaseClosed,
    CaseConcluded,
    CaseExtensionDecided,
    CaseInvestigationStarted,
    CaseMerged,
    CaseOpened,
    CaseRejected,
    CaseReopened,
)
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_intake_harness import (
    Clock,
    Intake,
    published,
    report,
    running_intake,
)

pytestmark = pytest.mark.integration
UNIT = "371402-fpb"
REPLIES = ("closed", "rejected")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path, clock: Clock
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var", clock) as running:
        yield running


class Case:
    """Plays the cases service for one case: each event bumps the version."""

    def __init__(self, intake: Intake, report_id: str) -> None:
        self.intake, self.report_id = intake, report_id
        self.id, self.version = str(uuid.uuid4()), 0

    def facts(self, status: str, **extra: Any) -> dict[str, Any]:
        self.version += 1
        return (
            {
                "case_id": self.id,
                "county": "371402",
                "status": status,
                "version": self.version,
                "handling_unit": UNIT,
                "problem": 18,
                "report_id": self.report_id,
            }
            | (self.reply_due(status) if status in REPLIES else {})
            | extra
        )

    @staticmethod
    def reply_due(status: str) -> dict[str, Any]:
        """A reply carries the end of its review window, as cases computes it."""
        return {"review_due": datetime.now(UTC) + timedelta(days=30)}

    async def open(self) -> None:
        opened = CaseOpened(**self.facts("received"), channel="web", received_at=datetime.now(UTC))
        await self.intake.case_event(opened)


async def submit(intake: Intake, **overrides: Any) -> dict[str, str]:
    answer = await intake.http.post("/api/v1/reports", json=report(**overrides))
    assert answer.status_code == 202, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def steps_become(intake: Intake, code: str, count: int) -> dict[str, Any]:
    view: dict[str, Any] = {}

    async def enough() -> bool:
        nonlocal view
        view = await intake.view(code)
        return len(view["steps"]) >= count

    await eventually(enough)
    # The view reads the report, then its steps: a batch committed between the two reads shows
    # its steps beside the report's older status. Once the steps are there the batch is
    # committed, so a second read is whole.
    return await intake.view(code)


async def test_the_view_follows_the_case(intake: Intake) -> None:
    accepted = await submit(intake)
    code = accepted["tracking_code"]
    case = Case(intake, accepted["report_id"])
    await case.open()
    await intake.case_event(CaseAccepted(**case.facts("accepted")))
    reason = "需要调取三年的帮扶台账"
    await intake.case_event(
        CaseExtensionDecided(**case.facts("accepted"), approved=True, days=15, public_reason=reason)
    )
    await intake.case_event(CaseExtensionDecided(**case.facts("accepted"), approved=False, days=0))
    await intake.case_event(CaseInvestigationStarted(**case.facts("investigating")))
    summary = "反映的驻村工作队员长期不在岗问题属实，已责令整改。"
    await intake.case_event(
        CaseConcluded(**case.facts("concluded"), finding="substantiated", public_summary=summary)
    )
    await intake.case_event(CaseClosed(**case.facts("closed"), finding="substantiated"))
    view = await steps_become(intake, code, 7)
    assert view["status"] == "closed"
    assert [s["status"] for s in view["steps"]] == [
        "received", "received", "accepted", "accepted", "investigating", "concluded", "closed"
    ]  # fmt: skip
    texts = [s["text"] for s in view["steps"]]
    assert f"办理期限延长 15 天：{reason}" in texts and f"调查结束：{summary}" in texts
    assert UNIT not in str(view) and case.id not in str(view)  # no internal ids or units
    assert view["review_until"] is not None
    english = await intake.view(code, **{"Accept-Language": "en"})
    assert english["steps"][-1]["text"] == "Closed"


async def test_late_events_do_not_move_the_status_back(intake: Intake) -> None:
    accepted = await submit(intake)
    case = Case(intake, accepted["report_id"])
    await case.open()
    older = CaseAccepted(**case.facts("accepted"))
    await intake.case_event(CaseInvestigationStarted(**case.facts("investigating")))
    await steps_become(intake, accepted["tracking_code"], 3)
    await intake.case_event(older)
    view = await steps_become(intake, accepted["tracking_code"], 4)
    assert view["status"] == "investigating"


async def test_unknown_codes_are_404(intake: Intake) -> None:
    assert (await intake.http.get("/api/v1/reports/2345-6789-ABCD-EFGH-JKMN")).status_code == 404
    assert (await intake.http.get("/api/v1/reports/not-a-code")).status_code == 404


async def test_a_merged_report_stays_merged_and_hears_the_reply(intake: Intake) -> None:
    first, second = await submit(intake), await submit(intake, title="同一件事")
    case = Case(intake, first["report_id"])
    await case.open()
    merged = CaseMerged(
        **case.facts("received"),
        merged_report_id=second["report_id"],
        channel="web",
        received_at=datetime.now(UTC),
    )
    await intake.case_event(merged)
    await intake.case_event(CaseRejected(**case.facts("rejected"), public_reason="不属于受理范围"))
    view = await steps_become(intake, second["tracking_code"], 3)
    assert view["status"] == "merged"
    assert view["steps"][-1]["text"] == "不予受理：不属于受理范围"
    assert len((await intake.view(first["tracking_code"]))["steps"]) == 3  # no "merged" step


async def test_review_within_the_window_once(intake: Intake, clock: Clock) -> None:
    accepted = await submit(intake)
    code, case = accepted["tracking_code"], Case(intake, accepted["report_id"])
    url = f"/api/v1/reports/{code}/review"
    await case.open()
    await steps_become(intake, code, 2)
    early = await intake.http.post(url, json={"reason": "还没答复"})
    assert early.status_code == 409  # no reply yet
    await intake.case_event(CaseRejected(**case.facts("rejected"), public_reason="证据不足"))
    await steps_become(intake, code, 3)
    asked = await intake.http.post(url, json={"reason": "我有新的证据：照片和证人"})
    assert asked.status_code == 202, asked.text
    [event] = await published(intake, {accepted["report_id"]}, "report.review_requested")
    assert event.data["case_id"] == case.id and event.data["reason"] == "我有新的证据：照片和证人"
    assert event.sequence == 2
    assert (await intake.http.post(url, json={"reason": "再问一次"})).status_code == 409
    view = await intake.view(code)
    assert view["steps"][-1]["status"] == "review_requested" and view["review_until"] is None
    await intake.case_event(CaseReopened(**case.facts("investigating"), on_review_request=True))
    await intake.case_event(CaseClosed(**case.facts("closed")))
    await steps_become(intake, code, 6)
    assert (await intake.http.post(url, json={"reason": "对复查结果不服"})).is_success
    assert (await intake.http.post(url, json={"reason": ""})).status_code == 422


async def test_the_window_closes_after_thirty_days(intake: Intake, clock: Clock) -> None:
    accepted = await submit(intake)
    code, case = accepted["tracking_code"], Case(intake, accepted["report_id"])
    await case.open()
    due = datetime.now(UTC) + timedelta(days=30, hours=5)  # not what any profile would say
    await intake.case_event(CaseClosed(**case.facts("closed", review_due=due)))
    view = await steps_become(intake, code, 3)
    assert datetime.fromisoformat(view["review_until"]) == due  # the event's date
    clock.offset += timedelta(days=31)
    late = await intake.http.post(f"/api/v1/reports/{code}/review", json={"reason": "晚了"})
    assert late.status_code == 409
    assert (await intake.view(code))["review_until"] is None


async def test_lookups_are_rate_limited(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with running_intake(
        nats_server.url, database_url, tmp_path / "var", lookup_rate=0.01, lookup_burst=3
    ) as intake:
        answers = [
            (await intake.http.get("/api/v1/reports/2345-6789-ABCD-EFGH-JKMN")).status_code
            for _ in range(5)
        ]
        assert answers == [404, 404, 404, 429, 429]
        metrics = (await intake.http.get("/metrics")).text
        assert 'zuofeng_intake_rejections_total{reason="rate_limited"} 2.0' in metrics


async def test_the_view_shows_the_deadline_the_events_carry(intake: Intake) -> None:
    accepted = await submit(intake)
    code, case = accepted["tracking_code"], Case(intake, accepted["report_id"])
    accept_by = datetime(2026, 11, 5, 15, 59, 59, tzinfo=UTC)
    handle_by = datetime(2027, 1, 4, 15, 59, 59, tzinfo=UTC)
    deadline = {"kind": "accept_decision", "due": accept_by}
    opened = CaseOpened(
        **case.facts("received"), channel="web", received_at=datetime.now(UTC),
        deadlines=(deadline,),
    )  # fmt: skip
    await intake.case_event(opened)
    view = await steps_become(intake, code, 2)
    assert (view["deadline"], view["deadline_kind"]) == (accept_by.isoformat(), "accept")
    handle = {"kind": "handle", "due": handle_by}
    await intake.case_event(CaseAccepted(**case.facts("accepted"), deadlines=(handle,)))
    view = await steps_become(intake, code, 3)
    assert (view["deadline"], view["deadline_kind"]) == (handle_by.isoformat(), "handle")
    later = handle_by + timedelta(days=30)
    extended = CaseExtensionDecided(**case.facts("accepted"), approved=True, days=30, new_due=later)
    await intake.case_event(extended)
    await eventually(lambda: _deadline_is(intake, code, later.isoformat()))
    await intake.case_event(CaseClosed(**case.facts("closed")))
    await eventually(lambda: _deadline_is(intake, code, None))


async def _deadline_is(intake: Intake, code: str, due: str | None) -> bool:
    return (await intake.view(code))["deadline"] == due
