"""A named reporter's name, phone and email appear in clear in no table of any service, no
message of any stream, and no log line, after the report went through all four services."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import issue_token
from shared.natsserver import start_nats
from shared.streams import STREAMS
from tests.e2e.stack import SECRET, running_stack
from tests.integration.busutil import eventually
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
NAME, PHONE, EMAIL = "隐秘举报人甲乙", "13912345678", "whistle.blower.x@example.cn"
SECRETS = (NAME, PHONE, EMAIL, "139-1234-5678", "whistle.blower.x")


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    return {
        name: in_thread(pg_server.create_database())
        for name in ("intake", "cases", "notify", "reporting")
    }


async def _table_text(url: str) -> str:
    engine = create_async_engine(url)
    chunks: list[str] = []
    async with engine.connect() as conn:
        metadata = MetaData()
        await conn.run_sync(metadata.reflect)
        for table in metadata.tables.values():
            for row in (await conn.execute(select(table))).all():
                chunks.append(repr(tuple(row)))
    await engine.dispose()
    return "\n".join(chunks)


async def _stream_text(url: str) -> str:
    nc = await nats.connect(url)
    js = nc.jetstream()
    chunks: list[str] = []
    for stream in STREAMS:
        info = await js.stream_info(stream.name)
        for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
            msg = await js.get_msg(stream.name, seq)
            chunks.append((msg.data or b"").decode(errors="replace") + repr(msg.headers))
    await nc.close()
    return "\n".join(chunks)


async def test_identity_never_in_clear(
    tmp_path: Path, databases: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_nats(tmp_path / "nats")
    try:
        async with running_stack(server.url, databases, tmp_path / "var") as stack:
            city = {
                "Authorization": "Bearer "
                + issue_token(
                    SECRET, unit="city-fpb", role="city_office", sub="t", ttl=timedelta(hours=1)
                )
            }
            report = {
                "channel": "web",
                "county": "371402",
                "content": "村里的扶贫资金被村干部挪用了，贫困户一分钱没拿到，请调查。",
                "reporter": {"anonymous": False, "name": NAME, "phone": PHONE, "email": EMAIL},
            }
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.post(f"{stack.urls['intake']}/api/v1/reports", json=report)
                assert answer.status_code == 202, answer.text

                async def counted() -> bool:
                    stats = (
                        await http.get(f"{stack.urls['reporting']}/api/v1/stats", headers=city)
                    ).json()
                    return stats["totals"]["cases"] == 1

                await eventually(counted, timeout=15)
            stored = "\n".join([await _table_text(url) for url in databases.values()])
            streamed = await _stream_text(server.url)
    finally:
        server.stop()
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    files = "\n".join(
        p.read_text(errors="replace") for p in (tmp_path / "var").rglob("*") if p.is_file()
    )
    assert "report.received" in streamed and len(stored) > 100  # the scan saw real data
    for secret in SECRETS:
        for where, text in (
            ("tables", stored),
            ("streams", streamed),
            ("logs", logged),
            ("files", files),
        ):
            assert secret not in text, f"{secret!r} found in clear in {where}"
