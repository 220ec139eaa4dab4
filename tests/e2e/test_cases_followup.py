"""What the rules ask after the first answer, through the four real services on a real
nats-server and PostgreSQL (one stack for the module): a co-responsible unit (协办) sees its case,
is told of it and files its part while other units see nothing; a verified rectification is
re-checked (回头看) by an independent unit a set time later, fails and reopens the case with its
history; and a review's result is put to the organ one level up (复核) outside the window (409)
and inside it, whose answer is final."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cases import sweeper
from shared.natsserver import start_nats
from tests.e2e.stack import Stack, running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
# Problem 18 (work teams absent): the organisation department leads, the city office co-handles.
CO_UNIT_REPORT = {
    "channel": "web",
    "county": "371402",
    "content": "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。",
    "subject_person": "刘某",
}
REVIEW_REPORT = {
    "channel": "web",
    "county": "371403",
    "content": "村里的扶贫项目资金公示栏一直没有更新，群众不知道钱花在哪里了。",
    "subject_person": "王某",
}


async def test_co_units_re_checks_and_the_second_review(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in ("LOOKUP_RATE", "PUBLIC_SUBMIT_RATE"):
        monkeypatch.setenv(f"ZUOFENG_INTAKE_{limit}", "0")
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=10) as http,
        ):
            walk = Walk(http, stack)
            await walk.co_unit_and_recheck()
            await walk.second_review()
    finally:
        nats_server.stop()


class Walk:
    def __init__(self, http: httpx.AsyncClient, stack: Stack) -> None:
        self.http, self.stack = http, stack
        self.intake, self.cases = stack.urls["intake"], stack.urls["cases"]
        self.city = token("city-fpb", "city_office")

    async def submit(self, report: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        answer = await self.http.post(f"{self.intake}/api/v1/reports", json=report)
        code = answer.json()["tracking_code"]
        found: dict[str, Any] = {}

        async def opened() -> bool:
            listed = await self.http.get(f"{self.cases}/api/v1/cases", headers=self.city)
            for item in listed.json()["items"]:
                if item["county"] == report["county"]:  # one case per county here
                    found.update(item)
            return bool(found)

        await eventually(opened, timeout=15)
        return code, await self.detail(found["id"], self.city)

    async def detail(self, case_id: str, who: dict[str, str]) -> dict[str, Any]:
        answer = await self.http.get(f"{self.cases}/api/v1/cases/{case_id}", headers=who)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def act(
        self, case: dict[str, Any], action: str, who: dict[str, str], body: Any = None
    ) -> httpx.Response:
        url = f"{self.cases}/api/v1/cases/{case['id']}/{action}"
        return await self.http.post(url, json=body, headers=who)

    async def ok(self, case: dict[str, Any], action: str, who: dict[str, str], body: Any = None):
        answer = await self.act(case, action, who, body)
        assert answer.status_code == 200, (action, answer.text)
        return answer.json()

    async def public(self, code: str) -> dict[str, Any]:
        return dict((await self.http.get(f"{self.intake}/api/v1/reports/{code}")).json())

    async def until_status(self, code: str, status: str) -> None:
        async def reached() -> bool:
            return (await self.public(code))["status"] == status

        await eventually(reached, timeout=15)

    async def co_unit_and_recheck(self) -> None:
        code, case = await self.submit(CO_UNIT_REPORT)
        assert case["problem"] == 18 and case["co_units"] == ["city-fpb"], case
        assert case["handling_unit"] == "371402-fpb", case
        handling = token(case["handling_unit"], "officer")
        helper, stranger = token("city-fpb", "officer"), token("371403-fpb", "officer")
        # The co-unit sees the case (the report, the public steps), listed and by id.
        seen = await self.detail(case["id"], helper)
        assert seen["relation"] == "co_unit"
        assert seen["content"] == CO_UNIT_REPORT["content"]
        listed = await self.http.get(f"{self.cases}/api/v1/cases", headers=helper)
        assert case["id"] in [c["id"] for c in listed.json()["items"]]
        other = await self.http.get(f"{self.cases}/api/v1/cases/{case['id']}", headers=stranger)
        assert other.status_code == 404
        listed = await self.http.get(f"{self.cases}/api/v1/cases", headers=stranger)
        assert case["id"] not in [c["id"] for c in listed.json()["items"]]
        await self.ok(case, "accept", handling)
        # It files its part; the handling unit may not file one, a unit outside sees nothing.
        part = {"text": "市扶贫办已核对该村驻村考勤记录"}
        assert (await self.act(case, "file-part", stranger, part)).status_code == 404
        assert (await self.act(case, "file-part", handling, part)).status_code == 403
        filed = await self.ok(case, "file-part", helper, part)
        assert filed["timeline"][-1]["type"] == "case.part_filed"
        assert filed["timeline"][-1]["internal"] == part  # its own part, shown back to it
        full = await self.detail(case["id"], handling)
        assert full["timeline"][-1]["data"]["unit"] == "city-fpb"
        assert full["timeline"][-1]["internal"] == part

        async def told(unit: str, role: str, event_type: str) -> bool:
            inbox = await self.http.get(f"{self.stack.urls['notify']}/api/v1/inbox",
                                        headers=token(unit, role))  # fmt: skip
            items = inbox.json()["items"]
            return any(n["case_id"] == case["id"] and n["event_type"] == event_type for n in items)

        await eventually(lambda: told("city-fpb", "officer", "case.accepted"), timeout=15)
        await eventually(lambda: told(case["handling_unit"], "officer", "case.part_filed"))
        await self.rectified_and_rechecked(code, case, handling)

    async def rectified_and_rechecked(
        self, code: str, case: dict[str, Any], handling: dict[str, str]
    ) -> None:
        await self.ok(case, "start-investigation", handling)
        await self.ok(case, "conclude", handling, {"finding": "substantiated", "summary": "属实"})
        due = (date.today() + timedelta(days=30)).isoformat()
        body = {"due": due, "measures": "驻村工作队员按规定在村"}
        await self.ok(case, "require-rectification", handling, body)
        await self.ok(case, "submit-rectification", handling, {"evidence": "考勤记录已整改"})
        verified = await self.ok(case, "verify-rectification", self.city)
        clock = next(d for d in verified["deadlines"] if d["kind"] == "recheck")
        assert clock["state"] == "running"
        await self.ok(case, "close", handling)
        ctx = self.stack.apps["cases"].state.context  # type: ignore[attr-defined]
        # Nothing is due before its time; the profile's 90 days later, the sweeper raises it.
        await sweeper.sweep(ctx, datetime.now(UTC) + timedelta(days=30))
        assert "case.recheck_due" not in _types(await self.detail(case["id"], self.city))
        await sweeper.sweep(ctx, datetime.fromisoformat(clock["due"]) + timedelta(minutes=1))
        swept = await self.detail(case["id"], self.city)
        raised = [e for e in swept["timeline"] if e["type"] == "case.recheck_due"]
        assert len(raised) == 1, _types(swept)
        unit = raised[0]["data"]["recheck_unit"]
        assert unit not in (case["handling_unit"], *swept["accused_units"])
        role = "city_office" if unit == "city-fpb" else "supervisor"
        findings = {"passed": False, "findings": "回头看发现驻村工作队员仍未按规定在村"}
        assert (await self.act(case, "recheck", handling, findings)).status_code == 403
        reopened = await self.ok(case, "recheck", token(unit, role), findings)
        assert reopened["status"] == "investigating"
        assert _types(reopened)[-2:] == ["case.rechecked", "case.reopened"]
        # Reopened with its history: the rectification's verification is still there.
        assert "case.rectification_verified" in _types(reopened)
        assert (await self.act(case, "recheck", token(unit, role), findings)).status_code == 409
        await self.until_status(code, "investigating")

    async def second_review(self) -> None:
        code, case = await self.submit(REVIEW_REPORT)
        handling = token(case["handling_unit"], "officer")
        for action, body in [
            ("accept", None),
            ("start-investigation", None),
            ("conclude", {"finding": "unsubstantiated", "summary": "经核查，资金已按规定公示"}),
            ("close", None),
        ]:
            await self.ok(case, action, handling, body)
        await self.until_status(code, "closed")
        review = f"{self.intake}/api/v1/reports/{code}/review"
        re_review = f"{self.intake}/api/v1/reports/{code}/re-review"
        # No 复核 before a review's result.
        assert (await self.http.post(re_review, json={"reason": "不服"})).status_code == 409
        assert (await self.http.post(review, json={"reason": "公示栏仍未更新"})).status_code == 202
        await self.until_status(code, "investigating")
        await self.ok(
            case, "conclude", handling, {"finding": "unsubstantiated", "summary": "复查：已公示"}
        )
        await self.ok(case, "close", handling)

        async def window_open() -> bool:
            return (await self.public(code))["re_review_until"] is not None

        await eventually(window_open, timeout=15)
        view = await self.public(code)
        assert view["review_until"] is None  # one 复查 only
        assert (await self.http.post(review, json={"reason": "再次复查"})).status_code == 409
        intake_ctx = self.stack.apps["intake"].state.context  # type: ignore[attr-defined]
        until = datetime.fromisoformat(view["re_review_until"])
        original = intake_ctx.clock
        # Outside the window: intake's clock a second past it (the context is frozen).
        object.__setattr__(intake_ctx, "clock", lambda: until + timedelta(seconds=1))
        try:
            late = await self.http.post(re_review, json={"reason": "不服复查意见"})
            assert late.status_code == 409, late.text
        finally:
            object.__setattr__(intake_ctx, "clock", original)
        asked = await self.http.post(re_review, json={"reason": "不服复查意见"})
        assert asked.status_code == 202, asked.text
        assert asked.json()["status"] == "re_review_requested"

        async def requested() -> bool:
            return "case.re_review_requested" in _types(await self.detail(case["id"], self.city))

        await eventually(requested, timeout=15)
        detail = await self.detail(case["id"], self.city)
        organ = detail["timeline"][-1]["data"]["re_review_unit"]
        assert organ != case["handling_unit"]
        answer_clock = next(d for d in detail["deadlines"] if d["kind"] == "re_review_answer")
        assert answer_clock["state"] == "running"
        role = "city_office" if organ == "city-fpb" else "supervisor"
        opinion = {"upheld": True, "opinion": "复核：维持复查意见"}
        assert (await self.act(case, "decide-re-review", handling, opinion)).status_code == 403
        done = await self.ok(case, "decide-re-review", token(organ, role), opinion)
        assert done["status"] == "closed" and _types(done)[-1] == "case.re_reviewed"
        again = await self.act(case, "decide-re-review", token(organ, role), opinion)
        assert again.status_code == 409  # final
        assert (await self.act(case, "reopen", self.city, {"reason": "再办"})).status_code == 409

        async def answered() -> bool:
            return "复核：维持复查意见" in str((await self.public(code))["steps"])

        await eventually(answered, timeout=15)
        final = await self.http.post(re_review, json={"reason": "再次复核"})
        assert final.status_code == 409


def _types(detail: dict[str, Any]) -> list[str]:
    return [e["type"] for e in detail["timeline"]]
