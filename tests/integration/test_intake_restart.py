"""Nothing accepted is lost: reports taken while NATS is away wait in the outbox, and a
restarted intake publishes each exactly once (a re-send after a crash is deduplicated)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import update

from services.intake.main import create_app
from shared import migrate
from shared.bus import init_bus
from shared.db import OUTBOX
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_intake_harness import (
    Intake,
    report,
    running_intake,
    settings_for,
    stream_events,
    stream_position,
)
from tests.pg import free_port

pytestmark = pytest.mark.integration


async def _accept_while_nats_is_away(database_url: str, var_dir: Path, count: int) -> set[str]:
    await asyncio.to_thread(migrate.upgrade, "intake", database_url)
    nowhere = f"nats://127.0.0.1:{free_port()}"
    app = create_app(settings_for(nowhere, database_url, var_dir))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
            assert (await http.get("/readyz")).status_code == 503
            answers = await asyncio.gather(
                *(http.post("/api/v1/reports", json=report(title=f"#{i}")) for i in range(count))
            )
        assert {a.status_code for a in answers} == {202}
        assert await app.state.runtime.relay.pending() == count
    return {a.json()["report_id"] for a in answers}


async def test_restart_publishes_what_the_outbox_kept(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    nc = await nats.connect(nats_server.url)
    await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
    since = await stream_position(nc.jetstream())
    await nc.close()
    ids = await _accept_while_nats_is_away(database_url, tmp_path / "var", 12)
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as intake:
        await eventually(lambda: _none_pending(intake))
        # A crash between publishing and marking: the rows go out again on the next start.
        async with intake.ctx.db.sessions() as session, session.begin():
            await session.execute(update(OUTBOX).values(published_at=None))
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as intake:
        await eventually(lambda: _none_pending(intake))
        seen = Counter(
            e.aggregate_id for e in await stream_events(intake.js, since) if e.aggregate_id in ids
        )
    assert seen == Counter({report_id: 1 for report_id in ids})


async def _none_pending(intake: Intake) -> bool:
    return await intake.app.state.runtime.relay.pending() == 0  # type: ignore[no-any-return]
