"""The officials' pages of cases over HTTP (issue 17), on a real nats-server and PostgreSQL and
SQLite, signed in with a page session on the app's own bus: each page for the roles allowed,
403 for other roles, 404 (never a hint) for a case outside the caller's scope, the sign-in
redirect when signed out."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import Clock, Running, cases_running, own_nats
from tests.officials import csrf_of, session_headers

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest

DECHENG = "371402-fpb"
OTHER_COUNTY = "371403-fpb"


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def page(running: Running, path: str, unit: str, role: str) -> Any:
    return await running.http.get(path, headers=await session_headers(running.app, unit, role))


async def post(
    running: Running, path: str, unit: str, role: str, form: dict[str, str], csrf: bool = True
) -> Any:
    """A form sent as the browser would, its token taken from the page it came from."""
    who = await session_headers(running.app, unit, role)
    if csrf:
        shown = await running.http.get(path.rsplit("/", 1)[0], headers=who)
        form = {"csrf": csrf_of(shown.text), **form}
    return await running.http.post(path, headers=who, data=form)


async def test_workbench_lists_the_callers_cases_with_marks(running: Running) -> None:
    envelope = await running.report()
    case = await running.case_of(envelope.aggregate_id)
    answer = await page(running, "/workbench", DECHENG, "officer")
    assert answer.status_code == 200, answer.text
    assert case["id"][:8] in answer.text and "工作台" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    other = await page(running, "/workbench", OTHER_COUNTY, "officer")
    assert other.status_code == 200 and case["id"][:8] not in other.text
    running.clock.advance(days=20)  # register_and_dispose (15 days) missed
    late = await page(running, "/workbench?lang=en", DECHENG, "officer")
    assert 'class="overdue">overdue' in late.text, late.text
    assert (await page(running, "/workbench", DECHENG, "clerk")).status_code == 403


async def test_signed_out_goes_to_sign_in(running: Running) -> None:
    answer = await running.http.get("/workbench")
    assert answer.status_code == 303 and "/signin?next=%2Fworkbench" in answer.headers["location"]


async def test_case_page_forms_and_actions(running: Running) -> None:
    envelope = await running.report(subject_person="张三")
    case = await running.case_of(envelope.aggregate_id)
    cid, where = case["id"], f"/case/{case['id']}"
    shown = await page(running, where, DECHENG, "officer")
    assert shown.status_code == 200, shown.text
    text = shown.text
    assert "驻村工作队员" in text and "信访工作条例" in text  # report, legal basis
    # The routing's reasons, stored in English, read in zh-CN with the directory's names.
    assert "<li>由德城区扶贫办承办</li>" in text, text
    assert "handled by the poverty-relief office" not in text
    english = (await page(running, f"{where}?lang=en", DECHENG, "officer")).text
    assert "<li>handled by Decheng District Poverty Alleviation Office</li>" in english
    for action in ("accept", "reject", "transfer", "note", "request-extension"):
        assert f'action="/case/{cid}/{action}"' in text, action
    for action in ("assign", "verify-rectification", "reveal-identity", "approve-exposure"):
        assert f'action="/case/{cid}/{action}"' not in text, action  # not this role's
    # A refusal is shown next to its field, in zh-CN, with the form again.
    empty = await post(running, f"{where}/reject", DECHENG, "officer", {"version": "1"})
    assert empty.status_code == 422 and 'id="a-reject-reason-err"' in empty.text
    done = await post(running, f"{where}/accept", DECHENG, "officer", {"version": "1"})
    assert done.status_code == 303 and done.headers["location"] == f"{where}?done=accept"
    assert (await running.detail(cid))["status"] == "accepted"
    # Opened at version 1, the case is at 2 now: refused, and the current state shown.
    stale = await post(running, f"{where}/start-investigation", DECHENG, "officer",
                       {"version": "1"})  # fmt: skip
    assert stale.status_code == 409 and "案件在您打开后已有变化" in stale.text
    assert (await running.detail(cid))["status"] == "accepted"  # nothing lost, nothing done
    note = {"version": "2", "text": "已电话联系村委"}
    assert (await post(running, f"{where}/note", DECHENG, "officer", note)).status_code == 303
    assert "已电话联系村委" in (await page(running, where, DECHENG, "officer")).text


async def test_forms_need_the_session_token(running: Running) -> None:
    envelope = await running.report()
    cid = (await running.case_of(envelope.aggregate_id))["id"]
    forged = await post(running, f"/case/{cid}/accept", DECHENG, "officer", {"version": "1"},
                        csrf=False)  # fmt: skip
    assert forged.status_code == 403 and "表单已过期" in forged.text
    assert (await running.detail(cid))["status"] == "received"


async def test_out_of_scope_case_is_not_found_on_every_page(running: Running) -> None:
    envelope = await running.report(subject_unit="德城区扶贫办")  # accuses Decheng's office
    case = await running.case_of(envelope.aggregate_id)
    assert case["accused_unit"] == DECHENG
    cid = case["id"]
    for unit in (DECHENG, OTHER_COUNTY):  # the accused unit, another county
        assert (await page(running, f"/case/{cid}", unit, "officer")).status_code == 404
        listed = await page(running, f"/workbench?q={cid}", unit, "officer")
        assert f"/case/{cid}" not in listed.text and "共 0 件" in listed.text
        acted = await post(running, f"/case/{cid}/note", unit, "officer",
                           {"version": "1", "text": "x"}, csrf=False)  # fmt: skip
        assert acted.status_code in (403, 404)
    assert (await page(running, "/case/no-such-case", "city-fpb", "city_office")).status_code == 404
    assert (await page(running, f"/case/{cid}", "city-fpb", "city_office")).status_code == 200


async def test_approvals_triage_transfers_exposure_and_audit_pages(running: Running) -> None:
    envelope = await running.report()
    cid = (await running.case_of(envelope.aggregate_id))["id"]
    where = f"/case/{cid}"
    officer = await session_headers(running.app, DECHENG, "officer")
    token = csrf_of((await running.http.get(where, headers=officer)).text)
    ask = {"csrf": token, "version": "1", "days": "10", "reason": "需补充调查"}
    assert (await running.http.post(f"{where}/request-extension", headers=officer,
                                     data=ask)).status_code == 303  # fmt: skip
    leader = await page(running, "/approvals", DECHENG, "leader")
    assert leader.status_code == 200 and f"/case/{cid}" in leader.text
    assert "待审批的延期申请（1）" in leader.text
    city = await page(running, "/approvals", "city-fpb", "city_office")
    assert "下级单位逾期案件" in city.text and f"/case/{cid}" in city.text
    assert "待审核的退单申请" in city.text and "列入市级提级督办" in city.text  # issue 26
    for path in ("/triage", "/transfers", "/exposure-board"):
        assert (await page(running, path, "city-fpb", "city_office")).status_code == 200, path
        assert (await page(running, path, DECHENG, "officer")).status_code == 403, path
    assert (await page(running, "/approvals", DECHENG, "officer")).status_code == 403
    # The leader decides on the case page; the request leaves the approvals list.
    assert "decide-extension" in (await page(running, where, DECHENG, "leader")).text
    decided = await post(running, f"{where}/decide-extension", DECHENG, "leader",
                         {"version": "2", "approve": "yes"})  # fmt: skip
    assert decided.status_code == 303, decided.text
    assert "待审批的延期申请（0）" in (await page(running, "/approvals", DECHENG, "leader")).text
    trail = await page(running, f"/audit?case={cid}&verify=1", "city-fpb", "auditor")
    assert (
        trail.status_code == 200 and 'id="verdict"' in trail.text and "审计日志完整" in trail.text
    )
    assert "申请延期" in trail.text  # the extension request is on the trail
    assert (await page(running, "/audit", "city-fpb", "city_office")).status_code == 403


async def test_triage_case_classified_and_routed_by_hand(running: Running) -> None:
    envelope = await running.report(content="有个事情想反映一下，具体情况当面再说。")
    case = await running.case_of(envelope.aggregate_id)
    assert case["triage"] is True
    listed = await page(running, "/triage", "city-fpb", "city_office")
    assert f"/case/{case['id']}" in listed.text
    where = f"/case/{case['id']}"
    reclassified = await post(running, f"{where}/reclassify", "city-fpb", "city_office",
                              {"version": "1", "problem": "18"})  # fmt: skip
    assert reclassified.status_code == 303, reclassified.text
    assigned = await post(running, f"{where}/assign", "city-fpb", "city_office",
                          {"version": "2", "unit": DECHENG})  # fmt: skip
    assert assigned.status_code == 303, assigned.text
    detail = await running.detail(case["id"])
    assert (detail["problem"], detail["handling_unit"]) == (18, DECHENG)


async def test_inspector_reveals_identity_once_with_a_reason(running: Running) -> None:
    from tests.integration.test_cases_paths import sealed_for

    rid = str(uuid.uuid4())
    identity = sealed_for(running, rid, name="张三", phone="13800000000")
    envelope = await running.report(identity=identity, anonymous=False, report_id=rid)
    cid = (await running.case_of(envelope.aggregate_id))["id"]
    transfer = {"version": "1", "to": "discipline_inspection", "reason": "涉嫌违纪"}
    moved = await post(running, f"/case/{cid}/transfer", DECHENG, "officer", transfer)
    assert moved.status_code == 303, moved.text
    officer_view = await page(running, f"/case/{cid}", DECHENG, "officer")
    assert "张三" not in officer_view.text and "reveal-identity" not in officer_view.text
    inspector = await page(running, f"/case/{cid}", "371402-jw", "inspector")
    assert 'action="/case/' + cid + '/reveal-identity"' in inspector.text
    assert "13800000000" not in inspector.text
    no_reason = await post(running, f"/case/{cid}/reveal-identity", "371402-jw", "inspector", {})
    assert no_reason.status_code == 422 and "13800000000" not in no_reason.text
    shown = await post(running, f"/case/{cid}/reveal-identity", "371402-jw", "inspector",
                       {"reason": "核实举报人"})  # fmt: skip
    assert shown.status_code == 200 and "13800000000" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    again = await page(running, f"/case/{cid}", "371402-jw", "inspector")
    assert "13800000000" not in again.text  # shown once, on that answer only
