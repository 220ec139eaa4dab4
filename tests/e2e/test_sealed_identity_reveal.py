"""A named report goes through intake to cases and back out to the discipline inspector whole:
every field intake sealed for discipline inspection (name, phone, email) is revealed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from shared.auth import issue_token
from shared.natsserver import start_nats
from tests.e2e.stack import SECRET, running_stack
from tests.integration.busutil import eventually
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
REPORTER = {
    "anonymous": False,
    "name": "欧阳明月",
    "phone": "13912345678",
    "email": "oy@example.org",
}


def _auth(unit: str, role: str) -> dict[str, str]:
    token = issue_token(SECRET, unit=unit, role=role, sub=f"{role}-1", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


async def test_intake_sealed_identity_is_revealed_whole_by_cases(
    tmp_path: Path, pg_server: PgServer
) -> None:
    databases = {
        name: in_thread(pg_server.create_database())
        for name in ("intake", "cases", "notify", "reporting")
    }
    server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(server.url, databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=10) as http,
        ):
            intake, cases = stack.urls["intake"], stack.urls["cases"]
            report = {
                "county": "371402",
                "content": "村扶贫专干截留贫困户的到户补助资金，群众多次反映无果。",
                "reporter": REPORTER,
            }
            assert (await http.post(f"{intake}/api/v1/reports", json=report)).status_code == 202
            city = _auth("city-fpb", "city_office")

            async def opened() -> bool:
                listed = await http.get(f"{cases}/api/v1/cases", headers=city)
                return bool(listed.json()["total"] == 1)

            await eventually(opened, timeout=15)
            case = (await http.get(f"{cases}/api/v1/cases", headers=city)).json()["items"][0]
            officer = _auth(case["handling_unit"], "officer")
            act = f"{cases}/api/v1/cases/{case['id']}"
            assert (await http.post(f"{act}/accept", headers=officer, json={})).status_code == 200
            moved = await http.post(
                f"{act}/transfer",
                headers=officer,
                json={"to": "discipline_inspection", "reason": "涉嫌违纪"},
            )
            assert moved.status_code == 200, moved.text
            inspector = _auth(moved.json()["receiving_unit"], "inspector")
            answer = await http.post(
                f"{act}/reveal-identity", headers=inspector, json={"reason": "核实举报人"}
            )
    finally:
        server.stop()
    assert answer.status_code == 200, answer.text
    assert answer.json()["identity"] == {k: v for k, v in REPORTER.items() if k != "anonymous"}
