"""The audit trail of cases on the real NATS server and PostgreSQL/SQLite: list reads (with their
filters) and trail reads are audited, the chain's head is anchored on the AUDIT stream, which
refuses deletes and purges, and `zuofeng audit verify` compares the trail with the anchor."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from nats.js.errors import APIError
from sqlalchemy import delete, func, select

from services.cases.audit import anchor as audit
from services.cases.cli import _audit_verify
from services.cases.models import audit_log
from services.cases.settings import CasesSettings
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_cases_harness import (
    Clock,
    Running,
    cases_running,
    headers,
    own_nats,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
AUDITOR = headers("city-sjj", "auditor", "auditor-1")
OFFICER = headers("371402-fpb", "officer", "officer-1")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    var = tmp_path / "var"
    async with cases_running(
        own_nats.url, database_url, var, Clock(), audit_anchor_interval=0.2
    ) as r:
        yield r


async def _trail(running: Running) -> list[dict[str, Any]]:
    answer = await running.http.get("/api/v1/audit?limit=500", headers=AUDITOR)
    assert answer.status_code == 200
    return list(answer.json()["items"])


async def test_list_and_trail_reads_are_audited(running: Running) -> None:
    report = await running.report()
    case = await running.case_of(report.aggregate_id)
    listed = await running.http.get(
        "/api/v1/cases", params={"status": "received", "q": "驻村"}, headers=OFFICER
    )
    assert listed.status_code == 200 and listed.json()["total"] == 1
    trail = await _trail(running)
    lists = [e for e in trail if e["action"] == "list" and e["actor_sub"] == "officer-1"]
    assert lists and lists[-1]["detail"]["filters"] == {"status": "received", "q": "驻村"}
    assert lists[-1]["detail"]["shown"] == [case["id"]] and lists[-1]["case_id"] is None
    assert len(lists[-1]["hash"]) == 64
    again = await _trail(running)  # the first trail read is in the second
    assert any(e["action"] == "audit-read" and e["actor_sub"] == "auditor-1" for e in again)


async def test_the_head_is_anchored_and_the_anchor_cannot_be_deleted(
    running: Running, own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    await running.http.get("/api/v1/cases", headers=OFFICER)
    subject = audit.anchor_subject(running.ctx)
    assert subject == "zuofeng.v1.371400.audit.anchored"
    async with running.ctx.db.sessions() as session:
        last = int(await session.scalar(select(func.max(audit_log.c.id))) or 0)
    found: dict[str, Any] = {}

    async def anchored() -> bool:
        anchor = await audit.last_anchor(running.js, subject)
        found["anchor"] = anchor
        return anchor is not None and anchor.last_id >= last

    await eventually(anchored, timeout=15)
    info = await running.js.stream_info("AUDIT")
    assert info.config.deny_delete and info.config.deny_purge
    with pytest.raises(APIError):
        await running.js.delete_msg("AUDIT", info.state.last_seq)
    with pytest.raises(APIError):
        await running.js.purge_stream("AUDIT")
    settings = CasesSettings(
        nats_url=own_nats.url, database_url=database_url, var_dir=tmp_path / "var"
    )
    intact, message = await _audit_verify(settings)
    assert intact, message
    assert "matches the anchor" in message
    # Someone with database access drops the last entries: the anchor still names them.
    async with running.ctx.db.sessions() as session, session.begin():
        anchor = found["anchor"]
        await session.execute(delete(audit_log).where(audit_log.c.id >= anchor.last_id))
    intact, message = await _audit_verify(settings)
    assert not intact and "BROKEN" in message and "missing from the anchor" in message


async def test_a_trail_rewritten_while_cases_was_down_is_never_anchored(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    var, fast = tmp_path / "var", {"audit_anchor_interval": 0.2}
    async with cases_running(own_nats.url, database_url, var, Clock(), **fast) as first:
        for _ in range(3):
            await first.http.get("/api/v1/cases", headers=OFFICER)
        subject = audit.anchor_subject(first.ctx)

        async def anchored() -> bool:
            anchor = await audit.last_anchor(first.js, subject)
            return anchor is not None and anchor.last_id >= 3

        await eventually(anchored, timeout=15)
        anchor = await audit.last_anchor(first.js, subject)
        assert anchor is not None
        async with first.ctx.db.sessions() as session, session.begin():
            await session.execute(delete(audit_log).where(audit_log.c.id >= 2))
    async with cases_running(own_nats.url, database_url, var, Clock(), **fast) as second:
        await second.http.get("/api/v1/cases", headers=OFFICER)  # the trail moves on
        await asyncio.sleep(1.5)  # several anchor rounds
        assert await audit.last_anchor(second.js, subject) == anchor
    settings = CasesSettings(nats_url=own_nats.url, database_url=database_url, var_dir=var)
    intact, message = await _audit_verify(settings)
    # The rows after entry 1 went: the anchored entry is gone or another one holds its id.
    assert not intact and "from the anchor published at" in message


async def test_an_overlong_case_filter_is_a_422_not_a_failed_audit_write(running: Running) -> None:
    answer = await running.http.get("/api/v1/audit", params={"case": "x" * 37}, headers=AUDITOR)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "case"]
