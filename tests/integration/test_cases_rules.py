"""Cases' rules over HTTP and the bus, on a real nats-server and PostgreSQL and SQLite: review
requests reopen within their window, repeats merge, If-Match, 403/404/409 naming what is allowed,
conflict of interest against the real directory, and redelivery that changes nothing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.events import Envelope, make_event
from shared.events.intake import ReportReviewRequested
from shared.natsserver import NatsProcess
from shared.streams import CASES_REPORTS
from tests.integration.busutil import eventually
from tests.integration.test_cases_harness import (
    CITY,
    Clock,
    Running,
    case_events,
    cases_running,
    headers,
    own_nats,
    published,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]

OFFICER = headers("371402-fpb", "officer", "officer-1")
SUPERVISOR = headers("371402-lg", "supervisor", "sup-1")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def closed_case(running: Running) -> tuple[str, str]:
    report = await running.report()
    cid = (await running.case_of(report.aggregate_id))["id"]
    await running.act(cid, "reject", OFFICER, {"reason": "不属于受理范围"})
    return str(cid), report.aggregate_id


async def ask_review(running: Running, report_id: str, case_id: str | None) -> Envelope:
    request = ReportReviewRequested(
        report_id=report_id, case_id=case_id, reason="答复不实", requested_at=running.clock()
    )
    envelope = make_event(
        request, county="371402", aggregate_id=report_id, sequence=2, producer="intake"
    )
    await running.publish(envelope)
    return envelope


async def redeliver(running: Running, envelope: Envelope) -> None:
    """The same event again, past JetStream's dedupe (a new Nats-Msg-Id), and wait until the
    cases consumer has handled and acked everything."""
    subject = f"zuofeng.v1.{envelope.county}.{envelope.type}"
    headers = {"Nats-Msg-Id": str(uuid.uuid4())}
    resent = await running.js.publish(subject, envelope.to_bytes(), headers=headers)
    assert not resent.duplicate  # stored, so delivered again: the caller's check is not vacuous

    async def drained() -> bool:
        info = await running.js.consumer_info("INTAKE", CASES_REPORTS.durable)
        return info.num_pending == 0 and info.num_ack_pending == 0

    await eventually(drained)


async def test_a_review_request_inside_the_window_reopens_the_case(running: Running) -> None:
    cid, report_id = await closed_case(running)
    running.clock.advance(days=29)
    request = await ask_review(running, report_id, None)  # found by its report
    events = await published(running.js, cid, 3)
    assert events[-1].type == "case.reopened" and events[-1].data["on_review_request"]
    await redeliver(running, request)
    assert len((await running.detail(cid))["timeline"]) == 3  # no second reopening or refusal
    assert [d["kind"] for d in events[-1].data["deadlines"]] == ["review_answer"]
    detail = await running.detail(cid)
    assert detail["status"] == "investigating"
    assert "答复不实" in str(detail["timeline"][-1]["internal"])  # the reason stays internal
    assert "答复不实" not in str(events[-1].data)


async def test_a_late_review_request_is_noted_not_obeyed(running: Running) -> None:
    cid, report_id = await closed_case(running)
    running.clock.advance(days=31)
    await ask_review(running, report_id, cid)

    async def noted() -> bool:
        timeline = (await running.detail(cid))["timeline"]
        return timeline[-1]["type"] == "case.review_refused"

    await eventually(noted)
    detail = await running.detail(cid)
    assert detail["status"] == "rejected" and detail["version"] == 2
    assert detail["timeline"][-1]["internal"]["why"] == "outside the review window"


async def test_a_supervisor_reopens_a_closed_case(running: Running) -> None:
    cid, _ = await closed_case(running)
    await running.act(cid, "reopen", OFFICER, {"reason": "r"}, 403)
    answer = await running.act(cid, "reopen", SUPERVISOR, {"reason": "群众反映仍未解决"})
    assert answer.json()["status"] == "investigating"
    reopened = (await published(running.js, cid, 3))[-1]
    assert not reopened.data["on_review_request"]


async def test_a_repeat_report_joins_the_open_case(running: Running) -> None:
    first = await running.report(subject_unit="宁津县扶贫办", subject_person="王五")
    case = await running.case_of(first.aggregate_id)
    assert case["handling_unit"] == "city-fpb"  # the accused county office never handles it
    again = await running.report(
        county="371402", subject_person="王 五", channel="hotline", content="王五驻村时常不在岗"
    )
    merged = await running.case_of(again.aggregate_id)
    assert merged["id"] == case["id"] and merged["version"] == 2
    assert [r["role"] for r in merged["reports"]] == ["opened", "merged"]
    event = (await published(running.js, case["id"], 2))[-1]
    assert event.type == "case.merged" and event.data["merged_report_id"] == again.aggregate_id
    assert event.data["channel"] == "hotline" and event.sequence == 2
    other = await running.report(subject_person="赵六")
    assert (await running.case_of(other.aggregate_id))["id"] != case["id"]


async def test_the_same_reporter_about_the_same_accused_is_a_repeat(running: Running) -> None:
    first = await running.report(reporter_index="idx-1", subject_person="钱七")
    case = await running.case_of(first.aggregate_id)
    again = await running.report(
        county="371403",
        reporter_index="idx-1",
        subject_person="钱七",
        content="钱七又一次没有来村里",
    )
    assert (await running.case_of(again.aggregate_id))["id"] == case["id"]


async def test_stale_if_match_and_forbidden_actions_say_what_is_allowed(running: Running) -> None:
    report = await running.report()
    cid = (await running.case_of(report.aggregate_id))["id"]
    fresh = await running.http.get(f"/api/v1/cases/{cid}", headers=OFFICER)
    etag = fresh.headers["etag"]
    stale = {**OFFICER, "If-Match": etag}
    await running.act(cid, "accept", stale)
    answer = await running.act(cid, "start-investigation", stale, status=409)
    assert "stale" in answer.json()["detail"] or "版本" in answer.json()["detail"]
    await running.act(cid, "start-investigation", {**OFFICER, "If-Match": '"2"'})
    english = {**OFFICER, "Accept-Language": "en"}
    wrong_state = await running.act(cid, "accept", english, status=409)
    assert "cannot accept a case in status investigating" in wrong_state.json()["detail"]
    assert "allowed now: conclude, transfer" in wrong_state.json()["detail"]
    wrong_role = await running.act(cid, "verify-rectification", english, status=403)
    assert "may be done only by a supervisor" in wrong_role.json()["detail"]
    zh = await running.act(cid, "accept", OFFICER, status=409)
    assert zh.json()["detail"].startswith("案件当前状态不允许此操作")
    bad = await running.act(cid, "conclude", OFFICER, {"finding": "maybe"}, 422)
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {
        ("body", "finding"),
        ("body", "summary"),
    }


async def test_a_case_outside_the_callers_scope_is_not_found(running: Running) -> None:
    report = await running.report()
    cid = (await running.case_of(report.aggregate_id))["id"]
    other = headers("371403-fpb", "officer")
    assert (await running.http.get(f"/api/v1/cases/{cid}", headers=other)).status_code == 404
    await running.act(cid, "accept", other, status=404)
    listed = await running.http.get("/api/v1/cases", headers=other)
    assert listed.json()["total"] == 0
    clerk = headers("371402-fpb", "clerk")
    assert (await running.http.get(f"/api/v1/cases/{cid}", headers=clerk)).status_code == 403
    assert (await running.http.get("/api/v1/cases/nope", headers=CITY)).status_code == 404


async def test_conflict_of_interest_against_the_real_directory(running: Running) -> None:
    report = await running.report(subject_unit="德城区扶贫办")
    case = await running.case_of(report.aggregate_id)
    assert case["handling_unit"] == "city-fpb" and case["accused_unit"] == "371402-fpb"
    cid = case["id"]
    accused = await running.http.get(f"/api/v1/cases/{cid}", headers=OFFICER)
    assert accused.status_code == 404  # never shown to the unit it accuses
    bad = await running.act(cid, "assign", CITY, {"unit": "371402-fpb"}, 422)
    assert bad.json()["detail"][0]["loc"] == ["body", "unit"]
    await running.act(cid, "assign", CITY, {"unit": "371403-fpb"})
    head = await running.report(subject_unit="宁津县扶贫办", subject_is_head=True, county="371422")
    lifted = await running.case_of(head.aggregate_id)
    assert lifted["handling_unit"] == "city-lg"  # a level above the city office
    assert lifted["transfer_suggested"] == "discipline_inspection"


async def test_redelivery_changes_nothing(running: Running) -> None:
    report = await running.report()
    cid = (await running.case_of(report.aggregate_id))["id"]
    resent = report.model_copy(update={"event_id": uuid.uuid4()})  # re-sent under a new id
    await running.publish(resent)
    await redeliver(running, report)
    listed = (await running.http.get("/api/v1/cases", headers=CITY)).json()
    assert listed["total"] == 1
    assert len(await case_events(running.js, cid)) == 1
