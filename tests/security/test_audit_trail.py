"""Case reads and actions land in the hash-chained audit trail, auditors can query it, and
`zuofeng audit verify` finds a tampered row."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import issue_token
from shared.natsserver import start_nats
from tests.e2e.stack import SECRET, running_stack
from tests.integration.busutil import eventually
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e


def _auth(unit: str, role: str) -> dict[str, str]:
    return {
        "Authorization": "Bearer "
        + issue_token(SECRET, unit=unit, role=role, sub=f"{role}-1", ttl=timedelta(hours=1))
    }


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    return {
        name: in_thread(pg_server.create_database())
        for name in ("intake", "cases", "notify", "reporting")
    }


def _verify(cases_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    # The chain's key is the stack's local one under var/ (outside the database).
    env = {**os.environ, "ZUOFENG_CASES_DATABASE_URL": cases_url, "ZUOFENG_VAR_DIR": str(var_dir)}
    return subprocess.run(
        [str(Path(sys.executable).with_name("zuofeng")), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_reads_and_actions_are_audited_and_tampering_found(
    tmp_path: Path, databases: dict[str, str]
) -> None:
    server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(server.url, databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=10) as http,
        ):
            urls, city = stack.urls, _auth("city-fpb", "city_office")
            report = {
                "county": "371402",
                "content": "驻村第一书记一个月只来村里一两次，群众找不到人。",
            }
            assert (
                await http.post(f"{urls['intake']}/api/v1/reports", json=report)
            ).status_code == 202

            async def opened() -> bool:
                return (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()[
                    "total"
                ] == 1

            await eventually(opened, timeout=15)
            case = (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()["items"][
                0
            ]
            officer = _auth(case["handling_unit"], "officer")
            assert (
                await http.get(f"{urls['cases']}/api/v1/cases/{case['id']}", headers=officer)
            ).status_code == 200
            noted = await http.post(
                f"{urls['cases']}/api/v1/cases/{case['id']}/note",
                headers=officer,
                json={"text": "已联系村委"},
            )
            assert noted.status_code == 200, noted.text
            assert (
                await http.get(f"{urls['cases']}/api/v1/audit", headers=city)
            ).status_code == 403
            trail = (
                await http.get(
                    f"{urls['cases']}/api/v1/audit",
                    params={"case": case["id"]},
                    headers=_auth("city-sjj", "auditor"),
                )
            ).json()["items"]
    finally:
        server.stop()
    # the read, the note, and the detail the action answered with
    assert [(e["action"], e["actor_sub"]) for e in trail] == [
        ("read", "officer-1"),
        ("note", "officer-1"),
        ("read", "officer-1"),
    ]
    assert all(e["source"] == "127.0.0.1" and len(e["hash"]) == 64 for e in trail)
    assert _verify(databases["cases"], tmp_path / "var").returncode == 0
    engine = create_async_engine(databases["cases"])
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE audit_log SET actor_sub = 'nobody' WHERE action = 'read'"))
    await engine.dispose()
    tampered = _verify(databases["cases"], tmp_path / "var")
    assert tampered.returncode == 1 and "BROKEN" in tampered.stderr
