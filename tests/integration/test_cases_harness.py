"""Harness for the cases tests (no tests here): the cases app in-process on a real nats-server of
its own and a real database, an injected clock, tokens, and readers of the published events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext

from services.cases.context import Context
from services.cases.main import create_app
from services.cases.settings import CasesSettings
from shared import migrate
from shared.auth import issue_token
from shared.bus import init_bus, publish_envelope
from shared.events import Envelope
from shared.natsserver import NatsProcess, start_nats
from tests.factories import report_received
from tests.integration.busutil import eventually

SECRET = "cases-test-secret-long-enough-for-hs256"
START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Dezhou
TIMELY = "驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。"


class Clock:
    """The injected `now`: moves only when a test says so."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsProcess]:
    """A nats-server for this test alone: no other test's messages reach its consumers."""
    server = start_nats(tmp_path / "nats")
    yield server
    server.stop()


def headers(unit: str, role: str, sub: str | None = None, **extra: str) -> dict[str, str]:
    token = issue_token(
        SECRET, unit=unit, role=role, sub=sub or f"{role}@{unit}", ttl=timedelta(hours=1)
    )
    return {"Authorization": f"Bearer {token}", **extra}


@dataclass
class Running:
    app: FastAPI
    http: httpx.AsyncClient
    ctx: Context
    js: JetStreamContext
    clock: Clock

    async def publish(self, envelope: Envelope) -> None:
        await publish_envelope(self.js, envelope)

    async def report(self, **fields: Any) -> Envelope:
        """Publish a report.received (Decheng district by default) and return its envelope."""
        fields.setdefault("county", "371402")
        fields.setdefault("content", TIMELY)
        fields.setdefault("received_at", self.clock())
        envelope = report_received(**fields)
        await self.publish(envelope)
        return envelope

    async def case_of(self, report_id: str, timeout: float = 15.0) -> dict[str, Any]:
        """The case a report opened or joined (waits for it), as the city office sees it."""
        found: dict[str, Any] = {}

        async def linked() -> bool:
            found.update(await self._linked(report_id))
            return bool(found)

        await eventually(linked, timeout=timeout)
        return found

    async def _linked(self, report_id: str) -> dict[str, Any]:
        answer = await self.http.get("/api/v1/cases?limit=500", headers=CITY)
        for item in answer.json()["items"]:
            detail = await self.detail(item["id"])
            if any(r["report_id"] == report_id for r in detail["reports"]):
                return detail
        return {}

    async def detail(self, case_id: str, who: dict[str, str] | None = None) -> dict[str, Any]:
        answer = await self.http.get(f"/api/v1/cases/{case_id}", headers=who or CITY)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def act(
        self, case_id: str, action: str, who: dict[str, str], body: Any = None, status: int = 200
    ) -> httpx.Response:
        answer = await self.http.post(f"/api/v1/cases/{case_id}/{action}", headers=who, json=body)
        assert answer.status_code == status, (action, answer.status_code, answer.text)
        return answer


CITY = headers("city-fpb", "city_office")


@contextlib.asynccontextmanager
async def cases_running(
    nats_url: str, database_url: str, var_dir: Path, clock: Clock, **settings: Any
) -> AsyncIterator[Running]:
    """The cases app with its lifespan (broker, relay) on a migrated database."""
    await asyncio.to_thread(migrate.upgrade, "cases", database_url)
    nc = await nats.connect(nats_url)
    await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "var_dir": var_dir,
        "jwt_secret": SECRET,
        "retry_delays": (0.2, 0.5, 1.0),
        "outbox_poll_interval": 0.2,
        "sweeper": False,
    }
    app = create_app(CasesSettings(**{**values, **settings}), now=clock)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://cases") as http:
                await eventually(lambda: _ready(http), timeout=15)
                yield Running(app, http, app.state.context, nc.jetstream(), clock)
    finally:
        await nc.close()


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


async def case_events(js: JetStreamContext, case_id: str | None = None) -> list[Envelope]:
    """Every case event on the CASES stream (of one case), in stream order."""
    sub = await js.pull_subscribe("zuofeng.v1.*.case.>", stream="CASES")
    out: list[Envelope] = []
    try:
        pending = (await sub.consumer_info()).num_pending
        while len(out) < pending:
            for msg in await sub.fetch(min(500, pending - len(out)), timeout=5):
                out.append(Envelope.model_validate_json(msg.data))
                await msg.ack()
    finally:
        await sub.unsubscribe()
    return [e for e in out if case_id is None or e.aggregate_id == case_id]


async def published(js: JetStreamContext, case_id: str, count: int) -> list[Envelope]:
    """Wait until the case has `count` events on the stream; return them."""
    events: list[Envelope] = []

    async def enough() -> bool:
        events[:] = await case_events(js, case_id)
        return len(events) >= count

    await eventually(enough, timeout=15)
    return events
