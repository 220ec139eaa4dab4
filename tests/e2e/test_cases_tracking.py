"""An officer drives a case over HTTP through the four real services on a real nats-server and
PostgreSQL; the reporter's tracking page follows every public step, a review request reopens the
case, and a repeat report shows `merged` to its reporter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import start_nats
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
REPORT = {
    "channel": "web",
    "county": "371402",
    "content": "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。",
    "subject_unit": "德城区黄河涯镇",
    "subject_person": "刘某",
}


async def test_the_tracking_page_follows_the_case(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test polls the public routes: intake's per-client limits (settings) are lifted.
    for limit in ("LOOKUP_RATE", "PUBLIC_SUBMIT_RATE"):
        monkeypatch.setenv(f"ZUOFENG_INTAKE_{limit}", "0")
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=10) as http,
        ):
            await _walk(http, stack.urls)
    finally:
        nats_server.stop()


async def _status(http: httpx.AsyncClient, intake: str, code: str) -> str:
    return str((await http.get(f"{intake}/api/v1/reports/{code}")).json()["status"])


async def _walk(http: httpx.AsyncClient, urls: dict[str, str]) -> None:
    intake, cases, city = urls["intake"], urls["cases"], token("city-fpb", "city_office")
    code = (await http.post(f"{intake}/api/v1/reports", json=REPORT)).json()["tracking_code"]

    async def opened() -> bool:
        return (await http.get(f"{cases}/api/v1/cases", headers=city)).json()["total"] == 1

    await eventually(opened, timeout=15)
    case: dict[str, Any] = (await http.get(f"{cases}/api/v1/cases", headers=city)).json()["items"][
        0
    ]
    officer = token(case["handling_unit"], "officer")
    steps = [
        ("accept", None, "accepted"),
        ("start-investigation", None, "investigating"),
        (
            "conclude",
            {"finding": "unsubstantiated", "summary": "经核查，队员按规定驻村"},
            "concluded",
        ),
        ("close", None, "closed"),
    ]
    for action, body, status in steps:
        answer = await http.post(
            f"{cases}/api/v1/cases/{case['id']}/{action}",
            headers={**officer, "If-Match": str(case["version"])},
            json=body,
        )
        assert answer.status_code == 200, answer.text
        case = answer.json()

        async def followed(status: str = status) -> bool:
            return await _status(http, intake, code) == status

        await eventually(followed, timeout=15)
    view = (await http.get(f"{intake}/api/v1/reports/{code}")).json()
    assert "经核查，队员按规定驻村" in str(view["steps"])  # the public summary reaches the reporter
    review = await http.post(f"{intake}/api/v1/reports/{code}/review", json={"reason": "情况属实"})
    assert review.status_code in (200, 202), review.text

    async def reopened() -> bool:
        return await _status(http, intake, code) == "investigating"

    await eventually(reopened, timeout=15)
    detail = (await http.get(f"{cases}/api/v1/cases/{case['id']}", headers=city)).json()
    assert detail["status"] == "investigating" and detail["timeline"][-1]["type"] == "case.reopened"
    repeat = {**REPORT, "content": "刘某作为驻村工作队员长期不在村里住，群众找不到人。"}
    code2 = (await http.post(f"{intake}/api/v1/reports", json=repeat)).json()["tracking_code"]

    async def merged() -> bool:
        return await _status(http, intake, code2) == "merged"

    await eventually(merged, timeout=15)
    listed = (await http.get(f"{cases}/api/v1/cases", headers=city)).json()
    assert listed["total"] == 1
