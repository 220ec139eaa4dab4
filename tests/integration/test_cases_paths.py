"""Every path of a case end to end over HTTP, on a real nats-server and PostgreSQL and SQLite:
each action's event on the CASES stream with the case's next sequence, under the handling
unit's county, and the case's detail, ETag and timeline in step."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.natsserver import NatsProcess
from shared.sealing import HOLDERS, public_key, seal_identity
from tests.integration.test_cases_harness import (
    CITY,
    Clock,
    Running,
    cases_running,
    headers,
    own_nats,
    published,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest

DECHENG = "371402-fpb"
OFFICER = headers(DECHENG, "officer", "officer-1")
LEADER = headers(DECHENG, "leader", "leader-1")
SUPERVISOR = headers("371402-lg", "supervisor", "sup-1")  # Decheng's leading group (locality)
INSPECTOR = headers("371402-jw", "inspector", "insp-1")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def opened(running: Running, **report: Any) -> dict[str, Any]:
    envelope = await running.report(**report)
    return await running.case_of(envelope.aggregate_id)


async def test_substantiated_rectified_verified_closed(running: Running) -> None:
    case = await opened(running)
    assert (case["status"], case["handling_unit"], case["version"]) == ("received", DECHENG, 1)
    cid = case["id"]
    await running.act(cid, "accept", OFFICER)
    await running.act(cid, "start-investigation", OFFICER)
    summary = {"finding": "substantiated", "summary": "队员确有长期不在岗情况"}
    await running.act(cid, "conclude", OFFICER, summary)
    due = {"due": "2025-04-30", "measures": "调整驻村队员，建立考勤"}
    await running.act(cid, "require-rectification", LEADER, due)
    await running.act(cid, "submit-rectification", OFFICER, {"evidence": "考勤记录"})
    await running.act(cid, "verify-rectification", SUPERVISOR)
    answer = await running.act(cid, "close", OFFICER)
    detail = answer.json()
    assert detail["status"] == "closed" and answer.headers["etag"] == "8"
    assert [d["state"] for d in detail["deadlines"] if d["kind"] == "review_request"] == ["running"]
    events = await published(running.js, cid, 8)
    assert [e.type for e in events] == [
        "case.opened",
        "case.accepted",
        "case.investigation_started",
        "case.concluded",
        "case.rectification_required",
        "case.rectification_submitted",
        "case.rectification_verified",
        "case.closed",
    ]
    assert [e.sequence for e in events] == list(range(1, 9))
    assert {e.county for e in events} == {"371402"}
    assert all(e.data["version"] == e.sequence and e.data["county"] == "371402" for e in events)
    accepted = events[1].data
    assert [d["kind"] for d in accepted["deadlines"]] == ["handle"]
    assert "考勤记录" not in str([e.data for e in events])  # evidence stays internal


async def concluded(running: Running, finding: str, **report: Any) -> str:
    cid = (await opened(running, **report))["id"]
    await running.act(cid, "accept", OFFICER)
    await running.act(cid, "start-investigation", OFFICER)
    await running.act(cid, "conclude", OFFICER, {"finding": finding, "summary": "经核查"})
    return str(cid)


async def test_unsubstantiated_then_closed(running: Running) -> None:
    cid = await concluded(running, "unsubstantiated")
    await running.act(
        cid, "require-rectification", OFFICER, {"due": "2025-05-01", "measures": "m"}, 409
    )
    answer = await running.act(cid, "close", OFFICER)
    assert answer.json()["finding"] == "unsubstantiated"
    closed = (await published(running.js, cid, 5))[-1]
    assert closed.type == "case.closed" and closed.data["finding"] == "unsubstantiated"
    assert closed.data["review_due"].startswith("2025-04-02T23:59:59")  # 30 days after the reply


async def test_rejected_with_the_reason_for_the_reporter(running: Running) -> None:
    cid = (await opened(running))["id"]
    await running.act(cid, "reject", OFFICER, {"reason": "不属于扶贫领域作风问题"})
    events = await published(running.js, cid, 2)
    assert events[1].type == "case.rejected"
    assert events[1].data["public_reason"] == "不属于扶贫领域作风问题"
    detail = await running.detail(cid)
    states = {d["kind"]: d["state"] for d in detail["deadlines"]}
    assert states == {
        "register_and_dispose": "met",
        "accept_decision": "met",
        "assignment_dispute": "met",  # the reply closes the window to dispute (退单)
        "review_request": "running",
    }
    assert detail["allowed_actions"] == ["reopen"]


def sealed_for(running: Running, report_id: str, **identity: str) -> Any:
    keys = running.ctx.keys_dir
    holders = {holder: public_key(keys, holder) for holder in HOLDERS}
    return seal_identity(identity, holders, report_id=report_id)


async def test_transferred_to_discipline_inspection_and_closed_by_it(running: Running) -> None:
    rid = str(uuid.uuid4())
    identity = sealed_for(running, rid, name="张三", phone="13800000000", email="zs@example.org")
    cid = (await opened(running, identity=identity, anonymous=False, report_id=rid))["id"]
    await running.act(cid, "note", OFFICER, {"text": "内部备注：已电话联系村委"})
    await running.act(
        cid, "transfer", OFFICER, {"to": "discipline_inspection", "reason": "涉嫌违纪"}
    )
    transferred = (await published(running.js, cid, 2))[1]
    assert transferred.data["receiving_unit"] == "371402-jw"
    assert transferred.data["objection_due"] and "涉嫌违纪" not in str(transferred.data)
    # The receiving organ sees what it needs: the report and the transfer's reason, no notes.
    seen = await running.detail(cid, INSPECTOR)
    assert seen["relation"] == "receiver" and seen["content"]
    assert "内部备注" not in str(seen) and "涉嫌违纪" in str(seen["timeline"])
    assert "identity_sealed" not in seen and "reports" not in seen
    assert set(seen["allowed_actions"]) == {
        "close",
        "object-transfer",
        "reveal-identity",
        "dispose",
    }
    # Officers of the handling unit may not reveal; the inspector may, once per request.
    refused = await running.http.post(
        f"/api/v1/cases/{cid}/reveal-identity", headers=OFFICER, json={"reason": "r"}
    )
    assert refused.status_code == 403
    answer = await running.http.post(
        f"/api/v1/cases/{cid}/reveal-identity", headers=INSPECTOR, json={"reason": "核实举报人"}
    )
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    # Every field sealed for discipline inspection comes back, the name included.
    assert answer.json()["identity"] == {
        "name": "张三",
        "phone": "13800000000",
        "email": "zs@example.org",
    }
    full = await running.detail(cid)
    revealed = [t for t in full["timeline"] if t["type"] == "case.identity_revealed"]
    assert (
        revealed[0]["internal"] == {"reason": "核实举报人"}
        and revealed[0]["actor_unit"] == "371402-jw"
    )
    assert "张三" not in str(full) and full["version"] == 2  # private entries keep the version
    await running.act(cid, "close", INSPECTOR)
    assert (await running.detail(cid))["status"] == "closed"


async def test_a_sealed_box_copied_from_another_report_does_not_open(running: Running) -> None:
    # Sealed (validly) for report A, then carried on report B's event: B's case may not reveal.
    box = sealed_for(running, str(uuid.uuid4()), name="张三", phone="13800000000")
    cid = (await opened(running, identity=box, anonymous=False))["id"]
    await running.act(cid, "accept", OFFICER)
    await running.act(cid, "transfer", OFFICER, {"to": "discipline_inspection", "reason": "违纪"})
    answer = await running.http.post(
        f"/api/v1/cases/{cid}/reveal-identity", headers=INSPECTOR, json={"reason": "核实"}
    )
    assert answer.status_code == 409 and "张三" not in answer.text


async def test_the_receiving_organ_objects_within_its_window_only(running: Running) -> None:
    cid = (await opened(running))["id"]
    await running.act(cid, "accept", OFFICER)
    await running.act(cid, "transfer", OFFICER, {"to": "procuratorate", "reason": "涉嫌犯罪"})
    detail = await running.detail(cid)
    assert detail["receiving_unit"] == "city-jcy"
    await running.act(cid, "object-transfer", INSPECTOR, {"reason": "r"}, 404)  # not its case
    running.clock.advance(days=10)  # 5 working days have passed
    late = await running.act(cid, "object-transfer", CITY, {"reason": "不属本机关管辖"}, 409)
    assert "objection window" in late.json()["detail"] or "异议期" in late.json()["detail"]
    running.clock.advance(days=-8)
    answer = await running.act(cid, "object-transfer", CITY, {"reason": "不属本机关管辖"})
    assert answer.json()["status"] == "accepted" and answer.json()["receiving_unit"] is None
    objected = (await published(running.js, cid, 4))[-1]
    assert objected.type == "case.transfer_objected"
    assert objected.data["restored_status"] == "accepted"
    states = {d["kind"]: d["state"] for d in answer.json()["deadlines"]}
    assert states["handle"] == "running" and states["transfer_objection"] == "met"


async def test_exposure_proposed_redacted_and_approved(running: Running) -> None:
    cid = await concluded(running, "partly", subject_person="李四")
    await running.act(cid, "propose-exposure", SUPERVISOR, {"text": "李四长期不在岗"}, 422)
    text = "某村驻村工作队员长期不在岗，已责令整改并通报。"
    await running.act(cid, "propose-exposure", SUPERVISOR, {"text": text})
    await running.act(cid, "approve-exposure", SUPERVISOR, status=403)
    answer = await running.act(cid, "approve-exposure", CITY)
    assert answer.json()["exposed"] and answer.json()["exposure_text"] == text
    events = await published(running.js, cid, 6)
    assert [e.type for e in events[-2:]] == ["case.exposure_proposed", "case.exposed"]
    assert text not in str(events[-2].data) and events[-1].data["exposure_text"] == text


async def test_exposure_only_after_a_substantiated_finding(running: Running) -> None:
    cid = (await opened(running))["id"]
    await running.act(cid, "propose-exposure", OFFICER, {"text": "t"}, 409)
    cid = await concluded(running, "unsubstantiated")
    answer = await running.act(cid, "propose-exposure", OFFICER, {"text": "t"}, 409)
    assert "substantiated" in answer.json()["detail"]


async def test_extension_requested_once_and_decided_by_another(running: Running) -> None:
    cid = (await opened(running))["id"]
    accepted = (await running.act(cid, "accept", OFFICER)).json()
    handle_due = next(d["due"] for d in accepted["deadlines"] if d["kind"] == "handle")
    await running.act(cid, "request-extension", OFFICER, {"days": 31, "reason": "r"}, 422)
    await running.act(cid, "request-extension", OFFICER, {"days": 20, "reason": "走访农户较多"})
    await running.act(cid, "request-extension", LEADER, {"days": 5, "reason": "r"}, 409)
    await running.act(cid, "decide-extension", OFFICER, {"approve": True}, 403)
    body = {"approve": True, "reason": "涉及农户多，需逐户核实"}
    answer = await running.act(cid, "decide-extension", LEADER, body)
    new_due = next(d["due"] for d in answer.json()["deadlines"] if d["kind"] == "handle")
    decided = (await published(running.js, cid, 4))[-1]
    assert decided.data["approved"] and decided.data["days"] == 20
    assert decided.data["public_reason"] == "涉及农户多，需逐户核实"
    assert decided.data["new_due"].startswith("2025-05-22") and new_due.startswith("2025-05-22")
    assert handle_due.startswith("2025-05-02")
