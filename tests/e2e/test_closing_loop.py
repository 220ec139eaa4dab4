"""Closing the loop with the people (issue 26), through the four real services on a real
nats-server and PostgreSQL, one stack for the module: a closed case rated unsatisfied, sent back,
redone and rated satisfied; a rating after the window refused; a dispute reassigned (never to
the accused) and, disputed again, upheld; an urge in the unit's inbox and a 督办 deadline
warning; and the month's scorecard equal to a recount from the CASES stream."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.deadlines import local_day
from shared.natsserver import start_nats
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
CITY = "city-fpb"
ACCUSED = "371402-fpb"
REPORT = {
    "channel": "web",
    "county": "371402",
    "content": "村里的扶贫资金公示栏半年没有更新，群众不知道钱用在哪里。",
    "subject_unit_id": ACCUSED,
}


async def test_closing_the_loop(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in ("LOOKUP_RATE", "PUBLIC_SUBMIT_RATE"):
        monkeypatch.setenv(f"ZUOFENG_INTAKE_{limit}", "0")
    monkeypatch.setenv("ZUOFENG_CASES_SWEEP_INTERVAL", "0.3")  # the 督办 warning comes quickly
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=10) as http,
        ):
            loop = Loop(http, stack.urls)
            await loop.rated_sent_back_redone_and_satisfied()
            await loop.a_late_rating_is_refused(stack_databases["intake"])
            await loop.disputes_reassigned_then_upheld()
            await loop.an_urge_and_a_supervision_deadline()
            await loop.the_scorecard_is_a_recount_of_the_events(nats_server.url)
    finally:
        nats_server.stop()


class Loop:
    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self.http, self.intake, self.cases = http, urls["intake"], urls["cases"]
        self.notify, self.reporting = urls["notify"], urls["reporting"]
        self.city = token(CITY, "city_office")
        self.opened = 0

    # --- helpers ----------------------------------------------------------------------------

    async def report(self) -> tuple[str, dict[str, Any]]:
        """A new report and the case it opened."""
        answer = await self.http.post(f"{self.intake}/api/v1/reports", json=REPORT)
        code = answer.json()["tracking_code"]
        self.opened += 1

        async def opened() -> bool:
            listed = await self.http.get(f"{self.cases}/api/v1/cases", headers=self.city)
            return bool(listed.json()["total"] == self.opened)

        await eventually(opened, timeout=15)
        listed = await self.http.get(f"{self.cases}/api/v1/cases?limit=1", headers=self.city)
        return code, listed.json()["items"][0]

    async def act(self, case_id: str, action: str, who: dict[str, str], body: Any = None) -> Any:
        return await self.http.post(
            f"{self.cases}/api/v1/cases/{case_id}/{action}", json=body, headers=who
        )

    async def ok(self, case_id: str, action: str, who: dict[str, str], body: Any = None) -> Any:
        answer = await self.act(case_id, action, who, body)
        assert answer.status_code == 200, (action, answer.text)
        return answer.json()

    async def detail(self, case_id: str) -> dict[str, Any]:
        answer = await self.http.get(f"{self.cases}/api/v1/cases/{case_id}", headers=self.city)
        return dict(answer.json())

    async def view(self, code: str) -> dict[str, Any]:
        return dict((await self.http.get(f"{self.intake}/api/v1/reports/{code}")).json())

    async def until_status(self, code: str, status: str) -> None:
        async def reached() -> bool:
            return (await self.view(code))["status"] == status

        await eventually(reached, timeout=15)

    async def until_entry(self, case_id: str, kind: str) -> dict[str, Any]:
        async def present() -> bool:
            return any(e["type"] == kind for e in (await self.detail(case_id))["timeline"])

        await eventually(present, timeout=15)
        entries = (await self.detail(case_id))["timeline"]
        return next(e for e in reversed(entries) if e["type"] == kind)

    async def handle_to_close(self, case_id: str, unit: str) -> None:
        officer = token(unit, "officer")
        await self.ok(case_id, "accept", officer)
        await self.ok(case_id, "start-investigation", officer)
        body = {"finding": "unsubstantiated", "summary": "经核查，公示栏已按月更新。"}
        await self.ok(case_id, "conclude", officer, body)
        await self.ok(case_id, "close", officer)

    async def rate(self, code: str, rating: str, comment: str | None = None) -> httpx.Response:
        body = {"rating": rating, **({"comment": comment} if comment else {})}
        return await self.http.post(f"{self.intake}/api/v1/reports/{code}/feedback", json=body)

    # --- the flows ---------------------------------------------------------------------------

    async def rated_sent_back_redone_and_satisfied(self) -> None:
        code, case = await self.report()
        unit = case["handling_unit"]
        assert unit != ACCUSED
        too_early = await self.rate(code, "satisfied")
        assert too_early.status_code == 409  # no reply yet
        await self.handle_to_close(case["id"], unit)
        await self.until_status(code, "closed")
        assert (await self.view(code))["feedback_until"] is not None
        rated = await self.rate(code, "unsatisfied", "公示栏仍然没有更新")
        assert rated.status_code == 202, rated.text
        entry = await self.until_entry(case["id"], "case.rated")
        assert entry["data"]["rating"] == "unsatisfied" and entry["data"]["needs_answer"]
        assert "comment" not in entry["data"]  # the reporter's words stay in the case
        assert (await self.rate(code, "satisfied")).status_code == 409  # once per reply
        await self.ok(case["id"], "send-back", self.city, {"reason": "群众反映的问题未解决"})
        await self.until_status(code, "investigating")
        view = await self.view(code)
        assert any("发回重新办理" in step["text"] for step in view["steps"])
        assert view["deadline_kind"] == "handle" and view["deadline"]
        redone = await self.detail(case["id"])
        assert any(d["kind"] == "redo" and d["state"] == "running" for d in redone["deadlines"])
        officer = token(unit, "officer")
        body = {"finding": "partly", "summary": "已督促村委会每月更新公示栏。"}
        await self.ok(case["id"], "conclude", officer, body)
        await self.ok(
            case["id"], "close", officer, {"no_rectification_needed": True, "reason": "已当场整改"}
        )
        await self.until_status(code, "closed")
        page = await self.http.post(f"{self.intake}/track", data={"code": code})
        assert 'data-testid="feedback"' in page.text  # the tracking page offers the form
        form = {"code": code, "rating": "satisfied"}
        again = await self.http.post(f"{self.intake}/track/feedback", data=form)
        assert again.status_code == 200 and "评价已提交" in again.text, again.text
        assert (await self.view(code))["rating"] == "satisfied"
        assert any(step["text"] == "已评价：满意" for step in (await self.view(code))["steps"])
        entry = await self.until_entry(case["id"], "case.rated")
        assert entry["data"]["rating"] == "satisfied" and not entry["data"]["needs_answer"]

    async def a_late_rating_is_refused(self, intake_db: str) -> None:
        code, case = await self.report()
        reason = {"reason": "不属于本单位受理范围"}
        await self.ok(case["id"], "reject", token(case["handling_unit"], "officer"), reason)
        await self.until_status(code, "rejected")
        engine = create_async_engine(intake_db)
        try:
            async with engine.begin() as conn:  # the reply came a month ago
                await conn.execute(
                    text("UPDATE reports SET replied_at = replied_at - interval '31 days'")
                )
        finally:
            await engine.dispose()
        assert (await self.view(code))["feedback_until"] is None
        late = await self.rate(code, "unsatisfied", "太慢了")
        assert late.status_code == 409 and "评价" in late.text

    async def disputes_reassigned_then_upheld(self) -> None:
        code, case = await self.report()
        first = case["handling_unit"]
        await self.ok(
            case["id"],
            "dispute-assignment",
            token(first, "officer"),
            {"reason": "不属于本单位职责"},
        )
        late_other = await self.act(
            case["id"], "dispute-assignment", token(first, "officer"), {"reason": "再次"}
        )
        assert late_other.status_code == 409  # one dispute waits already
        to_accused = await self.act(
            case["id"], "decide-dispute", self.city, {"decision": "reassign", "unit": ACCUSED}
        )
        assert to_accused.status_code == 422 and "unit" in to_accused.text
        back = await self.act(
            case["id"], "decide-dispute", self.city, {"decision": "reassign", "unit": first}
        )
        assert back.status_code == 422
        target = "371422-fpb" if first != "371422-fpb" else "371423-fpb"
        body = {"decision": "reassign", "unit": target}
        moved = await self.ok(case["id"], "decide-dispute", self.city, body)
        assert moved["handling_unit"] == target
        second = await self.ok(
            case["id"], "dispute-assignment", token(target, "officer"), {"reason": "也不属于本单位"}
        )
        assert second["triage"] is True  # disputed again: the city office's triage
        kept = await self.ok(case["id"], "decide-dispute", self.city, {"decision": "uphold"})
        assert kept["handling_unit"] == target and kept["triage"] is False
        decided = [e["data"] for e in kept["timeline"] if e["type"] == "case.dispute_decided"]
        assert [d["outcome"] for d in decided] == ["reassign", "uphold"]
        self.disputed = case["id"], target

    async def an_urge_and_a_supervision_deadline(self) -> None:
        case_id, unit = self.disputed
        due = (local_day(datetime.now().astimezone()) + timedelta(days=1)).isoformat()
        urged = await self.ok(case_id, "urge", self.city, {"text": "请本周内办结", "due": due})
        assert any(d["kind"] == "supervision" for d in urged["deadlines"])
        officer = token(unit, "officer")

        async def told() -> bool:
            inbox = await self.http.get(f"{self.notify}/api/v1/inbox", headers=officer)
            return any(n["event_type"] == "case.urged" for n in inbox.json()["items"])

        await eventually(told, timeout=15)
        warned = await self.until_entry(case_id, "case.deadline_approaching")
        assert warned["data"]["deadline"]["kind"] == "supervision"

    async def the_scorecard_is_a_recount_of_the_events(self, nats_url: str) -> None:
        events = await _case_events(nats_url)
        today = local_day(datetime.now().astimezone())
        expected = _recount(events, today)
        period = today.strftime("%Y-%m")

        async def equal() -> bool:
            answer = await self.http.get(
                f"{self.reporting}/api/v1/scorecards?period={period}", headers=self.city
            )
            got = {item["key"]: _figures(item) for item in answer.json()["items"]}
            return got == expected

        await eventually(equal, timeout=15)
        assert sum(e["urges"] for e in expected.values()) == 1
        assert sum(e["rated"] for e in expected.values()) == 2
        mine = await self.http.get(
            f"{self.reporting}/api/v1/scorecards?period={period}",
            headers=token("371422-fpb", "officer"),
        )
        assert {item["key"] for item in mine.json()["items"]} <= {"371422-fpb"}  # its own only
        page = await self.http.get(f"{self.reporting}/dashboard", headers=self.city)
        assert 'data-testid="scorecards"' in page.text and "按时受理率" in page.text
        public = await self.http.get(f"{self.reporting}/dashboard")
        assert 'data-testid="scorecards"' not in public.text


FIELDS = ("accepted", "completed", "rated", "satisfied", "unsatisfied", "redos", "urges")
FIELDS += ("disputes_upheld", "disputes_lost")


def _figures(item: dict[str, Any]) -> dict[str, int]:
    return {name: item[name] for name in FIELDS}


async def _case_events(nats_url: str) -> list[dict[str, Any]]:
    """Every envelope on the CASES stream, in order."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        total = (await js.stream_info("CASES")).state.messages
        sub = await js.pull_subscribe("zuofeng.v1.*.case.>", stream="CASES")
        out: list[dict[str, Any]] = []
        while len(out) < total:
            for msg in await sub.fetch(batch=200, timeout=5):
                out.append(json.loads(msg.data))
                await msg.ack()
        return out
    finally:
        await nc.close()


def _recount(events: list[dict[str, Any]], today: date) -> dict[str, dict[str, int]]:
    """The scorecard's figures counted again from the envelopes (every case in the test is
    handled well inside its deadlines, so each acceptance and completion is on time)."""
    counts: dict[str, Counter[str]] = {}

    def add(unit: str, name: str) -> None:
        counts.setdefault(unit, Counter())[name] += 1

    for event in events:
        day = local_day(datetime.fromisoformat(event["occurred_at"]))
        data, kind = event["data"], event["type"]
        if day != today:
            continue
        unit = data["handling_unit"]
        if kind in ("case.accepted", "case.rejected"):
            add(unit, "accepted")
        elif kind == "case.concluded":
            add(unit, "completed")
        elif kind == "case.rated":
            add(unit, "rated")
            add(unit, data["rating"])
        elif kind == "case.sent_back":
            add(unit, "redos")
        elif kind == "case.urged":
            add(unit, "urges")
        elif kind == "case.dispute_decided":
            won = data["outcome"] == "reassign"
            add(data["disputing_unit"], "disputes_upheld" if won else "disputes_lost")
    return {unit: {name: c[name] for name in FIELDS} for unit, c in counts.items()}
