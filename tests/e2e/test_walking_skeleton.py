"""A report posted over HTTP becomes a case, an inbox entry and a count, through the four real
services on a real nats-server and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

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
}


async def test_report_becomes_case_inbox_entry_and_count(
    tmp_path: Path, stack_databases: dict[str, str]
) -> None:
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack:
            await _walk(stack.urls)
    finally:
        nats_server.stop()


async def _walk(urls: dict[str, str]) -> None:
    city = token("city-fpb", "city_office")
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            f"{urls['intake']}/api/v1/reports", json=REPORT, headers={"Idempotency-Key": "k1"}
        )
        assert answer.status_code == 202, answer.text
        accepted = answer.json()
        again = await http.post(
            f"{urls['intake']}/api/v1/reports", json=REPORT, headers={"Idempotency-Key": "k1"}
        )
        assert again.json() == accepted

        async def case_opened() -> bool:
            return (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()[
                "total"
            ] == 1

        await eventually(case_opened, timeout=10)
        case = (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()["items"][0]
        assert case["county"] == "371402" and case["problem"] == 18
        handler = token(case["handling_unit"], "officer")

        async def noticed() -> bool:
            return (await http.get(f"{urls['notify']}/api/v1/inbox", headers=handler)).json()[
                "total"
            ] == 1

        await eventually(noticed, timeout=10)
        notice = (await http.get(f"{urls['notify']}/api/v1/inbox", headers=handler)).json()[
            "items"
        ][0]
        assert notice["case_id"] == case["id"]
        # Another county's office sees neither the case nor the notice.
        other = token("371403-fpb", "officer")
        assert (
            await http.get(f"{urls['cases']}/api/v1/cases/{case['id']}", headers=other)
        ).status_code == 404
        assert (await http.get(f"{urls['notify']}/api/v1/inbox", headers=other)).json()[
            "total"
        ] == 0

        async def counted() -> bool:
            stats = (await http.get(f"{urls['reporting']}/api/v1/stats", headers=city)).json()
            return stats["totals"]["received"] == 1 and stats["totals"]["cases"] == 1

        await eventually(counted, timeout=10)

        async def tracked() -> bool:
            # intake's public status follows case events on its own consumer
            view = (
                await http.get(f"{urls['intake']}/api/v1/reports/{accepted['tracking_code']}")
            ).json()
            return [step["status"] for step in view["steps"]] == ["received", "received"]

        await eventually(tracked, timeout=10)
        detail = await http.get(f"{urls['cases']}/api/v1/cases/{case['id']}", headers=city)
        assert (
            detail.headers["etag"] == "1" and detail.json()["timeline"][0]["type"] == "case.opened"
        )
