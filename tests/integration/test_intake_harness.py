"""Intake under test: the real app (lifespan, broker, relay, consumer) on the session's
nats-server and a fresh database, driven over HTTP in-process. Helpers only; no tests here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
from fastapi import FastAPI
from nats.js import JetStreamContext

from services.intake.context import Context
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from shared import migrate
from shared.auth import issue_token
from shared.bus import init_bus, publish_envelope
from shared.events import Envelope, make_event, parse_envelope
from shared.events.cases import CaseEvent
from shared.observability import broker_connected
from tests.integration.busutil import eventually

SECRET = "intake-tests-jwt-secret-long-enough-for-hs256"
CONTENT = "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。"


def report(**overrides: Any) -> dict[str, Any]:
    return {"channel": "web", "county": "371402", "content": CONTENT} | overrides


def bearer(role: str, unit: str = "371402-fpb") -> dict[str, str]:
    token = issue_token(SECRET, unit=unit, role=role, sub="tests", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


class Clock:
    """Real time plus an offset the test moves forward by hand."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Intake:
    app: FastAPI
    http: httpx.AsyncClient
    settings: IntakeSettings
    js: JetStreamContext
    since: int  # the INTAKE stream's sequence when this intake started

    @property
    def ctx(self) -> Context:
        return self.app.state.context  # type: ignore[no-any-return]

    async def case_event(self, payload: CaseEvent, sequence: int | None = None) -> Envelope:
        """Publish a case event as the cases service would (on the CASES stream)."""
        event = make_event(
            payload,
            county=payload.county,
            aggregate_id=payload.case_id,
            sequence=sequence or payload.version,
            producer="cases",
        )
        await publish_envelope(self.js, event)
        return event

    async def view(self, code: str, **headers: str) -> dict[str, Any]:
        answer = await self.http.get(f"/api/v1/reports/{code}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def settings_for(
    nats_url: str, database_url: str, var_dir: Path, **overrides: Any
) -> IntakeSettings:
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "var_dir": var_dir,
        "jwt_secret": SECRET,
        "retry_delays": (0.2, 0.5, 1.0),
        "outbox_poll_interval": 0.2,
        "lookup_rate": 0,
        "public_submit_rate": 0,
    }
    return IntakeSettings(**(values | overrides))


@contextlib.asynccontextmanager
async def running_intake(
    nats_url: str,
    database_url: str,
    var_dir: Path,
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> AsyncIterator[Intake]:
    """Migrate, apply the bus definitions, start the app and wait until it is ready."""
    await asyncio.to_thread(migrate.upgrade, "intake", database_url)
    nc = await nats.connect(nats_url)
    try:
        await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
        since = await stream_position(nc.jetstream())
        settings = settings_for(nats_url, database_url, var_dir, **overrides)
        app = create_app(settings, clock=clock) if clock else create_app(settings)
        async with app.router.lifespan_context(app):
            await eventually(lambda: _ready(app), timeout=15)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
                yield Intake(app=app, http=http, settings=settings, js=nc.jetstream(), since=since)
    finally:
        await nc.close()


async def _ready(app: FastAPI) -> bool:
    return broker_connected(app.state.runtime.broker)


async def stream_position(js: JetStreamContext, stream: str = "INTAKE") -> int:
    """The sequence the stream's next message will get (tests read only what follows it)."""
    return int((await js.stream_info(stream)).state.last_seq) + 1


async def raw_messages(js: JetStreamContext, since: int, stream: str = "INTAKE") -> list[Any]:
    """The messages stored from sequence `since` on, as stored (subject, headers, bytes)."""
    last = (await js.stream_info(stream)).state.last_seq
    return [await js.get_msg(stream, seq) for seq in range(since, last + 1)]


async def stream_events(js: JetStreamContext, since: int) -> list[Envelope]:
    """The events on the INTAKE stream from sequence `since` on, parsed."""
    return [parse_envelope(msg.data) for msg in await raw_messages(js, since)]


async def published(
    intake: Intake, report_ids: set[str], event_type: str = "report.received"
) -> list[Envelope]:
    """Wait until the stream holds `event_type` for every one of `report_ids`; those events."""
    found: list[Envelope] = []

    async def all_there() -> bool:
        nonlocal found
        events = await stream_events(intake.js, intake.since)
        found = [e for e in events if e.type == event_type and e.aggregate_id in report_ids]
        return {e.aggregate_id for e in found} == report_ids

    await eventually(all_there, timeout=15)
    return found
